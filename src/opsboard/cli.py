"""The `opsboard` command line: parses arguments, builds the Runtime once, dispatches.

Commands keep their logic in the modules they call; this file only wires them up.
Non-dashboard commands never import Textual.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from opsboard import __version__
from opsboard.errors import OpsboardError, UsageError

Handler = Callable[[argparse.Namespace], int]


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        help="config file (default: $OPSBOARD_CONFIG or the user config dir)",
    )
    common.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS,
        help="database file (default: $OPSBOARD_DB or the user data dir)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command of DESIGN.md 4.1."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="opsboard",
        description="Live store traffic, paid-promotion spend and alerts in the terminal.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"opsboard {__version__}")
    parser.set_defaults(handler=cmd_dashboard)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def add(name: str, handler: Handler, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common])
        p.set_defaults(handler=handler)
        return p

    add("dashboard", cmd_dashboard, "the dashboard (TUI) on the configured stores (the default)")

    p = add("demo", cmd_demo, "zero-config demo on the simulated platform and sample exports")
    p.add_argument("--headless", action="store_true", help="run the alert-only mode instead")

    p = add("watch", cmd_watch, "headless alert-only mode: collect, evaluate, notify")
    p.add_argument(
        "--once",
        action="store_true",
        help="one cycle, then exit 0 ok / 1 warning / 2 critical / 3 unknown",
    )

    p = add("ingest", cmd_ingest, "import export files once; exit non-zero if any is rejected")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--store", help="the store the files belong to")
    p.add_argument("--date", help="the day of files that carry no date (YYYY-MM-DD)")
    p.add_argument("--format", dest="file_format", help="force a format (see `opsboard formats`)")
    p.add_argument("--adapter", default="csv", help="the file-reading adapter (default: csv)")

    p = add("query", cmd_query, "aggregated base and derived metrics")
    p.add_argument("metrics", nargs="+", metavar="METRIC")
    p.add_argument("--store", action="append", help="a store (repeat for several; default all)")
    p.add_argument(
        "--by", default="total", choices=["total", "day", "hour", "channel", "campaign", "sku"]
    )
    p.add_argument("--from", dest="first", help="first day (YYYY-MM-DD, today, yesterday, -7d)")
    p.add_argument("--to", dest="last", help="last day, inclusive")
    p.add_argument("--channel", help="only this channel")
    p.add_argument("--campaign", help="only this campaign")
    p.add_argument("--sku", help="only this SKU")
    p.add_argument("--format", dest="output", default="table", choices=["table", "json", "csv"])

    p = add("alerts", cmd_alerts, "alert state from the shell; replay history through the rules")
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=["list", "ack", "silence", "unsilence", "backtest"],
        help="list (default), ack ID, silence RULE, unsilence ID, backtest",
    )
    p.add_argument("target", nargs="?", metavar="ID|RULE", help="alert or silence id; rule")
    p.add_argument("--by", help="who acknowledges or silences (default: your login name)")
    p.add_argument("--note", default="", help="ack: a note for the team")
    p.add_argument("--store", dest="alert_store", help="only this store")
    p.add_argument("--scope", default="", help="silence: only this scope, e.g. 'sku:*'")
    p.add_argument("--for", dest="duration", help="silence: how long, e.g. 30m, 2h, 1d")
    p.add_argument("--reason", default="", help="silence: why")
    p.add_argument("--from", dest="first", help="backtest: first day (default -7d)")
    p.add_argument("--to", dest="last", help="backtest: last day (default yesterday)")
    p.add_argument("--all", action="store_true", help="list: also alerts resolved in 24 h")
    p.add_argument("--format", dest="output", default="table", choices=["table", "json"])

    p = add("review", cmd_review, "the morning review of yesterday: what moved, why, what to do")
    p.add_argument("--store", help="the store (default: every configured store)")
    p.add_argument(
        "--date", help="the day (YYYY-MM-DD, yesterday, -7d; default: yesterday, local time)"
    )
    p.add_argument(
        "--format",
        dest="output",
        default="text",
        choices=["text", "markdown", "html", "json"],
        help="json: one object with --store, else an array of one object per store",
    )
    p.add_argument(
        "-o",
        "--output-file",
        dest="output_file",
        type=Path,
        help="write to this file (owner-only) instead of stdout, e.g. review.html",
    )

    p = add("serve", cmd_serve, "the dashboard in a browser, on loopback by default")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)

    add("formats", cmd_formats, "the export formats recognised, and how each is detected")
    add("adapters", cmd_adapters, "the installed adapters (from package metadata)")

    p = add("config", cmd_config, "check a config file, or print its JSON schema")
    p.add_argument("action", choices=["check", "schema"])
    p.add_argument("path", nargs="?", type=Path)

    p = add("mock-api", cmd_mock_api, "the simulated platform API on 127.0.0.1")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--fault-rate", type=float, default=0.0)
    p.add_argument("--speed", type=float, default=1.0)
    return parser


def _runtime(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from opsboard.runtime import Runtime

    return Runtime.from_args(getattr(args, "config", None), getattr(args, "db", None))


def _later(what: str, issue: int) -> int:
    print(f"opsboard: {what} is not built yet (planned in issue {issue}).", file=sys.stderr)
    return 2


# -- commands ------------------------------------------------------------------------------


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Open the TUI."""
    import importlib

    # Loaded by name: only this command (and the demo) may bring Textual in, and the
    # import contract checks that no other path from the CLI does.
    tui = importlib.import_module("opsboard.tui.app")
    tui.make_app(_runtime(args)).run()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """The zero-config demo."""
    from opsboard.demo import run_demo

    return run_demo(headless=args.headless)


