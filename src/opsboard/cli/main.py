"""The `opsboard` command line: parses the arguments and dispatches to the command's
handler (``opsboard.cli.commands``). Non-dashboard commands never import Textual.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from opsboard import __version__, i18n
from opsboard.cli.argparse_words import speak_argparse
from opsboard.cli.commands import (
    cmd_adapters,
    cmd_alerts,
    cmd_config,
    cmd_dashboard,
    cmd_demo,
    cmd_formats,
    cmd_ingest,
    cmd_init,
    cmd_mock_api,
    cmd_query,
    cmd_review,
    cmd_serve,
    cmd_targets,
    cmd_watch,
)
from opsboard.errors import OpsboardError
from opsboard.i18n import _
from opsboard.storage.failures import DatabaseError, explain
from opsboard.text import inert_message, inert_stderr_logging

#: `opsboard serve`'s port unless --port says otherwise.
DEFAULT_SERVE_PORT = 6772

Handler = Callable[[argparse.Namespace], int]


class LazyFlagsParser(argparse.ArgumentParser):
    """A command's parser whose flags may be added only when the command is parsed.

    ``fill_flags`` adds them: `opsboard --help` and the other commands never run it (nor
    import what it needs).
    """

    def __init__(
        self, *args: Any, fill_flags: Callable[[argparse.ArgumentParser], None] | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self._fill_flags = fill_flags

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Add the flags on first use, then parse."""
        if self._fill_flags is not None:
            fill, self._fill_flags = self._fill_flags, None
            fill(self)
        return super().parse_known_args(args, namespace)


def _simulator_flags(parser: argparse.ArgumentParser) -> None:
    """`opsboard mock-api`'s flags: the simulated platform's options."""
    from opsboard.cli.simulator import add_simulator_flags

    add_simulator_flags(parser)


def _common() -> LazyFlagsParser:
    common = LazyFlagsParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        help=_("config file (default: $OPSBOARD_CONFIG or the user config dir)"),
    )
    common.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS,
        help=_("database file (default: $OPSBOARD_DB or the user data dir)"),
    )
    common.add_argument(
        "--lang",
        type=_language,
        default=argparse.SUPPRESS,
        metavar="LANG",
        help=_("en or zh-CN (default: $OPSBOARD_LANG, the config's language, the locale)"),
    )
    return common


