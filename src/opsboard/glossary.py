"""The operators' terms in Chinese, in one place: metric and channel names as 生意参谋,
万相台 and 京东商智 write them (their 指标解释 pages; FORMATS.md section 7 cites some).

Checked against the 生意参谋 指标解释 (浏览量, 访客数, 跳失率, 人均浏览量, 下单买家数,
支付转化率 = 支付买家数 / 访客数), the 万相台 and 直通车 report columns the drop folder
reads (花费, 展现量, 点击量, 总成交笔数, 总成交金额, 点击转化率, 千次展现花费) and Amazon's
Chinese seller help (会话数, 订单商品数量转化率, ACOS); see FORMATS.md section 7.

English labels stay with the metric definitions (``opsboard.metrics``); this table gives
the Chinese ones. ``metric_label`` and ``channel_label`` answer in the current language
(``opsboard.i18n``), so a screen asks for a label and never for a language.
"""

from __future__ import annotations

from collections.abc import Iterable

from opsboard import i18n
from opsboard.metrics import BASE_METRICS, DERIVED_METRICS, PACING
from opsboard.models import CHANNELS

#: Metric name -> its name in the Chinese platforms' reports.
METRICS_CN: dict[str, str] = {
    # 生意参谋: traffic and sales.
    "uv": "访客数",
    "pv": "浏览量",
    "bounces": "跳失人数",
    "buyers": "支付买家数",
    "orders": "支付订单数",
    "units": "支付件数",
    "gmv": "支付金额",
    "refunds": "成功退款金额",
    "cart_adds": "加购次数",
    "new_uv": "新访客数",
    "favorites": "收藏宝贝数",
    "order_buyers": "下单买家数",
    # 万相台 / 直通车 / 引力魔方: promotion.
    "impressions": "展现量",
    "clicks": "点击量",
    "spend": "花费",
    "ad_orders": "总成交笔数",
    "ad_gmv": "总成交金额",
    "budget": "预算",
    # Amazon and Shopify, in their Chinese seller centres' words.
    "sessions": "会话数",
    "checkouts": "结账会话数",
    "converted_sessions": "已转化会话数",
    "cart_sessions": "加购会话数",
    "conversions": "转化数",
    # The Chinese exports' own definitions (opsboard.metrics_cn).
    "sub_orders": "支付子订单数",
    "refund_requests": "售中申请退款金额",
    "favorite_buyers": "商品收藏人数",
    "shop_follows": "收藏店铺数",
    "cart_buyers": "加购人数",
    "cart_units": "加购件数",
    "new_buyers": "支付新买家数",
    "returning_buyers": "支付老买家数",
    "detail_bounces": "详情页跳出人数",
    "presale_ad_gmv": "总预售成交金额",
    "presale_ad_orders": "总预售成交笔数",
    "ad_order_gmv": "总订单金额",
    "ad_order_lines": "总订单行",
    "ad_order_count": "总订单数",
    # Derived: always a ratio of sums.
    "bounce_rate": "跳失率",
    "conversion_rate": "支付转化率",
    "aov": "客单价",
    "ctr": "点击率",
    "cpc": "平均点击花费",
    "cpm": "千次展现花费",
    "roi": "投产比",
    # Amazon's Chinese console heads the column ACOS (its help: 广告投入产出比 (ACOS)).
    "acos": "ACOS",
    "ad_cvr": "点击转化率",
    "budget_used": "消耗进度",
    "session_conversion": "会话转化率",
    # Amazon's Chinese business report: Unit Session Percentage.
    "unit_session_rate": "订单商品数量转化率",
    "pv_per_uv": "人均浏览量",
    "store_roi": "全店投产比",
    "spend_share": "推广费占比",
    "detail_bounce_rate": "详情页跳出率",
    "cart_cost": "加购成本",
    "favorite_cost": "收藏成本",
    "order_roi": "订单投产比",
    PACING: "消耗节奏",
}

#: Channel -> its name on Taobao/Tmall, the platforms most operators read.
CHANNELS_CN: dict[str, str] = {
    "organic_search": "手淘搜索",
    "recommendation": "手淘推荐",
    "paid_search": "直通车/关键词推广",
    "display": "引力魔方/人群推广",
    "affiliate": "淘宝客",
    "campaign": "官方活动",
    "content": "内容/直播",
    "direct": "自主访问",
    "other": "其他",
}

