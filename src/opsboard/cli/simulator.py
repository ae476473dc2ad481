"""`opsboard mock-api`: a simulated platform, reached through its entry point.

The command's flags are the simulated platform's options model, read when the command is
parsed (``main.LazyFlagsParser``: other commands never load the simulator). Each field a
flag can give becomes ``--field-name``, its description the help (in the operator's
language), its default the default.
"""

from __future__ import annotations

import argparse
import types
from typing import Any, Union, get_args, get_origin

from pydantic import ValidationError

from opsboard.adapters.api import SimulatedPlatform
from opsboard.adapters.registry import load_simulator
from opsboard.errors import UsageError
from opsboard.i18n import _

#: The simulated platform `opsboard mock-api` serves (its ``opsboard.simulators`` name).
PLATFORM = "platform"

_FLAG_TYPES = (int, float, str)


def _flag_type(annotation: Any) -> type | None:
    """The scalar type a flag parses for a field, or None when no flag can give it."""
    if annotation in _FLAG_TYPES:
        return annotation  # type: ignore[no-any-return]
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        if len(kinds) == 1 and kinds[0] in _FLAG_TYPES:
            return kinds[0]  # type: ignore[no-any-return]
    return None


def add_simulator_flags(parser: argparse.ArgumentParser) -> None:
    """The simulated platform's options as flags of ``parser``; a usage error (exit 2) when
    no simulated platform is installed (this runs while the arguments are parsed)."""
    try:
        options = load_simulator(PLATFORM).Options
    except UsageError as exc:
        parser.error(str(exc))
    for name, info in options.model_fields.items():
        kind = _flag_type(info.annotation)
        if kind is None:
            continue
        parser.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            type=kind,
            default=info.default,
            help=_(info.description) if info.description else None,
        )


def run_mock_api(args: argparse.Namespace) -> int:
    """Serve the simulated platform in the foreground with the options the flags gave."""
    cls = load_simulator(PLATFORM)
    given = {name: getattr(args, name) for name in cls.Options.model_fields if name in args}
    build(cls, given, flags=True).serve_forever()
    return 0


def build(
    cls: type[SimulatedPlatform], options: dict[str, object], *, flags: bool = False
) -> SimulatedPlatform:
    """``cls`` built from ``options``; a ``UsageError`` naming each bad one (as its flag,
    with ``flags``)."""
    try:
        checked = cls.Options.model_validate(options)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            shown = "--" + field.replace("_", "-") if flags else field
            message = str(error["msg"]).removeprefix("Value error, ")
            joint = " " if message.startswith("is ") else _(": ")
            problems.append(f"{shown} {options.get(field)}{joint}{message}")
        raise UsageError("; ".join(problems)) from None
    return cls(checked)
