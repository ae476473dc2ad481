"""The morning review: what moved yesterday, why, and what to do (Textual-free).

``build_review(runtime, store, store_name, day)`` assembles a ``Review`` from the metrics
engine; ``render(review, fmt)`` prints it as text, Markdown, HTML or JSON;
``deliver_due_reviews`` sends the scheduled chat summary once per store and day.
"""

from __future__ import annotations

from opsboard.review.build import build_review
from opsboard.review.delivery import chat_summary, deliver_due_reviews
from opsboard.review.model import Diagnosis, Review
from opsboard.review.render import FORMATS, render, render_many
from opsboard.review.stores import default_day, review_stores

__all__ = [
    "FORMATS",
    "Diagnosis",
    "Review",
    "build_review",
    "chat_summary",
    "default_day",
    "deliver_due_reviews",
    "render",
    "render_many",
    "review_stores",
]
