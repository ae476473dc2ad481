"""Constants shared by the platform API tests."""

from __future__ import annotations

from datetime import UTC, datetime

#: Simulated "now" of the tests: the eve of Double 11, 14:30 in Shanghai.
START = datetime(2026, 11, 10, 6, 30, tzinfo=UTC)
#: The simulated platform's seed in the tests.
SEED = 7
