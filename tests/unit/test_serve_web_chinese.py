"""`opsboard serve` speaks the operator's language: its start lines, the page that asks
for the token or the password, and a bad password variable."""

from __future__ import annotations

import pytest

from opsboard import i18n
from opsboard.cli.web_access import PASSWORD_ENV, Gate, refused
from opsboard.cli.web_server import WebServer
from opsboard.errors import UsageError


def _server(gate: Gate) -> WebServer:
    return WebServer("true", host="127.0.0.1", port=6772, gate=gate, max_sessions=3)


def test_the_start_lines_in_chinese_and_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    gate = Gate("s3cret", from_password=True, cookie_name="c")
    _server(gate).announce()
    english = capsys.readouterr().out.splitlines()
    assert english == [
        "opsboard: serving the dashboard at http://127.0.0.1:6772/ (password from "
        f"{PASSWORD_ENV}, any user name)",
        "opsboard: at most 3 browser sessions at a time (--max-sessions); Ctrl+C stops",
    ]
    i18n.set_language("zh-CN")
    _server(gate).announce()
    assert capsys.readouterr().out.splitlines() == [
        f"opsboard：看板地址 http://127.0.0.1:6772/（密码取自 {PASSWORD_ENV}，用户名任意）",
        "opsboard：最多同时 3 个浏览器会话（--max-sessions）；按 Ctrl+C 停止",
    ]


def test_the_pages_that_refuse_a_visitor_are_in_chinese() -> None:
    i18n.set_language("zh-CN")
    token = refused(Gate("s3cret", from_password=False, cookie_name="c")).text or ""
    assert "<h1>需要令牌</h1>" in token
    assert "?token=" in token
    assert "s3cret" not in token
    password = refused(Gate("s3cret", from_password=True, cookie_name="c")).text or ""
    assert "<h1>登录</h1>" in password
    assert PASSWORD_ENV in password


def test_an_empty_password_variable_is_refused_in_chinese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    i18n.set_language("zh-CN")
    monkeypatch.setenv(PASSWORD_ENV, "  ")
    with pytest.raises(UsageError) as refusal:
        Gate.for_server(6772)
    assert refusal.value.message == f"{PASSWORD_ENV} 已设置但为空"
