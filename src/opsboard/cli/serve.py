"""`opsboard serve`: the dashboard in a browser through textual-serve, on loopback by default.

Each browser tab runs its own dashboard process; the first becomes the collector and the
others viewers, exactly as in terminals.
"""

from __future__ import annotations

import errno
import ipaddress
import shlex
import socket
import sys
from pathlib import Path

from opsboard.errors import UsageError

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
    parts.append("dashboard")
    return " ".join(shlex.quote(part) for part in parts)


def serve(*, host: str, port: int, config: Path | None, db: Path | None) -> int:
    """Serve until interrupted."""
    if not 0 < port < 65536:
        raise UsageError(f"port {port} is out of range", hint="use a port from 1 to 65535")
    if not is_loopback(host):
        print(
            f"opsboard: warning: serving on {host}: anyone who can reach it sees the "
            "dashboard; put it behind an authenticating proxy",
            file=sys.stderr,
        )
    check_port_free(host, port)
    from textual_serve.server import Server

    server = Server(dashboard_command(config, db), host=host, port=port, title="opsboard")
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
            f"port {port} on {host}: permission denied (ports below 1024 need privileges)",
            hint="use a port above 1023 with --port",
        )
    return UsageError(
        f"cannot serve on {host}:{port}: {exc.strerror or exc}",
        hint="check --host (an address of this machine) and --port",
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
