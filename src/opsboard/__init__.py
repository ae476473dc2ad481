"""opsboard: a terminal dashboard for e-commerce store operators."""

from __future__ import annotations

import sys

__version__ = "0.1.0"

# httpx loads its own command-line client (click, pygments, rich's syntax highlighting)
# whenever click is installed, and apprise installs it. opsboard never runs that client;
# in a dashboard open all day it is 3 MB. Marked absent, httpx skips it as it does when
# click is missing.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
