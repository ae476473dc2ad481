"""The registry of installed plugins: adapters and simulated platforms, by entry point.

Adapters are found through the ``opsboard.adapters`` entry-point group and simulated
platforms through ``opsboard.simulators``; the bundled ones are registered exactly as a
third-party one would be, and the core never imports them by name. Listing them reads
package metadata only.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from opsboard.adapters.api import Adapter, AdapterContext, AdapterOptions, SimulatedPlatform
from opsboard.config.models import Settings
from opsboard.config.problems import describe_errors
from opsboard.errors import ConfigError, UsageError
from opsboard.timeutil import Clock

#: The entry-point group of adapters.
GROUP = "opsboard.adapters"
#: The entry-point group of simulated platforms.
SIMULATORS = "opsboard.simulators"


@cache
def _entry_points(group: str) -> dict[str, EntryPoint]:
    # Read once a process: scanning every installed package's metadata costs milliseconds,
    # and a dashboard asks on each reload.
    return {ep.name: ep for ep in entry_points(group=group)}


def adapter_names() -> list[str]:
    """The names of the installed adapters, from package metadata, importing nothing."""
    return sorted(_entry_points(GROUP))


def simulator_names() -> list[str]:
    """The names of the installed simulated platforms, importing nothing."""
    return sorted(_entry_points(SIMULATORS))


def _load(group: str, name: str, what: str, base: type[Any]) -> Any:
    """The class registered as ``name`` in ``group``; a clear error listing what is there."""
    eps = _entry_points(group)
    if name not in eps:
        raise UsageError(
            f"no {what} called {name!r} is installed",
            hint=f"installed {what}s: " + (", ".join(sorted(eps)) or "none"),
        )
    try:
        cls = eps[name].load()
    except Exception as exc:  # a broken plugin must not take the app down
        raise UsageError(f"{what} {name!r} failed to load: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise UsageError(f"entry point {name!r} does not name an opsboard {base.__name__} class")
    return cls


def load_adapter(name: str) -> type[Adapter]:
    """The adapter class registered as ``name``; a clear error listing what is installed."""
    cls: type[Adapter] = _load(GROUP, name, "adapter", Adapter)
    return cls


def load_simulator(name: str) -> type[SimulatedPlatform]:
    """The simulated platform registered as ``name``; a clear error listing what is
    installed."""
    cls: type[SimulatedPlatform] = _load(SIMULATORS, name, "simulator", SimulatedPlatform)
    return cls


def validate_options(cls: type[Adapter], options: dict[str, Any], where: str) -> AdapterOptions:
    """``options`` validated by the adapter's model; ``ConfigError`` naming ``where``."""
    try:
        return cls.Options.model_validate(options)
    except ValidationError as exc:
        problems = describe_errors(exc, options, where)
        raise ConfigError(f"{where}: invalid adapter options", problems=problems) from None


def build_adapters(
    settings: Settings, clock: Clock, state_dir: Path
) -> list[tuple[Adapter, float]]:
    """The configured, enabled adapters with their poll intervals in seconds."""
    built = []
    for index, spec in enumerate(settings.adapters):
        if not spec.enabled:
            continue
        cls = load_adapter(spec.type)
        options = validate_options(cls, spec.options, f"adapters[{index}] ({spec.name}).options")
        context = AdapterContext(spec.name, settings, clock, state_dir)
        built.append((cls(options, context), spec.poll_interval.total_seconds()))
    return built