def cmd_watch(args: argparse.Namespace) -> int:
    """The headless alert-only mode."""
    from opsboard.errors import CollectorLockedError
    from opsboard.headless import run_watch

    runtime = _runtime(args)
    try:
        return run_watch(runtime, once=args.once)
    except CollectorLockedError as exc:
        print(f"opsboard: error: {exc}", file=sys.stderr)
        return 2


def cmd_alerts(args: argparse.Namespace) -> int:
    """Alert state from the shell: list, ack, silence, unsilence, backtest."""
    from opsboard.alerts.commands import run_alerts

    return run_alerts(_runtime(args), args)


def cmd_review(args: argparse.Namespace) -> int:
    """The morning review of yesterday (or ``--date``) for one or every store."""
    from datetime import timedelta

    from opsboard.review import build_review, default_day, render_many, review_stores
    from opsboard.review.files import write_private
    from opsboard.timeutil import parse_day

    runtime = _runtime(args)
    if not runtime.db_path.exists():
        raise UsageError(
            f"{runtime.db_path}: no database yet",
            hint="load data first (opsboard ingest FILE --store NAME) or name one with --db",
        )
    with runtime.open_store(readonly=True) as store:
        names = [args.store] if args.store else review_stores(runtime, store)
        if not names:
            raise UsageError(
                "no store to review: none configured and no data loaded",
                hint="load data first (opsboard ingest FILE --store NAME)",
            )
        reviews = []
        for name in names:
            today = default_day(runtime, name) + timedelta(days=1)
            day = parse_day(args.date, today=today) if args.date else today - timedelta(days=1)
            reviews.append(build_review(runtime, store, name, day))
    text = render_many(reviews, args.output, single=bool(args.store))
    if args.output_file is not None:
        write_private(args.output_file, text)
        print(f"wrote {args.output_file}", file=sys.stderr)
    else:
        print(text)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The dashboard in a browser."""
    from opsboard.tui.serve import serve

    return serve(
        host=args.host,
        port=args.port,
        config=getattr(args, "config", None),
        db=getattr(args, "db", None),
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    """Import files once and report each."""
    from opsboard.adapters import load_adapter
    from opsboard.ingest import ingest_file
    from opsboard.timeutil import parse_day

    runtime = _runtime(args)
    reader = load_adapter(args.adapter)
    store_name = args.store
    if store_name is None and len(runtime.settings.stores) == 1:
        store_name = runtime.settings.stores[0].name
    timezone = runtime.settings.store(store_name or "default").timezone
    day = parse_day(args.date, today=runtime.clock.now().date()) if args.date else None
    failures = 0
    with runtime.open_store() as store:
        for path in args.files:
            result = ingest_file(
                store,
                reader,
                path,
                store_name=store_name,
                timezone=timezone,
                day=day,
                format=args.file_format,
            )
            print(result.summary(), file=sys.stdout if result.ok else sys.stderr)
            failures += not result.ok
    return 1 if failures else 0


def cmd_query(args: argparse.Namespace) -> int:
    """Print aggregated metrics."""
    from opsboard.output import render
    from opsboard.query import Filters, Period, present_rows
    from opsboard.timeutil import parse_day

    runtime = _runtime(args)
    if not runtime.db_path.exists():
        raise UsageError(
            f"{runtime.db_path}: no database yet",
            hint="load data first (opsboard ingest FILE --store NAME) or name one with --db",
        )
    today = runtime.clock.now().date()
    period = Period(
        first_day=parse_day(args.first, today=today) if args.first else None,
        last_day=parse_day(args.last, today=today) if args.last else None,
    )
    with runtime.open_store(readonly=True) as store:
        rows = runtime.engine(store).query(
            args.metrics,
            stores=args.store,
            by=args.by,
            period=period,
            filters=Filters(channel=args.channel, campaign=args.campaign, sku=args.sku),
        )
    if args.output == "json":
        rows = present_rows(rows, args.metrics)
    print(render(rows, args.metrics, args.output))
    return 0


def cmd_formats(args: argparse.Namespace) -> int:
    """List the file formats the installed adapters recognise."""
    from opsboard.adapters import adapter_names, load_adapter

    found = False
    for name in adapter_names():
        cls = load_adapter(name)
        if cls.describe_formats is None:
            continue
        for info in cls.describe_formats():
            found = True
            print(f"{info['name']:<28} {info.get('title', '')}")
            if info.get("detect"):
                print(f"{'':<28} detected by: {info['detect']}")
    if not found:
        print("no installed adapter reads files", file=sys.stderr)
    return 0


def cmd_adapters(args: argparse.Namespace) -> int:
    """List installed adapters without importing them."""
    from opsboard.adapters import adapter_names

    for name in adapter_names():
        print(name)
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    """``config check [PATH]`` or ``config schema``."""
    from opsboard.config import json_schema

    if args.action == "schema":
        print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
        return 0
    import tomllib

    from opsboard.adapters import load_adapter, validate_options
    from opsboard.config import load_settings
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
            problems.append(f"{where}.type: {exc.message}; fix: {exc.hint}")
    if problems:
        if message and "no such config file" in message:
            raise ConfigError(message, problems=problems)
        raise ConfigError(
            f"{path}: {len(problems)} problem(s) in the configuration", problems=problems
        )
    print(
        f"{path}: ok ({len(settings.stores)} stores, {len(settings.adapters)} adapters, "
        f"{len(settings.alerts.rules)} rules, {len(settings.notifiers)} notifiers)"
    )
    return 0


def cmd_mock_api(args: argparse.Namespace) -> int:
    """Serve the simulated platform API."""
    from opsboard.adapters import load_adapter

    if not 0.0 <= args.fault_rate <= 1.0:
        raise UsageError(
            f"--fault-rate {args.fault_rate} is not a share",
            hint="give a number from 0 (no faults) to 1 (every request fails)",
        )
    if args.speed < 0:
        raise UsageError(f"--speed {args.speed} is negative", hint="use 0 to freeze time")
    api = load_adapter("api")
    serve = getattr(api, "serve", None)
    if serve is None:
        raise UsageError("the installed `api` adapter cannot serve a simulated platform")
    serve(
        host=args.host,
        port=args.port,
        seed=args.seed,
        fault_rate=args.fault_rate,
        speed=args.speed,
    )
    return 0


# -- entry point ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; user errors print one clear message and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except OpsboardError as exc:
        print(f"opsboard: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `opsboard query ... | head`: the reader went away; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
