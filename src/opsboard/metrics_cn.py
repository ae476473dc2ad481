"""Base and derived metrics of the Chinese platforms' own definitions (DESIGN.md section 3).

A column whose platform definition differs from the listed base metrics gets a name of its
own here: people and pieces apart (收藏人数 beside 收藏次数, 加购人数 beside 加购件数), paid
orders apart from sub-orders, refunds apart from refund requests, and the JD 京准通 order
amounts apart from paid ad sales. docs/metrics.md is the table of which column of which
report feeds which metric, with the platform's own definition.
"""

from __future__ import annotations

from opsboard.metric_types import BaseMetric, DerivedMetric

CN_BASE: tuple[BaseMetric, ...] = (
    BaseMetric(
        "sub_orders",
        "Sub-orders",
        "count",
        "Paid sub-orders, one per item line of an order (支付子订单数); not orders.",
    ),
    BaseMetric(
        "refund_requests",
        "Refund requests",
        "money",
        "Amount of refunds applied for during the sale (售中申请退款金额); not refunds paid.",
    ),
    BaseMetric(
        "favorite_buyers",
        "Favouriting people",
        "count",
        "People who favourited the item (商品收藏人数), each counted once.",
    ),
    BaseMetric(
        "shop_follows",
        "Shop follows",
        "count",
        "Shop favourites or follows (收藏店铺数, 店铺关注量); not item favourites.",
    ),
    BaseMetric(
        "cart_buyers",
        "Cart adders",
        "count",
        "People who added to cart (加购人数, 加购客户数), each counted once.",
    ),
    BaseMetric(
        "cart_units",
        "Pieces added to cart",
        "count",
        "Pieces added to cart (加购件数, 加购商品件数).",
    ),
    BaseMetric(
        "new_buyers",
        "New buyers",
        "count",
        "Paying buyers new to the store (支付新买家数, 新买家数).",
    ),
    BaseMetric(
        "returning_buyers",
        "Returning buyers",
        "count",
        "Paying buyers who had bought before (支付老买家数, 老买家数).",
    ),
    BaseMetric(
        "detail_bounces",
        "Detail-page bounces",
        "count",
        "Item-page visitors who clicked nothing on it: 商品详情页跳出率 x 商品访客数; not 跳失.",
    ),
    BaseMetric(
        "presale_ad_gmv",
        "Pre-sale ad GMV",
        "money",
        "Pre-sale amount attributed to ads (万相台 总预售成交金额); not in ad_gmv.",
    ),
    BaseMetric(
        "presale_ad_orders",
        "Pre-sale ad orders",
        "count",
        "Pre-sale orders attributed to ads (万相台 总预售成交笔数).",
    ),
    BaseMetric(
        "ad_order_gmv",
        "Ad order amount",
        "money",
        "Amount of ad-attributed orders as 京准通 counts them (总订单金额): orders placed, or "
        "completed ones where the report was set so; not paid ad sales (ad_gmv).",
    ),
    BaseMetric(
        "ad_order_lines",
        "Ad order lines",
        "count",
        "Order lines (one per SKU of an order) attributed to ads (京准通 总订单行).",
    ),
    BaseMetric(
        "ad_order_count",
        "Ad order count",
        "count",
        "Orders attributed to ads as 京准通 counts them (总订单数).",
    ),
)

CN_DERIVED: tuple[DerivedMetric, ...] = (
    DerivedMetric(
        "detail_bounce_rate",
        "Detail-page bounce",
        "detail_bounces",
        "uv",
        "rate",
        "detail_bounces / uv (商品详情页跳出率; per SKU, uv is the item's visitors)",
    ),
    DerivedMetric(
        "cart_cost", "Cost per cart add", "spend", "cart_adds", "money", "spend / cart_adds"
    ),
    DerivedMetric(
        "favorite_cost", "Cost per favourite", "spend", "favorites", "money", "spend / favorites"
    ),
    DerivedMetric(
        "order_roi", "Order ROI", "ad_order_gmv", "spend", "ratio", "ad_order_gmv / spend"
    ),
)
