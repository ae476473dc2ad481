"""Bounded work per file: what the reader refuses before it spends time on a file.

A drop folder's files are read one after another, so one file must never hold up the
others for long: only regular files are read (a FIFO or ``/dev/zero`` would block or never
end), a file larger than the limit is refused unread, a line longer than any export writes
is refused at once with its number (the header search and the cell splitting would
otherwise work on it for minutes), and the header is looked for in a bounded head of the
file only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from opsboard.adapters.api import N_, RejectedInput, _

#: The longest line (in bytes) a text export may hold; no platform writes one this long.
MAX_LINE_BYTES = 1024 * 1024
#: How much of a text file (in characters) the header search looks at.
HEAD_CHARS = 256 * 1024
#: A row with more cells than this is never taken for a header row.
MAX_HEADER_CELLS = 512

_KINDS = (
    (stat.S_ISFIFO, N_("a named pipe (FIFO)")),
    (stat.S_ISCHR, N_("a character device")),
    (stat.S_ISBLK, N_("a block device")),
    (stat.S_ISSOCK, N_("a socket")),
    (stat.S_ISDIR, N_("a folder")),
)


def _not_regular(name: str, mode: int) -> RejectedInput | None:
    """The refusal of something that is not a regular file, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kind = next((label for test, label in _KINDS if test(mode)), N_("not a regular file"))
    return RejectedInput(
        _("{file}: is {kind}, not a regular file; only files are read").format(
            file=name, kind=_(kind)
        ),
        hint=_("save the export as a file and ingest that file"),
    )


def check_regular(path: Path) -> None:
    """``RejectedInput`` unless ``path`` is a regular file (looked at without opening it,
    which would block on a FIFO)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # the read that follows says why it cannot be read
    refusal = _not_regular(path.name, mode)
    if refusal is not None:
        raise refusal


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``: a regular file of at most ``max_bytes``, else ``RejectedInput``.

    The file is opened without blocking and judged by the opened handle, so that a FIFO
    put in its place after a check is refused too, never waited on.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise RejectedInput(
            _("{file}: cannot be read ({error})").format(file=path.name, error=exc.strerror or exc)
        ) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        refusal = _not_regular(path.name, info.st_mode)
        if refusal is not None:
            raise refusal
        if info.st_size > max_bytes:
            raise _too_large(path.name, info.st_size, max_bytes)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(path.name, len(data), max_bytes)
    return data


def _too_large(name: str, size: int, max_bytes: int) -> RejectedInput:
    return RejectedInput(
        _(
            "{file}: is {size} bytes, more than the largest report read ({max_bytes} bytes); "
            "it was not read"
        ).format(file=name, size=size, max_bytes=max_bytes),
        hint=_(
            "split the export into smaller files (e.g. by date range), or raise "
            "max_file_bytes in the adapter's options"
        ),
    )


def check_line_lengths(data: bytes, name: str) -> None:
    """``RejectedInput`` naming the first line longer than ``MAX_LINE_BYTES``."""
    if len(data) <= MAX_LINE_BYTES:
        return
    lines = data.split(b"\n")
    if max(map(len, lines)) <= MAX_LINE_BYTES:
        return
    number = next(i for i, line in enumerate(lines, 1) if len(line) > MAX_LINE_BYTES)
    raise RejectedInput(
        _(
            "{file}: the line is {size} bytes long, more than any export "
            "writes ({limit} bytes); the file was not read"
        ).format(file=name, size=len(lines[number - 1]), limit=MAX_LINE_BYTES),
        line=number,
        hint=_(
            "this is not a report as the platform exports it (a damaged download, or "
            "data without line breaks): download the report again"
        ),
    )


def head_of(text: str) -> str:
    """The head of ``text`` the header search looks at: at most ``HEAD_CHARS`` characters,
    ending at a line break (the whole text when it is short)."""
    if len(text) <= HEAD_CHARS:
        return text
    head = text[:HEAD_CHARS]
    end = max(head.rfind("\n"), head.rfind("\r"))
    return head[: end + 1] if end >= 0 else head + "\n"
