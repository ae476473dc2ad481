"""The refusals of this adapter that a drop folder treats differently from the others."""

from __future__ import annotations

from opsboard.adapters.api import N_, AbandonBatch, RejectedInput


class IncompleteFile(RejectedInput):
    """A file that looks cut off: empty, no final newline, a zip or workbook that cannot
    be opened. `opsboard ingest` refuses it at once; a drop folder waits for the rest while
    the file is recent, and refuses it only once it has stopped changing for a while."""


class FileChanged(IncompleteFile, AbandonBatch):
    """The file changed while it was being read: it is still being written. Raised inside
    the write transaction, it rolls the file back without recording a refused ingest (the
    file is read again once it settles)."""


#: How a notice about a missing column the format relies on begins (the per-file result
#: shows it; the drop folder's health repeats it).
MISSING_COLUMN = N_("missing column")
