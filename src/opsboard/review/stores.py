"""Which stores a review covers, and which day by default: each store's own yesterday."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from opsboard.errors import UsageError
from opsboard.i18n import _
from opsboard.runtime import Runtime
from opsboard.storage.store import Store


def default_day(runtime: Runtime, store_name: str, at: datetime | None = None) -> date:
    """Yesterday in the store's time zone, as of ``at`` (default: the runtime's clock)."""
    instant = at if at is not None else runtime.clock.now()
    return instant.astimezone(runtime.tz_for(store_name)).date() - timedelta(days=1)


def review_stores(runtime: Runtime, store: Store) -> list[str]:
    """The stores reviewed by default: ``review.stores``, else the configured stores, else
    every store with data."""
    settings = runtime.settings
    return list(settings.review.stores) or [s.name for s in settings.stores] or store.stores()


def check_store(runtime: Runtime, store: Store, store_name: str) -> None:
    """Raise ``UsageError`` for a store that is neither configured nor in the data."""
    configured = [s.name for s in runtime.settings.stores]
    known = sorted({*configured, *store.stores()})
    if store_name not in known:
        raise UsageError(
            _("unknown store {store!r}").format(store=store_name),
            hint=_("known stores: {stores}").format(stores=", ".join(known))
            if known
            else _("load some data first (opsboard ingest FILE --store NAME)"),
        )
