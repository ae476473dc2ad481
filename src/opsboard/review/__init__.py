"""The morning review: what moved yesterday, why, and what to do (Textual-free).

``build_review(runtime, store, store_name, day)`` assembles a ``Review`` from the metrics
engine; ``yesterdays_reviews`` builds each store's own yesterday; ``render(review, fmt)``
prints it as text, Markdown, HTML or JSON; ``ReviewCourier`` sends the scheduled chat
summary once per store, day and notifier, off the evaluation path.
"""

from __future__ import annotations

from opsboard.review.build import build_review, yesterdays_reviews
from opsboard.review.courier import ReviewCourier
from opsboard.review.delivery import chat_summary
from opsboard.review.model import Diagnosis, Review
from opsboard.review.render import FORMATS, render, render_many
from opsboard.review.stores import default_day, review_stores

__all__ = [
    "FORMATS",
    "Diagnosis",
    "Review",
    "ReviewCourier",
    "build_review",
    "chat_summary",
    "default_day",
    "render",
    "render_many",
    "review_stores",
    "yesterdays_reviews",
]
