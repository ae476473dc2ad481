"""The value types of the configuration: durations, secrets and the strict base model.

A duration is written ``90``, ``"90s"``, ``"30m"``, ``"1h"`` or ``"2d"``; a secret as a
``${ENV_VAR}`` reference, resolved at load into a ``SecretStr`` that never prints.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    SecretStr,
    ValidationInfo,
    field_validator,
)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$")
_UNITS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _parse_duration(value: Any) -> Any:
    """Accept ``90``, ``"90s"``, ``"30m"``, ``"1h"``, ``"2d"`` as well as a timedelta."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 90s, 30m, 1h or 2d, not true or false")
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ValueError("expected a duration such as 90s, 30m, 1h or 2d")
        return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    return value


Duration = Annotated[timedelta, BeforeValidator(_parse_duration)]


def expand_secret(value: str, *, environ: dict[str, str] | None = None) -> str:
    """Replace every ``${VAR}`` in ``value`` with the environment variable's value."""
    env = os.environ if environ is None else environ

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise ValueError(f"environment variable {name} is not set")
        return env[name]

    return _ENV_REF.sub(substitute, value)


def _secret(value: Any) -> Any:
    if isinstance(value, str):
        return SecretStr(expand_secret(value))
    return value


#: A string that may hold ``${ENV_VAR}`` references; resolved at load, masked when printed.
Secret = Annotated[SecretStr, BeforeValidator(_secret)]


def _takes(annotation: Any, kinds: tuple[type, ...]) -> bool:
    """Whether a field's type (or one member of its union) is one of ``kinds``."""
    if annotation in kinds:
        return True
    return any(_takes(arg, kinds) for arg in get_args(annotation))


class ConfigModel(BaseModel):
    """A part of the configuration: unknown keys refused, frozen, fields documented.

    Types are strict where a lax reading would hide a mistake: ``true`` is no number or
    duration, and ``"yes"`` or ``1`` no ``true``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    @field_validator("*", mode="before")
    @classmethod
    def _strict_kinds(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is None:
            return value
        takes_bool = _takes(field.annotation, (bool,))
        if isinstance(value, bool) and not takes_bool:
            raise ValueError(f"expected {_kind(field.annotation)}, not {str(value).lower()}")
        if field.annotation in (bool, bool | None) and not isinstance(value, bool | None):
            raise ValueError(f"expected true or false, not {value!r}")
        return value


def _kind(annotation: Any) -> str:
    """A field type in the operator's words, for a refusal."""
    if _takes(annotation, (timedelta,)):
        return "a duration such as 90s, 30m, 1h or 2d"
    if _takes(annotation, (int, float)):
        return "a number"
    return "a value of its own kind"
