"""Problems in a configuration file, told as a person fixes them: the file, the key, what
was expected, what was found (never a secret) and the fix."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from opsboard.i18n import N_, _

#: Keys whose values are never shown in a message (a misspelt one included).
_SECRET_KEY = re.compile(r"pass|secret|token|key|auth|credential|cookie|url|dsn|webhook", re.I)
#: A value that carries credentials whatever its key: ``scheme://user:password@host``.
_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*:[^/@\s]*@", re.I)


def _location(loc: tuple[int | str, ...], data: Any) -> str:
    """``stores[0].margin`` (with the store's name where there is one)."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                name = node[item].get("name")
                if isinstance(name, str):
                    label = f"[{item}] ({name})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
        node = node[item] if _has(node, item) else None
    return "".join(parts) or "(top level)"


def _has(node: Any, key: int | str) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and key < len(node)


def _fix_for(error: ErrorDetails) -> str:
    kind = error["type"]
    missing_env = _MISSING_ENV.search(error["msg"])
    if missing_env:
        return _(
            "set {name} in the environment opsboard runs in (for the service: its "
            "EnvironmentFile), or write the value itself instead of the reference"
        ).format(name=missing_env[1])
    if kind == "extra_forbidden":
        return _("remove it, or check its spelling ({hint})").format(hint=_(EXAMPLE_HINT))
    if kind == "missing":
        return _("add it")
    if kind == "list_type" and isinstance(error.get("input"), dict):
        # ``[stores.x]`` where ``[[stores]]`` was meant: the commonest slip in TOML.
        key = ".".join(str(part) for part in error["loc"] if isinstance(part, str))
        return _("write each entry as a table of its own, [[{key}]] ({hint})").format(
            key=key, hint=_(EXAMPLE_HINT)
        )
    if kind.startswith(("greater_than", "less_than")):
        return _("use a value within the allowed range")
    if kind == "literal_error":
        return _("use one of the listed values")
    return _("give it in the form described ({hint})").format(hint=_(EXAMPLE_HINT))


#: What pydantic found wrong with a value's type, in the operator's language.
_EXPECTED = {
    "list_type": N_("a list is expected"),
    "dict_type": N_("a table is expected"),
    "string_type": N_("text is expected, in quotes"),
    "int_type": N_("a whole number is expected"),
    "int_parsing": N_("a whole number is expected"),
    "float_type": N_("a number is expected"),
    "float_parsing": N_("a number is expected"),
    "bool_type": N_("true or false is expected"),
    "bool_parsing": N_("true or false is expected"),
}
_MISSING_ENV = re.compile(r"environment variable (\w+) is not set")
#: Where a person finds every key with its form: printed by `opsboard config example`.
EXAMPLE_HINT = N_("`opsboard config example` prints a commented example of every key")


def _shown(value: Any, keys: list[str], kind: str) -> str:
    """`` (found ...)`` for a message, or ``""`` where the value must not be echoed: the
    key is unknown (a misspelt ``password``), missing, looks secret (``keys`` are the
    key names on its path), or the value carries credentials."""
    if kind in ("missing", "extra_forbidden"):
        return ""
    if isinstance(value, dict | list):
        found = _("table") if isinstance(value, dict) else _("list")
        return _(" (found a {type})").format(type=found)
    if any(_SECRET_KEY.search(key) for key in keys) or (
        isinstance(value, str) and _CREDENTIALS.match(value)
    ):
        return _(" (value not shown)")
    return _(" (found {value!r})").format(value=value)


def describe_errors(exc: ValidationError, data: Any, path: Path | str) -> list[str]:
    """One line per problem: file, key, what was expected, what was found, and a fix.

    Values are echoed only for known keys that do not look secret: a misspelt
    ``password`` key or an ``api_key`` in adapter options is named, never shown.
    """
    lines = []
    for error in exc.errors(include_url=False):
        where = _location(tuple(error["loc"]), data)
        kind = error["type"]
        message = error["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            message = _("unknown key")
        elif kind == "missing":
            message = _("Field required")
        elif kind in _EXPECTED:
            message = _(_EXPECTED[kind])
        keys = [part for part in error["loc"] if isinstance(part, str)]
        found = _shown(error.get("input"), keys, kind) if "input" in error else ""
        lines.append(
            _("{path}: {key}: {problem}{found}; fix: {fix}").format(
                path=path, key=where, problem=message, found=found, fix=_fix_for(error)
            )
        )
    return lines
