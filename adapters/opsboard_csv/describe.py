"""How a format profile is recognised, as ``opsboard formats`` lists it.

The command prints ``detected by: `` and then this text under the format's name; the
lines after the first are indented to sit under it and wrapped to 80 columns (CJK
characters count two columns, as terminals draw them), so that every accepted header
name, in every language and year, is listed without a line running off the screen.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opsboard_csv.profiles import Profile

#: Where the text after ``detected by: `` continues on the following lines.
INDENT = " " * 31
WIDTH = 80

_DATE_SOURCES = {
    "column": "a date column",
    "option": "--date",
    "title": "the title rows",
    "file_name": "a date in the file name",
}


def columns(text: str) -> int:
    """The width of ``text`` in a terminal: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrapped(names: list[str], first: str, rest: str, sep: str = " | ") -> list[str]:
    """``names`` joined by ``sep`` on lines of at most ``WIDTH`` columns."""
    lines: list[str] = []
    line = first
    for position, name in enumerate(names):
        piece = name if position == 0 else f"{sep}{name}"
        # A line that is not the last ends with the separator: it must fit too.
        ends = sep.rstrip() if position < len(names) - 1 else ""
        if position and columns(line + piece + ends) > WIDTH:
            lines.append(line + sep.rstrip())
            line, piece = rest, name
        line += piece
    lines.append(line)
    return lines


def describe_profile(profile: Profile) -> str:
    """One header name per accepted spelling of each required column, then the dates."""
    lines = ["a header row with one of each:"]
    for choice in profile.required_choices():
        names: list[str] = []
        seen: set[str] = set()
        for key in choice:
            for header, matched in zip(
                profile.fields[key].headers, profile.field_headers(key), strict=True
            ):
                if matched not in seen:  # spellings that match alike are shown once
                    seen.add(matched)
                    names.append(header.strip())
        lines += _wrapped(names, INDENT + "- ", INDENT + "  ")
    if profile.title_pattern is not None:
        label = profile.title_label or f"matching {profile.title_pattern}"
        lines.append(f"{INDENT}and above it a title row {label}")
    if profile.not_with:
        lines += _wrapped(
            [h.strip() for h in profile.not_with], f"{INDENT}and no column: ", INDENT + "  "
        )
    dates = [_DATE_SOURCES[s] for s in profile.date_from]
    if "file_name" in set(profile.date_sources(dropped=True)) - set(profile.date_from):
        dates.append("(in a drop folder) a date in the file name")
    lines += _wrapped(dates, f"{INDENT}date from: ", INDENT + "  ", sep=", or ")
    return "\n".join(lines)
