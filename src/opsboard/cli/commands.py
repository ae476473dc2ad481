"""What each `opsboard` command does: one handler per command, given the parsed arguments.

Handlers keep their logic in the modules they call and import them when they run, so that
a command loads only what it needs (the dashboard alone brings Textual in).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any, Literal

from opsboard.config.rules import rule_count
from opsboard.errors import OpsboardError, UsageError, fix_line
from opsboard.i18n import _
from opsboard.text import inert, inert_message

#: Only absolute dates are parsed against it (relative ones become days back).
_NO_DAY = date(1970, 1, 1)


def _runtime(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from opsboard.runtime import Runtime

    return Runtime.from_args(getattr(args, "config", None), getattr(args, "db", None))


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Open the TUI (on one store with ``--store``)."""
    # Imported here: only this command (and the demo) brings Textual in; the import
    # contract names these two imports and checks that no other path from the CLI does.
    from opsboard.tui.app import make_app

    runtime = _runtime(args)
    store = getattr(args, "store", None)
    if store is not None:
        _check_dashboard_store(runtime, store)
    # --viewer (the web view's sessions): never collect nor take over, whatever the lock says.
    collect: Literal["auto", "never"] = "never" if getattr(args, "viewer", False) else "auto"
    make_app(runtime, store=store, collect=collect).run()
    return 0


def _check_dashboard_store(runtime: Any, name: str) -> None:
    """Refuse a ``--store`` that is neither configured nor in the database."""
    configured = [s.name for s in runtime.settings.stores]
    known = sorted({*configured, *_stores_with_data(runtime)})
    if name in known:
        return
    runtime.check_store_name(name, "--store", known)
    raise UsageError(
        _("--store: no store called {name!r} is configured or has data").format(name=name),
        hint=_("stores: {stores}").format(stores=", ".join(known))
        if known
        else _("configure one (opsboard init)"),
    )


def cmd_init(args: argparse.Namespace) -> int:
    """Write a first config, asking for what the flags do not give."""
    from opsboard.cli.init import run_init
    from opsboard.paths import default_config_path

    ask = input if sys.stdin.isatty() else None
    return run_init(
        getattr(args, "config", None) or default_config_path(),
        store=args.store,
        platform=args.platform,
        timezone=args.timezone,
        folder=args.drop_folder,
        force=args.force,
        ask=ask,
    )


def cmd_demo(args: argparse.Namespace) -> int:
    """The zero-config demo."""
    from opsboard.cli.demo import run_demo

    return run_demo(headless=args.headless)


def cmd_watch(args: argparse.Namespace) -> int:
    """The headless alert-only mode.

    With ``--once`` a failure to run at all (no config, a missing secret, a database that
    cannot be opened, locked or held by another collector) is UNKNOWN (3) in the
    monitoring-plugin convention, never a state of the alerts.
    """
    from opsboard.cli.watch import run_watch
    from opsboard.errors import CollectorLockedError
    from opsboard.storage.failures import DatabaseBusy

    try:
        return run_watch(_runtime(args), once=args.once)
    except OpsboardError as exc:
        print(inert_message(_("opsboard: error: {problem}").format(problem=exc)), file=sys.stderr)
        if args.once:
            return 3
        return 2 if isinstance(exc, CollectorLockedError) else exc.exit_code
    except DatabaseBusy as exc:
        # A start-up write that met a database busy past its timeout (another process's
        # long ingest): try again later; a one-shot check cannot tell the alert state.
        print(
            _("opsboard: error: the database could not be written at start: {problem}").format(
                problem=exc
            )
            + fix_line(_("retry when the other writer is done, or raise [storage] busy_timeout")),
            file=sys.stderr,
        )
        return 3 if args.once else 1


def cmd_alerts(args: argparse.Namespace) -> int:
    """Alert state from the shell: list, ack, silence, unsilence, backtest."""
    from opsboard.cli.alerts import run_alerts

    runtime = _runtime(args)
    # A silence's --store is a pattern (tmall-*), checked against the stores it matches.
    if args.alert_store is not None and args.action != "silence":
        runtime.check_store_name(args.alert_store, "--store", _stores_with_data(runtime))
    return run_alerts(runtime, args)


def _stores_with_data(runtime: Any) -> list[str]:
    """The stores the database holds (none when there is no database yet)."""
    if not runtime.db_path.exists():
        return []
    with runtime.open_store(readonly=True) as store:
        return list(store.stores())


