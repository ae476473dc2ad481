"""`opsboard targets`: each target against its plan to date (DESIGN.md 4.1, 4.6)."""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import Any

from opsboard import i18n
from opsboard.formatting import bar, figure, percent
from opsboard.i18n import N_, _
from opsboard.query.plans import (
    TargetStatus,
    all_targets,
    needs_margin,
    shown_like,
    standing_word,
    statuses,
    target_name,
    trend_text,
)
from opsboard.runtime import Runtime
from opsboard.text import inert, inert_json


def run_targets(runtime: Runtime, args: argparse.Namespace) -> int:
    """Print each target's standing as a table or JSON."""
    from opsboard.timeutil import parse_day

    with runtime.open_data() as store:
        if args.store is not None:
            runtime.check_store_name(args.store, "--store", store.stores())
        targets = all_targets(runtime.settings, store, args.store)
        if not targets:
            print(
                (
                    _("no targets for {store}").format(store=args.store)
                    if args.store
                    else _("no targets")
                )
                + _(
                    ": add [[targets]] to the config or load a plan sheet "
                    "(opsboard ingest plan.xlsx)"
                ),
                file=sys.stderr,
            )
            if args.output == "json":
                print("[]")
            return 0
        found: list[TargetStatus] = []
        for name in sorted({t.store for t in targets}):
            day = parse_day(args.date, today=runtime.today(name)) if args.date else None
            mine = [t for t in targets if t.store == name]
            found += statuses(
                runtime.engine(store), runtime.settings, mine, runtime.tz_for, day=day
            )
    for name in sorted({s.target.store for s in found if needs_margin(s.target, runtime.settings)}):
        print(
            _(
                "{store}: contribution and strategic loss need the store's margin; add "
                "margin = 0.4 (40%) to its [[stores]] entry in the config"
            ).format(store=name),
            file=sys.stderr,
        )
    if args.output == "json":
        print(inert_json(json.dumps([s.as_json() for s in found], ensure_ascii=False)))
    else:
        print(table(found, lambda name: runtime.settings.store(name).currency))
    return 0


#: The table's columns (the bar's has no heading) and those aligned left.
_COLUMNS = (
    N_("store"), N_("target"), N_("period"), N_("goal"), N_("actual"), N_("done"), "",
    N_("time"), N_("needed/day"), N_("days left"), N_("status"), N_("last 3 days"),
)  # fmt: skip
_LEFT = ("store", "target", "period", "", "status")


def table(found: list[TargetStatus], currency_of: Any) -> str:
    """The targets as a plain-text table, one line per target with a progress bar."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    grid = Table(show_edge=False, header_style="bold")
    for column in _COLUMNS:
        grid.add_column(_(column) if column else "", justify="left" if column in _LEFT else "right")
    for s in found:
        t = s.target
        currency = currency_of(t.store)
        label = (
            target_name(t) if i18n.is_chinese() else t.metric + (f" {t.scope}" if t.scope else "")
        )
        if t.direction == "at_most":
            label += _(" (at most)")
        grid.add_row(
            *(
                Text(inert(cell))
                for cell in (
                    t.store,
                    label,
                    t.period.label,
                    figure(shown_like(t.metric), t.value, currency),
                    figure(shown_like(t.metric), s.actual, currency),
                    percent(s.standing.done_share, 0),
                    bar(min(s.standing.done_share or 0.0, 1.0), 10),
                    percent(s.standing.time_share, 0),
                    ""
                    if s.standing.needed_per_day is None
                    else figure(
                        shown_like(t.metric),
                        s.standing.needed_per_day,
                        currency,
                    ),
                    str(s.days_left),
                    standing_word(s.standing.status),
                    trend_text(s, currency),
                )
            )
        )
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(grid)
    return str(buffer.getvalue()).rstrip("\n")
