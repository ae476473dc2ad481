"""The web server of `opsboard serve`: textual-serve, behind the secret and a session limit.

textual-serve runs one dashboard process per websocket (about 69 MB each) and trusts every
caller; this subclass refuses requests without the secret (``web_access``), caps the number
of dashboards running at once, and tells the browser to connect back to the address it used
(or ``--public-url``), never to the address the server is bound to (``0.0.0.0`` is no
address a browser can reach).
"""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from opsboard.cli.web_access import (
    PASSWORD_ENV,
    Gate,
    PathOnlyAccessLogger,
    is_https,
    origin_allowed,
    page,
    refused,
)
from opsboard.i18n import _
from opsboard.text import inert_stderr_logging

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: A Host header fit to be written back into the page; anything else falls back.
_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")

_WILDCARDS = {"0.0.0.0", "::", ""}

#: How long a dashboard may take to quit once its browser has gone.
_QUIT_GRACE_SECONDS = 10.0

log = logging.getLogger("opsboard.serve")


def url_host(host: str) -> str:
    """``host`` as written in a URL (IPv6 in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


async def _reap(process: asyncio.subprocess.Process | None) -> None:
    """Wait for a session's dashboard to exit; kill it if it has not within a grace period."""
    if process is None:
        return
    try:
        await asyncio.wait_for(process.wait(), timeout=_QUIT_GRACE_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


class WebServer(Server):
    """textual-serve with a secret, a session limit and the browser's own address."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        gate: Gate,
        max_sessions: int,
        public_url: str | None = None,
    ) -> None:
        super().__init__(command, host=host, port=port, title="opsboard", public_url=public_url)
        self.gate = gate
        self.max_sessions = max_sessions
        #: Dashboards running now, one per open websocket.
        self.sessions = 0
        self.fixed_public_url = public_url.rstrip("/") if public_url else None

    # -- what the browser is told -------------------------------------------------------

    def start_url(self) -> str:
        """The address to open, with the token when there is one: printed once at start."""
        if self.fixed_public_url is not None:
            base = self.fixed_public_url
        else:
            shown = socket.gethostname() if self.host in _WILDCARDS else self.host
            base = f"http://{url_host(shown)}:{self.port}"
        if self.gate.from_password:
            return f"{base}/"
        return f"{base}/?token={self.gate.secret}"

    def announce(self, *_args: Any) -> None:
        """The start line (the only place the token is ever written), once listening."""
        how = (
            _(" (password from {variable}, any user name)").format(variable=PASSWORD_ENV)
            if self.gate.from_password
            else ""
        )
        serving = _("opsboard: serving the dashboard at {address}{how}")
        print(serving.format(address=self.start_url(), how=how), flush=True)
        print(
            _(
                "opsboard: at most {count} browser sessions at a time "
                "(--max-sessions); Ctrl+C stops"
            ).format(count=self.max_sessions),
            flush=True,
        )

    def base_url(self, request: web.Request) -> str:
        """``--public-url``, else the scheme and Host the browser used to reach this page."""
        if self.fixed_public_url is not None:
            return self.fixed_public_url
        host = request.headers.get("Host", "")
        if not _HOST_HEADER.match(host):
            host = f"{url_host(self.host)}:{self.port}"
        return f"{'https' if is_https(request) else 'http'}://{host}"

    # -- aiohttp ------------------------------------------------------------------------

    async def application(self) -> web.Application:
        """The aiohttp application: textual-serve's routes behind the guard."""
        app: web.Application = await self._make_app()

        @web.middleware
        async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._guard(request, handler)

        app.middlewares.append(guard)
        return app

    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.gate.allows(request):
            return refused(self.gate)
        if request.path == "/" and self.gate.token_in_query(request):
            # Trade the token for a cookie and drop it from the address bar and history.
            # Relative, so that a proxy serving us under a path prefix keeps its prefix.
            rest = {k: v for k, v in request.query.items() if k != "token"}
            location = "./" + (f"?{request.rel_url.with_query(rest).query_string}" if rest else "")
            response = web.Response(
                status=303, headers={"Location": location, "Cache-Control": "no-store"}
            )
            response.set_cookie(
                self.gate.cookie_name,
                self.gate.cookie_value,
                path="/",
                httponly=True,
                samesite="Strict",
                secure=is_https(request),
            )
            return response
        return await handler(request)

    def sessions_full(self) -> bool:
        """True when a new session would pass ``--max-sessions``."""
        return self.sessions >= self.max_sessions

    def _full_text(self) -> str:
        return _(
            "All {count} browser sessions of this opsboard are in use (each runs "
            "a dashboard of its own). Close one of them and reload, or restart "
            "`opsboard serve` with a higher --max-sessions."
        ).format(count=self.max_sessions)

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page, pointing its websocket and scripts back at the browser's own address."""
        if self.sessions_full():
            title = _("all sessions in use")
            return page(503, title, self._full_text(), **{"Retry-After": "30"})
        base = self.base_url(request)
        scheme, rest = base.split(":", 1)
        try:
            font_size = int(request.query.get("fontsize", "16"))
        except ValueError:
            font_size = 16
        context = {
            "font_size": font_size,
            "app_websocket_url": f"{'wss' if scheme == 'https' else 'ws'}:{rest}/ws",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One dashboard per websocket, up to ``max_sessions`` at once."""
        if not origin_allowed(request, self.fixed_public_url):
            raise web.HTTPForbidden(text=_("opsboard: a page of another site may not open this"))
        if self.sessions_full():
            # Said in the browser's terminal, where the dashboard would have been.
            websocket = web.WebSocketResponse()
            await websocket.prepare(request)
            await websocket.send_bytes(f"\x1b[2J\x1b[H{self._full_text()}\r\n".encode())
            await websocket.close(code=1013, message=b"all sessions in use")
            return websocket
        self.sessions += 1
        try:
            return await self._run_session(request)
        finally:
            self.sessions -= 1

    async def _run_session(self, request: web.Request) -> web.WebSocketResponse:
        # textual-serve's session, plus: the dashboard's process is waited for (killed if
        # it will not quit), so that no closed tab leaves a dashboard or a zombie behind.
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)

        async def close() -> None:
            await websocket.close()

        app_service = AppService(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        try:
            await app_service.start(width, height)
            try:
                await self._process_messages(websocket, app_service)
            finally:
                await app_service.stop()
        except asyncio.CancelledError:
            await websocket.close()
            raise
        except Exception:
            log.exception("a browser session failed")
        finally:
            await _reap(getattr(app_service, "_process", None))
        return websocket

    # -- running ------------------------------------------------------------------------

    def initialize_logging(self) -> None:
        """Plain lines on stderr, inert, without textual-serve's tracebacks with locals."""
        inert_stderr_logging(logging.INFO, "opsboard serve: %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        """Silent: `announce` speaks once the port is listening."""

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C or SIGTERM."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, self.request_exit)
            loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        except NotImplementedError:  # pragma: no cover - Windows
            pass
        web.run_app(
            self.application(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=self.announce,
            access_log_class=PathOnlyAccessLogger,
        )
        sys.stdout.flush()
