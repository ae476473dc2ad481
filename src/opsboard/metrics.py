"""Base and derived metric definitions (DESIGN.md section 3).

Base metrics are stored; derived metrics are never stored and are always computed as a
ratio of sums over the asked scope.
"""

from __future__ import annotations

from opsboard.errors import UsageError
from opsboard.i18n import _
from opsboard.metric_types import BaseMetric, DerivedMetric
from opsboard.metrics_cn import CN_BASE, CN_DERIVED
from opsboard.models import CHANNELS

_BASE = [
    BaseMetric("uv", "Visitors", "count", "Unique visitors (访客数) in the period."),
    BaseMetric("pv", "Page views", "count", "Page views (浏览量); repeated views count."),
    BaseMetric("bounces", "Bounces", "count", "Visitors who left after one page (跳失)."),
    BaseMetric("buyers", "Paying buyers", "count", "De-duplicated paying buyers (支付买家数)."),
    BaseMetric("orders", "Orders", "count", "Paid orders (支付父订单数, 成交单量)."),
    BaseMetric("units", "Units", "count", "Units ordered or paid."),
    BaseMetric("gmv", "GMV", "money", "Amount paid (支付金额), refunds not deducted."),
    BaseMetric("refunds", "Refunds", "money", "Amount refunded (成功退款金额)."),
    BaseMetric("cart_adds", "Cart adds", "count", "Add-to-cart actions (万相台 总购物车数)."),
    BaseMetric("impressions", "Impressions", "count", "Ad impressions (展现量)."),
    BaseMetric("clicks", "Clicks", "count", "Ad clicks (点击量)."),
    BaseMetric("spend", "Spend", "money", "Ad spend (花费)."),
    BaseMetric("ad_orders", "Ad orders", "count", "Orders attributed to ads."),
    BaseMetric("ad_gmv", "Ad GMV", "money", "Sales attributed to ads (成交金额)."),
    BaseMetric("budget", "Budget", "money", "Ad budget for the period (日预算)."),
    # Metrics whose platform definition differs from the ones above get names of their own.
    BaseMetric("sessions", "Sessions", "count", "Amazon/Shopify sessions; not visitors."),
    BaseMetric(
        "order_buyers", "Ordering buyers", "count", "Buyers who placed an order (下单买家数)."
    ),
    BaseMetric("checkouts", "Checkouts", "count", "Sessions that reached checkout (Shopify)."),
    BaseMetric(
        "converted_sessions",
        "Converted sessions",
        "count",
        "Sessions that completed checkout (Shopify).",
    ),
    BaseMetric(
        "cart_sessions", "Cart sessions", "count", "Sessions with cart additions (Shopify)."
    ),
    BaseMetric("new_uv", "New visitors", "count", "Visitors new to the store (新访客数)."),
    BaseMetric("favorites", "Favorites", "count", "Times items were favourited (收藏宝贝数)."),
    BaseMetric("conversions", "Conversions", "count", "Google Ads conversions (fractional)."),
    # The Chinese exports' own definitions (docs/metrics.md says which column feeds which).
    *CN_BASE,
]

_DERIVED = [
    DerivedMetric("bounce_rate", "Bounce rate", "bounces", "uv", "rate", "bounces / uv"),
    DerivedMetric("conversion_rate", "Conversion", "buyers", "uv", "rate", "buyers / uv"),
    DerivedMetric("aov", "AOV", "gmv", "buyers", "money", "gmv / buyers"),
    DerivedMetric("ctr", "CTR", "clicks", "impressions", "rate", "clicks / impressions"),
    DerivedMetric("cpc", "CPC", "spend", "clicks", "money", "spend / clicks"),
    DerivedMetric(
        "cpm", "CPM", "spend", "impressions", "money", "1000 x spend / impressions", scale=1000.0
    ),
    DerivedMetric("roi", "ROI", "ad_gmv", "spend", "ratio", "ad_gmv / spend"),
    DerivedMetric("acos", "ACOS", "spend", "ad_gmv", "rate", "spend / ad_gmv"),
    DerivedMetric("ad_cvr", "Ad CVR", "ad_orders", "clicks", "rate", "ad_orders / clicks"),
    DerivedMetric("budget_used", "Budget used", "spend", "budget", "rate", "spend / budget"),
    DerivedMetric(
        "session_conversion",
        "Session conversion",
        "converted_sessions",
        "sessions",
        "rate",
        "converted_sessions / sessions",
    ),
    DerivedMetric(
        "unit_session_rate", "Unit session %", "units", "sessions", "rate", "units / sessions"
    ),
    DerivedMetric("pv_per_uv", "PV per visitor", "pv", "uv", "ratio", "pv / uv"),
    # The whole store's figures a plan is about: 全店投产比 and 推广费占比.
    DerivedMetric("store_roi", "Store ROI", "gmv", "spend", "ratio", "gmv / spend"),
    DerivedMetric("spend_share", "Spend share", "spend", "gmv", "rate", "spend / gmv"),
    *CN_DERIVED,
]

BASE_METRICS: dict[str, BaseMetric] = {m.name: m for m in _BASE}
DERIVED_METRICS: dict[str, DerivedMetric] = {m.name: m for m in _DERIVED}

#: ``pacing`` needs the share of the store's day elapsed, so the query engine computes it.
PACING = "pacing"

ALL_METRIC_NAMES: tuple[str, ...] = (*BASE_METRICS, *DERIVED_METRICS, PACING)


def base_inputs(names: list[str]) -> list[str]:
    """The base metrics needed to compute ``names``, in a stable order.

    Raises ``UsageError`` naming the unknown metric and the known ones.
    """
    needed: list[str] = []
    for name in names:
        if name in BASE_METRICS:
            parts = [name]
        elif name in DERIVED_METRICS:
            parts = [DERIVED_METRICS[name].numerator, DERIVED_METRICS[name].denominator]
        elif name == PACING:
            parts = ["spend", "budget"]
        else:
            raise UsageError(
                _("unknown metric {name}").format(name=repr(name)),
                hint=_("use one of: {choices}").format(choices=", ".join(ALL_METRIC_NAMES)),
            )
        needed.extend(p for p in parts if p not in needed)
    return needed


def ratio(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
    """``scale * numerator / denominator``; None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return scale * numerator / denominator


def uses_money(name: str) -> bool:
    """True when ``name`` is an amount of money or a ratio with one (``aov``, ``roi``...):
    its sum over stores of different currencies means nothing."""
    return any(BASE_METRICS[part].kind == "money" for part in base_inputs([name]))


def metric_kind(name: str) -> str:
    """``count``, ``money``, ``rate`` or ``ratio``: how a metric is formatted."""
    if name in BASE_METRICS:
        return BASE_METRICS[name].kind
    if name in DERIVED_METRICS:
        return DERIVED_METRICS[name].kind
    return "rate"


#: Channel names accepted in scopes and rules, ``""`` meaning all channels.
CHANNELS_OR_ALL: tuple[str, ...] = ("", *CHANNELS)
