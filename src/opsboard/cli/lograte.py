"""Repeated warnings of a long-running process, said once a minute rather than every cycle.

A full disk or a damaged database fails every cycle of `opsboard watch`; logged each time,
it buries the one line that matters in two a second. ``RepeatFilter`` lets a message
through once per ``every`` seconds, and the next time it passes says how many times it
came meanwhile.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

#: Numbers in a message (byte counts, free space, times) do not make it another message.
_NUMBERS = re.compile(r"\d+")


class RepeatFilter(logging.Filter):
    """Drops a warning said less than ``every`` seconds ago by the same logger."""

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every = every
        self.clock = clock
        #: message key -> (when last let through, how many dropped since)
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """True to let ``record`` through."""
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.levelno, _NUMBERS.sub("#", record.getMessage()))
        now = self.clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen[0] < self.every:
            self._seen[key] = (seen[0], seen[1] + 1)
            return False
        if seen is not None and seen[1]:
            record.msg = f"{record.getMessage()} (and {seen[1]} times more since it was last said)"
            record.args = None
        self._seen[key] = (now, 0)
        if len(self._seen) > 1000:  # messages that never come again
            self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self.every}
        return True


def limit_repeats(every: float = 60.0) -> None:
    """Put a ``RepeatFilter`` on every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RepeatFilter) for f in handler.filters):
            handler.addFilter(RepeatFilter(every))
