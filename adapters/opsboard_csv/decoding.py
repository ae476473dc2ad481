"""Text encodings of export files, tried in the order the platforms make likely.

A byte-order mark decides at once (UTF-8, UTF-16LE/BE). Without one: UTF-16 when one
byte in twenty or more is a NUL, then strict UTF-8, then GB18030 (a superset of GBK that
also holds ``®``, ``™`` and ``€``, which GBK rejects), then cp1252 (a stray NUL in a cell
is left to the reader, which refuses it by its line and column). A candidate that decodes is only
a candidate: the reader confirms it by recognising a known header row, and where the
header is plain ASCII (a Western platform's report) and both GB18030 and cp1252 decode
the file, ``implausible_share`` says which reads its names as real text: cp1252 bytes
read as GB18030 give rare ideographs (``Dächer`` -> ``D鋍her``), and GB18030 bytes read
as cp1252 give stray symbols (``示例`` -> ``Ê¾Àý``).
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


#: NULs in more than one byte of this many mark UTF-16 text; fewer are stray NULs in cells,
#: which the reader refuses by their line and column.
_NUL_SHARE = 20


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for BOM-less UTF-16 text, judged by where NULs sit."""
    head = data[:4096]
    if head.count(0) * _NUL_SHARE < len(head):
        return None  # no NULs, or a stray one in a cell: not UTF-16
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
        if name != utf16 and text.count("\x00") * _NUL_SHARE >= len(text):
            continue  # text with NULs everywhere is UTF-16 read wrong
        yield name, text


#: Encodings whose successful decoding says little: almost any bytes decode.
WEAK = frozenset({"gb18030", "cp1252"})
#: Characters looked at to judge an encoding (names repeat; the head of a file suffices).
_SAMPLE = 1_000_000
#: Symbols that real Western text holds; other Latin-1 symbols are rare outside garbage.
_COMMON_SYMBOLS = frozenset("\u00a0€£¥¢©®™°±×÷·•–—‘’‚“”„…«»¿¡§µ")


@lru_cache(maxsize=8192)
def _implausible(char: str) -> bool:
    """True for a character that real export text rarely holds."""
    if char in _COMMON_SYMBOLS:
        return False
    if ord(char) >= 0x2E80:
        # CJK text: the common characters are those of GB2312; misread Latin-1 bytes
        # land on rare GBK ones.
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            return True
        return False
    category = unicodedata.category(char)
    return not (category.startswith("L") or category.startswith("M"))


def implausible_share(text: str) -> float:
    """The share of the distinct non-ASCII characters of ``text`` that real text rarely
    holds: 0 for plain ASCII; near 0 for the right decoding, well above for a wrong one."""
    found = {c for c in set(text[:_SAMPLE]) if ord(c) > 0x7F}
    if not found:
        return 0.0
    return sum(1 for c in found if _implausible(c)) / len(found)
