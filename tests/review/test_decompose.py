"""The GMV bridge adds up exactly, whatever the figures."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsboard.review.decompose import gmv_effects

visitors = st.one_of(st.just(0.0), st.floats(min_value=1, max_value=1e7))


@st.composite
def days(draw: st.DrawFn) -> tuple[float, float, float]:
    """A store day as platforms report it: buyers within visitors, AOV from 0.01 to 100,000."""
    uv = draw(visitors)
    buyers = (
        draw(st.one_of(st.just(0.0), st.floats(min_value=1, max_value=max(uv, 1)))) if uv else 0.0
    )
    aov = draw(st.floats(min_value=0.01, max_value=1e5))
    return uv, buyers, buyers * aov


@settings(max_examples=300, deadline=None)
@given(days(), days())
def test_the_effects_add_up_to_the_change(
    before: tuple[float, float, float], after: tuple[float, float, float]
) -> None:
    result = gmv_effects(before, after)
    assert result is not None
    effects, _method = result
    total = sum(e.amount for e in effects)
    assert total == pytest.approx(after[2] - before[2], rel=1e-9, abs=1e-6)


def test_a_pure_traffic_change_is_all_traffic() -> None:
    result = gmv_effects((10_000, 300, 30_000), (8_000, 240, 24_000))
    assert result is not None
    effects, method = result
    assert method == "log"
    assert [round(e.amount, 6) for e in effects] == [-6000.0, 0.0, 0.0]
    assert effects[0].factor_change == pytest.approx(-0.2)


def test_zero_buyers_falls_back_to_shapley() -> None:
    result = gmv_effects((1000, 10, 1000), (1000, 0, 0))
    assert result is not None
    effects, method = result
    assert method == "shapley"
    amounts = {e.factor: e.amount for e in effects}
    assert amounts["conversion"] == pytest.approx(-1000)
    assert amounts["traffic"] == pytest.approx(0)
    assert amounts["aov"] == pytest.approx(0)


def test_inconsistent_figures_give_no_split() -> None:
    assert gmv_effects((1000, 0, 500), (1000, 10, 1000)) is None
    assert gmv_effects((0, 5, 500), (1000, 10, 1000)) is None
