"""`opsboard formats` in the reader's language: each format's title (the adapter's
``title_zh`` in Chinese) and the words of its "detected by" text.

The adapters describe formats in English, built from their profile files; the header
names they list are the exports' own and stay as they are. Only the connecting words
("a header row with one of each:", "date from:") are said in Chinese, here, so that the
adapters need no catalog of their own.
"""

from __future__ import annotations

from collections.abc import Mapping

from opsboard import i18n
from opsboard.i18n import N_, _

#: The connecting words of the adapters' "detected by" texts, longest first so that a
#: phrase is replaced before any shorter one inside it.
DETECT_WORDS = (
    N_("(in a drop folder) a date in the file name"),
    N_("a header row with, in any order:"),
    N_("a header row with one of each:"),
    N_("and above it a title row"),
    N_("a date in the file name"),
    N_("and optionally"),
    N_("and no column:"),
    N_("the title rows"),
    N_("a date column"),
    N_("date from:"),
    N_("matching"),
)


def format_title(info: Mapping[str, str]) -> str:
    """A format's title: the Chinese one when opsboard speaks Chinese and has it."""
    if i18n.is_chinese() and info.get("title_zh"):
        return info["title_zh"]
    return info.get("title", "")


def detected_by(info: Mapping[str, str]) -> str:
    """How a format is recognised, its connecting words in the reader's language."""
    text = info.get("detect", "")
    if not i18n.is_chinese():
        return text
    for phrase in DETECT_WORDS:
        text = text.replace(phrase, _(phrase))
    return text.replace("： ", "：")  # a full-width colon carries its own space
