"""The API adapter's health speaks the operator's language under ``zh-CN``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from opsboard_api.adapter import PlatformApiAdapter
from opsboard_simulator.runner import Simulator

from opsboard import i18n
from opsboard.cli.main import main
from opsboard.collect.collector import Collector
from opsboard.models import HealthState, SourceHealth
from opsboard.storage import Store


def _health(adapter: PlatformApiAdapter, store: str = "amazon-us") -> SourceHealth:
    return next(h for h in adapter.health() if h.store == store)


async def test_an_expired_token_is_reported_in_chinese(
    sim: Simulator,
    make_adapter: Any,
    collector_for: Callable[[Store, PlatformApiAdapter], Collector],
    store: Store,
) -> None:
    i18n.set_language("zh-CN")
    adapter = make_adapter(sim)
    assert _health(adapter, "").reason == "尚未拉取"
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    sim.expire_token()
    await collector.run_cycle(force=True)
    await collector.aclose()
    health = _health(adapter)
    assert health.state is HealthState.FAILING
    assert health.reason.startswith("API 令牌已过期：请在平台上新建一个并更新 token 选项；")
    assert health.reason.endswith("分钟后再试")


async def test_a_long_rate_limit_is_reported_in_chinese(
    sim: Simulator,
    make_adapter: Any,
    collector_for: Callable[[Store, PlatformApiAdapter], Collector],
    store: Store,
) -> None:
    i18n.set_language("zh-CN")
    adapter = make_adapter(sim)
    collector = collector_for(store, adapter)
    await collector.run_cycle(force=True)
    sim.faults.retry_after = 600
    sim.inject("rate_limited")
    await collector.run_cycle(force=True)
    await collector.aclose()
    health = _health(adapter, "")
    assert health.state is HealthState.RATE_LIMITED
    assert "请求受限；API 要求等待 600 秒" in health.reason
    assert "之前不再请求" in health.reason


def test_the_mock_api_flags_are_explained_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", "zh-CN", "mock-api", "--help"])
    assert "失败请求的比例（0 到 1）。" in capsys.readouterr().out
    i18n.set_language("en")
    with pytest.raises(SystemExit):
        main(["--lang", "en", "mock-api", "--help"])
    assert "Share of requests that fail (0 to 1)." in capsys.readouterr().out


def test_a_bad_mock_api_flag_is_refused_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "zh-CN", "mock-api", "--fault-rate", "2", "--port", "0"]) == 2
    assert "--fault-rate 2.0：不是比例；" in capsys.readouterr().err
