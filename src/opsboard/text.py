"""Text from outside made inert before it is shown, and refused at the door when it cannot be.

Names, ids, file names and messages come from export files, platform APIs and configs. A
terminal obeys the control characters among them: ``ESC ] 0 ; … BEL`` renames the window,
``ESC [ 2 J`` wipes the screen, a newline in a file name forges a log line, and a bidi
override (U+202E) shows text in an order it was not written in. Every text output (the
dashboard, the command line's tables and CSV, the review, logs, chat messages) passes such
text through ``inert`` (one line) or ``inert_lines`` (a block of our own lines), which show
each of those characters as a visible escape (``\\x1b``, ``\\u202e``) instead of sending it.

At ingest, ``text_problem`` says why an id or a name cannot be stored at all: a control
character, or a length no platform writes (``MAX_ID_LENGTH``, ``MAX_NAME_LENGTH``).
"""

from __future__ import annotations

import logging
import re
import sys
from functools import cache
from typing import Any

from opsboard import i18n

#: The longest id (a campaign or a SKU) a file or an API may hand over.
MAX_ID_LENGTH = 128
#: The longest search term, keyword or traffic source: words a shopper typed, which real
#: Amazon search term reports list at 180 characters and more.
MAX_TERM_LENGTH = 512
#: The longest name (of a plan or a product) a file or an API may hand over.
MAX_NAME_LENGTH = 512

#: Bidirectional formatting characters: they reorder what follows them on screen.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: C0 (NUL to US, with TAB, LF and CR), DEL, C1, the Unicode line and paragraph
#: separators, and the bidi controls: never sent to a terminal, a log or a page.
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
#: The same, except tab and newline, which a block of lines of our own holds.
_UNSAFE_IN_BLOCK = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
#: What JSON writes raw inside its strings (it escapes C0 itself; its own layout's
#: newlines stay).
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}]")
#: What a name may hold that an id may not: white space a product title carries.
_SPACES = frozenset("\t\n\r")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str) -> str:
    """``text`` safe to show on one line: every control character (also tab and newline)
    and every bidi override written as a visible escape, e.g. ``\\x1b]0;pwned\\x07``."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escaped, text)


def inert_lines(text: str) -> str:
    """``text`` safe to show as a block of lines: like ``inert``, but tabs and newlines
    stay (use it on output we laid out ourselves, after ``inert`` on each outside value
    where a newline inside it would matter)."""
    if _UNSAFE_IN_BLOCK.search(text) is None:
        return text
    return _UNSAFE_IN_BLOCK.sub(_escaped, text.replace("\r\n", "\n"))


# A message of ours goes on to its next line for the fix of an error, a listed problem or
# a note (``OpsboardError``, ``ConfigError``, the ingest lines).
@cache
def _our_breaks(language: str) -> re.Pattern[str]:
    """Where a message of ours goes on to its next line, in English and in ``language``
    (``  fix:`` / ``  修复：``, ``  - ``, ``  note:`` / ``  提示：``)."""
    words = {"fix: ", "- ", "note: "}
    for template in ("fix: {hint}", "note: {note}"):
        words.add(i18n.translations(language).gettext(template).split("{", 1)[0])
    return re.compile(r"\n(?=  (?:" + "|".join(re.escape(w) for w in sorted(words)) + "))")


def inert_message(text: str) -> str:
    """An error or a result message made inert, keeping its own line breaks (before
    ``  fix:``, ``  - `` and ``  note:``, in either language): any other newline, e.g. in
    a file name it quotes, is shown escaped and cannot forge a line."""
    return "\n".join(inert(part) for part in _our_breaks(i18n.current()).split(text))


def text_problem(
    value: str, what: str, *, name: bool = False, longest: int | None = None
) -> str | None:
    """Why ``value`` (an id, or with ``name`` a name) cannot be stored, or None.

    An id holds no control character and no bidi override and is at most
    ``MAX_ID_LENGTH`` characters (``longest`` when given: ``MAX_TERM_LENGTH`` for search
    terms); a name may also hold tabs and line breaks (they are stored as spaces) and is at
    most ``MAX_NAME_LENGTH``. ``what`` names the value in the message (``SKU``, ``plan
    name``).
    """
    limit = longest if longest is not None else MAX_NAME_LENGTH if name else MAX_ID_LENGTH
    if len(value) > limit:
        return i18n.gettext(
            "the {what} is {length} characters long ({start}...); at most {limit} are accepted"
        ).format(what=i18n.gettext(what), length=len(value), start=inert(value[:20]), limit=limit)
    for found in _UNSAFE.finditer(value):
        if name and found.group() in _SPACES:
            continue
        return i18n.gettext(
            "the {what} '{value}' holds the control character {character} (at character {position})"
        ).format(
            what=i18n.gettext(what),
            value=inert(value[:60]),
            character=_escaped(found),
            position=found.start() + 1,
        )
    return None


def _json_escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def inert_json(document: str) -> str:
    """A JSON document with the characters JSON lets through raw (DEL, C1, bidi controls,
    line separators) written as ``\\uXXXX`` escapes: the same data, safe on a terminal."""
    if _UNSAFE_IN_JSON.search(document) is None:
        return document
    return _UNSAFE_IN_JSON.sub(_json_escaped, document)


class InertFormatter(logging.Formatter):
    """A log formatter that writes each record's message inert: a file name holding a
    newline cannot forge a second log line, nor an ESC reach the terminal. A traceback
    keeps its own lines, with their control characters escaped."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The record's line, made inert."""
        return inert(super().formatMessage(record))

    def formatException(self, ei: Any) -> str:
        """The traceback's lines, their control characters escaped."""
        return inert_lines(super().formatException(ei))


def inert_stderr_logging(level: int, format: str) -> None:
    """Log to stderr at ``level`` with ``format``, every message made inert."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(InertFormatter(format))
    logging.basicConfig(level=level, handlers=[handler])
