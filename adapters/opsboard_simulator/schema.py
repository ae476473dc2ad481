"""The documented shapes of the simulated platform API's answers, for its OpenAPI description.

Answers are built as plain JSON (faster, and faults can break them); these models only
describe them, and the schema tests check that the answers match.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """An error answer."""

    error: str = Field(description="A stable error code, e.g. token_expired.")
    message: str = Field(description="What went wrong and what to do, for people.")


class StoreInfo(BaseModel):
    """A store the token may read."""

    id: str
    name: str
    platform: str
    timezone: str = Field(description="IANA time zone in which the store's days start.")
    currency: str
    margin: float = Field(description="Contribution margin; break-even ROI is 1 / margin.")
    daily_budget: float = Field(description="Sum of the campaigns' daily budgets.")
    sku_count: int


class StoreList(BaseModel):
    """The stores the token may read."""

    data: list[StoreInfo]
    server_time: str = Field(description="The platform's current time (UTC).")


class TrafficMetrics(BaseModel):
    """Traffic figures of one hour and scope."""

    uv: int = Field(ge=0)
    pv: int = Field(ge=0)
    bounces: int = Field(ge=0)
    buyers: int = Field(ge=0)
    orders: int = Field(ge=0)
    gmv: float = Field(ge=0)
    cart_adds: int = Field(ge=0)


class AdMetrics(BaseModel):
    """Ad performance figures of one hour and scope."""

    impressions: int = Field(ge=0)
    clicks: int = Field(ge=0)
    spend: float = Field(ge=0)
    ad_orders: int = Field(ge=0)
    ad_gmv: float = Field(ge=0)


class _HourRecord(BaseModel):
    id: str = Field(description="Stable id of the record (store, hour and scope).")
    store: str
    hour: str = Field(description="Start of the hour (UTC, ISO 8601).")
    channel: str | None = Field(description="Traffic or ad channel; null for all.")
    campaign: str | None = Field(description="Campaign id; null for all.")
    sku: str | None = Field(description="Product id; null for all.")
    partial: bool = Field(description="True for the current hour, still running.")
    updated_at: str = Field(description="When the figures last changed (UTC).")
    revision: int = Field(ge=0, description="How many times the figures were restated.")


class TrafficRecord(_HourRecord):
    """One hour of traffic for the store (no channel, no sku), a channel or a SKU."""

    metrics: TrafficMetrics


class AdRecord(_HourRecord):
    """One hour of ad performance for a campaign, or a SKU within a campaign."""

    metrics: AdMetrics
    campaign_name: str | None = Field(
        default=None, description="The campaign's name as the platform shows it."
    )


class _Page(BaseModel):
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    has_more: bool
    server_time: str = Field(description="The instant the pages of this read describe.")


class TrafficPage(_Page):
    """A page of traffic records, oldest update first."""

    data: list[TrafficRecord]


class AdPage(_Page):
    """A page of ad records, oldest update first."""

    data: list[AdRecord]


class Campaign(BaseModel):
    """An ad campaign and its current daily budget."""

    id: str
    name: str
    channel: str
    daily_budget: float


class CampaignList(BaseModel):
    """A store's campaigns."""

    data: list[Campaign]
    server_time: str


class Budget(BaseModel):
    """A campaign's budget for one day of the store's calendar."""

    id: str
    store: str
    day: str
    channel: str
    campaign: str
    budget: float
    currency: str


class BudgetList(BaseModel):
    """Campaign budgets per day."""

    data: list[Budget]
    server_time: str
