"""`opsboard init`: a first config, asked for step by step (or given as flags).

It asks for one store (name, platform, time zone) and the folder its exports will be
dropped into, then writes a config that `opsboard config check` accepts, owner-only, and
makes the drop folder. An existing config is never overwritten without ``--force``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import get_args

from opsboard.config.files import parse_settings
from opsboard.config.models import StoreConfig
from opsboard.errors import ConfigError, UsageError
from opsboard.i18n import _
from opsboard.models import store_name_problem
from opsboard.paths import data_dir
from opsboard.timeutil import DEFAULT_TIMEZONE, zone

#: The platforms a store may be on, as the config names them.
PLATFORMS: tuple[str, ...] = get_args(StoreConfig.model_fields["platform"].annotation)
#: Each platform's usual currency; another can be set in the config afterwards.
CURRENCIES = {"taobao": "CNY", "tmall": "CNY", "jd": "CNY", "pinduoduo": "CNY"}

Ask = Callable[[str], str]


def _store_answer(text: str) -> str:
    problem = store_name_problem(text)
    if problem:
        raise UsageError(problem)
    return text


def _platform_answer(text: str) -> str:
    if text not in PLATFORMS:
        raise UsageError(
            _("unknown platform {platform!r}").format(platform=text),
            hint=_("use one of: {choices}").format(choices=", ".join(PLATFORMS)),
        )
    return text


def _zone_answer(text: str) -> str:
    zone(text)  # raises UsageError naming the zone
    return text


def _folder_answer(text: str) -> str:
    folder = Path(text).expanduser()
    if folder.exists() and not folder.is_dir():
        raise UsageError(
            _("{folder}: is a file, not a folder").format(folder=folder), hint=_("name a folder")
        )
    return str(folder.resolve())


def _value(
    given: str | None, question: str, default: str, check: Callable[[str], str], ask: Ask | None
) -> str:
    """A flag's value, else the answer to ``question`` (asked again until it is valid)."""
    if given is not None:
        return check(given.strip())
    if ask is None:
        if default:
            return check(default)
        raise UsageError(
            _("{question}: not given, and there is no terminal to ask on").format(
                question=question.lower()
            ),
            hint=_("give it as a flag (see `opsboard init --help`)"),
        )
    while True:
        shown = f" [{default}]" if default else ""
        answer = ask(f"{question}{shown}: ").strip() or default
        try:
            return check(answer)
        except UsageError as exc:
            print(f"  {exc}", file=sys.stderr)


def config_text(store: str, platform: str, timezone: str, folder: str) -> str:
    """The config `opsboard init` writes, with a comment on each part."""
    currency = CURRENCIES.get(platform, "USD")
    quoted = {key: json.dumps(value, ensure_ascii=False) for key, value in
              {"store": store, "platform": platform, "zone": timezone, "folder": folder,
               "currency": currency}.items()}  # fmt: skip
    return f"""\
# opsboard config, written by `opsboard init`.
# `opsboard config example` prints every key with its meaning;
# `opsboard config check` checks this file after an edit.

[[stores]]
name = {quoted["store"]}
platform = {quoted["platform"]}
# The day of the store's figures starts and ends at midnight in this zone.
timezone = {quoted["zone"]}
# The currency of the store's money figures (change it if the store sells in another).
currency = {quoted["currency"]}

# Export files dropped into the folder are loaded within a second, then moved to its
# processed/ folder (or failed/, with the reason, when they cannot be read).
[[adapters]]
name = "exports"
type = "csv"
poll_interval = "10s"
[adapters.options]
folders = [{{ path = {quoted["folder"]}, store = {quoted["store"]} }}]
"""


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (and its folder if made)."""
    if not path.parent.is_dir():
        path.parent.mkdir(mode=0o700, parents=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT otherwise
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def run_init(
    path: Path,
    *,
    store: str | None,
    platform: str | None,
    timezone: str | None,
    folder: str | None,
    force: bool,
    ask: Ask | None,
) -> int:
    """Ask, write the config and make the drop folder; say what to do next."""
    if path.exists() and not force:
        raise UsageError(
            _("{path}: a config is already there; it was left as it is").format(path=path),
            hint=_("edit it, name another file with --config, or replace it with --force"),
        )
    if ask is not None:
        print(_("A first opsboard config, written to {path}.").format(path=path), file=sys.stderr)
    name = _value(store, _("Store name (e.g. tmall-flagship)"), "", _store_answer, ask)
    asked = _("Platform ({choices})").format(choices=", ".join(PLATFORMS))
    platform = _value(platform, asked, "tmall", _platform_answer, ask)
    timezone = _value(
        timezone, _("Time zone of the store's days"), DEFAULT_TIMEZONE, _zone_answer, ask
    )
    default_folder = str(data_dir() / "drop" / name)
    folder = _value(folder, _("Folder the exports are dropped into"), default_folder,
                    _folder_answer, ask)  # fmt: skip
    text = config_text(name, platform, timezone, folder)
    try:
        parse_settings(text, path)
    except ConfigError as exc:  # a bug here, never the operator's answers
        raise ConfigError(
            _("opsboard init made an invalid config: {problem}").format(problem=exc)
        ) from None
    try:
        write_private(path, text)
        Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            _("{path}: cannot write it ({problem})").format(
                path=exc.filename or path, problem=exc.strerror or exc
            ),
            hint=_("name a writable place with --config, or another drop folder"),
        ) from None
    print(_("wrote {path} (readable by you only)").format(path=path))
    print(_("drop {store}'s export files into {folder}").format(store=name, folder=folder))
    print(_("start the dashboard with `opsboard` (or `opsboard watch` for alerts only)"))
    return 0