def cmd_review(args: argparse.Namespace) -> int:
    """The morning review of yesterday (or ``--date``) for one or every store."""
    from datetime import timedelta

    from opsboard.cli.review_file import write_private
    from opsboard.review import build_review, default_day, render_many, review_stores
    from opsboard.timeutil import parse_day

    runtime = _runtime(args)
    with runtime.open_data() as store:
        if args.store is not None:
            runtime.check_store_name(args.store, "--store", store.stores())
        names = [args.store] if args.store else review_stores(runtime, store)
        if not names:
            raise UsageError(
                _("no store to review: none configured and no data loaded"),
                hint=_("load some data first (opsboard ingest FILE --store NAME)"),
            )
        reviews = []
        for name in names:
            today = default_day(runtime, name) + timedelta(days=1)
            day = parse_day(args.date, today=today) if args.date else today - timedelta(days=1)
            reviews.append(build_review(runtime, store, name, day))
    text = render_many(reviews, args.output, single=bool(args.store))
    if args.output_file is not None:
        write_private(args.output_file, text)
        print(_("wrote {path}").format(path=args.output_file), file=sys.stderr)
    else:
        print(text)
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    """Each target against its plan to date."""
    from opsboard.cli.targets import run_targets

    return run_targets(_runtime(args), args)


