"""`opsboard alerts list|ack|silence|unsilence|backtest`: alert state from the shell.

Alert messages, store names and scopes hold text from files and APIs: every line printed
is made inert first (``_say``), JSON included.
"""

from __future__ import annotations

import argparse
import getpass
import json
from datetime import datetime, timedelta

from opsboard.alerts.outbox import pending
from opsboard.alerts.state import (
    AlertView,
    SilenceView,
    ack,
    active_alerts,
    iso,
    silence,
    silences,
    unsilence,
)
from opsboard.cli.silencing import check_target, duration, store_zone, until_instant
from opsboard.errors import UsageError
from opsboard.formatting import pad
from opsboard.i18n import N_, _
from opsboard.models import AlertState
from opsboard.review.lines import severity_word
from opsboard.runtime import Runtime
from opsboard.storage.store import Store
from opsboard.text import inert, inert_json
from opsboard.timeutil import DEFAULT_TIMEZONE, parse_day, zone


def _say(line: str) -> None:
    """Print one line of output, its control characters shown escaped."""
    print(inert(line))


def _who(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        raise UsageError(
            _("cannot tell who you are"), hint=_("name yourself with --by NAME")
        ) from None


def _number(text: str | None, what: str) -> int:
    if text is None or not text.isdigit():
        raise UsageError(
            _("`opsboard alerts {action}` needs a numeric id").format(action=what),
            hint=_("`opsboard alerts list` shows the ids"),
        )
    return int(text)


def _line(alert: AlertView) -> str:
    flags = []
    if alert.acknowledged:
        flags.append(
            _("acked by {who}").format(who=alert.acked_by)
            + (_(": ") + alert.ack_note if alert.ack_note else "")
        )
    if alert.silenced_until is not None:
        flags.append(
            _("silenced until {time} UTC").format(time=f"{alert.silenced_until:%Y-%m-%d %H:%M}")
        )
    if alert.quiet_reason:
        flags.append(alert.quiet_reason)
    extra = "  [" + _("; ").join(flags) + "]" if flags else ""
    state = _("strategic loss") if alert.strategic_loss else state_word(alert.state)
    severity = severity_word(alert.severity)
    return inert(
        f"{alert.id:>5}  {pad(state, 9, right=False)} {pad(severity, 8, right=False)} "
        f"{alert.rule:<26} {alert.store or '-':<16} {alert.message}{extra}"
    )


_STATES = {
    "firing": N_("firing"),
    "pending": N_("pending"),
    "resolved": N_("resolved"),
    "strategic": N_("strategic loss"),
}


def state_word(state: str) -> str:
    """An alert's state in the reader's language: ``firing`` / ``告警中``."""
    return _(_STATES[state]) if state in _STATES else state


def run_alerts(runtime: Runtime, args: argparse.Namespace) -> int:
    """Run one `opsboard alerts` action; returns the exit code."""
    if not runtime.db_path.exists():
        raise UsageError(
            _("{path}: no database yet").format(path=runtime.db_path),
            hint=_("start the collector (opsboard watch) or name the database with --db"),
        )
    now = runtime.clock.now()
    action = args.action
    if action == "backtest":
        return _backtest(runtime, args)
    if action == "list":
        with runtime.open_store(readonly=True) as store:
            alerts = active_alerts(
                store,
                args.alert_store,
                now=now,
                resolved_within=timedelta(hours=24) if args.all else None,
            )
            live = silences(store, now=now)
            waiting = pending(store)
            failures = store.outbox.failures_since(now - timedelta(hours=24), limit=5)
        if args.output == "json":
            print(
                inert_json(
                    json.dumps(
                        {
                            "alerts": [a.to_json() for a in alerts],
                            "silences": [s.to_json() for s in live],
                        },
                        ensure_ascii=False,
                    )
                )
            )
            return 0
        print("\n".join(_line(a) for a in alerts) if alerts else _("no open alerts"))
        for s in live:
            _say(
                f"silence {s.id}: {s.rule} store={s.store or '*'} scope={s.scope or '*'} until "
                f"{s.until:%Y-%m-%d %H:%M} UTC by {s.by}" + (f": {s.reason}" if s.reason else "")
            )
        for failure in failures:
            _say(
                _("notifier {name} failed at {time}: {problem}").format(
                    name=failure.notifier, time=iso(failure.at), problem=failure.error
                )
            )
        for notifier, count in waiting.items():
            _say(
                _("notifier {name}: {count} messages waiting to be delivered").format(
                    name=notifier, count=count
                )
            )
        return 0
    with runtime.open_store() as store:
        if action == "ack":
            alert = ack(store, _number(args.target, "ack"), _who(args.by), args.note, now=now)
            _say(
                _("acknowledged alert {id} ({rule}) as {who}").format(
                    id=alert.id, rule=alert.rule, who=alert.acked_by
                )
            )
        elif action == "silence":
            if not args.target:
                raise UsageError(_("name the rule to silence"), hint=_(
                    "e.g. opsboard alerts silence detail-page-bounce --for 2h (* for every rule)"
                ))  # fmt: skip
            made = _silence(runtime, store, args, now)
            tz = store_zone(runtime.settings, args.alert_store)
            local = made.until.astimezone(tz)
            utc = "" if local.utcoffset() == timedelta(0) else f" ({made.until:%H:%M} UTC)"
            _say(f"silence {made.id}: {made.rule} until {local:%Y-%m-%d %H:%M} "
                  f"{local.tzname()}{utc}" + (f" store={made.store}" if made.store else "")
                  + (f" scope={made.scope}" if made.scope else ""))  # fmt: skip
        else:
            ended, now_ended = unsilence(store, _number(args.target, "unsilence"), now=now)
            if not now_ended:
                said = _("silence {id} ({rule}) had already ended at {time} UTC; nothing to do")
                _say(
                    said.format(id=ended.id, rule=ended.rule, time=f"{ended.until:%Y-%m-%d %H:%M}")
                )
            else:
                _say(_("silence {id} ({rule}) ended").format(id=ended.id, rule=ended.rule))
    return 0


def _silence(
    runtime: Runtime, store: Store, args: argparse.Namespace, now: datetime
) -> SilenceView:
    given_for = getattr(args, "duration", None)
    given_until = getattr(args, "until", None)
    if given_for and given_until:
        raise UsageError(
            _("give --for or --until, not both"), hint=_("e.g. --for 2h or --until 18:00")
        )
    if not given_for and not given_until:
        raise UsageError(
            _("a silence needs --for or --until"),
            hint=_("e.g. --for 2h, or --until 18:00 (local)"),
        )
    tz = store_zone(runtime.settings, args.alert_store)
    length = duration(given_for) if given_for else None
    until = until_instant(given_until, tz, now) if given_until else None
    if not getattr(args, "force", False):
        check_target(runtime.settings, args.target, args.alert_store, store.stores())
    return silence(
        store,
        args.target,
        by=_who(args.by),
        duration=length,
        until=until,
        store_name=args.alert_store or "",
        scope=args.scope,
        reason=args.reason,
        now=now,
    )


def _backtest(runtime: Runtime, args: argparse.Namespace) -> int:
    from opsboard.alerts.backtest import backtest, describe

    settings = runtime.settings
    tz = zone(settings.store(args.alert_store).timezone if args.alert_store else
              (settings.stores[0].timezone if settings.stores else DEFAULT_TIMEZONE))  # fmt: skip
    today = runtime.clock.now().astimezone(tz).date()
    first = parse_day(args.first, today=today) if args.first else today - timedelta(days=7)
    last = parse_day(args.last, today=today) if args.last else today - timedelta(days=1)
    if first > today:
        raise UsageError(f"--from {first} has not begun yet: nothing to replay",
                         hint="give a day up to today, e.g. --from -7d")  # fmt: skip
    with runtime.open_store(readonly=True) as store:
        replay = backtest(store, settings, first=first, last=last, tz=tz, now=runtime.clock.now())
    events = [e for e in replay.events if not args.alert_store or e.store == args.alert_store]
    if args.output == "json":
        print(inert_json(json.dumps([e.to_json() for e in events], ensure_ascii=False)))
        return 0
    for event in events:
        _say(describe(event, tz))
    fired = sum(e.event == AlertState.FIRING for e in events)
    upto = _(" (today up to the current hour)") if last >= today else ""
    _say(
        _("{hours} hours from {first} to {last}{upto}: {fired} alerts would have fired").format(
            hours=replay.hours, first=first, last=last, upto=upto, fired=fired
        )
    )
    return 0
