"""`opsboard init`, `opsboard serve` on a taken port, `opsboard dashboard --store`."""

from __future__ import annotations

import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsboard.cli.init import run_init
from opsboard.cli.main import DEFAULT_SERVE_PORT, build_parser, main
from opsboard.config.files import load_settings
from opsboard.storage import Store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_with_flags_writes_a_valid_private_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "new" / "config.toml"
    drop = tmp_path / "drop" / "天猫旗舰店"
    code, out, err = run(
        capsys, "--config", str(config), "init", "--store", "天猫旗舰店", "--platform", "tmall",
        "--timezone", "Asia/Shanghai", "--drop-folder", str(drop),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert f"wrote {config}" in out
    assert str(drop) in out
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    assert drop.is_dir()
    settings = load_settings(config)
    (store,) = settings.stores
    assert (store.name, store.platform, store.timezone, store.currency) == (
        "天猫旗舰店",
        "tmall",
        "Asia/Shanghai",
        "CNY",
    )
    (adapter,) = settings.adapters
    assert adapter.type == "csv"
    assert adapter.options["folders"] == [{"path": str(drop), "store": "天猫旗舰店"}]
    code, out, _err = run(capsys, "config", "check", str(config))
    assert code == 0
    assert "ok (1 stores, 1 adapters" in out


def test_init_asks_again_until_an_answer_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers: Iterator[str] = iter(
        ["bad name!", "amazon-us", "ebay", "amazon", "Mars/Olympus", "America/Los_Angeles", ""]
    )
    questions: list[str] = []

    def ask(question: str) -> str:
        questions.append(question)
        return next(answers)

    config = tmp_path / "config.toml"
    code = run_init(
        config, store=None, platform=None, timezone=None, folder=None, force=False, ask=ask
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "store name 'bad name!' is not allowed" in err
    assert "unknown platform 'ebay'" in err
    assert "Mars/Olympus" in err
    assert len(questions) == 7
    settings = load_settings(config)
    assert settings.stores[0].timezone == "America/Los_Angeles"
    assert settings.stores[0].currency == "USD"
    folder = Path(settings.adapters[0].options["folders"][0]["path"])
    assert folder.name == "amazon-us"
    assert folder.is_dir()  # the default drop folder, in the user's data folder


def test_init_never_overwrites_a_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("# mine\n", encoding="utf-8")
    code, _out, err = run(capsys, "--config", str(config), "init", "--store", "s1")
    assert code == 2
    assert "a config is already there; it was left as it is" in err
    assert "--force" in err
    assert config.read_text(encoding="utf-8") == "# mine\n"


def test_init_without_a_terminal_needs_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "--config", str(tmp_path / "c.toml"), "init")
    assert code == 2
    assert "no terminal to ask on" in err
    assert not (tmp_path / "c.toml").exists()


def test_serve_says_a_port_is_taken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _out, err = run(capsys, "serve", "--port", str(port))
    assert code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert f"--port {port + 1}" in err
    assert "Traceback" not in err


def test_serve_has_an_uncommon_default_port() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.port == DEFAULT_SERVE_PORT == 6772


def test_dashboard_refuses_an_unknown_store(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db_path):
        pass
    code, _out, err = run(capsys, "--db", str(db_path), "dashboard", "--store", "nope")
    assert code == 2
    assert "no store called 'nope'" in err


def test_dashboard_takes_a_store() -> None:
    args = build_parser().parse_args(["dashboard", "--store", "tmall-flagship"])
    assert args.store == "tmall-flagship"
