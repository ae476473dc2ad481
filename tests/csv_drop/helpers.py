"""Helpers shared by the drop-folder tests."""

from __future__ import annotations

from pathlib import Path

HEADER = "ts,store,channel,campaign,sku,metric,value\n"


def write_csv(path: Path, body: str, header: str = HEADER) -> Path:
    """Write a canonical CSV (header + ``body``) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + body, encoding="utf-8")
    return path
