"""`opsboard mock-api` from the shell."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx

from opsboard.cli.main import main


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
