"""Text encodings of export files, tried in the order the platforms make likely.

A byte-order mark decides at once (UTF-8, UTF-16LE/BE). Without one: UTF-16 when the
bytes hold NULs, then strict UTF-8, then GB18030 (a superset of GBK that also holds
``®``, ``™`` and ``€``, which GBK rejects), then cp1252. A candidate that decodes is only
a candidate: the reader confirms it by recognising a known header row.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for BOM-less UTF-16 text, judged by where NULs sit."""
    head = data[:4096]
    if b"\x00" not in head:
        return None
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    if odd > even * 2:
        return "utf-16-le"
    if even > odd * 2:
        return "utf-16-be"
    return None


def _decode(data: bytes, encoding: str) -> str:
    """``data`` decoded strictly, except that a character cut off at the very end (an
    interrupted download) is dropped, so that the cut is reported as such."""
    if encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        return codecs.getincrementaldecoder(encoding)("strict").decode(data, final=False)
    return data.decode(encoding)


def candidates(data: bytes) -> Iterator[tuple[str, str]]:
    """``(encoding, text)`` for every encoding that decodes ``data``, most likely first."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = _decode(data[len(bom) :], name.replace("-sig", ""))
            except UnicodeDecodeError:
                return
            yield name, text
            return
    order = ["utf-8", "gb18030", "cp1252"]
    utf16 = _utf16_without_bom(data)
    if utf16:
        order.insert(0, utf16)
    for name in order:
        try:
            text = _decode(data, name)
        except UnicodeDecodeError:
            continue
        if name != utf16 and "\x00" in text:
            continue
        yield name, text
