"""The platform API's wire schema of hourly records, owned by the adapter that reads them.

The simulated platform serves records of this shape and takes its metric names from here.
"""

from __future__ import annotations

#: The datasets of hourly records, each at ``/v1/stores/{store}/{dataset}``.
DATASETS: tuple[str, ...] = ("traffic", "ads")

#: The metrics a traffic record carries.
TRAFFIC_METRICS: tuple[str, ...] = ("uv", "pv", "bounces", "buyers", "orders", "gmv", "cart_adds")
#: The metrics an ad record carries.
AD_METRICS: tuple[str, ...] = ("impressions", "clicks", "spend", "ad_orders", "ad_gmv")

#: The metrics each hourly dataset may carry.
DATASET_METRICS: dict[str, frozenset[str]] = {
    "traffic": frozenset(TRAFFIC_METRICS),
    "ads": frozenset(AD_METRICS),
}
