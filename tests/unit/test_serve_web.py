"""`opsboard serve` over real HTTP: the secret, the session limit, the public URL, viewers.

Each test starts the web server in-process on a free port of 127.0.0.1 (aiohttp's
TestServer: the port is listening once ``start_server`` returns, no polling needed) and
talks to it with a real HTTP client. A browser session's dashboard is a small stand-in
speaking textual-serve's protocol (it shows its own command line), except in the one test
that runs the real dashboard.
"""

from __future__ import annotations

import asyncio
import base64
import shlex
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from opsboard.cli.main import main
from opsboard.cli.serve import dashboard_command
from opsboard.cli.web_access import PASSWORD_ENV, Gate
from opsboard.cli.web_server import WebServer
from opsboard.storage.store import Store

# textual-serve's protocol: a ready line, then packets (type, 4-byte size, payload) both ways;
# it says {"type": "quit"} on stdin when the browser leaves.
_STAND_IN = r"""
import sys
out = sys.stdout.buffer
shown = ("session: " + " ".join(sys.argv[1:])).encode()
out.write(b"__GANGLION__\n" + b"D" + len(shown).to_bytes(4, "big") + shown)
out.flush()
seen = b""
while chunk := sys.stdin.buffer.read1(4096):
    seen += chunk
    if b'"quit"' in seen:
        break
"""


def stand_in(tmp_path: Path, *args: str) -> str:
    """The command of a stand-in dashboard that shows ``args``."""
    script = tmp_path / "stand_in.py"
    script.write_text(_STAND_IN)
    return shlex.join([sys.executable, str(script), *args])


def token_gate(port: int = 1) -> Gate:
    """A gate with a known token."""
    return Gate("s3cret-token", from_password=False, cookie_name=f"opsboard_serve_{port}")


class Running:
    """A web server listening on a free port, and a client session without cookies."""

    def __init__(self, server: WebServer, test_server: TestServer) -> None:
        self.server = server
        self.test_server = test_server
        self.base = str(test_server.make_url("")).rstrip("/")
        # No cookie jar: each request shows exactly the credentials it is given.
        self.client = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())

    async def get(self, path: str, **kwargs: object) -> tuple[int, str, aiohttp.ClientResponse]:
        """Status, body and response of one GET, never following redirects."""
        async with self.client.get(self.base + path, allow_redirects=False, **kwargs) as r:  # type: ignore[arg-type]
            return r.status, await r.text(), r

    async def session(self, **headers: str) -> aiohttp.ClientWebSocketResponse:
        """A websocket, as the page opens it."""
        return await self.client.ws_connect(self.base + "/ws?width=80&height=24", headers=headers)


async def first_text(ws: aiohttp.ClientWebSocketResponse) -> str:
    """What the session first shows in the browser's terminal."""
    message = await asyncio.wait_for(ws.receive(), timeout=60)
    assert message.type == aiohttp.WSMsgType.BINARY, message
    return bytes(message.data).decode()


async def until_no_sessions(server: WebServer, left: int = 0) -> None:
    """Wait (bounded) until the server has counted sessions out: their dashboards exited."""
    for _ in range(1200):
        if server.sessions <= left:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{server.sessions} sessions still open after 60 s")


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """A server with the token ``s3cret-token``, at most 2 sessions."""
    server = WebServer(
        stand_in(tmp_path, "dashboard"),
        host="127.0.0.1",
        port=1,
        gate=token_gate(),
        max_sessions=2,
    )
    test_server = TestServer(await server.application(), host="127.0.0.1", port=0)
    await test_server.start_server()
    run = Running(server, test_server)
    try:
        yield run
    finally:
        await run.client.close()
        await test_server.close()


BEARER = {"Authorization": "Bearer s3cret-token"}


@pytest.mark.parametrize("path", ["/", "/static/js/textual.js", "/ws", "/download/x"])
async def test_no_token_is_refused_everywhere(running: Running, path: str) -> None:
    status, body, _ = await running.get(path)
    assert status == 401
    assert "s3cret-token" not in body
    assert "?token=" in body  # says what to bring
    status, _, _ = await running.get(path, params={"token": "s3cret-tokeN"})
    assert status == 401
    status, _, _ = await running.get(path, headers={"Authorization": "Bearer wrong"})
    assert status == 401