#: Where a platform names a channel otherwise (JD's 京准通, PDD's 多多推广), and the
#: generic names for the platforms without Chinese reports of their own.
_CHANNELS_BY_PLATFORM: dict[str, dict[str, str]] = {
    "jd": {
        "organic_search": "搜索",
        "recommendation": "推荐",
        "paid_search": "京东快车",
        "display": "京东展位",
        "affiliate": "京挑客",
    },
    "pinduoduo": {
        "organic_search": "搜索",
        "recommendation": "推荐",
        "paid_search": "多多搜索",
        "display": "多多场景",
        "affiliate": "多多进宝",
    },
    "generic": {
        "organic_search": "自然搜索",
        "recommendation": "推荐流量",
        "paid_search": "搜索广告",
        "display": "展示广告",
        "affiliate": "联盟推广",
        "campaign": "活动",
        "content": "内容",
        "direct": "直接访问",
    },
}
#: Platforms whose channels take the Taobao names (``""``: not known, the usual case).
_TAOBAO = frozenset(("", "taobao", "tmall", "alimama"))

#: The shorter names of the channels, for narrow table cells.
CHANNELS_CN_SHORT: dict[str, str] = {
    **CHANNELS_CN,
    "paid_search": "直通车",
    "display": "引力魔方",
}

#: Words the operators use that are not metrics of their own: the break-even ROI of a
#: product's margin, a loss taken on purpose, favourites and cart adds read together.
TERMS_CN: dict[str, str] = {
    "break_even_roi": "保本投产比",
    "strategic_loss": "战略亏损",
    "favorites_and_cart_adds": "收藏加购",
    "wanxiangtai": "万相台",
}


def metric_label(name: str) -> str:
    """A metric's name as the operator reads it: ``Visitors`` / ``访客数``; the metric's
    own name when it is not known."""
    if i18n.is_chinese() and name in METRICS_CN:
        return METRICS_CN[name]
    if name in BASE_METRICS:
        return BASE_METRICS[name].label
    if name in DERIVED_METRICS:
        return DERIVED_METRICS[name].label
    return name


def view_platform(platforms: Iterable[str]) -> str:
    """The platform whose channel words a view of stores on ``platforms`` takes: theirs
    when they share one, generic words (自然搜索, 搜索广告) when they differ."""
    kinds = {"tmall" if p in _TAOBAO else p for p in platforms}
    if len(kinds) == 1:
        return next(iter(kinds))
    return "generic" if kinds else ""


def channel_label(channel: str, *, platform: str = "", short: bool = False) -> str:
    """A channel's name: ``organic search`` / ``手淘搜索``; ``short`` for a narrow cell
    (``直通车`` for paid search). In Chinese, a store's ``platform`` picks its own words
    (京东快车 on JD, 搜索广告 on Amazon); Taobao's when it is not known."""
    if i18n.is_chinese():
        if platform not in _TAOBAO:
            own = _CHANNELS_BY_PLATFORM.get(platform, _CHANNELS_BY_PLATFORM["generic"])
            if channel in own:
                return own[channel]
        table = CHANNELS_CN_SHORT if short else CHANNELS_CN
        if channel in table:
            return table[channel]
    return channel.replace("_", " ")


def missing_chinese() -> list[str]:
    """Metrics and channels the glossary has no Chinese name for (a test keeps it empty)."""
    names = [*BASE_METRICS, *DERIVED_METRICS, PACING]
    return [n for n in names if n not in METRICS_CN] + [c for c in CHANNELS if c not in CHANNELS_CN]


#: A source's health (``opsboard.models.HealthState``) in Chinese.
HEALTH_CN: dict[str, str] = {
    "ok": "正常",
    "slow": "缓慢",
    "stale": "数据过期",
    "rate_limited": "被限流",
    "failing": "失败",
    "unknown": "未知",
}


def health_label(state: str) -> str:
    """A source's health as the reader's language says it: ``rate_limited`` / ``被限流``."""
    if i18n.is_chinese():
        return HEALTH_CN.get(state, state)
    return state
