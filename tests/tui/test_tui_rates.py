"""Rates move in percentage points on the dashboard, as in SKU movers and the review."""

from __future__ import annotations

from rich.style import Style

from opsboard.tui.palette import Palette
from opsboard.tui.widgets.traffic import styled_points

GREEN, RED = Style(color="green"), Style(color="red")
COLOURS = Palette(
    good=GREEN, warning=Style(color="yellow"), bad=RED, info=Style(), strategic=Style()
)


def test_a_rate_moves_in_points_coloured_by_what_is_good() -> None:
    fell = styled_points("conversion_rate", 0.031, 0.033, COLOURS)
    assert fell.plain == "-0.2pt"
    assert fell.style == RED
    # A falling bounce rate is good news.
    assert styled_points("bounce_rate", 0.40, 0.45, COLOURS).style == GREEN
    assert styled_points("conversion_rate", None, 0.03, COLOURS).plain == "-"
