"""SQLite storage of points, ingest history, source health, bookmarks and alert state."""

from __future__ import annotations

from opsboard.storage.store import IngestBatch, Store

__all__ = ["IngestBatch", "Store"]
