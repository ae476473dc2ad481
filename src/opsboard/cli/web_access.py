"""Who may use `opsboard serve`: a secret token or password, checked on every request.

The secret is a random token printed once when the server starts (``/?token=…``, as a
notebook server does) or a password from ``OPSBOARD_SERVE_PASSWORD``. A browser that brings
it once gets a cookie derived from it, so the page's own requests (scripts, the websocket)
need no token in their URLs. Every comparison is constant-time; the secret itself is never
logged (the access log writes paths without their query).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import os
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from opsboard.errors import UsageError
from opsboard.i18n import _
from opsboard.text import inert

#: The environment variable holding a password to use instead of a random token.
PASSWORD_ENV = "OPSBOARD_SERVE_PASSWORD"

_QUERY_NAME = "token"


def _digest(value: str) -> bytes:
    # Equal-length digests: compare_digest then leaks not even the length of the secret.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class Gate:
    """The secret of one server, and the checks of every request against it."""

    secret: str
    #: True when the secret is the operator's password (never printed), not a random token.
    from_password: bool
    #: The cookie's name carries the port: browsers share cookies across ports of a host.
    cookie_name: str

    @classmethod
    def for_server(cls, port: int) -> Gate:
        """The password from the environment if set (then removed from it), else a token."""
        password = os.environ.pop(PASSWORD_ENV, None)
        name = f"opsboard_serve_{port}"
        if password is None:
            return cls(secrets.token_urlsafe(32), from_password=False, cookie_name=name)
        if not password.strip():
            raise UsageError(
                _("{variable} is set but empty").format(variable=PASSWORD_ENV),
                hint=_("set a password in it, or unset it to get a random token printed"),
            )
        return cls(password, from_password=True, cookie_name=name)

    @property
    def cookie_value(self) -> str:
        """What the browser keeps: derived from the secret, never the secret itself."""
        return hmac.new(self.secret.encode(), b"opsboard serve session", "sha256").hexdigest()

    def _matches(self, offered: str | None) -> bool:
        if offered is None:
            return False
        return hmac.compare_digest(_digest(offered), _digest(self.secret))

    def token_in_query(self, request: web.Request) -> bool:
        """True when the URL carries the right ``?token=``."""
        return self._matches(request.query.get(_QUERY_NAME))

    def allows(self, request: web.Request) -> bool:
        """The token in the query, the cookie, or the secret as a Bearer or Basic password."""
        if self.token_in_query(request):
            return True
        cookie = request.cookies.get(self.cookie_name)
        if cookie is not None and hmac.compare_digest(_digest(cookie), _digest(self.cookie_value)):
            return True
        return self._matches(_offered_credential(request.headers.get("Authorization", "")))


def _offered_credential(header: str) -> str | None:
    scheme, _space, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]  # any user name: the password is what counts
    return None


def is_https(request: web.Request) -> bool:
    """True when the browser reached us over TLS, directly or through a proxy that says so."""
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return request.secure or forwarded == "https"


def origin_allowed(request: web.Request, public_url: str | None) -> bool:
    """A websocket from another site's page is refused even if the browser sent a cookie."""
    origin = request.headers.get("Origin")
    if origin is None:  # not a browser: the token or the cookie alone decides
        return True
    netloc = urlsplit(origin).netloc.lower()
    allowed = {request.host.lower()}
    if public_url is not None:
        allowed.add(urlsplit(public_url).netloc.lower())
    return netloc in allowed


def page(status: int, title: str, text: str, **headers: str) -> web.Response:
    """A small self-contained HTML page (it loads nothing: the caller may not be let in)."""
    body = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>opsboard: {html.escape(title)}</title></head>"
        "<body style='font-family:monospace;background:#0c181f;color:#eee;padding:2em'>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )
    return web.Response(
        status=status,
        text=body,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", **headers},
    )


def refused(gate: Gate) -> web.Response:
    """401: what to bring, without a word of the secret."""
    if gate.from_password:
        # The browser asks for it: any user name, the password of OPSBOARD_SERVE_PASSWORD.
        return page(
            401,
            _("sign in"),
            _(
                "This dashboard needs the password set in {variable} where `opsboard serve` "
                "runs (any user name)."
            ).format(variable=PASSWORD_ENV),
            **{"WWW-Authenticate": 'Basic realm="opsboard", charset="UTF-8"'},
        )
    return page(
        401,
        _("token needed"),
        _(
            "This dashboard needs its token: open the address `opsboard serve` printed when it "
            "started (it ends in ?token=…)."
        ),
    )


class PathOnlyAccessLogger(AbstractAccessLogger):
    """One line per request: method, path without its query (it may hold the token), status."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write the line."""
        self.logger.info(
            "%s %s %s %.0fms",
            inert(request.method),
            inert(request.path),
            response.status,
            time * 1000,
        )
