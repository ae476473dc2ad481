"""Scheduled delivery of the review: once per store, day and notifier, off the evaluation
path, with real notifiers (a log file and a webhook on a loopback server)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from opsboard.alerts.dispatch import Dispatcher
from opsboard.config.models import StoreConfig
from opsboard.models import MetricPoint
from opsboard.review import ReviewCourier
from opsboard.review.delivery import sent_key
from opsboard.runtime import Runtime
from opsboard.storage import Store
from opsboard.timeutil import local_midnight, zone

from .days import DAY, HISTORY, SHOP, Shop, channel_day, day_point, write

NORMAL = {"paid_search": 4000.0, "organic_search": 6000.0}
TEN_AM = datetime(2026, 6, 18, 2, tzinfo=UTC)  # 10:00 in Shanghai: DAY's review is due


class Hook:
    """A chat webhook on a loopback port that answers, fails or hangs as told."""

    def __init__(self) -> None:
        self.status = 200
        self.hang = False
        self.bodies: list[dict[str, object]] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                hook.bodies.append(json.loads(self.rfile.read(length)))
                hook.arrived.set()
                if hook.hang:
                    hook.release.wait(10)
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/chat"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    """A loopback chat webhook."""
    server = Hook()
    yield server
    server.close()


@pytest.fixture
def queues() -> Iterator[list[Dispatcher]]:
    """The notifier queues made by a test, stopped when it ends."""
    made: list[Dispatcher] = []
    yield made
    for dispatcher in made:
        dispatcher.close(grace=5)


def courier_for(runtime: Runtime, queues: list[Dispatcher]) -> ReviewCourier:
    """A courier on the notifier queues of ``runtime``'s config, as the collector has."""
    dispatcher = Dispatcher(runtime.settings.notifiers)
    queues.append(dispatcher)
    return ReviewCourier(runtime, dispatcher)


def history(shop: Shop) -> None:
    for day in [*HISTORY, DAY]:
        write(shop.store, channel_day(day, NORMAL))
        write(shop.store, [day_point(day, "spend", 900, campaign="c1")], source="ads")


def chat_log(tmp_path: Path) -> dict[str, object]:
    return {"name": "team-chat", "type": "log", "path": str(tmp_path / "chat.log")}


