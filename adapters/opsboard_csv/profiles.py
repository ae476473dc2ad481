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
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from opsboard.adapters.api import BASE_METRICS, CHANNELS, OpsboardError, is_chinese

Role = Literal[
    "date",
    "end_date",
    "store",
    "channel",
    "source",
    "campaign",
    "sku",
    "keyword",
    "term",
    "metric",
    "filter",
    "key",
]
DateSource = Literal["column", "option", "title", "file_name"]

DEFAULT_TOTALS = ("合计", "汇总", "总计", "total", "totals", "gesamt", "summe", "totale")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−－"})
#: A unit at the end of a header: ``(元)``, ``(₹)``, ``(£)``, ``(USD)``, ``(#)``, ``(%)``...
_UNIT = re.compile(
    r"\((?:元|¥|\$|[a-z]{0,3}\$|€|£|₹|₩|₺|₽|zł|kr|rs\.?|#|%|秒|件|个|次|人|rmb|usd|cny|eur|gbp"
    r"|inr|jpy|aud|cad|mxn|brl|aed|sar|sek|nok|dkk|chf|pln|sgd|hkd|nzd|try|zar|egp|krw|twd)\)$"
)


@lru_cache(maxsize=16384)
def normalise_header(text: str) -> str:
    """A header cell in the form profiles are matched on (remembered: every profile
    looks at the same cells)."""
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
    given), a dimension (``channel``, ``source``, ``campaign``, ``sku``, ``term``),
    ``filter`` (identifies the format, or keeps rows), ``key`` (a column that only names
    the key a figure lives at, see ``per``) or ``metric``."""
    metric: str | None = None
    """The base metric a ``metric`` column feeds (see ``opsboard.metrics.BASE_METRICS``)."""
    kind: Literal["count", "money", "number", "percent", "fraction"] = "count"
    """How the cells are written: whole counts, amounts, numbers, ``3.45%`` or ``0.0345``."""
    part: bool = False
    """For ``metric``: one of several columns added into its metric (Shopify's gross
    sales, discounts, shipping and taxes make the amount paid): its cells may be negative
    (discounts), their sum may not."""
    dash_is_zero: bool = False
    """The platform writes ``-`` for none: a dash means 0 instead of missing."""
    times: str | None = None
    """A rate column turned into a count: the value is this rate x that field, rounded."""
    map: dict[str, str] = Field(default_factory=dict)
    """For ``channel``: cell value -> channel; matched on the start of the cell."""
    default: str | None = None
    """For ``channel``: the channel of values not in ``map``."""
    combined_with: str | None = None
    """For ``channel``: a field whose cell is put before this one's, with a space, before
    it is matched against ``map`` (Shopify's Type and Channel: ``Paid Search``)."""
    missing: str | None = None
    """For ``campaign``/``sku``: the value kept when the cell is missing (``-``); by
    default ``(none)``, so that a row without a plan or product stays at the level of
    the others (its figure has no finer attribution, it is not a total)."""
    prefix: str = ""
    """For ``campaign``/``sku``: put before every id of the column, so that ids of two
    grains (``SPU-10001`` beside SKU ``10001``) never mix."""
    all_values: list[str] = Field(default_factory=list)
    """For ``campaign``/``sku``: cells meaning "the whole store" (e.g. 店铺整体)."""
    per: list[str] = Field(default_factory=list)
    """For ``metric``: the fields whose cells name the key this figure lives at, when
    that key is coarser than the rows (Amazon's sessions of a parent/child ASIN pair,
    repeated on every SKU row of the pair): the figure is taken once per key and day,
    never added up over the rows that repeat it. Fields missing from a file leave the
    key to the others."""
    expected: bool = False
    """For ``metric``: the figure is one a user relies on; a file without the column
    loads with a notice naming it (never a silent gap)."""
    name_of: Literal["campaign", "sku"] | None = None
    """For ``filter``: the column gives the platform's name of the row's campaign or SKU
    (计划名称 beside 计划ID), kept beside the id (the newest name wins). Not for a
    dimension whose key is the name itself."""
    covers: dict[str, Literal["month"]] = Field(default_factory=dict)
    """For ``date``: headers whose cells each start a longer period than a day
    (Shopify's ``Month`` grouping: ``{ Month = "month" }``): a row is a figure of the span
    from its date to the period's end, cut to the days the file name names and to today."""
    keep: list[str] = Field(default_factory=list)
    """For ``filter``: rows whose cell is one of these (``汇总``) are the platform's total
    of their group (the rows of one day with the same dimension cells); where a group has
    one, its other rows are finer and skipped; a group without one keeps its rows.
    For ``source``: the cells (``汇总``) that make a row its first level's total."""


class Refusal(_Strict):
    """Headers (or title text) whose presence makes the file unusable, with a reason."""

    headers: list[str] = Field(default_factory=list)
    """Header names that refuse the file when present (``together``: when all are)."""
    together: bool = False
    titles: list[str] = Field(default_factory=list)
    """Regular expressions that refuse the file when found in the rows above the header."""
    reason: str
    hint: str | None = None
    reason_zh: str = ""
    """The reason in Chinese (the English one without)."""
    hint_zh: str = ""
    """The hint in Chinese (the English one without)."""

    def shown_reason(self) -> str:
        """The reason in the operator's language."""
        return self.reason_zh if self.reason_zh and is_chinese() else self.reason

    def shown_hint(self) -> str | None:
        """The hint in the operator's language."""
        return self.hint_zh if self.hint_zh and is_chinese() else self.hint

    @model_validator(mode="after")
    def _something(self) -> Refusal:
        if not self.headers and not self.titles:
            raise ValueError("a refusal needs headers or titles")
        for pattern in self.titles:
            _compile(pattern)
        return self


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None


class Profile(_Strict):
    """One export format."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    title_zh: str = ""
    """The title in Chinese, for `opsboard --lang zh-CN formats` and the messages about a
    file (the English one without)."""
    platform: str
    required: list[str | list[str]] = Field(min_length=1)
    """The fields whose headers identify the format (all on one row); an inner list is a
    choice (any one of those fields)."""
    fields: dict[str, FieldSpec]
    channel: str = ""
    """The channel of every point when the format has no channel column."""
    campaign: str = ""
    """The campaign of every point when the format has no campaign column (the report is
    one part of the spend, e.g. 明星店铺)."""
    sku: str = ""
    """The product of every point when the format has no product column."""
    title_pattern: str | None = None
    """A regular expression the rows above the header must contain for this format; its
    named groups ``sku`` or ``campaign`` give that dimension to every row (a product-level
    export names its product in a title row)."""
    title_label: str = ""
    """How that title row reads, in words, for `opsboard formats`."""
    unique_rows: bool = False
    """Each day and scope appears on one row only: a repeated row is refused rather than
    added (a store-level report pasted twice)."""
    joined_spans: bool = False
    """The rows are finer pieces of the scope they are stored at (search terms, targets, ad
    groups of a campaign), each over its own first and last day: rows of one scope whose
    days overlap are added up into the span they cover together."""
    exclusive_with: list[str] = Field(default_factory=list)
    """Formats holding the same figures at another grain (商品明细 by SKU and by SPU): a
    file is refused for a store and days that already hold figures from one of them."""
    date_from: list[DateSource] = Field(default_factory=_date_from_column)
    """Where the date comes from, in order of preference."""
    slash_order: Literal["mdy", "dmy"] = "mdy"
    """How to read ``1/2/2026`` when no day above 12 settles it."""
    totals: list[str] = Field(default_factory=lambda: list(DEFAULT_TOTALS))
    """Cells marking total and sub-total rows (whole cell, or followed by ``:``)."""
    refuse: list[Refusal] = Field(default_factory=list)
    not_with: list[str] = Field(default_factory=list)
    """Headers whose presence means the file is another, finer report (an account-level
    format does not match a file that has a Campaign column)."""
    account_totals: list[str] = Field(default_factory=list)
    """Labels of total rows that hold the account's own figure (``Total: Account``): in a
    report of one day they are stored as the store's figure for that day, beside the rows
    that break it down (the query takes the coarsest level); other total rows, and these
    in a report of several days (a figure of the range), are skipped."""
    other_terms: list[str] = Field(default_factory=list)
    """Labels of total rows that hold the figures of the terms a report does not list
    (``Total: Other search terms``): stored, like an account total, as the term
    ``(other search terms)`` of no campaign, so that the listed terms never pass for the
    whole."""
    notes: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        problems = []
        for key in self.required_keys():
            if key not in self.fields:
                problems.append(f"required field {key!r} is not defined under [fields]")
        if self.title_pattern is not None:
            try:
                _compile(self.title_pattern)
            except ValueError as exc:
                problems.append(f"title_pattern: {exc}")
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
                for name in spec.per:
                    if name not in self.fields or self.fields[name].role == "metric":
                        problems.append(f"fields.{key}: per names no key field {name!r}")
            elif spec.role not in ("filter", "key"):
                if spec.role in roles:
                    problems.append(f"fields.{key}: a second {spec.role} column")
                roles[spec.role] = key
            if spec.name_of and spec.role != "filter":
                problems.append(f"fields.{key}: name_of is for a filter column")
            if spec.prefix and spec.role not in ("campaign", "sku"):
                problems.append(f"fields.{key}: prefix is for campaign and sku columns")
            for channel in [*spec.map.values(), *([spec.default] if spec.default else [])]:
                if channel not in CHANNELS:
                    problems.append(f"fields.{key}: unknown channel {channel!r}")
            for header in spec.headers:
                norm = normalise_header(header)
                if seen.get(norm, key) != key:
                    problems.append(f"header {header!r} is listed for {seen[norm]} and {key}")
                seen[norm] = key
        for key, spec in self.fields.items():
            if spec.combined_with and (
                spec.role != "channel" or spec.combined_with not in self.fields
            ):
                problems.append(f"fields.{key}: combined_with names no field of a channel column")
            if spec.name_of and spec.name_of not in roles:
                problems.append(f"fields.{key}: name_of {spec.name_of!r} but no such column")
        for role in ("channel", "campaign", "sku"):
            if role in roles and getattr(self, role):
                problems.append(f"a {role} column and a fixed {role} cannot both be given")
        if "source" in roles and "channel" not in roles:
            problems.append("a source column needs a channel column (a source lies below one)")
        if "keyword" in roles and "campaign" not in roles:
            problems.append("a keyword column needs a campaign column (a keyword lies below one)")
        if "term" in roles and "campaign" not in roles:
            problems.append("a term column needs a campaign column (a term lies below one)")
        if "column" in self.date_from and "date" not in roles:
            problems.append("date_from has 'column' but no field has role 'date'")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def shown_title(self) -> str:
        """The title in the operator's language, for the messages about a file."""
        return self.title_zh if self.title_zh and is_chinese() else self.title

    def date_sources(self, *, dropped: bool) -> list[DateSource]:
        """Where the date comes from, in order; in a drop folder, which has no `--date`,
        a report that takes its day from `--date` takes it from the file name instead."""
        sources = list(self.date_from)
        if dropped and "option" in sources and "file_name" not in sources:
            sources.append("file_name")
        return sources

    def required_keys(self) -> list[str]:
        """Every field named in ``required``, choices flattened."""
        return [
            k for entry in self.required for k in ([entry] if isinstance(entry, str) else entry)
        ]

    def required_choices(self) -> list[list[str]]:
        """``required`` as a list of choices, each a list of field keys."""
        return [[entry] if isinstance(entry, str) else list(entry) for entry in self.required]

    def field_headers(self, key: str) -> list[str]:
        """The normalised aliases of field ``key``."""
        return [normalise_header(h) for h in self.fields[key].headers]

    def title_regex(self) -> re.Pattern[str] | None:
        """``title_pattern`` compiled, or None."""
        return None if self.title_pattern is None else _compile(self.title_pattern)


class ProfileError(OpsboardError):
    """A shipped or added profile file is invalid."""


@dataclass(frozen=True)
class HeaderMatch:
    """Where a profile's header row is and which column each of its fields reads."""

    profile: Profile
    row: int
    columns: dict[str, int]
    headers: list[str]
    titled: dict[str, str] = field(default_factory=dict)
    """Dimensions named by the title rows (``title_pattern`` groups)."""

    @property
    def score(self) -> tuple[bool, int, int]:
        """Higher is a more specific match: a title the format asks for, more fields found,
        then more required."""
        titled = self.profile.title_pattern is not None
        return (titled, len(self.columns), len(self.profile.required))


def match_row(
    profile: Profile, cells: Sequence[str], row: int, titles: Sequence[Sequence[str]] = ()
) -> HeaderMatch | None:
    """The match of ``profile`` on a row of header cells, if all required fields are there
    (and, for a profile with a ``title_pattern``, the rows above it hold that text)."""
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
    if not all(any(k in columns for k in choice) for choice in profile.required_choices()):
        return None
    if any(normalise_header(h) in index for h in profile.not_with):
        return None
    titled: dict[str, str] = {}
    pattern = profile.title_regex()
    if pattern is not None:
        found = pattern.search(title_text(titles))
        if found is None:
            return None
        titled = {k: v.strip() for k, v in found.groupdict().items() if v and v.strip()}
    return HeaderMatch(profile, row, columns, [str(c) for c in cells], titled)


def title_text(titles: Sequence[Sequence[str]]) -> str:
    """The rows above a header as one text (NFKC, so ``：`` reads as ``:``)."""
    text = "\n".join(" ".join(str(c) for c in row if str(c).strip()) for row in titles)
    return unicodedata.normalize("NFKC", text)


def missing_required(profile: Profile, cells: Sequence[str]) -> list[str]:
    """The required headers of ``profile`` that ``cells`` lacks (first alias of each;
    ``A or B`` for a choice)."""
    present = {normalise_header(c) for c in cells}
    return [
        " or ".join(profile.fields[key].headers[0] for key in choice)
        for choice in profile.required_choices()
        if not any(alias in present for key in choice for alias in profile.field_headers(key))
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
    for profile in profiles:
        unknown = [n for n in profile.exclusive_with if n not in names]
        if unknown:
            raise ProfileError(
                f"format profile {names[profile.name]}: exclusive_with names no format "
                f"{', '.join(map(repr, unknown))}"
            )
    return tuple(profiles)


def profile_named(name: str) -> Profile | None:
    """The profile called ``name``, or None."""
    return next((p for p in load_profiles() if p.name == name), None)
