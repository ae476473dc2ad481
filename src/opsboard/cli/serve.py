"""`opsboard serve`: the dashboard in a browser through textual-serve, on loopback by default.

Each browser tab runs its own dashboard process, always a viewer: a web session never
collects (run `opsboard watch` or a terminal dashboard for that). Only a browser that brings
the secret printed at start (or the password of ``OPSBOARD_SERVE_PASSWORD``) gets in, and at
most ``--max-sessions`` dashboards run at once (see ``web_server``).
"""

from __future__ import annotations

import errno
import ipaddress
import shlex
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from opsboard.errors import UsageError
from opsboard.i18n import _

_LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def dashboard_command(config: Path | None, db: Path | None) -> str:
    """The command each browser session runs, every part quoted for the server's shell."""
    parts = [sys.executable, "-m", "opsboard"]
    if config is not None:
        parts += ["--config", str(Path(config).expanduser().resolve())]
    if db is not None:
        parts += ["--db", str(Path(db).expanduser().resolve())]
    # --viewer: anyone with the address must never become the collector of the database.
    parts += ["dashboard", "--viewer"]
    return " ".join(shlex.quote(part) for part in parts)


#: Browser sessions at once unless --max-sessions says otherwise: each is a ~70 MB dashboard.
DEFAULT_MAX_SESSIONS = 4


def check_public_url(url: str) -> str:
    """``--public-url`` as given, if it is an http(s) address without query or fragment."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(
            _("--public-url {url!r} is not an http(s) address").format(url=url),
            hint=_(
                "give the address browsers open, e.g. https://ops.example.com or "
                "https://example.com/opsboard"
            ),
        )
    return url


def serve(
    *,
    host: str,
    port: int,
    config: Path | None,
    db: Path | None,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    public_url: str | None = None,
) -> int:
    """Serve until interrupted."""
    if not 0 < port < 65536:
        raise UsageError(
            _("port {port} is out of range").format(port=port),
            hint=_("use a port from 1 to 65535"),
        )
    if not 0 < max_sessions <= 1000:
        raise UsageError(
            f"--max-sessions {max_sessions} is out of range",
            hint=f"use 1 to 1000 (default {DEFAULT_MAX_SESSIONS}; each session is a dashboard "
            "of about 70 MB)",
        )
    if public_url is not None:
        check_public_url(public_url)
    if not is_loopback(host):
        print(
            f"opsboard: warning: serving on {host} without TLS: the token crosses the "
            "network in clear; put it behind a reverse proxy with TLS (see the README)",
            file=sys.stderr,
        )
    check_port_free(host, port)
    from opsboard.cli.web_access import Gate
    from opsboard.cli.web_server import WebServer

    server = WebServer(
        dashboard_command(config, db),
        host=host,
        port=port,
        gate=Gate.for_server(port),
        max_sessions=max_sessions,
        public_url=public_url,
    )
    try:
        server.serve()
    except OSError as exc:  # taken between the check and the start
        raise _port_error(host, port, exc) from None
    return 0


def _port_error(host: str, port: int, exc: OSError) -> UsageError:
    if exc.errno == errno.EADDRINUSE:
        return UsageError(
            f"port {port} on {host} is already in use (another program, or another "
            "`opsboard serve`)",
            hint=f"pick a free one with --port, e.g. --port {port + 1}",
        )
    if exc.errno == errno.EACCES:
        return UsageError(
            _("port {port} on {host}: permission denied (ports below 1024 need privileges)").format(
                port=port, host=host
            ),
            hint=_("use a port above 1023 with --port"),
        )
    return UsageError(
        _("cannot serve on {host}:{port}: {problem}").format(
            host=host, port=port, problem=exc.strerror or exc
        ),
        hint=_("check --host (an address of this machine) and --port"),
    )


def check_port_free(host: str, port: int) -> None:
    """Raise a clear ``UsageError`` when ``host:port`` cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(
            f"--host {host}: not an address of this machine ({exc.strerror})",
            hint="use 127.0.0.1 (this machine only) or an address the machine has",
        ) from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise _port_error(host, port, exc) from None
