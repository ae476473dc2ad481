"""Notifiers: stdout JSON lines, a log file, a webhook, chat through apprise, a command.

``deliver`` sends one message through one notifier with its retries; every error it
reports has the notifier's secrets masked. The queues that keep a slow notifier from
delaying the others are in ``opsboard.alerts.dispatch``; what waits for a notifier that is
down, in ``opsboard.alerts.outbox``.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from opsboard.alerts.state import iso
from opsboard.config.models import NotifierConfig, Settings
from opsboard.i18n import N_, _
from opsboard.models import SEVERITY_RANK, Severity
from opsboard.text import inert, inert_json, inert_lines

log = logging.getLogger(__name__)

#: One lock for every writer of JSON lines on stdout, so that lines never interleave.
STDOUT_LOCK = threading.Lock()

#: How many alert lines one message lists before summarising the rest.
MAX_LINES = 20

#: The apprise notification type of a message: chat services colour and badge by it.
APPRISE_TYPES: dict[str, str] = {
    Severity.CRITICAL: "failure",
    Severity.WARNING: "warning",
    Severity.INFO: "info",
}


def emit_json(record: dict[str, Any], stream: TextIO | None = None) -> None:
    """Write ``record`` as one JSON line and flush (stdout by default)."""
    out = stream if stream is not None else sys.stdout
    line = inert_json(json.dumps(record, ensure_ascii=False, default=str))
    with STDOUT_LOCK:
        out.write(line + "\n")
        out.flush()


@dataclass(frozen=True)
class Message:
    """One notification: a group of alerts of one rule and store, or a plain text.

    ``status`` is ``firing``, ``resolved`` or ``text`` (a plain message such as the review).
    """

    status: str
    title: str
    text: str
    alerts: list[dict[str, Any]] = field(default_factory=list)
    severity: str = "info"

    def for_notifier(self, notifier: NotifierConfig) -> Message | None:
        """The part of this message a notifier takes (severity and labels), or None."""
        if self.status == "text":
            return self
        floor = SEVERITY_RANK[notifier.min_severity]
        kept = [
            a
            for a in self.alerts
            if SEVERITY_RANK.get(a.get("severity", Severity.INFO), 0) >= floor
            and all(a.get("labels", {}).get(k) == v for k, v in notifier.match_labels.items())
        ]
        if not kept:
            return None
        if len(kept) == len(self.alerts):
            return self
        return compose(self.status, kept)

    @property
    def apprise_type(self) -> str:
        """``success`` for a resolution, else by severity: ``failure``, ``warning``, ``info``."""
        if self.status == "resolved":
            return "success"
        if self.status == "text":
            return "info"
        return APPRISE_TYPES.get(self.severity, "info")

    def to_json(self) -> dict[str, Any]:
        """The JSON body sent to webhooks and commands, and written to logs and stdout."""
        return {
            "status": self.status,
            "severity": self.severity,
            "title": self.title,
            "text": self.text,
            "alerts": self.alerts,
        }


#: How a chat title names what happened (the JSON ``status`` keeps its own word).
_STATUS_WORDS = {"firing": N_("FIRING"), "resolved": N_("RESOLVED")}


def compose(status: str, alerts: list[dict[str, Any]]) -> Message:
    """One message for alerts of one rule and store: a title and up to ``MAX_LINES`` lines."""
    first = alerts[0]
    severity = max(
        (a.get("severity", Severity.INFO) for a in alerts), key=SEVERITY_RANK.__getitem__
    )
    where = first.get("store") or _("all stores")
    # Store names, scopes and messages hold text from files: chat shows it inert.
    said = _(_STATUS_WORDS[status]) if status in _STATUS_WORDS else status.upper()
    title = inert(
        _("[{status}:{count}] {rule} · {where}").format(
            status=said, count=len(alerts), rule=first["rule"], where=where
        )
    )
    mark = "✔ " if status == "resolved" else ""
    lines = [inert(f"{mark}{a['message']}") for a in alerts[:MAX_LINES]]
    if len(alerts) > MAX_LINES:
        lines.append(_("… and {count} more").format(count=len(alerts) - MAX_LINES))
    return Message(status, title, "\n".join(lines), alerts, severity)


class DeliveryError(Exception):
    """A delivery failed after its retries; the text holds no secret."""


def mask(text: str, notifier: NotifierConfig) -> str:
    """``text`` with the notifier's URL (its secret) replaced by ``***``."""
    if notifier.url is not None:
        secret = notifier.url.get_secret_value()
        # A value this short is no URL and no secret; masking it would garble the text.
        if len(secret) >= 6:
            text = text.replace(secret, "***")
    return text


