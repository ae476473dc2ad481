"""Plan and product names beside their ids: the views read them once per refresh, the
dashboard's promotion panel, alerts table, SKU movers and detail show them, and alert
messages carry them."""

from __future__ import annotations

from opsboard import formatting as fmt
from opsboard.runtime import Runtime
from opsboard.tui.app import OpsboardApp
from opsboard.tui.screens.movers import MoversScreen
from opsboard.tui.screenshots import settle
from opsboard.tui.widgets.alerts_table import AlertsTable, scope_text
from opsboard.tui.widgets.movers_table import MoversTable
from opsboard.tui.widgets.promotion import PromotionTable
from opsboard.tui.widgets.sku_detail import SkuDetail
from opsboard.views.alerts import load_alerts
from opsboard.views.movers import MoversLoader
from opsboard.views.overview import OverviewLoader
from opsboard.views.sample_world import CAMPAIGN_NAMES, SAMPLE_NOW


def test_names_are_shortened_never_the_id() -> None:
    assert fmt.with_name("77012003172", "春季新品推广") == "77012003172 春季新品推广"
    assert fmt.with_name("77012003172", "春季新品推广大促", 20) == "77012003172 春季新…"
    assert fmt.with_name("77012003172", "春季新品推广", 12) == "77012003172"
    assert fmt.with_name("77012003172", "") == "77012003172"
    assert fmt.named("77012003172", "春季新品推广") == "春季新品推广 (77012003172)"
    assert fmt.shorten("abcdef", 4) == "abc…"


def test_the_views_carry_the_names(seeded_runtime: Runtime) -> None:
    with seeded_runtime.open_store() as store:
        engine = seeded_runtime.engine(store)
        loader = OverviewLoader(store, engine, seeded_runtime.settings)
        view = loader.load(store_name="tmall-flagship", at=SAMPLE_NOW, live=True, chart_metric="uv")
        alerts = load_alerts(store, at=SAMPLE_NOW, live=True)
        movers = MoversLoader(engine, seeded_runtime.settings).load(
            store_name="tmall-flagship", at=SAMPLE_NOW
        )
    plans = {r.campaign: r.name for r in view.promotion if r.campaign}
    assert plans == {key: CAMPAIGN_NAMES[key] for key in plans}
    assert [(u.sku, u.name) for u in view.unsold] == [("100200300406", "示例绞肉机刀片 配件")]
    roi = next(
        a for a in alerts if a.rule == "roi-below-break-even" and a.scope == "campaign:kw-generic"
    )
    assert roi.name == "关键词推广_家用大容量绞肉机"
    assert roi.scope_label == "tmall-flagship / campaign:kw-generic 关键词推广_家用大容量绞肉机"
    assert (
        scope_text(roi, "tmall-flagship", narrow=True) == "kw-generic 关键词推广_家用大容量绞肉机"
    )
    # The built-in message names the plan and its id.
    assert "关键词推广_家用大容量绞肉机 (kw-generic)" in roi.message
    assert {m.sku: m.name for m in movers}["100200300403"] == "示例破壁机 静音"


async def test_the_dashboard_shows_plan_and_product_names(app: OpsboardApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        promotion = app.screen.query_one(PromotionTable)
        cells = [str(promotion.get_row_at(i)[0]) for i in range(promotion.row_count)]
        assert "  kw-generic 关键词推广_家用大容量绞肉机" in cells
        alerts = app.screen.query_one(AlertsTable)
        scopes = [str(alerts.get_row_at(i)[3]) for i in range(alerts.row_count)]
        # The part of the scope that differs, with the plan's whole name: there is room.
        assert "kw-generic 关键词推广_家用大容量绞肉机" in scopes, scopes


async def test_every_alerts_plan_or_product_is_readable_at_80_columns(app: OpsboardApp) -> None:
    app.store_name = None  # every store: the store's name shares the column
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(AlertsTable)
        assert table.alerts
        stores: set[str] = set()
        for index, line in enumerate(table.lines):
            if line.alert is None:
                continue
            scope = str(table.get_row_at(index)[3])
            key = line.alert.scope.partition(":")[2] or line.alert.store
            # The id (or the store, for a store's alert) is whole; only names give way.
            assert key in scope, (scope, line.alert.scope)
            if " / " in scope:
                stores.add(scope.split(" / ")[0])
        # Where the stores' names must give way, every row's gives way alike.
        assert len({len(name) for name in stores}) == 1, stores


async def test_the_movers_show_product_names_where_there_is_room(app: OpsboardApp) -> None:
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MoversScreen)
        movers = screen.query_one(MoversTable)
        index = next(i for i, m in enumerate(movers.movers) if m.sku == "100200300403")
        assert str(movers.get_row_at(index)[0]).startswith("100200300403 示例破壁机")
        movers.move_cursor(row=index)
        await settle(pilot)
        detail = screen.query_one(SkuDetail)
        assert detail.shown is not None
        assert detail.shown.name == "示例破壁机 静音"