def cmd_serve(args: argparse.Namespace) -> int:
    """The dashboard in a browser."""
    from opsboard.cli.serve import serve

    return serve(
        host=args.host,
        port=args.port,
        config=getattr(args, "config", None),
        db=getattr(args, "db", None),
        max_sessions=args.max_sessions,
        public_url=args.public_url,
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    """Import files once and report each."""
    from opsboard.adapters.registry import load_adapter
    from opsboard.collect.ingest import ingest_file
    from opsboard.timeutil import parse_day

    runtime = _runtime(args)
    if args.store is not None:
        runtime.check_store_name(args.store, "--store")
    reader = load_adapter(args.adapter)
    store_name = args.store
    if store_name is None and len(runtime.settings.stores) == 1:
        store_name = runtime.settings.stores[0].name
    # --date today/yesterday/-7d: that day where the files' store is.
    day = parse_day(args.date, today=runtime.today(store_name)) if args.date else None
    failures = 0
    configured = {s.name for s in runtime.settings.stores}
    with runtime.open_store() as store:
        for path in args.files:
            result = ingest_file(
                store,
                reader,
                path,
                store_name=store_name,
                tz_for=runtime.tz_for,
                default_tz=runtime.tz_for(None),
                day=day,
                format=args.file_format,
                named=args.store is not None,
                platform_of=lambda name: runtime.settings.store(name).platform,
                known_stores=configured or None,
            )
            if configured:
                result.notices += [
                    _("store {name} is not in the config: the default store settings apply").format(
                        name=name
                    )
                    for name in result.stores
                    if name not in configured
                ]
            print(result.summary(), file=sys.stdout if result.ok else sys.stderr)
            failures += not result.ok
    return 1 if failures else 0


def cmd_query(args: argparse.Namespace) -> int:
    """Print aggregated metrics."""
    from opsboard.cli.output import render
    from opsboard.metrics import CHANNELS_OR_ALL
    from opsboard.query.engine import NAMED_BY, Filters, present_rows, with_names

    runtime = _runtime(args)
    if args.channel is not None and args.channel not in CHANNELS_OR_ALL:
        raise UsageError(
            _("--channel: unknown channel {channel!r}").format(channel=args.channel),
            hint=_("use one of: {choices}").format(
                choices=", ".join(c for c in CHANNELS_OR_ALL if c)
            ),
        )
    with runtime.open_data() as store:
        known = store.stores()
        for name in args.store or []:
            runtime.check_store_name(name, "--store", known)
        asked = list(args.store) if args.store else known
        rates = runtime.money_rates(args.metrics, asked)
        period = _query_period(runtime, args.first, args.last, asked)
        notes: list[str] = []
        if rates is not None:
            converted_to = runtime.settings.reporting_currency
            notes.append(
                _("money converted to {currency} at the configured rates").format(
                    currency=converted_to
                )
            )
        rows = runtime.engine(store).query(
            args.metrics,
            stores=args.store,
            by=args.by,
            period=period,
            filters=Filters(
                channel=args.channel,
                campaign=args.campaign,
                sku=args.sku,
                term=args.term,
                source=args.source,
                keyword=args.keyword,
            ),
            notes=notes,
            rates=rates,
        )
        if args.by in NAMED_BY:
            keys = [str(row[args.by]) for row in rows]
            rows = with_names(rows, args.by, store.names_of(asked, args.by, keys))
    if args.output in ("json", "csv"):
        rows = present_rows(rows, args.metrics)
    print(render(rows, args.metrics, args.output), flush=True)
    for note in notes:
        print(inert(_("note: {note}").format(note=note)), file=sys.stderr)
    return 0


def _query_period(runtime: Any, first: str | None, last: str | None, stores: list[str]) -> Any:
    """``--from``/``--to`` as a period. ``today``, ``yesterday`` and ``-7d`` are each store's
    own local days, so that stores in different time zones each get their own yesterday."""
    from opsboard.query.engine import Period
    from opsboard.timeutil import bounded_days_back, parse_day

    def side(text: str | None) -> tuple[Any, int | None]:
        if not text:
            return None, None
        back = bounded_days_back(text)
        return (None, back) if back is not None else (parse_day(text, today=_NO_DAY), None)

    (first_day, first_back), (last_day, last_back) = side(first), side(last)
    period = Period(
        first_day=first_day, last_day=last_day, first_back=first_back, last_back=last_back
    )
    for name in stores or [""]:
        low, high = period.days(runtime.tz_for(name), runtime.clock.now())
        if low is not None and high is not None and low > high:
            shown_first = first if first_day is not None else f"{first} ({low})"
            shown_last = last if last_day is not None else f"{last} ({high})"
            where = (
                _(" in {store}'s time zone").format(store=name)
                if name and first_day is None
                else ""
            )
            raise UsageError(
                _("--from {first} is after --to {last}{where}").format(
                    first=shown_first, last=shown_last, where=where
                ),
                hint=_("give the earlier day with --from; both days are included"),
            )
    return period


def cmd_formats(args: argparse.Namespace) -> int:
    """List the file formats the installed adapters recognise."""
    from opsboard.adapters.registry import adapter_names, load_adapter
    from opsboard.cli.formats import detected_by, format_title

    found = False
    for name in adapter_names():
        for info in load_adapter(name).describe_formats():
            found = True
            print(f"{info['name']:<28} {format_title(info)}")
            if info.get("detect"):
                print(f"{'':<28} " + _("detected by: {how}").format(how=detected_by(info)))
    if not found:
        print(_("no installed adapter reads files"), file=sys.stderr)
    return 0


def cmd_adapters(args: argparse.Namespace) -> int:
    """List installed adapters without importing them."""
    from opsboard.adapters.registry import adapter_names

    for name in adapter_names():
        print(name)
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    """``config check [PATH]``, ``config example`` or ``config schema``."""
    from opsboard.config.files import example_text, json_schema

    if args.action == "schema":
        print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
        return 0
    if args.action == "example":
        print(example_text(), end="")
        return 0
    import tomllib

    from opsboard.adapters.registry import load_adapter, validate_options
    from opsboard.config.files import load_settings
    from opsboard.errors import ConfigError
    from opsboard.paths import default_config_path

    path = args.path or getattr(args, "config", None) or default_config_path()
    problems: list[str] = []
    try:
        settings = load_settings(path)
        message = ""
    except ConfigError as exc:
        problems.extend(exc.problems or [exc.message])
        message = exc.message
    # Adapter options are checked even when the rest of the file has problems, so that
    # one run names every error.
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        raw = {}
    listed = raw.get("adapters")
    sources: list[Any] = listed if isinstance(listed, list) else []
    for index, spec in enumerate(sources):
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            continue
        name = spec.get("name", "?")
        where = f"{path}: adapters[{index}] ({name})"
        try:
            cls = load_adapter(spec["type"])
            options = spec.get("options", {})
            validate_options(cls, options if isinstance(options, dict) else {}, f"{where}.options")
        except ConfigError as exc:
            problems.extend(exc.problems or [exc.message])
        except UsageError as exc:
            problems.append(
                _("{where}.type: {problem}; fix: {hint}").format(
                    where=where, problem=exc.message, hint=exc.hint
                )
            )
    if not message:
        # Notifier URLs and programs, checked without sending anything.
        from opsboard.alerts.notify import notifier_problems

        problems.extend(f"{path}: {problem}" for problem in notifier_problems(settings))
    if problems:
        if message and not path.exists():
            raise ConfigError(message, problems=problems)
        raise ConfigError(
            _("{path}: {count} problem(s) in the configuration").format(
                path=path, count=len(problems)
            ),
            problems=problems,
        )
    print(
        _(
            "{path}: ok ({stores} stores, {adapters} adapters, {rules}, {notifiers} notifiers)"
        ).format(
            path=path,
            stores=len(settings.stores),
            adapters=len(settings.adapters),
            rules=rule_count(settings.alerts),
            notifiers=len(settings.notifiers),
        )
    )
    return 0


def cmd_mock_api(args: argparse.Namespace) -> int:
    """Serve the simulated platform API (through its ``opsboard.simulators`` entry point)."""
    from opsboard.cli.simulator import run_mock_api

    return run_mock_api(args)
