"""SKU movers: products whose traffic or conversion moved abnormally against last week.

Textual-free. Each SKU's figures today so far are compared with the same hours on the
same day last week (its own baseline). A SKU's visitors are expected to move with the
store's: when the whole store is 20% down, a SKU 20% down is not news, one 70% down is.
(The store's move is the one most of its SKUs' traffic shared.)
The score weighs the size of the move by the volume behind it, so a jump from 2 to 6
visitors does not outrank a fall from 900 to 400. The thresholds of the diagnoses are the
configured alert rules' (per store and category), so the screen and the alerts agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any

from opsboard.config.builtin_rules import (
    BOUNCE_LIMIT,
    CTR_TARGET,
    bounces_too_much,
    clicks_too_little,
)
from opsboard.config.models import Settings, StoreConfig
from opsboard.config.rules import RuleConfig, effective_rules
from opsboard.i18n import _
from opsboard.metrics import ratio
from opsboard.query.engine import Filters, MetricsEngine, Period
from opsboard.timeutil import floor_hour, local_midnight
from opsboard.views.alerts import HealthRow
from opsboard.views.overview import HourlySeries, hourly_series

_METRICS = ["uv", "buyers", "bounces", "clicks", "impressions", "gmv", "spend", "ctr"]
#: Below this many visitors on either side a rate's move is noise, not news.
MIN_VISITORS = 30


def _rule_threshold(rules: list[RuleConfig], name: str, store: StoreConfig) -> float | None:
    """The threshold the named rule applies to ``store`` (None when it is off or absent)."""
    for rule in rules:
        if rule.name == name and rule.enabled:
            return rule.threshold_for(store.name, store.category)
    return None


def limits_for(rules: list[RuleConfig], store: StoreConfig) -> tuple[float, float]:
    """The detail-page bounce limit and the CTR target for ``store``, from the alert rules
    (``effective_rules``), else the rules of thumb the review uses."""
    bounce = _rule_threshold(rules, "detail-page-bounce", store)
    ctr = _rule_threshold(rules, "ad-ctr-low", store)
    return (
        bounce if bounce is not None else BOUNCE_LIMIT[store.category],
        ctr if ctr is not None else CTR_TARGET,
    )


@dataclass(frozen=True, slots=True)
class Mover:
    """One SKU today against the same hours last week, with what to look at."""

    sku: str
    store: str
    uv: float | None
    uv_base: float | None
    conversion: float | None
    conversion_base: float | None
    bounce: float | None
    bounce_base: float | None
    ctr: float | None
    gmv: float | None
    score: float
    moved: str
    diagnosis: tuple[str, ...]
    bounce_limit: float = BOUNCE_LIMIT["standard"]
    #: The platform's name of the product (``示例绞肉机 家用电动``), or ``""``.
    name: str = ""

    @property
    def uv_change(self) -> float | None:
        """Relative change of visitors against the baseline."""
        if self.uv is None or not self.uv_base:
            return None
        return self.uv / self.uv_base - 1.0


def _score(
    part: float | None, whole: float, part_base: float | None, whole_base: float | None
) -> float:
    """Two-proportion z score of a rate (part / whole) against its baseline."""
    if part is None or part_base is None or not whole_base or min(whole, whole_base) < MIN_VISITORS:
        return 0.0
    pooled = (part + part_base) / (whole + whole_base)
    spread = math.sqrt(max(pooled * (1 - pooled), 1e-6) * (1 / whole + 1 / whole_base))
    return (part / whole - part_base / whole_base) / spread


def what_to_check(
    *,
    bounce: float | None,
    ctr: float | None,
    conversion: float | None,
    conversion_base: float | None,
    uv_change: float | None,
    bounce_limit: float,
    ctr_target: float = CTR_TARGET,
) -> tuple[str, ...]:
    """What an operator would check first about one SKU on the movers screen: short notes
    by the rules of thumb (``bounces_too_much`` and ``clicks_too_little``, which the review's
    ``diagnose`` judges too) and the SKU's own move against last week. Not the review's
    diagnosis: no evidence nor money at stake, and its conversion note is a SKU's fall by a
    third so far today, where the review's is the store's whole day down while traffic held.
    """
    notes: list[str] = []
    if bounce is not None and bounces_too_much(bounce, bounce_limit):
        notes.append(
            _("bounce over {limit}: the detail page needs work").format(limit=f"{bounce_limit:.0%}")
        )
    if ctr is not None and clicks_too_little(ctr, ctr_target):
        notes.append(
            _("CTR under {target}: test a new main image").format(target=f"{ctr_target:.1%}")
        )
    if conversion is not None and conversion_base and conversion < conversion_base * 0.7:
        notes.append(_("conversion down by a third: check price, stock, reviews"))
    if uv_change is not None and uv_change < -0.4:
        notes.append(_("traffic down more than the store's: check search rank and ad plans"))
    if uv_change is not None and uv_change > 1.0:
        notes.append(_("traffic up more than the store's: make sure stock and budget follow"))
    return tuple(notes)


@dataclass(frozen=True, slots=True)
class MoversView:
    """What the movers screen shows: the ranked SKUs and the chosen one's hourly chart."""

    at: datetime
    live: bool
    tz_name: str
    movers: tuple[Mover, ...]
    chosen: Mover | None
    chart: HourlySeries | None
    health: tuple[HealthRow, ...]


