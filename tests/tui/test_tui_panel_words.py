"""What small parts of the overview say: rates move in percentage points (as in SKU movers and
the review), and no reassurance about spend is given without spend."""

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


async def test_no_spend_no_reassurance() -> None:
    from textual.app import App, ComposeResult

    from opsboard.tui.widgets.unsold import UnsoldSpendLine

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield UnsoldSpendLine(id="unsold")

    app = One()
    async with app.run_test():
        line = app.query_one(UnsoldSpendLine)
        line.show((), spend_seen=False)
        assert str(line.render()) == ""
        line.show((), spend_seen=True)
        assert "Every SKU with spend has orders" in str(line.render())


async def test_an_empty_traffic_panel_says_so_in_the_chosen_language() -> None:
    from textual.app import App, ComposeResult

    from opsboard import i18n
    from opsboard.tui.widgets.traffic import TrafficFigures

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield TrafficFigures(id="traffic")

    i18n.set_language("zh-CN")
    try:
        app = One()
        async with app.run_test():
            table = app.query_one(TrafficFigures)
            table.show((), "CNY")
            first = table.get_row_at(0)[0]
            assert first.plain == "暂无流量数据"
    finally:
        i18n.set_language("en")
