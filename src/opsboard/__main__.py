"""Allow ``python -m opsboard``."""

from __future__ import annotations

from opsboard.cli.main import main

raise SystemExit(main())