class MoversLoader:
    """Ranks SKUs by how abnormally they moved; loads one SKU's hourly chart."""

    def __init__(self, engine: MetricsEngine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.rules = effective_rules(settings.alerts)

    @staticmethod
    def _windows(at: datetime, tz: tzinfo) -> tuple[Period, Period]:
        start = local_midnight(at.astimezone(tz).date(), tz)
        end = floor_hour(at) + timedelta(hours=1)
        week = start - timedelta(days=7)
        return Period(start=start, end=end), Period(start=week, end=week + (end - start))

    def load(self, *, store_name: str | None, at: datetime, limit: int = 40) -> tuple[Mover, ...]:
        """The SKUs of ``store_name`` (or every store) sorted by the size of their move."""
        names = [store_name] if store_name else self.engine.store.stores()
        known = set(self.engine.store.stores())
        movers: list[Mover] = []
        for name in names:
            if name not in known:
                continue
            config = self.settings.store(name)
            limit_bounce, ctr_target = limits_for(self.rules, config)
            today, base = self._windows(at, self.engine.tz_for(name))
            now_rows = {
                r["sku"]: r
                for r in self.engine.query(_METRICS, stores=[name], by="sku", period=today)
            }
            base_rows = {
                r["sku"]: r
                for r in self.engine.query(_METRICS, stores=[name], by="sku", period=base)
            }
            trend = self._store_trend(now_rows, base_rows)
            for sku, row in now_rows.items():
                old = base_rows.get(sku, {})
                uv, uv_base = row["uv"], old.get("uv")
                if uv is None:
                    continue
                expected = uv_base * trend if uv_base else None
                conversion = ratio(row["buyers"], uv)
                conversion_base = ratio(old.get("buyers"), uv_base)
                bounce = ratio(row["bounces"], uv)
                bounce_base = ratio(old.get("bounces"), uv_base)
                scores = {
                    "uv": (uv - expected) / math.sqrt(max(expected, 1.0)) if expected else 0.0,
                    "conversion": _score(row["buyers"], uv, old.get("buyers"), uv_base),
                    "bounce": _score(row["bounces"], uv, old.get("bounces"), uv_base),
                }
                moved = max(scores, key=lambda k: abs(scores[k]))
                # Judged against the store's own move: a SKU that falls with the store is
                # not what the operator has to look at.
                change = uv / expected - 1.0 if expected else None
                ctr = row["ctr"]
                movers.append(
                    Mover(
                        sku=sku,
                        store=name,
                        uv=uv,
                        uv_base=uv_base,
                        conversion=conversion,
                        conversion_base=conversion_base,
                        bounce=bounce,
                        bounce_base=bounce_base,
                        ctr=ctr,
                        gmv=row["gmv"],
                        score=round(scores[moved], 6),
                        moved=moved,
                        bounce_limit=limit_bounce,
                        diagnosis=what_to_check(
                            bounce=bounce,
                            ctr=ctr,
                            conversion=conversion,
                            conversion_base=conversion_base,
                            uv_change=change,
                            bounce_limit=limit_bounce,
                            ctr_target=ctr_target,
                        ),
                    )
                )
        movers.sort(key=lambda m: (-abs(m.score), m.store, m.sku))
        return self._named(movers[:limit])

    def _named(self, movers: list[Mover]) -> tuple[Mover, ...]:
        """``movers`` with their products' names (one look-up per store)."""
        found: dict[tuple[str, str], str] = {}
        for name in sorted({m.store for m in movers}):
            skus = [m.sku for m in movers if m.store == name]
            found.update(self.engine.store.names_of(name, "sku", skus))
        return tuple(replace(m, name=found.get((m.store, m.sku), "")) for m in movers)

    @staticmethod
    def _store_trend(now_rows: dict[str, Any], base_rows: dict[str, Any]) -> float:
        """How the store's SKUs commonly moved against last week (1.0 when unknown).

        The visitor-weighted median of the SKUs' own ratios: the move most of the store's
        traffic shared, which one collapsing SKU cannot drag down with it.
        """
        ratios: list[tuple[float, float]] = []
        for sku, row in now_rows.items():
            uv, uv_base = row["uv"], base_rows.get(sku, {}).get("uv")
            if uv is not None and uv_base and uv_base >= MIN_VISITORS:
                ratios.append((uv / uv_base, uv_base))
        if not ratios:
            return 1.0
        ratios.sort()
        half, running = sum(w for _r, w in ratios) / 2, 0.0
        for move, weight in ratios:
            running += weight
            if running >= half:
                return move
        return ratios[-1][0]

    def hourly(
        self, *, store_name: str, sku: str, at: datetime, metric: str = "uv"
    ) -> HourlySeries:
        """One SKU's metric per local hour: today, yesterday and last week."""
        tz = self.engine.tz_for(store_name)
        return hourly_series(self.engine, metric, [store_name], at, tz, Filters(sku=sku))