def lines(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "chat.log"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def naming(shop: Shop, *names: str) -> Runtime:
    """``shop``'s runtime with ``[review] notifiers`` set to ``names`` without the config
    check (which rejects unknown names): settings made in code are not checked, and the
    review must still behave."""
    runtime = shop.runtime
    review = runtime.settings.review.model_copy(update={"notifiers": list(names)})
    runtime.settings = runtime.settings.model_copy(update={"review": review})
    return runtime


def settle(courier: ReviewCourier, store: Store, now: datetime) -> list[tuple[str, str]]:
    """Wait for the deliveries under way, then run one cycle."""
    assert courier.wait(10)
    return courier.tick(store, now)


def test_an_unknown_notifier_name_does_not_make_the_others_resend(
    queues: list[Dispatcher], shop: Shop, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    history(shop)
    shop.notifiers = [chat_log(tmp_path)]
    shop.review = {"send_at": "09:00"}
    courier = courier_for(naming(shop, "team-chat", "boss-mail"), queues)

    with caplog.at_level(logging.WARNING):
        assert courier.tick(shop.store, TEN_AM) == [(SHOP, "team-chat")]
        for minutes in (0, 1, 5, 60):
            assert settle(courier, shop.store, TEN_AM + timedelta(minutes=minutes)) == []

    [message] = lines(tmp_path)
    assert message["title"] == "shop review of Wed 2026-06-17"
    assert shop.store.meta(sent_key(SHOP, "team-chat")) == "2026-06-17"
    unknown = [r.getMessage() for r in caplog.records if "boss-mail" in r.getMessage()]
    assert len(unknown) == 1
    assert "not a configured notifier" in unknown[0]
    assert not [r for r in caplog.records if "retrying" in r.getMessage()]


def test_a_review_that_goes_nowhere_is_not_recorded_as_sent(
    queues: list[Dispatcher], shop: Shop, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    history(shop)
    shop.notifiers = [chat_log(tmp_path)]
    shop.review = {"send_at": "09:00"}
    with caplog.at_level(logging.WARNING):
        courier = courier_for(naming(shop, "nope"), queues)
        assert courier.tick(shop.store, TEN_AM) == []
        assert settle(courier, shop.store, TEN_AM) == []
    assert lines(tmp_path) == []
    assert shop.store.meta(sent_key(SHOP, "nope")) is None
    assert shop.store.meta(sent_key(SHOP, "team-chat")) is None
    assert any("nothing is sent or recorded" in r.getMessage() for r in caplog.records)

    shop.notifiers = []
    shop.review = {"send_at": "09:00"}
    courier = courier_for(shop.runtime, queues)
    assert courier.tick(shop.store, TEN_AM) == []
    assert (
        shop.store.conn.execute("SELECT count(*) FROM meta WHERE key LIKE 'review.%'").fetchone()[0]
        == 0
    )


def test_a_failing_notifier_is_retried_alone_with_a_growing_wait(
    queues: list[Dispatcher], shop: Shop, tmp_path: Path, hook: Hook
) -> None:
    history(shop)
    hook.status = 500
    shop.notifiers = [
        chat_log(tmp_path),
        {"name": "hook", "type": "webhook", "url": hook.url, "retries": 0},
    ]
    shop.review = {"send_at": "09:00"}
    courier = courier_for(shop.runtime, queues)

    assert sorted(courier.tick(shop.store, TEN_AM)) == [(SHOP, "hook"), (SHOP, "team-chat")]
    assert settle(courier, shop.store, TEN_AM) == []  # the hook failed: it waits a minute
    assert shop.store.meta(sent_key(SHOP, "team-chat")) == "2026-06-17"
    assert shop.store.meta(sent_key(SHOP, "hook")) is None
    assert courier.tick(shop.store, TEN_AM + timedelta(seconds=59)) == []

    minute = TEN_AM + timedelta(minutes=1)
    assert courier.tick(shop.store, minute) == [(SHOP, "hook")]
    assert settle(courier, shop.store, minute) == []  # failed again: now it waits 2 minutes
    assert courier.tick(shop.store, minute + timedelta(seconds=119)) == []
    hook.status = 200
    assert courier.tick(shop.store, minute + timedelta(minutes=2)) == [(SHOP, "hook")]
    assert settle(courier, shop.store, minute + timedelta(minutes=2)) == []

    assert shop.store.meta(sent_key(SHOP, "hook")) == "2026-06-17"
    assert len(hook.bodies) == 3
    assert len(lines(tmp_path)) == 1  # the chat log got it once, however often the hook failed


def test_a_hanging_webhook_never_holds_up_the_cycle(
    queues: list[Dispatcher], shop: Shop, tmp_path: Path, hook: Hook
) -> None:
    history(shop)
    hook.hang = True
    shop.notifiers = [
        {"name": "hook", "type": "webhook", "url": hook.url, "retries": 0},
        chat_log(tmp_path),
    ]
    shop.review = {"send_at": "09:00"}
    courier = courier_for(shop.runtime, queues)

    assert sorted(courier.tick(shop.store, TEN_AM)) == [(SHOP, "hook"), (SHOP, "team-chat")]
    assert hook.arrived.wait(10)
    # The hook holds its request: cycles go on, and nothing is handed over twice.
    assert courier.tick(shop.store, TEN_AM + timedelta(minutes=5)) == []
    assert not courier.wait(0)
    assert shop.store.meta(sent_key(SHOP, "hook")) is None

    hook.release.set()
    assert settle(courier, shop.store, TEN_AM + timedelta(minutes=6)) == []
    assert shop.store.meta(sent_key(SHOP, "hook")) == "2026-06-17"
    assert shop.store.meta(sent_key(SHOP, "team-chat")) == "2026-06-17"
    assert len(hook.bodies) == 1


def test_sent_once_across_a_restart_and_again_the_next_day(
    queues: list[Dispatcher], shop: Shop, tmp_path: Path
) -> None:
    history(shop)
    write(shop.store, channel_day(DAY + timedelta(days=1), NORMAL))
    shop.notifiers = [chat_log(tmp_path)]
    shop.review = {"send_at": "09:00"}
    courier = courier_for(shop.runtime, queues)
    assert courier.tick(shop.store, TEN_AM - timedelta(hours=1, minutes=1)) == []  # 08:59
    assert courier.tick(shop.store, TEN_AM - timedelta(hours=1)) == [(SHOP, "team-chat")]
    courier.close(shop.store, grace=10)

    shop.store.close()  # a restart: a new process opens the same database
    with Store.open(shop.db_path) as reopened:
        again = courier_for(shop.runtime, queues)
        assert again.tick(reopened, TEN_AM + timedelta(hours=3)) == []
        assert again.tick(reopened, TEN_AM + timedelta(days=1)) == [(SHOP, "team-chat")]
        again.close(reopened, grace=10)
        assert reopened.meta(sent_key(SHOP, "team-chat")) == "2026-06-18"
    assert [m["title"] for m in lines(tmp_path)] == [
        "shop review of Wed 2026-06-17",
        "shop review of Thu 2026-06-18",
    ]


def test_a_review_sent_before_per_notifier_records_is_not_sent_again(
    queues: list[Dispatcher], shop: Shop, tmp_path: Path
) -> None:
    history(shop)
    shop.store.set_meta(f"review.sent.{SHOP}", "2026-06-17")  # as an earlier version kept it
    shop.notifiers = [chat_log(tmp_path)]
    shop.review = {"send_at": "09:00"}
    assert courier_for(shop.runtime, queues).tick(shop.store, TEN_AM) == []


def new_york_day(store_name: str, day: date) -> list[MetricPoint]:
    """A whole New York day of visitors, buyers and GMV."""
    start = local_midnight(day, zone("America/New_York"))
    return [
        MetricPoint(store_name, start, "day", metric, value)
        for metric, value in (("uv", 1000), ("buyers", 30), ("gmv", 3000))
    ]


def test_each_store_is_due_at_its_own_local_time(
    queues: list[Dispatcher], shop: Shop, tmp_path: Path
) -> None:
    for day in (DAY, DAY - timedelta(days=7)):
        write(shop.store, channel_day(day, NORMAL))
        write(shop.store, new_york_day("ny", day) + new_york_day("ny2", day))
    shop.notifiers = [chat_log(tmp_path)]
    shop.review = {"send_at": "09:00"}
    shop.others = [{"name": "ny", "timezone": "America/New_York", "currency": "USD"}]
    runtime = shop.runtime
    shop.store.set_meta(sent_key("ny", "team-chat"), "2026-06-16")  # sent the day before
    courier = courier_for(runtime, queues)
    # 09:00 in Shanghai is 21:00 the day before in New York: only the Shanghai store is due.
    assert courier.tick(shop.store, datetime(2026, 6, 18, 1, tzinfo=UTC)) == [(SHOP, "team-chat")]
    assert settle(courier, shop.store, datetime(2026, 6, 18, 12, 59, tzinfo=UTC)) == []
    assert courier.tick(shop.store, datetime(2026, 6, 18, 13, tzinfo=UTC)) == [("ny", "team-chat")]
    courier.close(shop.store, grace=10)
    assert [m["title"] for m in lines(tmp_path)] == [
        "shop review of Wed 2026-06-17",
        "ny review of Wed 2026-06-17",
    ]

    # A store's own send time overrides [review] send_at for that store alone.
    early = StoreConfig(name="ny2", timezone="America/New_York", review_send_at="07:30")
    runtime.settings = runtime.settings.model_copy(
        update={"stores": [*runtime.settings.stores, early]}
    )
    shop.store.set_meta(sent_key("ny2", "team-chat"), "2026-06-17")
    courier = courier_for(runtime, queues)
    seven_thirty = datetime(2026, 6, 19, 11, 30, tzinfo=UTC)  # 07:30 in New York
    assert courier.tick(shop.store, seven_thirty - timedelta(minutes=1)) == [(SHOP, "team-chat")]
    assert courier.tick(shop.store, seven_thirty) == [("ny2", "team-chat")]
    courier.close(shop.store, grace=10)
