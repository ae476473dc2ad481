"""The alerts of the day, and the scheduled chat delivery that sends once per store and day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from opsboard.review import build_review, deliver_due_reviews, render
from opsboard.review.delivery import sent_key
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
    assert "2 alert(s) fired; 1 still open, 1 acknowledged." in review.summary


def history(shop: Shop) -> None:
    for day in [*HISTORY, DAY, DAY + timedelta(days=1)]:
        write(shop.store, channel_day(day, NORMAL))
        write(shop.store, [day_point(day, "spend", 900, campaign="c1")], source="ads")


def test_delivery_sends_once_across_a_restart(shop: Shop) -> None:
    history(shop)
    shop.config = {"margin": 0.4}
    shop.review = {"send_at": "09:00", "top": 2}
    sent: list[tuple[str, str]] = []

    def send(title: str, body: str) -> None:
        sent.append((title, body))

    shop.clock.set(datetime(2026, 6, 18, 0, 59, tzinfo=UTC))  # 08:59 in Shanghai
    assert deliver_due_reviews(shop.runtime, shop.store, send, shop.clock.now()) == []
    shop.clock.set(datetime(2026, 6, 18, 1, 0, tzinfo=UTC))  # 09:00
    assert deliver_due_reviews(shop.runtime, shop.store, send, shop.clock.now()) == [SHOP]
    assert deliver_due_reviews(shop.runtime, shop.store, send, shop.clock.now()) == []
    [(title, body)] = sent
    assert title == "shop review of Wed 2026-06-17"
    assert "GMV: 30,000.00" in body

    shop.store.close()  # a restart: a new process opens the same database
    with Store.open(shop.db_path) as reopened:
        shop.clock.advance(timedelta(hours=3))
        assert deliver_due_reviews(shop.runtime, reopened, send, shop.clock.now()) == []
        assert reopened.meta(sent_key(SHOP)) == "2026-06-17"
        shop.clock.advance(timedelta(days=1))
        assert deliver_due_reviews(shop.runtime, reopened, send, shop.clock.now()) == [SHOP]
    assert [t for t, _ in sent] == [
        "shop review of Wed 2026-06-17",
        "shop review of Thu 2026-06-18",
    ]


def test_a_failed_send_is_tried_again(shop: Shop) -> None:
    history(shop)
    shop.review = {"send_at": "09:00"}
    shop.clock.set(datetime(2026, 6, 18, 2, tzinfo=UTC))
    attempts: list[str] = []

    def failing(title: str, body: str) -> None:
        attempts.append(title)
        raise OSError("chat service down")

    assert deliver_due_reviews(shop.runtime, shop.store, failing, shop.clock.now()) == []
    assert shop.store.meta(sent_key(SHOP)) is None
    assert deliver_due_reviews(shop.runtime, shop.store, lambda t, b: False, shop.clock.now()) == []
    assert shop.store.meta(sent_key(SHOP)) is None
    assert deliver_due_reviews(shop.runtime, shop.store, lambda t, b: None, shop.clock.now()) == [
        SHOP
    ]
    assert len(attempts) == 1


def test_no_schedule_sends_nothing(shop: Shop) -> None:
    history(shop)
    calls: list[str] = []
    shop.clock.set(datetime(2026, 6, 18, 10, tzinfo=UTC))
    assert (
        deliver_due_reviews(
            shop.runtime, shop.store, lambda t, b: calls.append(t), shop.clock.now()
        )
        == []
    )
    assert calls == []


def test_the_chat_summary_lists_the_top_problems(shop: Shop) -> None:
    history(shop)
    shop.config = {"margin": 0.4}
    write(shop.store, [day_point(DAY, "ad_gmv", 900, campaign="c1")], source="ads")
    shop.review = {"send_at": "09:00", "top": 1}
    sent: list[str] = []
    shop.clock.set(datetime(2026, 6, 18, 2, tzinfo=UTC))
    deliver_due_reviews(shop.runtime, shop.store, lambda t, b: sent.append(b), shop.clock.now())
    [body] = sent
    assert "To do:\n1. ROI below break-even (campaign c1)" in body
    assert "2." not in body.split("To do:")[1]


def test_the_chat_summary_warns_of_missing_data_first(shop: Shop) -> None:
    for day in HISTORY:
        write(shop.store, channel_day(day, NORMAL))
    write(shop.store, [day_point(DAY, "spend", 900)], source="ads")
    shop.review = {"send_at": "09:00"}
    shop.clock.set(datetime(2026, 6, 18, 2, tzinfo=UTC))
    sent: list[str] = []
    deliver_due_reviews(shop.runtime, shop.store, lambda t, b: sent.append(b), shop.clock.now())
    [body] = sent
    assert body.splitlines()[0].startswith("! data missing: sycm: delivered nothing")
    assert "GMV: — (not compared: data missing for the day, not a real fall)" in body


def test_alert_times_are_shown_in_the_store_time_zone(shop: Shop) -> None:
    write(shop.store, channel_day(DAY, NORMAL))
    add_alert(shop.store, "gmv_drop", datetime(2026, 6, 17, 3, tzinfo=UTC), ack="ann")
    text = render(build_review(shop.runtime, shop.store, SHOP, DAY), "markdown")
    assert (
        "#1 warning gmv_drop (store): gmv_drop broke (fired 06-17 11:00; acknowledged by ann at "
        "06-17 11:00: on it; still open)" in text
    )


def test_a_store_without_config_or_data_is_skipped(shop: Shop) -> None:
    history(shop)
    shop.review = {"send_at": "09:00", "stores": ["ghost", SHOP]}
    shop.clock.set(datetime(2026, 6, 18, 2, tzinfo=UTC))
    titles: list[str] = []
    sent = deliver_due_reviews(
        shop.runtime, shop.store, lambda t, b: titles.append(t), shop.clock.now()
    )
    assert sent == [SHOP]
    assert titles == ["shop review of Wed 2026-06-17"]