async def test_a_websocket_without_the_token_is_refused(running: Running) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await running.session()
    assert refused.value.status == 401
    assert running.server.sessions == 0


async def test_the_token_gives_a_cookie_and_leaves_the_address(running: Running) -> None:
    status, _, response = await running.get("/", params={"token": "s3cret-token", "fontsize": "14"})
    assert status == 303
    assert response.headers["Location"] == "./?fontsize=14"  # the token gone from the bar
    cookie = response.cookies["opsboard_serve_1"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert "s3cret-token" not in cookie.value
    jar = {"opsboard_serve_1": cookie.value}
    status, page, _ = await running.get("/", cookies=jar)
    assert status == 200
    assert "data-session-websocket-url" in page
    status, script, _ = await running.get("/static/js/textual.js", cookies=jar)
    assert status == 200
    assert "WebSocket" in script
    ws = await running.session(Cookie=f"opsboard_serve_1={cookie.value}")
    assert (await first_text(ws)).startswith("session: ")
    await ws.close()
    await until_no_sessions(running.server)


async def test_the_page_points_back_at_the_address_the_browser_used(running: Running) -> None:
    headers = {**BEARER, "Host": "ops-box.lan:6772"}
    status, page, _ = await running.get("/", headers=headers)
    assert status == 200
    assert 'data-session-websocket-url="ws://ops-box.lan:6772/ws"' in page
    assert "0.0.0.0" not in page
    # Behind a TLS proxy that says so: wss.
    status, page, _ = await running.get("/", headers={**headers, "X-Forwarded-Proto": "https"})
    assert 'data-session-websocket-url="wss://ops-box.lan:6772/ws"' in page
    # A Host header unfit to be written into the page is not.
    status, page, _ = await running.get("/", headers={**BEARER, "Host": 'x"><script>'})
    assert "<script>" not in page.split("data-session-websocket-url")[1][:80]


async def test_public_url_wins(tmp_path: Path) -> None:
    server = WebServer(
        stand_in(tmp_path),
        host="0.0.0.0",
        port=6772,
        gate=token_gate(),
        max_sessions=1,
        public_url="https://ops.example.com/board/",
    )
    assert server.start_url() == "https://ops.example.com/board/?token=s3cret-token"
    test_server = TestServer(await server.application(), host="127.0.0.1", port=0)
    await test_server.start_server()
    try:
        async with (
            aiohttp.ClientSession() as client,
            client.get(test_server.make_url("/"), headers=BEARER) as response,
        ):
            page = await response.text()
    finally:
        await test_server.close()
    assert 'data-session-websocket-url="wss://ops.example.com/board/ws"' in page
    assert "https://ops.example.com/board/static/" in page


def test_a_wildcard_bind_never_names_0_0_0_0_in_the_start_line(tmp_path: Path) -> None:
    server = WebServer(
        stand_in(tmp_path), host="0.0.0.0", port=6772, gate=token_gate(), max_sessions=1
    )
    assert "0.0.0.0" not in server.start_url()
    assert server.start_url().endswith(":6772/?token=s3cret-token")


async def test_a_page_of_another_site_may_not_open_a_session(running: Running) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await running.session(**BEARER, Origin="http://evil.example")
    assert refused.value.status == 403
    ws = await running.session(**BEARER, Origin=running.base)
    assert (await first_text(ws)).startswith("session: ")
    await ws.close()
    await until_no_sessions(running.server)


async def test_sessions_beyond_the_limit_are_refused_with_a_reason(running: Running) -> None:
    first = await running.session(**BEARER)
    second = await running.session(**BEARER)
    assert (await first_text(first)).startswith("session: ")
    assert (await first_text(second)).startswith("session: ")
    assert running.server.sessions == 2

    third = await running.session(**BEARER)
    assert "All 2 browser sessions" in await first_text(third)
    closing = await asyncio.wait_for(third.receive(), timeout=60)
    assert closing.type == aiohttp.WSMsgType.CLOSE
    assert closing.data == 1013  # try again later
    status, page, _ = await running.get("/", headers=BEARER)
    assert status == 503
    assert "--max-sessions" in page

    await first.close()
    await until_no_sessions(running.server, left=1)
    status, _, _ = await running.get("/", headers=BEARER)
    assert status == 200
    fourth = await running.session(**BEARER)
    assert (await first_text(fourth)).startswith("session: ")
    await fourth.close()
    await second.close()
    await until_no_sessions(running.server)


def test_web_sessions_run_the_dashboard_as_a_viewer() -> None:
    command = shlex.split(dashboard_command(None, Path("/tmp/my db;rm -rf x.db")))
    assert command[-2:] == ["dashboard", "--viewer"]
    assert "/tmp/my db;rm -rf x.db" in command


def test_dashboard_viewer_flag_never_collects(monkeypatch: pytest.MonkeyPatch) -> None:
    import opsboard.tui.app

    made: list[str] = []

    class Stub:
        def run(self) -> None:
            pass

    def fake_make_app(runtime: object, *, collect: str = "auto", **_: object) -> Stub:
        made.append(collect)
        return Stub()

    monkeypatch.setattr(opsboard.tui.app, "make_app", fake_make_app)
    monkeypatch.setattr("opsboard.cli.commands._runtime", lambda args: None)
    assert main(["dashboard", "--viewer"]) == 0
    assert main(["dashboard"]) == 0
    assert made == ["never", "auto"]


def test_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "correct horse")
    gate = Gate.for_server(6772)
    assert gate.from_password
    assert gate.secret == "correct horse"
    # Gone from the environment the dashboards inherit.
    assert PASSWORD_ENV not in __import__("os").environ
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    token = Gate.for_server(6772)
    assert not token.from_password
    assert len(token.secret) >= 40
    assert token.secret != Gate.for_server(6772).secret


