"""`opsboard serve`: the dashboard in a browser through textual-serve, on loopback by default.

Each browser tab runs its own dashboard process; the first becomes the collector and the
others viewers, exactly as in terminals.
"""

from __future__ import annotations

import ipaddress
import shlex
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
    from textual_serve.server import Server

    server = Server(dashboard_command(config, db), host=host, port=port, title="opsboard")
    server.serve()
    return 0
