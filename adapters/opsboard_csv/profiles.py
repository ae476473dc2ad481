"""Declarative export-format profiles: one TOML file per format in ``profiles/``.

A profile names the format, lists its columns (each with header aliases across years and
UI languages) and says how each column becomes points: a date, a dimension (channel,
campaign, SKU), a filter, or a base metric with its value kind. Adding a format is adding
a TOML file; this module only validates and matches them.

Header cells are compared after ``normalise_header``: Unicode NFKC (full-width characters
and parentheses), case folding, dashes unified, whitespace removed and a trailing unit
such as ``(元)`` or ``($)`` dropped.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from opsboard.errors import OpsboardError
from opsboard.metrics import BASE_METRICS
from opsboard.models import CHANNELS

Role = Literal["date", "end_date", "store", "channel", "campaign", "sku", "metric", "filter"]
DateSource = Literal["column", "option", "title", "file_name"]

DEFAULT_TOTALS = ("合计", "汇总", "总计", "total", "totals", "gesamt", "summe", "totale")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−－"})
_UNIT = re.compile(r"\((?:元|¥|\$|usd|rmb|cny|€|eur|%|秒|件|个|次|人)\)$")


def normalise_header(text: str) -> str:
    """A header cell in the form profiles are matched on."""
    cleaned = unicodedata.normalize("NFKC", text).replace("\ufeff", "").casefold()
    cleaned = re.sub(r"\s+", "", cleaned.translate(_DASHES))
    return _UNIT.sub("", cleaned)


def _date_from_column() -> list[DateSource]:
    return ["column"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    """One column of a format: its header aliases and what its cells become."""

    headers: list[str] = Field(min_length=1)
    """Header names, first preferred: other years, other UI languages."""
    role: Role = "metric"
    """``date`` (``end_date`` for a row's last day), ``store`` (used when no store is
    given), a dimension (``channel``, ``campaign``, ``sku``), ``filter`` (identifies the
    format, or keeps rows) or ``metric``."""
    metric: str | None = None
    """The base metric a ``metric`` column feeds (see ``opsboard.metrics.BASE_METRICS``)."""
    kind: Literal["count", "money", "number", "percent", "fraction"] = "count"
    """How the cells are written: whole counts, amounts, numbers, ``3.45%`` or ``0.0345``."""
    dash_is_zero: bool = False
    """The platform writes ``-`` for none: a dash means 0 instead of missing."""
    times: str | None = None
    """A rate column turned into a count: the value is this rate x that field, rounded."""
    map: dict[str, str] = Field(default_factory=dict)
    """For ``channel``: cell value -> channel; matched on the start of the cell."""
    default: str | None = None
    """For ``channel``: the channel of values not in ``map``."""
    missing: str | None = None
    """For ``campaign``/``sku``: the value kept when the cell is missing (``-``)."""
    all_values: list[str] = Field(default_factory=list)
    """For ``campaign``/``sku``: cells meaning "the whole store" (e.g. 店铺整体)."""
    keep: list[str] = Field(default_factory=list)
    """For ``filter``: keep only rows whose cell is one of these (the others are finer)."""


class Refusal(_Strict):
    """Headers whose presence makes the file unusable with a stated reason."""

    headers: list[str] = Field(min_length=1)
    reason: str
    hint: str | None = None


class Profile(_Strict):
    """One export format."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    platform: str
    required: list[str] = Field(min_length=1)
    """The fields whose headers identify the format (all must be on one row)."""
    fields: dict[str, FieldSpec]
    channel: str = ""
    """The channel of every point when the format has no channel column."""
    date_from: list[DateSource] = Field(default_factory=_date_from_column)
    """Where the date comes from, in order of preference."""
    slash_order: Literal["mdy", "dmy"] = "mdy"
    """How to read ``1/2/2026`` when no day above 12 settles it."""
    totals: list[str] = Field(default_factory=lambda: list(DEFAULT_TOTALS))
    """Cells marking total and sub-total rows (whole cell, or followed by ``:``)."""
    refuse: list[Refusal] = Field(default_factory=list)
    notes: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        problems = []
        for key in self.required:
            if key not in self.fields:
                problems.append(f"required field {key!r} is not defined under [fields]")
        if self.channel and self.channel not in CHANNELS:
            problems.append(f"channel {self.channel!r} is not one of {', '.join(CHANNELS)}")
        roles: dict[str, str] = {}
        seen: dict[str, str] = {}
        for key, spec in self.fields.items():
            if spec.role == "metric":
                if spec.metric not in BASE_METRICS:
                    problems.append(f"fields.{key}: metric {spec.metric!r} is not a base metric")
                if spec.times is not None and spec.times not in self.fields:
                    problems.append(f"fields.{key}: times names no field {spec.times!r}")
            elif spec.role != "filter":
                if spec.role in roles:
                    problems.append(f"fields.{key}: a second {spec.role} column")
                roles[spec.role] = key
            for channel in [*spec.map.values(), *([spec.default] if spec.default else [])]:
                if channel not in CHANNELS:
                    problems.append(f"fields.{key}: unknown channel {channel!r}")
            for header in spec.headers:
                norm = normalise_header(header)
                if seen.get(norm, key) != key:
                    problems.append(f"header {header!r} is listed for {seen[norm]} and {key}")
                seen[norm] = key
        if "channel" in roles and self.channel:
            problems.append("a channel column and a fixed channel cannot both be given")
        if "column" in self.date_from and "date" not in roles:
            problems.append("date_from has 'column' but no field has role 'date'")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def field_headers(self, key: str) -> list[str]:
        """The normalised aliases of field ``key``."""
        return [normalise_header(h) for h in self.fields[key].headers]

    def describe(self) -> str:
        """How the format is recognised, for ``opsboard formats``."""
        heads = ", ".join(self.fields[key].headers[0] for key in self.required)
        where = {
            "column": "a date column",
            "option": "--date",
            "title": "the title row",
            "file_name": "the file name",
        }
        dates = " or ".join(where[s] for s in self.date_from)
        return f"a row with {heads}; date from {dates}"


