"""Failures of the database itself, named so that code outside storage can catch them
without importing the database engine."""

from __future__ import annotations

import sqlite3

#: Any failure of the database itself (a write that met a lock past the busy timeout, a
#: corrupt page, a full disk).
DatabaseError = sqlite3.Error
#: A statement the database could not run now: busy past its timeout, a read-only file.
DatabaseBusy = sqlite3.OperationalError
