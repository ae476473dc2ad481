"""The built-in rules, drawn from how store operators work (DESIGN.md 1 and 4.3).

Each is an ordinary rule: a rule in the config with the same name replaces it, and
``store_thresholds`` / ``category_thresholds`` adjust it per store or category. This module
holds plain data so that the config can check rule names without importing the engine.
"""

from __future__ import annotations

from typing import Any

from opsboard.i18n import N_

#: 商品详情页跳出率 (detail-page bounce, not the store's 跳失率): above 75% the detail page is
#: not doing its job; non-standard categories (非标品) should stay under 70%.
BOUNCE_LIMIT = {"standard": 0.75, "non_standard": 0.70}
#: Main-image / ad click-through target: a Taobao/Tmall search ad's main image.
CTR_TARGET = 0.06
#: Platforms whose search ads and item main images are held to ``CTR_TARGET`` ("other":
#: a store whose platform is not given). Elsewhere CTR runs on another scale (Amazon
#: Sponsored Products at 0.3-0.6%, Google search ads at a few percent) and a fixed 6% would
#: call every campaign a problem; there only each campaign against its own days applies.
CTR_TARGET_PLATFORMS = frozenset(("taobao", "tmall", "other"))
#: Channels whose campaigns are never held to ``CTR_TARGET``: display and affiliate ads run
#: at 1-2% by their nature.
CTR_TARGET_EXEMPT_CHANNELS = ("display", "affiliate")


def bounces_too_much(rate: float, limit: float) -> bool:
    """The detail-page rule of thumb: a bounce rate above the category's limit
    (``BOUNCE_LIMIT``, or the store's own from its alert rule)."""
    return rate > limit


def clicks_too_little(ctr: float, target: float = CTR_TARGET, *, as_shown: bool = False) -> bool:
    """The main-image / ad rule of thumb: a click-through rate under the target. ``as_shown``
    judges the rate as the review writes it (to a hundredth of a percent), so that a CTR
    shown as 6.00% is not called below a 6% target."""
    return (round(ctr, 4) if as_shown else ctr) < target


#: The built-in rules as they would be written in the config's ``[[alerts.rules]]``.
DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {
        # Judged per SKU once it has 200 visitors, on 商品详情页跳出率 (detail_bounces / uv,
        # from the 生意参谋 商品排行 export), never on 跳失率.
        "name": "detail-page-bounce",
        "kind": "threshold",
        "metric": "detail_bounce_rate",
        "scope": "each_sku",
        "op": ">",
        "threshold": BOUNCE_LIMIT["standard"],
        "clear": 0.72,
        "category_thresholds": {"non_standard": BOUNCE_LIMIT["non_standard"]},
        "window": "1d",
        # 商品排行 is a day's export downloaded the next morning: judge the latest day.
        "latest_day": True,
        "min_volume": 200,
        "volume_metric": "uv",
        "severity": "warning",
        "message": N_(
            "SKU {named_scope} bounce rate {value} is above {threshold}: review its detail page"
        ),
        "labels": {"team": "content"},
    },
    {
        # Each campaign against its own recent days, never one number for every channel:
        # display, affiliate and Amazon Sponsored Products run at 0.3-2% as a matter of
        # course, and the 6% main-image target (CTR_TARGET) is a goal, not an alarm. A
        # search campaign whose CTR halves against the same hours of its last week has lost
        # its placement, its creative or its keywords.
        "name": "ad-ctr-drop",
        "kind": "change",
        "metric": "ctr",
        "scope": "each_campaign",
        "baseline": "trailing_days",
        "days": 7,
        "op": "<",
        "threshold": -0.5,
        "clear": -0.3,
        "window": "3h",
        "for": "1h",
        "min_volume": 1000,
        "volume_metric": "impressions",
        "severity": "warning",
        "message": N_(
            "campaign {named_scope} CTR {value} against its {baseline} for these hours: "
            "check its creatives, bids and placements"
        ),
        "labels": {"team": "ads"},
    },
    {
        # What SKU movers show, told headless: a product whose visitors collapse against the
        # same hours of its own last week of days (delisted, out of stock, lost its search
        # slot). Only products with a real baseline: 100 visitors in those hours.
        "name": "sku-traffic-collapse",
        "kind": "change",
        "metric": "uv",
        "scope": "each_sku",
        "baseline": "trailing_days",
        "days": 7,
        "op": "<",
        "threshold": -0.6,
        "clear": -0.4,
        "window": "3h",
        "min_volume": 100,
        "volume_metric": "uv",
        "severity": "warning",
        "message": N_(
            "SKU {named_scope} visitors {value} against its {baseline} for these "
            "hours: check its listing, stock, price and ads"
        ),
        "labels": {"team": "content"},
    },
    {
        "name": "conversion-below-median",
        "kind": "change",
        "metric": "conversion_rate",
        "scope": "store",
        "baseline": "trailing_median",
        "weeks": 4,
        "op": "<",
        "threshold": -0.2,
        "clear": -0.1,
        "window": "6h",
        "for": "1h",
        "min_volume": 500,
        "volume_metric": "uv",
        "severity": "warning",
        "message": N_("conversion is {value} against its {weeks}-week median for these hours"),
    },
    {
        "name": "roi-below-break-even",
        "kind": "roi",
        "scope": "each_campaign",
        "threshold": 1.0,
        "clear": 1.05,
        "window": "1d",
        "min_volume": 200,
        "volume_metric": "spend",
        "for": "1h",
        "severity": "warning",
        "message": N_("campaign {named_scope} ROI {value} is below break-even {threshold}"),
        "labels": {"team": "ads"},
    },
    {
        # A linear projection that reaches the budget before 20:00 leaves the evening peak
        # without ads: spend / (budget x share of day) above 24 / 20.
        "name": "budget-before-peak",
        "kind": "pacing",
        "scope": "store",
        "op": ">",
        "threshold": 1.2,
        "clear": 1.1,
        "for": "30m",
        "severity": "warning",
        "message": N_(
            "spend {spend} of budget {budget}: at this pace the budget runs out at "
            "{exhausts_at}, before the evening peak (projected {projected})"
        ),
        "labels": {"team": "ads"},
    },
    {
        "name": "traffic-down-vs-last-week",
        "kind": "change",
        "metric": "uv",
        "scope": "store",
        "baseline": "last_week",
        "op": "<",
        "threshold": -0.3,
        "clear": -0.15,
        "window": "2h",
        "min_volume": 300,
        "volume_metric": "uv",
        "severity": "warning",
        "message": N_("visitors {value} against the same hours last week"),
    },
    {
        "name": "source-stale",
        "kind": "source",
        "for": "30m",
        "severity": "critical",
        "message": N_("source {source} is {state} for {minutes} min: {reason}"),
    },
    {
        "name": "file-rejected",
        "kind": "file_rejected",
        "window": "1d",
        "severity": "warning",
        "message": N_("file {origin} was rejected: {reason}"),
    },
)