class ProfileError(OpsboardError):
    """A shipped or added profile file is invalid."""


@dataclass(frozen=True)
class HeaderMatch:
    """Where a profile's header row is and which column each of its fields reads."""

    profile: Profile
    row: int
    columns: dict[str, int]
    headers: list[str]

    @property
    def score(self) -> tuple[int, int]:
        """Higher is a more specific match: more fields found, then more required."""
        return (len(self.columns), len(self.profile.required))


def match_row(profile: Profile, cells: Sequence[str], row: int) -> HeaderMatch | None:
    """The match of ``profile`` on a row of header cells, if all required fields are there."""
    normalised = [normalise_header(c) for c in cells]
    index: dict[str, int] = {}
    for position, name in enumerate(normalised):
        if name:
            index.setdefault(name, position)
    columns: dict[str, int] = {}
    for key in profile.fields:
        for alias in profile.field_headers(key):
            if alias in index:
                columns[key] = index[alias]
                break
    if not all(key in columns for key in profile.required):
        return None
    return HeaderMatch(profile, row, columns, [str(c) for c in cells])


def missing_required(profile: Profile, cells: Sequence[str]) -> list[str]:
    """The required headers of ``profile`` that ``cells`` lacks (first alias of each)."""
    present = {normalise_header(c) for c in cells}
    return [
        profile.fields[key].headers[0]
        for key in profile.required
        if not any(alias in present for alias in profile.field_headers(key))
    ]


@cache
def load_profiles() -> tuple[Profile, ...]:
    """Every shipped profile (``profiles/*.toml`` in this package), validated."""
    return load_profiles_from(resources.files("opsboard_csv") / "profiles")


def load_profiles_from(folder: Traversable | Path) -> tuple[Profile, ...]:
    """The profiles of the ``*.toml`` files in ``folder``, sorted by file name.

    ``ProfileError`` names the file and the problem for invalid TOML, an invalid
    profile, or two profiles sharing a name.
    """
    profiles: list[Profile] = []
    names: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            profile = Profile.model_validate(data)
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"format profile {entry.name}: not valid TOML: {exc}") from None
        except ValidationError as exc:
            details = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'profile'}: {err['msg']}"
                for err in exc.errors()
            )
            raise ProfileError(f"format profile {entry.name}: {details}") from None
        if profile.name in names:
            raise ProfileError(
                f"format profiles {names[profile.name]} and {entry.name} share the name "
                f"{profile.name!r}"
            )
        names[profile.name] = entry.name
        profiles.append(profile)
    return tuple(profiles)


def profile_named(name: str) -> Profile | None:
    """The profile called ``name``, or None."""
    return next((p for p in load_profiles() if p.name == name), None)