def basic(user: str, password: str) -> dict[str, str]:
    """The header a browser sends once it has asked for a user name and password."""
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


async def test_password_by_basic_auth(tmp_path: Path) -> None:
    gate = Gate("correct horse", from_password=True, cookie_name="opsboard_serve_1")
    server = WebServer(stand_in(tmp_path), host="127.0.0.1", port=1, gate=gate, max_sessions=1)
    test_server = TestServer(await server.application(), host="127.0.0.1", port=0)
    await test_server.start_server()
    url = test_server.make_url("/")
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(url) as response:
                assert response.status == 401
                assert response.headers["WWW-Authenticate"].startswith("Basic")
                assert "correct horse" not in await response.text()
            async with client.get(url, headers=basic("ops", "wrong horse")) as response:
                assert response.status == 401
            async with client.get(url, headers=basic("anyone", "correct horse")) as response:
                assert response.status == 200
    finally:
        await test_server.close()
    assert server.start_url() == "http://127.0.0.1:1/"  # the password is never printed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--max-sessions", "0"], "--max-sessions 0 is out of range"),
        (["serve", "--public-url", "ops.example.com"], "is not an http(s) address"),
    ],
)
def test_bad_serve_options_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
async def test_a_real_web_session_is_a_viewer_where_nobody_collects(tmp_path: Path) -> None:
    """The real dashboard behind a websocket, with a drop folder it could collect from."""
    drop = tmp_path / "drop"
    drop.mkdir()
    config = tmp_path / "opsboard.toml"
    config.write_text(
        '[[stores]]\nname = "web-shop"\nplatform = "tmall"\ntimezone = "Asia/Shanghai"\n\n'
        '[[adapters]]\nname = "exports"\ntype = "csv"\n[adapters.options]\n'
        f'folders = [{{ path = "{drop}", store = "web-shop" }}]\n'
    )
    db = tmp_path / "opsboard.db"
    with Store.open(db):
        pass
    server = WebServer(
        dashboard_command(config, db), host="127.0.0.1", port=1, gate=token_gate(), max_sessions=1
    )
    test_server = TestServer(await server.application(), host="127.0.0.1", port=0)
    await test_server.start_server()
    try:
        async with aiohttp.ClientSession() as client:
            ws = await client.ws_connect(test_server.make_url("/ws"), headers=BEARER)
            await ws.send_json(["resize", {"width": 100, "height": 30}])
            # The title bar is drawn once the dashboard has started (and, were it a
            # collector, taken the lock): read the screen until it shows.
            shown = b""
            while b"Overview" not in shown:
                message = await asyncio.wait_for(ws.receive(), timeout=120)
                assert message.type == aiohttp.WSMsgType.BINARY, (message, shown[-500:])
                shown += bytes(message.data)
            with Store.open(db) as probe:
                assert not probe.collector_running()
            await ws.close()
            await until_no_sessions(server)
    finally:
        await test_server.close()
