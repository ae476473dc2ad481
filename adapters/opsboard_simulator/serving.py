"""The HTTP server of the simulated platform: the standard library's, one thread a connection.

It binds nothing itself: it serves a socket the runner has bound (loopback unless told
otherwise). Connections stay open between requests (HTTP/1.1), as a polling client keeps
them. Nothing is written to the terminal: request lines and broken connections go to the
``opsboard_simulator`` log at debug level, so a dashboard in the same process is not drawn
over.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from opsboard_simulator.server import API_VERSION, Answer, ApiProblem, PlatformApi

log = logging.getLogger("opsboard_simulator")

#: The largest request body read (and dropped): GET requests carry none.
_MAX_BODY = 1 << 20


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"opsboard-simulated-platform/{API_VERSION}"
    #: An idle connection is closed after this many seconds.
    timeout = 60
    #: Headers and body go out as two writes: without this, the body waits for the
    #: client's delayed acknowledgement (40 ms a request on a kept-alive connection).
    disable_nagle_algorithm = True
    server: PlatformServer

    def do_GET(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
            return
        if length > _MAX_BODY:
            self.close_connection = True
        elif length > 0:
            self.rfile.read(length)
        target = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        self._send(self.server.api.answer(target.path, target.query, headers))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A broken request's answer, as JSON like every other error. A method other than
        GET (the server has no ``do_`` method for it) is not allowed."""
        self.close_connection = True
        headers = {}
        if code == HTTPStatus.NOT_IMPLEMENTED:
            code, message, headers = (
                HTTPStatus.METHOD_NOT_ALLOWED,
                "only GET is served",
                {"Allow": "GET"},
            )
        text = message or self.responses.get(code, ("",))[0]
        self._send(Answer.problem(ApiProblem(int(code), f"http_{int(code)}", text, headers)))

    def _send(self, answer: Answer) -> None:
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer.body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer.body)
        except OSError:
            # The client went away (a timed-out read, a closed test client).
            self.close_connection = True

    def version_string(self) -> str:
        """The Server header: the platform's name and API version."""
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)


class PlatformServer(ThreadingHTTPServer):
    """Serves ``api`` on an already bound and listening ``sock``."""

    daemon_threads = True

    def __init__(self, sock: socket.socket, api: PlatformApi) -> None:
        super().__init__(sock.getsockname()[:2], _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.api = api
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake, self._waker = socket.socketpair()

    def serve(self) -> None:
        """Serve until ``stop`` is called: asleep between requests, with no polling."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self._stopping.is_set():
                        self.handle_request()

    def stop(self) -> None:
        """Make ``serve`` return at once (from another thread)."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._waker.send(b"\0")

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening and end the open connections, as a platform going down does."""
        super().server_close()
        self._wake.close()
        self._waker.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: object) -> None:
        """A connection that broke: logged, never printed."""
        log.debug("connection from %s failed", client_address, exc_info=True)