#: The names of the built-in rules.
DEFAULT_RULE_NAMES: tuple[str, ...] = tuple(rule["name"] for rule in DEFAULT_RULES)

#: The message used when a rule gives none, per kind.
DEFAULT_MESSAGES: dict[str, str] = {
    "threshold": N_("{rule}: {metric} is {value} ({op} {threshold}) for {named_scope}"),
    "change": N_(
        "{rule}: {metric} changed {value} vs {baseline} ({op} {threshold}) for {named_scope}"
    ),
    "pacing": N_(
        "{rule}: spend {spend} of budget {budget}, pacing {value}: runs out at "
        "{exhausts_at} (projected {projected}) for {named_scope}"
    ),
    "roi": N_("{rule}: ROI {value} below {threshold} for {named_scope}"),
    "source": N_("{rule}: source {source} is {state} for {minutes} min: {reason}"),
    "file_rejected": N_("{rule}: file {origin} was rejected: {reason}"),
    "plan": N_("{rule}: {store} is {value} off the paced plan, {days_left} days left: {reason}"),
    # A plan rule with `measure = "used"`: how much of an allowance or budget is used.
    "plan_used": N_("{rule}: {store} has used {value} of its allowance: {reason}"),
}

#: The message sent when an alert of a kind resolves (a rule may give its own with
#: ``resolved_message``): what the figure is back to, and where the rule clears.
DEFAULT_RESOLVED: dict[str, str] = {
    "threshold": N_("{rule}: {metric} back to {value} for {named_scope} (clears at {clear})"),
    "change": N_(
        "{rule}: {metric} back to {value} vs {baseline} for {named_scope} (clears at {clear})"
    ),
    "pacing": N_(
        "{rule}: pacing back to {value} for {named_scope} (clears at {clear}); "
        "spend {spend} of budget {budget}"
    ),
    "roi": N_("{rule}: ROI back to {value} for {named_scope} (clears at {clear})"),
    "source": N_("{rule}: source {source} is {state} again"),
    "file_rejected": N_("{rule}: file {origin} is no longer rejected"),
    "plan": N_(
        "{rule}: {metric} back within {clear} of the paced plan for {named_scope}: {reason}"
    ),
    "plan_used": N_("{rule}: {store} back under {clear} of its allowance: {reason}"),
}

#: The resolution of an alert whose scope has shown no data for longer than the rule holds
#: an alert without data.
NO_DATA_RESOLVED = N_("{rule}: no data for {scope} since {last_seen}; closed")
#: The resolution of an alert whose rule is no longer in the config (or disabled).
RULE_GONE_RESOLVED = N_("{rule}: the rule is no longer configured; closed")
