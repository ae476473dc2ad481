"""`opsboard mock-api` from the shell, and the simulated platform as a plugin."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from opsboard_api.adapter import PlatformApiAdapter
from opsboard_simulator.options import PlatformSimulatorOptions
from opsboard_simulator.runner import Simulator

from opsboard.adapters.registry import load_simulator, simulator_names
from opsboard.cli.main import build_parser, main
from opsboard.errors import UsageError


def test_mock_api_serves_on_loopback_and_says_where() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "opsboard", "mock-api", "--port", "0", "--seed", "3"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        try:
            assert process.stderr is not None
            lines = []
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                line = process.stderr.readline()
                lines.append(line)
                if not line or line.startswith("demo token:"):
                    break
            text = "".join(lines)
            found = re.search(r"(http://127\.0\.0\.1:\d+)", text)
            assert found, text
            token = re.search(r"demo token: (\S+)", text)
            assert token, text
            base = found.group(1)
            schema = httpx.get(base + "/openapi.json", timeout=5).json()
            assert "/v1/stores" in schema["paths"]
            stores = httpx.get(
                base + "/v1/stores",
                headers={"Authorization": f"Bearer {token.group(1)}"},
                timeout=5,
            )
            assert stores.status_code == 200
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_a_fault_rate_outside_zero_to_one_is_refused(capsys: object) -> None:
    assert main(["mock-api", "--fault-rate", "1.5"]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "--fault-rate 1.5" in err
    assert "Traceback" not in err


def test_the_flags_are_the_simulator_options() -> None:
    args = build_parser().parse_args(["mock-api", "--port", "0", "--promo-in", "-5"])
    fields = PlatformSimulatorOptions.model_fields
    assert (args.port, args.promo_in) == (0, -5)
    assert args.seed == fields["seed"].default
    assert args.fault_rate == fields["fault_rate"].default
    assert "start" not in args  # an instant is no flag


def test_the_simulator_is_found_by_its_entry_point() -> None:
    assert "platform" in simulator_names()
    assert load_simulator("platform") is Simulator
    with pytest.raises(UsageError, match=r"installed simulators: .*platform"):
        load_simulator("marketplace")


def test_a_missing_simulator_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("opsboard.cli.simulator.PLATFORM", "marketplace")
    with pytest.raises(SystemExit) as stopped:
        main(["mock-api", "--port", "0"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "no simulator called 'marketplace' is installed" in err
    assert "Traceback" not in err


def test_the_api_adapter_declares_what_it_cannot_do() -> None:
    assert not PlatformApiAdapter.IMPLEMENTS_READ_FILE
    assert not PlatformApiAdapter.IMPLEMENTS_CHANGED
    assert PlatformApiAdapter.describe_formats() == []
