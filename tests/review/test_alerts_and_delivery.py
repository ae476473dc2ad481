"""The alerts of the day, and what the chat summary of the review says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from opsboard.review import build_review, chat_summary, render
from opsboard.review.lines import alert_line
from opsboard.storage import Store

from .days import DAY, HISTORY, SHOP, Shop, channel_day, day_point, write

NORMAL = {"paid_search": 4000.0, "organic_search": 6000.0}


def add_alert(
    store: Store, rule: str, fired: datetime, resolved: datetime | None = None, ack: str = ""
) -> int:
    cursor = store.conn.execute(
        "INSERT INTO alerts (rule, store, scope, state, severity, message, pending_since, "
        "fired_at, resolved_at, updated_at) VALUES (?, ?, 'store', ?, 'warning', ?, ?, ?, ?, ?)",
        (
            rule,
            SHOP,
            "resolved" if resolved else "firing",
            f"{rule} broke",
            fired.isoformat(),
            fired.isoformat(),
            resolved.isoformat() if resolved else None,
            fired.isoformat(),
        ),
    )
    alert_id = int(cursor.lastrowid or 0)
    if ack:
        store.conn.execute(
            "INSERT INTO alert_acks (alert_id, by, at, note) VALUES (?, ?, ?, 'on it')",
            (alert_id, ack, fired.isoformat()),
        )
    return alert_id


def test_alerts_of_the_day_with_acknowledgements(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    # DAY runs from 2026-06-16 16:00 to 2026-06-17 16:00 UTC.
    during = add_alert(shop.store, "gmv_drop", datetime(2026, 6, 17, 3, tzinfo=UTC), ack="ann")
    carried = add_alert(
        shop.store,
        "roi_low",
        datetime(2026, 6, 15, 3, tzinfo=UTC),
        resolved=datetime(2026, 6, 16, 20, tzinfo=UTC),
    )
    add_alert(
        shop.store,
        "old",
        datetime(2026, 6, 10, 3, tzinfo=UTC),
        resolved=datetime(2026, 6, 10, 5, tzinfo=UTC),
    )
    add_alert(shop.store, "later", datetime(2026, 6, 17, 17, tzinfo=UTC))

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    by_id = {a.id: a for a in review.alerts}
    assert set(by_id) == {during, carried}
    assert by_id[during].open
    assert [(k.by, k.note) for k in by_id[during].acks] == [("ann", "on it")]
    assert not by_id[carried].open
    assert "2 alerts fired; 1 still open, 1 acknowledged." in review.summary


def history(shop: Shop) -> None:
    for day in [*HISTORY, DAY, DAY + timedelta(days=1)]:
        write(shop.store, channel_day(day, NORMAL))
        write(shop.store, [day_point(day, "spend", 900, campaign="c1")], source="ads")


def summary_of(shop: Shop, top: int = 3) -> str:
    _title, body = chat_summary(build_review(shop.runtime, shop.store, SHOP, DAY), top)
    return body


def test_the_chat_summary_lists_the_top_problems(shop: Shop) -> None:
    history(shop)
    shop.config = {"margin": 0.4}
    write(shop.store, [day_point(DAY, "ad_gmv", 900, campaign="c1")], source="ads")
    body = summary_of(shop, top=1)
    assert "To do:\n1. ROI below break-even (campaign c1; about 540.00 CNY at stake)" in body
    assert "2." not in body.split("To do:")[1]


def test_the_chat_summary_names_the_currency(shop: Shop) -> None:
    history(shop)
    shop.config = {"currency": "USD"}
    body = summary_of(shop)
    assert "GMV: 30,000.00 USD (flat vs last week, flat vs the 4-week median)" in body
    assert "Ad spend: 900.00 USD" in body
    assert "Visitors: 10,000 (" in body


def test_the_chat_summary_warns_of_missing_data_first(shop: Shop) -> None:
    for day in HISTORY:
        write(shop.store, channel_day(day, NORMAL))
    write(shop.store, [day_point(DAY, "spend", 900)], source="ads")
    body = summary_of(shop)
    assert body.splitlines()[0].startswith("! data missing: sycm: delivered nothing")
    assert "GMV: — (not compared: data missing for the day, not a real fall)" in body


def test_alerts_of_the_day_are_ordered_by_severity_then_time(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    early = add_alert(shop.store, "early_warning", datetime(2026, 6, 17, 1, tzinfo=UTC))
    late = add_alert(shop.store, "late_warning", datetime(2026, 6, 17, 9, tzinfo=UTC))
    critical = add_alert(shop.store, "critical_one", datetime(2026, 6, 17, 5, tzinfo=UTC))
    shop.store.conn.execute("UPDATE alerts SET severity = 'critical' WHERE id = ?", (critical,))
    info = add_alert(shop.store, "info_one", datetime(2026, 6, 17, 0, tzinfo=UTC))
    shop.store.conn.execute("UPDATE alerts SET severity = 'info' WHERE id = ?", (info,))

    review = build_review(shop.runtime, shop.store, SHOP, DAY)

    assert [a.id for a in review.alerts] == [critical, early, late, info]


def test_alert_times_are_shown_in_the_store_time_zone(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    add_alert(shop.store, "gmv_drop", datetime(2026, 6, 17, 3, tzinfo=UTC), ack="ann")
    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    [alert] = review.alerts
    assert alert_line(alert, review.timezone) == (
        "#1 warning gmv_drop (store): gmv_drop broke (fired 06-17 11:00; acknowledged by ann at "
        "06-17 11:00: on it; still open)"
    )
    assert "gmv\\_drop broke \\(fired 06-17 11:00" not in render(review, "markdown")
    assert "gmv\\_drop broke (fired 06-17 11:00" in render(review, "markdown")
