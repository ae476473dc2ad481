"""Writing a rendered review to a file: owner-only, and whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from opsboard.errors import UsageError


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, through a temporary file and a rename,
    so that a reader never sees half a file. Raises ``UsageError`` naming the path."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot write here ({exc.strerror})",
            hint="name a file in a folder that exists and that you can write to",
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise UsageError(
            f"{path}: cannot write the review ({exc.strerror})",
            hint="check the path and its permissions",
        ) from None
