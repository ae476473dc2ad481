"""How money of several stores is shown together (DESIGN.md section 3, "Across stores").

Money is added across stores only in one currency: as it is where every store counts in the
same one, or converted into the configured reporting currency at the configured rates (then
marked as converted). Otherwise it is shown per store, in each store's own currency, and
never summed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from opsboard.config.models import Settings
from opsboard.i18n import N_

#: Why an all-stores money figure is blank, and what to do.
MIXED_CURRENCIES = N_("mixed currencies: see each store")
#: The mark before a converted amount.
CONVERTED_MARK = "≈"


@dataclass(frozen=True, slots=True)
class MoneyAcross:
    """How the money of a set of stores adds up.

    ``currency`` is the one currency of the sums, ``""`` when the stores' money cannot be
    added (different currencies and no rates); ``rates`` converts each store's money into
    it (None: no conversion needed); ``currencies`` gives each store's own currency.
    """

    currency: str
    rates: dict[str, float] | None
    currencies: dict[str, str]

    @property
    def converted(self) -> bool:
        """True when the sums are converted at configured rates (show them as such)."""
        return self.rates is not None

    @property
    def summable(self) -> bool:
        """True when the stores' money may be added up."""
        return bool(self.currency)

    @property
    def note(self) -> str:
        """What a reader of an all-stores money figure must know ("" when nothing)."""
        if self.converted:
            return f"{CONVERTED_MARK} converted to {self.currency} at configured rates"
        return "" if self.summable else MIXED_CURRENCIES


def money_across(settings: Settings, stores: Sequence[str]) -> MoneyAcross:
    """How the money of ``stores`` adds up under ``settings``."""
    currencies = {name: settings.store(name).currency for name in stores}
    distinct = set(currencies.values())
    if len(distinct) <= 1:
        return MoneyAcross(distinct.pop() if distinct else "", None, currencies)
    rates = {name: settings.rate_of(currency) for name, currency in currencies.items()}
    if settings.reporting_currency is None or any(r is None for r in rates.values()):
        return MoneyAcross("", None, currencies)
    return MoneyAcross(
        settings.reporting_currency,
        {name: rate for name, rate in rates.items() if rate is not None},
        currencies,
    )
