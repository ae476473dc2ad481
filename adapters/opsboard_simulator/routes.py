"""The simulated platform API's endpoints: paths, parameters, answers and what each does.

The server answers by them and the OpenAPI description is built from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from opsboard_simulator.catalog import STORE_IDS


@dataclass(frozen=True)
class Param:
    """One parameter of an endpoint: how it is read, checked and described."""

    name: str
    kind: type
    description: str
    where: str = "query"
    default: object = None
    minimum: int | None = None
    maximum: int | None = None
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    """An endpoint: its path, parameters, answer model, the ``PlatformApi`` method that
    answers (``name``) and what it does."""

    path: str
    name: str
    model: str
    params: tuple[Param, ...]
    summary: str
    description: str = ""

    @property
    def pattern(self) -> re.Pattern[str]:
        """The path as a pattern, one group per path parameter."""
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(pattern + "$")


#: Real ids as examples, so that clients and schema tests can read real data.
STORE_ID = Param(
    "store_id", str, "The store's id, from /v1/stores.", where="path", examples=STORE_IDS
)
#: The parameters of the hourly datasets.
READ_PARAMS = (
    STORE_ID,
    Param("since", datetime, "Only records updated at or after this instant (incremental)."),
    Param("start", datetime, "First hour to read (UTC)."),
    Param("end", datetime, "Read hours that start before this."),
    Param("cursor", str, "`next_cursor` of the previous page."),
    Param("limit", int, "Records per page.", default=500, minimum=1, maximum=1000),
)
ROUTES = (
    Route("/v1/stores", "list_stores", "StoreList", (), "The stores this token may read."),
    Route(
        "/v1/stores/{store_id}/traffic",
        "traffic",
        "TrafficPage",
        READ_PARAMS,
        "Hourly traffic: the store's own totals, each channel, and each SKU.",
    ),
    Route(
        "/v1/stores/{store_id}/ads",
        "ads",
        "AdPage",
        READ_PARAMS,
        "Hourly ad performance by campaign, and by SKU within each campaign.",
        "Yesterday's figures are restated a few hours after the store's day ends; restated "
        "records have a newer `updated_at` and a higher `revision`.",
    ),
    Route(
        "/v1/stores/{store_id}/campaigns",
        "campaigns",
        "CampaignList",
        (STORE_ID,),
        "The store's ad campaigns with their ordinary daily budgets.",
    ),
    Route(
        "/v1/stores/{store_id}/budgets",
        "budgets",
        "BudgetList",
        (
            STORE_ID,
            Param("start_day", date, "First day (store calendar); default today."),
            Param("end_day", date, "Last day (store calendar); default today."),
        ),
        "Each campaign's budget per day of the store's calendar (raised on promotion days).",
    ),
)
