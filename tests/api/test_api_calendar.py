"""The simulated promotion calendar: computed per year, and a promotion always in view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from opsboard_simulator.catalog import build_catalog
from opsboard_simulator.promotions import BLACK_FRIDAY, PRIME_DAY, yearly
from opsboard_simulator.runner import Simulator

from .api_support import SEED, read_all, simulator

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("year", "black_friday"),
    # 2024 and 2030 start November on a Friday: the fourth Friday is not Black Friday.
    [(2024, date(2024, 11, 29)), (2025, date(2025, 11, 28)), (2026, date(2026, 11, 27)),
     (2027, date(2027, 11, 26)), (2030, date(2030, 11, 29))],
)  # fmt: skip
def test_black_friday_is_the_day_after_the_fourth_thursday(year: int, black_friday: date) -> None:
    assert BLACK_FRIDAY(year) == black_friday
    assert black_friday.weekday() == 4


def test_fixed_and_weekday_promotions_fall_where_they_should() -> None:
    assert [yearly(11, 11)(y) for y in (2025, 2026)] == [date(2025, 11, 11), date(2026, 11, 11)]
    assert PRIME_DAY(2025) == date(2025, 7, 8)
    tmall = build_catalog(SEED)[0]
    # Double 11 in any year: the midnight rush, then a busy day; 618 likewise.
    for year in (2025, 2026, 2031):
        assert tmall.promotion_factor(date(year, 11, 11), 0) > 5
        assert tmall.promotion_factor(date(year, 6, 18), 12) > 2
        assert tmall.promotion_factor(date(year, 3, 3), 12) == 1.0
    amazon = build_catalog(SEED)[2]
    assert amazon.promotion_factor(date(2024, 11, 29), 12) == pytest.approx(2.8)
    # 27 November, where a fixed date put it, is only its warm-up in 2024.
    assert 1.0 < amazon.promotion_factor(date(2024, 11, 27), 12) < 2


def _uv(sim: Simulator, day: date, hour: int) -> int:
    start = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)
    window = {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}
    records, _ = read_all(sim, "/v1/stores/tmall-flagship/traffic", **window)
    (total,) = [r for r in records if r["channel"] is None and r["sku"] is None]
    return int(total["metrics"]["uv"])


# Fixed instants, never the clock: the midnight hour compared below must be over where the
# store is (01:30 in Shanghai is the earliest such time of day).
@pytest.mark.parametrize(
    "start", [datetime(2027, 3, 3, 9, tzinfo=UTC), datetime(2026, 12, 7, 17, 30, tzinfo=UTC)]
)
def test_the_history_served_always_holds_a_promotion_with_its_warm_up(start: datetime) -> None:
    with simulator(start=start, seed=SEED, speed=0).start() as sim:
        today = start.astimezone(SHANGHAI).date()
        listed = [p for p in sim.promotions if p["name"] == "Store anniversary"]
        assert listed == [
            {
                "store": "tmall-flagship",
                "name": "Store anniversary",
                "warmup_from": (today - timedelta(days=3)).isoformat(),
                "peak": today.isoformat(),
            }
        ]
        # Its midnight rush today, a warm-up yesterday, against the same hours a week ago.
        week_ago = today - timedelta(days=7)
        assert _uv(sim, today, 0) > 3 * _uv(sim, week_ago, 0)
        yesterday = today - timedelta(days=1)
        assert _uv(sim, yesterday, 0) > 1.3 * _uv(sim, yesterday - timedelta(days=7), 0)


def test_the_anniversary_can_be_placed_or_left_out() -> None:
    start = datetime(2027, 3, 3, 9, tzinfo=UTC)
    with simulator(start=start, seed=SEED, speed=0, promo_in=-5).start() as sim:
        assert [p["peak"] for p in sim.promotions if p["store"] == "tmall-flagship"] == [
            "2027-02-26"
        ]
    with simulator(start=start, seed=SEED, speed=0, promo_in=None).start() as sim:
        assert [p for p in sim.promotions if p["store"] == "tmall-flagship"] == []
