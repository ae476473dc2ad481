"""What `opsboard watch` writes to stderr about its sources, in the operator's language."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from opsboard import i18n
from opsboard.adapters.api import Adapter, AdapterContext, Batch
from opsboard.collect.collector import Collector
from opsboard.config.models import Settings
from opsboard.models import HealthState, SourceHealth
from opsboard.storage import Store
from opsboard.timeutil import FrozenClock


class _Flaky(Adapter):
    """A source failing until told otherwise; it reads nothing."""

    state = HealthState.FAILING
    clock: FrozenClock

    async def poll(self, bookmarks: dict[str, str]) -> AsyncIterator[Batch]:
        return
        yield

    def health(self) -> list[SourceHealth]:
        reason = "cannot reach the API" if self.state is HealthState.FAILING else ""
        return [SourceHealth("api", self.state, self.clock.now(), reason=reason)]


async def test_a_failing_and_recovered_source_is_said_in_chinese(
    store: Store, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    i18n.set_language("zh-CN")
    adapter = _Flaky(Adapter.Options(), AdapterContext("api", Settings(), clock, Path()))
    adapter.clock = clock
    collector = Collector(store, [(adapter, 0.0)], clock)
    caplog.set_level(logging.WARNING)
    await collector.run_cycle(force=True)
    adapter.state = HealthState.OK
    await collector.run_cycle(force=True)
    said = [r.getMessage() for r in caplog.records if "api" in r.getMessage()]
    assert said == ["数据源 api 失败中：cannot reach the API", "数据源 api 已恢复：正常"]