_client_lock = threading.Lock()
_client: Any = None


def _webhook_client() -> Any:
    """One HTTP client for every webhook delivery of the process (thread-safe): a client
    per delivery would build a TLS context each time, and a service retrying a webhook that
    is down for hours would grow by each of them."""
    global _client
    with _client_lock:
        if _client is None:
            import httpx

            _client = httpx.Client(follow_redirects=False)
        return _client


def _send_once(notifier: NotifierConfig, message: Message) -> None:
    body = message.to_json()
    timeout = notifier.timeout.total_seconds()
    if notifier.type == "stdout":
        emit_json({"event": "notification", "notifier": notifier.name, **body})
    elif notifier.type == "log":
        assert notifier.path is not None
        path = Path(notifier.path).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        record = {"at": iso(datetime.now(UTC)), **body}
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    elif notifier.type == "webhook":
        import httpx

        assert notifier.url is not None
        try:
            response = _webhook_client().post(
                notifier.url.get_secret_value(), json=body, timeout=timeout
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        if response.status_code >= 300:
            raise DeliveryError(f"the webhook answered HTTP {response.status_code}")
    elif notifier.type == "apprise":
        import apprise

        assert notifier.url is not None
        logging.getLogger("apprise").setLevel(logging.CRITICAL)  # its logs may show URLs
        sender = apprise.Apprise()
        if not sender.add(notifier.url.get_secret_value()):
            raise DeliveryError("apprise does not recognise the url (check its scheme)")
        kind = apprise.NotifyType(message.apprise_type)
        if not sender.notify(title=message.title, body=message.text, notify_type=kind):
            raise DeliveryError("apprise could not deliver the message")
    else:
        try:
            done = subprocess.run(
                notifier.command,
                input=json.dumps(body, ensure_ascii=False, default=str).encode(),
                capture_output=True,
                timeout=timeout,
                check=False,
                shell=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeliveryError(f"the command could not run: {exc}") from None
        if done.returncode != 0:
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise DeliveryError(f"the command exited with {done.returncode} {tail[0][:200]}")


def deliver(
    notifier: NotifierConfig, message: Message, *, stop: threading.Event | None = None
) -> None:
    """Deliver ``message`` through ``notifier``, retrying with backoff.

    Raises ``DeliveryError`` (with secrets masked) after the last retry, or as soon as
    ``stop`` is set between tries.
    """
    delay = notifier.backoff.total_seconds()
    stop = stop or threading.Event()
    for attempt in range(notifier.retries + 1):
        try:
            _send_once(notifier, message)
            return
        except Exception as exc:
            reason = mask(str(exc) or type(exc).__name__, notifier)
            if attempt == notifier.retries or stop.is_set():
                raise DeliveryError(reason) from None
            log.info("notifier %s: %s; retrying in %.1fs", notifier.name, reason, delay)
            if stop.wait(delay):
                raise DeliveryError(f"{reason} (stopped before retrying)") from None
            delay *= 2


def send_text(
    settings: Settings, title: str, body: str, *, notifiers: list[str] | None = None
) -> list[str]:
    """Send a plain message (e.g. the morning review) through the configured notifiers, one
    after the other, waiting for each; ``Dispatcher.send_text`` does it off the caller's
    thread, one queue per notifier.

    ``notifiers`` names the ones to use (default: all). Returns the problems, one line per
    failed notifier, secrets masked; an empty list means every delivery succeeded.
    """
    chosen = [n for n in settings.notifiers if not notifiers or n.name in notifiers]
    problems = []
    if notifiers:
        known = {n.name for n in settings.notifiers}
        problems += [_("{name}: no notifier of that name is configured").format(name=name)
                     for name in notifiers if name not in known]  # fmt: skip
    message = Message("text", inert(title), inert_lines(body))
    for notifier in chosen:
        try:
            deliver(notifier, message)
        except DeliveryError as exc:
            problems.append(f"{notifier.name}: {exc}")
    return problems


def _scheme(url: str) -> str:
    """The scheme of ``url`` (the one part of a secret URL that may be shown), or ``""``."""
    head, sep, _rest = url.partition("://")
    return head if sep and head.replace("+", "").replace("-", "").isalnum() else ""


def notifier_problems(settings: Settings) -> list[str]:
    """What is wrong with the configured notifiers, without sending anything: apprise URLs
    apprise does not recognise, webhook URLs that are not http(s) with a host, commands
    whose program cannot be found. One line each, naming the notifier's key; no secret."""
    problems = []
    for index, notifier in enumerate(settings.notifiers):
        key = f"notifiers[{index}] ({notifier.name})"
        url = notifier.url.get_secret_value() if notifier.url is not None else ""
        scheme = _scheme(url)
        if notifier.type == "apprise":
            problems += _apprise_problem(key, url, scheme)
        elif notifier.type == "webhook":
            problems += _webhook_problem(key, url, scheme)
        elif notifier.type == "command":
            program = notifier.command[0]
            if not _runnable(program):
                problems.append(
                    _(
                        "{key}.command: cannot run {program!r}: no such program, or not "
                        "executable; give its full path (commands run without a shell)"
                    ).format(key=key, program=program)
                )
    # No line quotes a URL; masking every secret anyway keeps it so if one ever does.
    for notifier in settings.notifiers:
        problems = [mask(line, notifier) for line in problems]
    return problems


def _apprise_problem(key: str, url: str, scheme: str) -> list[str]:
    if not scheme:
        return [
            _(
                "{key}.url: not a URL (no scheme://); write the service's apprise URL, e.g. "
                "dingtalk://TOKEN, wecombot://KEY, feishu://TOKEN or slack://TOKENS, from an "
                "environment variable such as ${{CHAT_URL}}"
            ).format(key=key)
        ]
    import apprise

    logging.getLogger("apprise").setLevel(logging.CRITICAL)  # its logs may show URLs
    if apprise.Apprise.instantiate(url) is None:
        return [
            _(
                "{key}.url: apprise does not recognise a {scheme}:// URL (an unknown scheme, "
                "or parts missing); see the URL format of the service in the apprise wiki"
            ).format(key=key, scheme=scheme)
        ]
    return []


def _webhook_problem(key: str, url: str, scheme: str) -> list[str]:
    import httpx

    if scheme not in ("http", "https"):
        shown = _("a {scheme}:// URL").format(scheme=scheme) if scheme else _("no http(s):// URL")
        return [_("{key}.url: {shown}; a webhook needs http:// or https://").format(
            key=key, shown=shown)]  # fmt: skip
    try:
        host = httpx.URL(url).host
    except httpx.InvalidURL:
        host = ""
    if not host:
        return [
            _("{key}.url: the {scheme}:// URL names no host; write e.g. https://HOST/PATH").format(
                key=key, scheme=scheme
            )
        ]
    return []


def _runnable(program: str) -> bool:
    import shutil

    if os.sep in program:
        return os.path.isfile(program) and os.access(program, os.X_OK)
    return shutil.which(program) is not None