def _language(value: str) -> str:
    """``--lang``'s value as ``en`` or ``zh-CN``; argparse's error for anything else."""
    language = i18n.normalize(value)
    if language is None:
        raise argparse.ArgumentTypeError(i18n.invalid_language(value))
    return language


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command of DESIGN.md 4.1."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="opsboard",
        description=_("Live store traffic, paid-promotion spend and alerts in the terminal."),
        parents=[common],
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"opsboard {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.set_defaults(handler=cmd_dashboard)
    sub = parser.add_subparsers(
        title=_("commands"), metavar="COMMAND", parser_class=LazyFlagsParser
    )

    def add(name: str, handler: Handler, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common])
        p.set_defaults(handler=handler)
        return p

    p = add(
        "dashboard", cmd_dashboard, _("the dashboard (TUI) on the configured stores (the default)")
    )
    p.add_argument("--store", help=_("open on this store (default: every store)"))
    p.add_argument(
        "--viewer",
        action="store_true",
        help=_("only show what another process collects; never collect (the web view's sessions)"),
    )

    p = add(
        "init", cmd_init, _("write a first config: asks for a store, platform, zone, drop folder")
    )
    p.add_argument("--store", help=_("the store's name, e.g. tmall-flagship"))
    p.add_argument("--platform", help=_("the store's platform: tmall, jd, amazon, ..."))
    p.add_argument(
        "--timezone", help=_("the time zone of the store's days (default Asia/Shanghai)")
    )
    p.add_argument("--drop-folder", dest="drop_folder", help=_("where its exports will be dropped"))
    p.add_argument("--force", action="store_true", help=_("replace an existing config"))

    p = add("demo", cmd_demo, _("zero-config demo on the simulated platform and sample exports"))
    p.add_argument("--headless", action="store_true", help=_("run the alert-only mode instead"))

    p = add("watch", cmd_watch, _("headless alert-only mode: collect, evaluate, notify"))
    p.add_argument(
        "--once",
        action="store_true",
        help=_("one cycle, then exit 0 ok / 1 warning / 2 critical / 3 unknown"),
    )

    p = add("ingest", cmd_ingest, _("import export files once; exit non-zero if any is rejected"))
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--store", help=_("the store the files belong to"))
    p.add_argument("--date", help=_("the day of files that carry no date (YYYY-MM-DD)"))
    p.add_argument(
        "--format", dest="file_format", help=_("force a format (see `opsboard formats`)")
    )
    p.add_argument("--adapter", default="csv", help=_("the file-reading adapter (default: csv)"))

    p = add("query", cmd_query, _("aggregated base and derived metrics"))
    p.add_argument("metrics", nargs="+", metavar="METRIC")
    p.add_argument("--store", action="append", help=_("a store (repeat for several; default all)"))
    p.add_argument(
        "--by",
        default="total",
        choices=["total", "day", "hour", "channel", "source", "campaign", "sku", "keyword", "term"],
        help=_(
            "source: one row per traffic source (手淘搜索, 手淘推荐, …) under its channel; "
            "keyword: one row per targeted keyword, summed over the campaigns asked; "
            "term: one row per search term, summed over the campaigns asked (narrow with "
            "--campaign); `(other search terms)` is the rest a report did not list"
        ),
    )
    p.add_argument("--from", dest="first", help=_("first day (YYYY-MM-DD, today, yesterday, -7d)"))
    p.add_argument("--to", dest="last", help=_("last day, inclusive"))
    p.add_argument("--channel", help=_("only this channel"))
    p.add_argument("--campaign", help=_("only this campaign"))
    p.add_argument("--sku", help=_("only this SKU"))
    p.add_argument("--term", help=_("only this search term (or keyword)"))
    p.add_argument("--source", help=_("only this traffic source (e.g. 手淘推荐)"))
    p.add_argument("--keyword", help=_("only this targeted keyword"))
    p.add_argument("--format", dest="output", default="table", choices=["table", "json", "csv"])

    p = add("alerts", cmd_alerts, _("alert state from the shell; replay history through the rules"))
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=["list", "ack", "silence", "unsilence", "backtest"],
        help=_("list (default), ack ID, silence RULE, unsilence ID, backtest"),
    )
    p.add_argument("target", nargs="?", metavar="ID|RULE", help=_("alert or silence id; rule"))
    p.add_argument("--by", help=_("who acknowledges or silences (default: your login name)"))
    p.add_argument("--note", default="", help=_("ack: a note for the team"))
    p.add_argument("--store", dest="alert_store", help=_("only this store"))
    p.add_argument("--scope", default="", help=_("silence: only this scope, e.g. 'sku:*'"))
    p.add_argument("--for", dest="duration", help=_("silence: how long, e.g. 30m, 2h, 1d"))
    p.add_argument("--until", help=_("silence: until a local time or date (18:00, 2026-06-19)"))
    p.add_argument("--force", action="store_true", help=_("silence: even an unknown rule or store"))
    p.add_argument("--reason", default="", help=_("silence: why"))
    p.add_argument("--from", dest="first", help=_("backtest: first day (default -7d)"))
    p.add_argument("--to", dest="last", help=_("backtest: last day (default yesterday)"))
    p.add_argument("--all", action="store_true", help=_("list: also alerts resolved in 24 h"))
    p.add_argument("--format", dest="output", default="table", choices=["table", "json"])

    p = add("review", cmd_review, _("the morning review of yesterday: what moved, why, what to do"))
    p.add_argument("--store", help=_("the store (default: every configured store)"))
    p.add_argument(
        "--date", help=_("the day (YYYY-MM-DD, yesterday, -7d; default: yesterday, local time)")
    )
    p.add_argument(
        "--format",
        dest="output",
        default="text",
        choices=["text", "markdown", "html", "json"],
        help=_("json: one object with --store, else an array of one object per store"),
    )
    p.add_argument(
        "-o",
        "--output-file",
        dest="output_file",
        type=Path,
        help=_("write to this file (owner-only) instead of stdout, e.g. review.html"),
    )

    p = add("targets", cmd_targets, _("each target against the plan to date, paced by the store"))
    p.add_argument("--store", help=_("only this store"))
    p.add_argument(
        "--date", help=_("as of the end of this day (YYYY-MM-DD, yesterday, -7d; default: now)")
    )
    p.add_argument("--format", dest="output", default="table", choices=["table", "json"])

    p = add("serve", cmd_serve, _("the dashboard in a browser, on loopback by default"))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_SERVE_PORT,
        help=_(
            "default {port} (O-P-S-B on a phone keypad; 8000 and 8080 are taken by too many "
            "other tools)"
        ).format(port=DEFAULT_SERVE_PORT),
    )
    p.add_argument(
        "--max-sessions",
        type=int,
        default=4,
        help=_("browser sessions at once (default 4); each runs a dashboard of about 70 MB"),
    )
    p.add_argument(
        "--public-url",
        help=_(
            "the address browsers open when a reverse proxy stands in front, e.g. "
            "https://ops.example.com (default: the address the browser used)"
        ),
    )

    add("formats", cmd_formats, _("the export formats recognised, and how each is detected"))
    add("adapters", cmd_adapters, _("the installed adapters (from package metadata)"))

    p = add("config", cmd_config, _("check a config file, print a commented example or the schema"))
    p.add_argument("action", choices=["check", "example", "schema"])
    p.add_argument("path", nargs="?", type=Path)

    # The flags are the simulated platform's options, added only when the command is used.
    help = _("the simulated platform API on 127.0.0.1")
    sub.add_parser(
        "mock-api", help=help, description=help, parents=[common], fill_flags=_simulator_flags
    ).set_defaults(handler=cmd_mock_api)
    return parser


