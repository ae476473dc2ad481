"""Notifiers: stdout JSON lines, a log file, a webhook, chat through apprise, a command.

Deliveries run on a small thread pool so that a slow or failing notifier never blocks
evaluation; each is retried with backoff, and failures are reported (logged on stderr and
kept in the ``notifications`` table) with every secret masked.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from opsboard.alerts.state import SEVERITY_RANK, iso
from opsboard.config import NotifierConfig, Settings

log = logging.getLogger(__name__)

#: One lock for every writer of JSON lines on stdout, so that lines never interleave.
STDOUT_LOCK = threading.Lock()

#: How many alert lines one message lists before summarising the rest.
MAX_LINES = 20


def emit_json(record: dict[str, Any], stream: TextIO | None = None) -> None:
    """Write ``record`` as one JSON line and flush (stdout by default)."""
    out = stream if stream is not None else sys.stdout
    line = json.dumps(record, ensure_ascii=False, default=str)
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
            if SEVERITY_RANK.get(a.get("severity", "info"), 0) >= floor
            and all(a.get("labels", {}).get(k) == v for k, v in notifier.match_labels.items())
        ]
        if not kept:
            return None
        if len(kept) == len(self.alerts):
            return self
        return compose(self.status, kept)

    def to_json(self) -> dict[str, Any]:
        """The JSON body sent to webhooks and commands, and written to logs and stdout."""
        return {
            "status": self.status,
            "severity": self.severity,
            "title": self.title,
            "text": self.text,
            "alerts": self.alerts,
        }


def compose(status: str, alerts: list[dict[str, Any]]) -> Message:
    """One message for alerts of one rule and store: a title and up to ``MAX_LINES`` lines."""
    first = alerts[0]
    severity = max((a.get("severity", "info") for a in alerts), key=SEVERITY_RANK.__getitem__)
    where = first.get("store") or "all stores"
    title = f"[{status.upper()}:{len(alerts)}] {first['rule']} · {where}"
    mark = "✔ " if status == "resolved" else ""
    lines = [f"{mark}{a['message']}" for a in alerts[:MAX_LINES]]
    if len(alerts) > MAX_LINES:
        lines.append(f"… and {len(alerts) - MAX_LINES} more")
    return Message(status, title, "\n".join(lines), alerts, severity)


class DeliveryError(Exception):
    """A delivery failed after its retries; the text holds no secret."""


def _mask(text: str, notifier: NotifierConfig) -> str:
    if notifier.url is not None:
        secret = notifier.url.get_secret_value()
        if secret:
            text = text.replace(secret, "***")
    return text


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
            response = httpx.post(notifier.url.get_secret_value(), json=body, timeout=timeout)
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
        if not sender.notify(title=message.title, body=message.text):
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


def deliver(notifier: NotifierConfig, message: Message) -> None:
    """Deliver ``message`` through ``notifier``, retrying with backoff.

    Raises ``DeliveryError`` (with secrets masked) after the last retry.
    """
    delay = notifier.backoff.total_seconds()
    for attempt in range(notifier.retries + 1):
        try:
            _send_once(notifier, message)
            return
        except Exception as exc:
            reason = _mask(str(exc) or type(exc).__name__, notifier)
            if attempt == notifier.retries:
                raise DeliveryError(reason) from None
            log.info("notifier %s: %s; retrying in %.1fs", notifier.name, reason, delay)
            time.sleep(delay)
            delay *= 2


@dataclass(frozen=True)
class Delivery:
    """The outcome of one message through one notifier."""

    notifier: str
    title: str
    alert_ids: list[int]
    ok: bool
    error: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


class Dispatcher:
    """Sends messages through the configured notifiers on worker threads.

    A message is finished once every notifier that takes it has delivered it or given up;
    ``finished()`` hands such messages back so that the caller records them as sent.
    """

    def __init__(self, notifiers: list[NotifierConfig], *, workers: int = 2) -> None:
        self.notifiers = notifiers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notify")
        self._pending: set[Future[None]] = set()
        self._done: list[Delivery] = []
        self._left: dict[int, tuple[Message, int]] = {}
        self._finished: list[Message] = []
        self._lock = threading.Lock()

    def submit(self, message: Message) -> int:
        """Queue ``message`` for every notifier that takes it; returns how many, at once.

        A message no notifier takes is finished at once.
        """
        parts = [(n, p) for n in self.notifiers if (p := message.for_notifier(n)) is not None]
        with self._lock:
            if not parts:
                self._finished.append(message)
                return 0
            self._left[id(message)] = (message, len(parts))
        for notifier, part in parts:
            future = self._pool.submit(self._run, notifier, part, message)
            with self._lock:
                self._pending.add(future)
            future.add_done_callback(self._forget)
        return len(parts)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _run(self, notifier: NotifierConfig, part: Message, whole: Message) -> None:
        ids = [int(a["id"]) for a in part.alerts if "id" in a]
        try:
            deliver(notifier, part)
        except DeliveryError as exc:
            log.warning("notifier %s failed: %s (%s)", notifier.name, exc, part.title)
            outcome = Delivery(notifier.name, part.title, ids, False, str(exc))
        else:
            outcome = Delivery(notifier.name, part.title, ids, True)
        with self._lock:
            self._done.append(outcome)
            message, left = self._left.pop(id(whole))
            if left > 1:
                self._left[id(whole)] = (message, left - 1)
            else:
                self._finished.append(message)

    def drain(self) -> list[Delivery]:
        """The deliveries finished since the last call."""
        with self._lock:
            done, self._done = self._done, []
        return done

    def finished(self) -> list[Message]:
        """The messages whose every delivery ended since the last call."""
        with self._lock:
            done, self._finished = self._finished, []
        return done

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for queued deliveries; True when none is left."""
        with self._lock:
            pending = set(self._pending)
        if not pending:
            return True
        _done, left = wait(pending, timeout=timeout)
        return not left

    def close(self, timeout: float | None = 30.0) -> None:
        """Let queued deliveries finish (up to ``timeout``), then stop the workers."""
        self.wait(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)


def send_text(
    settings: Settings, title: str, body: str, *, notifiers: list[str] | None = None
) -> list[str]:
    """Send a plain message (e.g. the morning review) through the configured notifiers.

    ``notifiers`` names the ones to use (default: all). Returns the problems, one line per
    failed notifier, secrets masked; an empty list means every delivery succeeded.
    """
    chosen = [n for n in settings.notifiers if not notifiers or n.name in notifiers]
    problems = []
    if notifiers:
        known = {n.name for n in settings.notifiers}
        problems += [f"{name}: no notifier of that name is configured" for name in notifiers
                     if name not in known]  # fmt: skip
    message = Message("text", title, body)
    for notifier in chosen:
        try:
            deliver(notifier, message)
        except DeliveryError as exc:
            problems.append(f"{notifier.name}: {exc}")
    return problems
