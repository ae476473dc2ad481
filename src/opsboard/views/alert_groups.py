"""Alerts of one rule gathered into one line: "ad-ctr-drop · 11 campaigns", which opens
into its members.

Textual-free: the alerts table asks ``alert_lines`` what to show, given which groups the
operator has opened.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from opsboard.i18n import N_, _
from opsboard.models import SEVERITY_RANK
from opsboard.views.alerts import AlertRow

#: From this many alerts of one rule in one bucket (firing, pending, ...) on, they are
#: one line; fewer are listed one by one.
GROUP_FROM = 3

#: What the members of a group are, by the kind of their scope: one, and several.
_NOUNS = {
    "campaign": (N_("{count} campaign"), N_("{count} campaigns")),
    "sku": (N_("{count} SKU"), N_("{count} SKUs")),
    "file": (N_("{count} file"), N_("{count} files")),
    "source": (N_("{count} source"), N_("{count} sources")),
    "channel": (N_("{count} channel"), N_("{count} channels")),
    "": (N_("{count} store"), N_("{count} stores")),
}
_ALERTS = (N_("{count} alert"), N_("{count} alerts"))


@dataclass(frozen=True, slots=True)
class AlertGroup:
    """Alerts of one rule in one bucket, listed as one line."""

    rule: str
    bucket: str
    members: tuple[AlertRow, ...]

    @property
    def key(self) -> str:
        """The group's row key (never an alert id)."""
        return f"group:{self.rule}:{self.bucket}"

    @property
    def state(self) -> str:
        """The state its members share (the first one's when they differ)."""
        return self.members[0].state

    @property
    def severity(self) -> str:
        """The worst severity among its members."""
        return max((m.severity for m in self.members), key=lambda s: SEVERITY_RANK.get(s, -1))

    @property
    def since(self) -> datetime | None:
        """When its oldest member began."""
        return min((m.since for m in self.members if m.since is not None), default=None)

    @property
    def threshold(self) -> str:
        """The limit its members share, as shown, or ``""`` when they differ."""
        shown = {m.shown_threshold for m in self.members}
        return shown.pop() if len(shown) == 1 else ""

    def words(self, store: str | None) -> str:
        """What it holds: ``11 campaigns``, ``4 SKUs · 2 stores`` (stores counted when more
        than one is in view)."""
        kinds = Counter(m.scope.partition(":")[0] if ":" in m.scope else "" for m in self.members)
        count = len(self.members)
        one, many = _NOUNS.get(next(iter(kinds)), _ALERTS) if len(kinds) == 1 else _ALERTS
        text = _(one if count == 1 else many).format(count=count)
        stores = {m.store for m in self.members if m.store}
        if not store and len(stores) > 1:
            text += " · " + _("{count} stores").format(count=len(stores))
        return text


@dataclass(frozen=True, slots=True)
class AlertLine:
    """One line of the alerts table: an alert, or a group of alerts (``open`` when its
    members are listed under it); ``member``: an alert listed under its open group."""

    alert: AlertRow | None = None
    group: AlertGroup | None = None
    member: bool = False
    open: bool = False

    @property
    def key(self) -> str:
        """The row key: the alert's id, or the group's key."""
        if self.group is not None:
            return self.group.key
        assert self.alert is not None
        return str(self.alert.id)


def alert_lines(alerts: tuple[AlertRow, ...], opened: frozenset[str]) -> list[AlertLine]:
    """The table's lines for ``alerts`` (already in listing order): alerts of one rule and
    bucket that are ``GROUP_FROM`` or more become one group line where the first of them
    stood, followed by its members when its key is in ``opened``."""
    counts = Counter((a.rule, a.bucket) for a in alerts)
    members: dict[tuple[str, str], list[AlertRow]] = {}
    for alert in alerts:
        if counts[(alert.rule, alert.bucket)] >= GROUP_FROM:
            members.setdefault((alert.rule, alert.bucket), []).append(alert)
    lines: list[AlertLine] = []
    for alert in alerts:
        which = (alert.rule, alert.bucket)
        if which not in members:
            lines.append(AlertLine(alert=alert))
            continue
        group_members = members[which]
        if group_members[0] is not alert:
            continue  # listed with its group
        group = AlertGroup(alert.rule, alert.bucket, tuple(group_members))
        is_open = group.key in opened
        lines.append(AlertLine(group=group, open=is_open))
        if is_open:
            lines.extend(AlertLine(alert=m, member=True) for m in group_members)
    return lines
