"""An HTTP client for the platform API: timeouts, retries, a request budget, pagination.

Transient trouble (timeouts, lost connections, 5xx, 429, bodies that are not the JSON the
API promises) is retried with exponential backoff and jitter, honouring ``Retry-After``.
Auth failures are not retried: an expired token does not heal by asking again. Being
told to wait (``RateLimited``) ends the read: the wait applies to the whole token, not to
one request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from opsboard.adapters.api import _

log = logging.getLogger(__name__)


class ApiError(Exception):
    """The API could not be read; ``rate_limited`` when the last answer was a 429."""

    def __init__(self, message: str, *, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.rate_limited = rate_limited


class RateLimited(ApiError):
    """The API asks to wait (``wait`` seconds, None when it did not say how long)."""

    def __init__(self, message: str, *, wait: float | None) -> None:
        super().__init__(message, rate_limited=True)
        self.wait = wait


class AuthError(ApiError):
    """The token was refused; ``expired`` when the API says it has expired."""

    def __init__(self, message: str, *, expired: bool) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass
class CallStats:
    """What reading the API cost during one poll."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    timeouts: int = 0
    slowest: float = 0.0
    """The longest wait for an answer, counting the ones that timed out."""

    def as_dict(self) -> dict[str, object]:
        """The figures for a health report's detail."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "timeouts": self.timeouts,
            "slowest_s": round(self.slowest, 3),
        }


class RequestBudget:
    """At most ``per_minute`` requests in any ``window`` (60 s): a sliding log of send times."""

    def __init__(self, per_minute: int, window: float = 60.0) -> None:
        self.limit = max(1, per_minute)
        self.window = window
        self._sent: deque[float] = deque()

    async def acquire(self) -> None:
        """Wait until a request is allowed, then count it."""
        while True:
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= self.window:
                self._sent.popleft()
            if len(self._sent) < self.limit:
                self._sent.append(now)
                return
            await asyncio.sleep(self._sent[0] + self.window - now)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_text(response: httpx.Response) -> tuple[str, str]:
    """The error code and message of an error answer, as far as it can be read."""
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    if isinstance(body, dict):
        return str(body.get("error", "")), str(body.get("message", body.get("detail", "")))
    return "", str(body)[:200]


class ApiClient:
    """Reads the API's JSON with retries; one per adapter instance."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float,
        max_retries: int,
        requests_per_minute: int,
        backoff: float,
        max_retry_after: float,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            follow_redirects=False,
        )
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.budget = RequestBudget(requests_per_minute)
        self.stats = CallStats()
        self._jitter = random.Random()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    def _delay(self, attempt: int) -> float:
        return float(min(60.0, self.backoff * 2.0**attempt) * self._jitter.uniform(0.5, 1.0))

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON object at ``path``, retried as needed; ``ApiError`` when it cannot be had."""
        problem = _("no attempt made")
        rate_limited = False
        wait: float | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                self.stats.retries += 1
            await self.budget.acquire()
            self.stats.requests += 1
            started = time.monotonic()
            wait = None
            try:
                response = await self._http.get(path, params=params)
            except httpx.TimeoutException:
                self.stats.timeouts += 1
                self.stats.slowest = max(self.stats.slowest, time.monotonic() - started)
                problem = _("no answer within {seconds:g} s").format(seconds=self.timeout)
                rate_limited = False
            except httpx.TransportError as exc:
                problem = _("cannot reach the API: {error}").format(error=exc or type(exc).__name__)
                rate_limited = False
            else:
                self.stats.slowest = max(self.stats.slowest, time.monotonic() - started)
                status = response.status_code
                if status == 200:
                    body = self._body(response)
                    if body is not None:
                        return body
                    problem = _("the answer was not the JSON the API promises")
                    rate_limited = False
                elif status == 401:
                    code, message = _error_text(response)
                    expired = code == "token_expired"
                    raise AuthError(
                        _("the API refused the token: {error}").format(
                            error=message or code or "unauthorized"
                        ),
                        expired=expired,
                    )
                elif status == 429:
                    self.stats.rate_limited += 1
                    wait = _retry_after(response)
                    problem, rate_limited = _("rate limited (HTTP 429)"), True
                    if wait is not None and wait > self.max_retry_after:
                        raise RateLimited(
                            _("rate limited; the API asks to wait {seconds:g} s").format(
                                seconds=wait
                            ),
                            wait=wait,
                        )
                elif status >= 500:
                    code, message = _error_text(response)
                    problem, rate_limited = f"HTTP {status} {message or code}".strip(), False
                else:
                    code, message = _error_text(response)
                    raise ApiError(
                        _("HTTP {status} for {path}: {error}")
                        .format(status=status, path=path, error=message or code)
                        .strip()
                    )
            if attempt < self.max_retries:
                delay = max(wait or 0.0, self._delay(attempt))
                log.debug("%s: %s; retrying in %.2f s", path, problem, delay)
                await asyncio.sleep(delay)
        message = _("{path}: {problem} (after {attempts} attempts)").format(
            path=path, problem=problem, attempts=self.max_retries + 1
        )
        if rate_limited:
            raise RateLimited(message, wait=wait)
        raise ApiError(message)

    @staticmethod
    def _body(response: httpx.Response) -> dict[str, Any] | None:
        try:
            body = json.loads(response.content)
        except ValueError:
            return None
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            return None
        if not isinstance(body.get("server_time"), str):
            return None
        return body

    async def pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Every page of a list, following ``next_cursor`` to the end.

        The next page is requested while the caller stores the current one, so that the
        platform's latency and the database's writes overlap.
        """
        cursor: str | None = None
        pending: asyncio.Task[dict[str, Any]] | None = asyncio.create_task(
            self.get_json(path, params)
        )
        try:
            while pending is not None:
                page = await pending
                pending = None
                following = page.get("next_cursor")
                if following:
                    if not isinstance(following, str) or following == cursor:
                        raise ApiError(
                            _("{path}: the API gave an unusable next_cursor").format(path=path)
                        )
                    cursor = following
                    pending = asyncio.create_task(
                        self.get_json(path, {**params, "cursor": following})
                    )
                yield page
        finally:
            if pending is not None and not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, ApiError):
                    await pending