# -- entry point ---------------------------------------------------------------------------


#: Commands that run once and print their result (their warnings go to stderr plainly).
_SHELL_COMMANDS = frozenset(
    (cmd_ingest, cmd_query, cmd_review, cmd_alerts, cmd_config, cmd_targets)
)

#: Options whose value may be a relative day such as ``-7d``.
_DAY_OPTIONS = frozenset(("--from", "--to", "--date"))


def attach_day_values(argv: Sequence[str]) -> list[str]:
    """``--from -7d`` as ``--from=-7d``: argparse would take ``-7d`` for an option."""
    from opsboard.timeutil import days_back

    out: list[str] = []
    items = list(argv)
    index = 0
    while index < len(items):
        item = items[index]
        if item == "--":
            out.extend(items[index:])
            break
        following = items[index + 1] if index + 1 < len(items) else ""
        if item in _DAY_OPTIONS and days_back(following) is not None:
            out.append(f"{item}={following}")
            index += 2
            continue
        out.append(item)
        index += 1
    return out


def _early_language(argv: Sequence[str]) -> None:
    """Choose the language before parsing, so that `--help` and argparse's errors speak
    it: ``--lang``, else ``OPSBOARD_LANG``, else the locale (a bad value is reported
    once parsing reaches it)."""
    flag = None
    for index, item in enumerate(argv):
        if item == "--":
            break
        if item == "--lang" and index + 1 < len(argv):
            flag = argv[index + 1]
        elif item.startswith("--lang="):
            flag = item.partition("=")[2]
    try:
        i18n.choose(flag if flag and i18n.normalize(flag) else None)
    except ValueError:
        i18n.choose(None, {k: v for k, v in os.environ.items() if k != "OPSBOARD_LANG"})
    speak_argparse()


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; user errors print one clear message and return its exit code."""
    given = attach_day_values(sys.argv[1:] if argv is None else argv)
    _early_language(given)
    parser = build_parser()
    args = parser.parse_args(given)
    handler: Handler = args.handler
    try:
        language = i18n.choose(getattr(args, "lang", None))
    except ValueError as exc:
        print(
            inert_message(_("opsboard: error: OPSBOARD_LANG: {problem}").format(problem=exc)),
            file=sys.stderr,
        )
        return 2
    if getattr(args, "lang", None):
        # The processes it starts (the web view's dashboards, the demo's) speak it too.
        os.environ["OPSBOARD_LANG"] = language
    if handler in _SHELL_COMMANDS:
        # Warnings of the core (e.g. an old store name) as one plain line on stderr; the
        # long-running modes set up their own logging.
        inert_stderr_logging(logging.WARNING, _("opsboard: warning: %(message)s"))
    try:
        return handler(args)
    except OpsboardError as exc:
        print(inert_message(_("opsboard: error: {problem}").format(problem=exc)), file=sys.stderr)
        return exc.exit_code
    except DatabaseError as exc:
        # A damaged file or a full disk met mid-command: said plainly, never a traceback;
        # `watch --once` answers a monitoring system, for which this is UNKNOWN (3).
        db = getattr(args, "db", None) or os.environ.get("OPSBOARD_DB")
        problem = explain(exc, Path(db).expanduser() if db else None)
        print(
            inert_message(_("opsboard: error: {problem}").format(problem=problem)), file=sys.stderr
        )
        return 3 if getattr(args, "once", False) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `opsboard query ... | head`: the reader went away; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
