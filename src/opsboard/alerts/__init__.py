"""The alert engine: rules from the config, state in the store, notifications.

The read/write API that every viewer shares lives here; the engine is in
``opsboard.alerts.engine`` and the notifiers (and ``send_text``) in ``opsboard.alerts.notify``.
"""

from __future__ import annotations

from opsboard.alerts.state import (
    AlertView,
    SilenceView,
    ack,
    active_alerts,
    get_alert,
    silence,
    silences,
    unsilence,
)

__all__ = [
    "AlertView",
    "SilenceView",
    "ack",
    "active_alerts",
    "get_alert",
    "silence",
    "silences",
    "unsilence",
]
