"""Reading the configuration file: parsing and validating TOML, the shipped commented
example and the JSON schema."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from opsboard.config.models import Settings
from opsboard.config.problems import describe_errors
from opsboard.errors import ConfigError
from opsboard.i18n import _

_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def parse_settings(text: str, path: Path | str = "<config>") -> Settings:
    """Settings from TOML text; raises ``ConfigError`` with every problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.search(str(exc))
        where = (
            _("line {line}, column {column}").format(line=found[1], column=found[2])
            if found
            else _("(position unknown)")
        )
        reason = _TOML_AT.sub("", str(exc)).strip() or _("invalid TOML")
        raise ConfigError(
            _("{path}: not valid TOML: {problem}").format(path=path, problem=exc),
            problems=[
                _(
                    "{path}: {where}: {problem}; fix: correct the syntax there (text values "
                    "need quotes, every key needs `=`, and tables are written [name])"
                ).format(path=path, where=where, problem=reason)
            ],
        ) from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = describe_errors(exc, data, path)
        raise ConfigError(
            _("{path}: {count} problem(s) in the configuration").format(
                path=path, count=len(problems)
            ),
            problems=problems,
        ) from None


def load_settings(path: Path | None) -> Settings:
    """The settings in ``path``; the defaults when ``path`` is None.

    A named file that does not exist is an error: a typo must not fall back silently.
    """
    if path is None:
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            _("{path}: no such config file").format(path=path),
            problems=[
                _(
                    "create it (`opsboard config example > FILE` writes a commented example "
                    "of every key) or name another with --config / OPSBOARD_CONFIG"
                )
            ],
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            _("{path}: cannot read the config file: {problem}").format(path=path, problem=exc)
        ) from None
    return parse_settings(text, path)


def example_text() -> str:
    """The commented example config (installed with the package; in a checkout, the file
    in ``config/``)."""
    import importlib.resources

    shipped = importlib.resources.files("opsboard").joinpath("opsboard.example.toml")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[3] / "config" / "opsboard.example.toml"
    try:
        return checkout.read_text(encoding="utf-8")
    except OSError:
        raise ConfigError(
            "the example config is not installed with this opsboard",
            problems=["reinstall opsboard, or see config/opsboard.example.toml in its source"],
        ) from None


def json_schema() -> dict[str, Any]:
    """The JSON schema of the config file, as written to ``config/opsboard.schema.json``."""
    return Settings.model_json_schema(by_alias=True)
