"""Which channel each platform's second-level traffic source belongs to: the one table.

生意参谋 (Taobao/Tmall), 京东商智 (JD) and 拼多多 list their traffic in a tree: a first level
(淘内免费, 付费流量, 自主访问, …) and below it the sources operators compare every day
(手淘搜索 against 手淘推荐, 直通车 against 引力魔方). A source is stored under the channel this
table gives it (DESIGN.md section 3, "the finest scope is kept"), so that
``opsboard query uv --by channel`` shows search and the recommendation feed apart and
``--by source`` lists the sources themselves.

A source's name is matched whole first, then by the longest known name it starts with
(``万相台无界版`` is ``万相台``); a source the table does not know keeps the channel of its
first level (the report profile's map), so a new source never moves figures between
channels unseen: it shows under ``--by source`` with its platform's own name.
"""

from __future__ import annotations

import unicodedata

#: Second-level source name -> channel. Platform names do not clash, so one table serves
#: every platform; the comments say whose names they are.
SOURCE_CHANNELS: dict[str, str] = {
    # Taobao / Tmall (生意参谋 流量来源): free search and the recommendation feeds.
    "手淘搜索": "organic_search",
    "淘宝搜索": "organic_search",
    "天猫搜索": "organic_search",
    "手淘推荐": "recommendation",
    "猜你喜欢": "recommendation",
    "首页推荐": "recommendation",
    "手淘首页": "recommendation",
    "购后推荐": "recommendation",
    "手淘淘宝直播": "content",
    "淘宝直播": "content",
    "手淘逛逛": "content",
    "逛逛": "content",
    "有好货": "content",
    "微详情": "content",
    # Taobao / Tmall paid sources: 直通车 and 万相台's keyword scene are search ads,
    # 引力魔方 / 钻展 / 人群推广 / 品销宝 display, 淘宝客 affiliate.
    "直通车": "paid_search",
    "关键词推广": "paid_search",
    "万相台": "paid_search",
    "货品全站推广": "paid_search",
    "引力魔方": "display",
    "钻石展位": "display",
    "钻展": "display",
    "人群推广": "display",
    "超级推荐": "display",
    "品销宝": "display",
    "淘宝客": "affiliate",
    "淘宝联盟": "affiliate",
    # Taobao / Tmall visits the buyer starts.
    "购物车": "direct",
    "我的淘宝": "direct",
    "直接访问": "direct",
    "已买到商品": "direct",
    "收藏夹": "direct",
    # Taobao / Tmall events.
    "聚划算": "campaign",
    "天天特卖": "campaign",
    "淘金币": "campaign",
    "百亿补贴": "campaign",
    "大促会场": "campaign",
    # JD (京东商智 流量来源, 京准通).
    "京东搜索": "organic_search",
    "京东推荐": "recommendation",
    "京东快车": "paid_search",
    "京东展位": "display",
    "京东直投": "display",
    "京东海投": "display",
    "京东联盟": "affiliate",
    "京挑客": "affiliate",
    "我的京东": "direct",
    "京东秒杀": "campaign",
    # Pinduoduo.
    "多多搜索": "paid_search",
    "搜索推广": "paid_search",
    "全站推广": "paid_search",
    "多多场景": "display",
    "场景推广": "display",
    "多多进宝": "affiliate",
    "拼多多搜索": "organic_search",
    "拼多多推荐": "recommendation",
    "个人中心": "direct",
    "限时秒杀": "campaign",
    # Names every platform uses alike.
    "搜索": "organic_search",
    "推荐": "recommendation",
    "直播": "content",
}

_BY_LENGTH = sorted(SOURCE_CHANNELS, key=len, reverse=True)


def _normal(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def channel_of_source(source: str, fallback: str) -> str:
    """The channel of a second-level traffic source: the table's, matched whole and then by
    the longest known name it starts with, or ``fallback`` (its first level's channel)."""
    name = _normal(source)
    found = SOURCE_CHANNELS.get(name)
    if found is not None:
        return found
    for known in _BY_LENGTH:
        if name.startswith(known):
            return SOURCE_CHANNELS[known]
    return fallback
