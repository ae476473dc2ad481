"""The options of the platform API adapter (`type = "api"`), validated like the config."""

from __future__ import annotations

from pydantic import AnyHttpUrl, Field, field_validator

from opsboard.adapters.api import AdapterOptions, Secret, _


class PlatformApiOptions(AdapterOptions):
    """Options of the platform API adapter (`type = "api"`)."""

    base_url: AnyHttpUrl
    """The API's address, e.g. `http://127.0.0.1:8765` (the simulated platform)."""

    token: Secret
    """The bearer token: write `${ENV_VAR}` to take it from the environment. Never printed."""

    stores: list[str] = Field(default_factory=list)
    """Store ids to read; empty reads every store the API lists (a store read before that
    the API no longer lists is then reported failing, not silently dropped)."""

    lookback_hours: int = Field(default=3, ge=0, le=72)
    """Ended hours re-read now and then, so that figures the platform restated without
    marking them as updated replace old ones."""

    lookback_every_minutes: float = Field(default=10.0, ge=0, le=1440)
    """Minutes between those re-reads, per store (0: on every poll). A poll otherwise reads
    only what the platform marks as updated since the last one."""

    backfill_days: int = Field(default=2, ge=0, le=90)
    """Whole days of history read on the first poll, from midnight in the store's calendar,
    besides today so far (the platform may keep less)."""

    timeout: float = Field(default=10.0, gt=0, le=300)
    """Seconds to wait for an answer before retrying."""

    max_retries: int = Field(default=4, ge=0, le=20)
    """Retries of a failed request (timeouts, 5xx, 429, broken JSON) before giving up."""

    backoff: float = Field(default=0.5, gt=0, le=60)
    """Seconds before the first retry; doubled on each retry, with jitter."""

    max_retry_after: float = Field(default=120.0, ge=0)
    """The longest `Retry-After` waited for within a poll; a longer one ends the poll, and no
    request is sent to the API (for any store, after a restart too) until it has passed."""

    requests_per_minute: int = Field(default=300, ge=1, le=100_000)
    """The most requests sent in any minute (the platform's quota). Counted per process: a
    restarted collector starts a new count, which the platform's own 429 answers bound."""

    page_size: int = Field(default=500, ge=1, le=1000)
    """Records asked for per page."""

    include_partial_hour: bool = True
    """Store the current hour's figures so far (replaced once the hour has ended)."""

    slow_after: float = Field(default=5.0, gt=0)
    """Answers slower than this many seconds, or any that timed out, mark the store slow."""

    stale_after_hours: float = Field(default=3.0, gt=0)
    """A store whose newest figures are older than this is reported stale."""

    auth_retry_minutes: float = Field(default=15.0, ge=0)
    """After the token is refused, wait this long before asking the API again."""

    @field_validator("base_url")
    @classmethod
    def _http_only(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if value.query or value.fragment:
            raise ValueError(_("give the API's base address without a query or fragment"))
        return value
