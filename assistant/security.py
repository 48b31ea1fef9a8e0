"""Intranet security for the web app: origins, CORS, tokens, rate limits, body size, headers.

One pure ASGI middleware guards ``/api/``, in this order: a request whose ``Origin`` is
neither the app's own nor listed in ``NEWSQA_ALLOWED_ORIGINS`` gets 403 (deny by default);
CORS preflights from allowed origins are answered; bodies larger than
``NEWSQA_MAX_BODY_BYTES`` get 413 (counted on the raw bytes, chunked bodies included, before
anything parses them); the bearer token is checked (401); the client is rate limited (429).
Every other response gets ``frame-ancestors 'self'`` and ``nosniff`` unless its route set
its own policy (``/embed``).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from assistant.settings import Settings
from assistant.tokens import (
    WIDGET_PREFIX,
    TokenEntry,
    check_widget_token,
    hash_token,
    read_token_file,
    token_file_path,
)

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/api/"
_WINDOWS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_ORIGIN = re.compile(r"^https?://[a-z0-9.\-\[\]:]+$")


def split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def normalise_origin(origin: str) -> str:
    """``HTTPS://Host:443/`` -> ``https://host:443``: the form browsers send."""
    return origin.strip().rstrip("/").lower()


def valid_origin(origin: str) -> bool:
    return bool(_ORIGIN.match(origin))


def parse_rate(text: str) -> tuple[int, int] | None:
    """``"30/minute"`` -> (30, 60); ``"0"``/``"none"``/``"off"`` -> None (no limit)."""
    text = text.strip().lower()
    if text in ("", "0", "none", "off"):
        return None
    count, _, unit = (part.strip() for part in text.partition("/"))
    if not count.isdigit() or unit not in _WINDOWS:
        raise ValueError(f"rate limit {text!r}: expected N/second, N/minute, N/hour or N/day")
    return (int(count), _WINDOWS[unit]) if int(count) > 0 else None


class RateLimiter:
    """Sliding-window counter per key, in memory (one process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str, now: float | None = None) -> float | None:
        """Count a request; None if allowed, else the seconds until one is allowed again."""
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window - now
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle clients
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
        return None


@dataclass(frozen=True)
class Identity:
    """Who made a request: a named token (API, admin) or a widget token for an origin."""

    name: str
    kind: str  # "api", "admin" or "widget"

    @property
    def admin(self) -> bool:
        return self.kind == "admin"


class AuthError(Exception):
    """A request whose credentials are refused; ``status`` is 401 or 403."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class Guard:
    """The security configuration, built from settings; decides who a token belongs to."""

    def __init__(self, settings: Settings) -> None:
        self.allowed_origins = {normalise_origin(o) for o in split_list(settings.allowed_origins)}
        bad = sorted(o for o in self.allowed_origins if not valid_origin(o))
        if bad:
            listed = ", ".join(bad)
            raise ValueError(f"NEWSQA_ALLOWED_ORIGINS: not an origin (scheme://host[:port]): {listed}")
        self._static: dict[str, Identity] = {}
        for n, token in enumerate(split_list(settings.api_tokens.get_secret_value()), 1):
            self._static[hash_token(token)] = Identity(f"token{n}", "api")
        for n, token in enumerate(split_list(settings.admin_tokens.get_secret_value()), 1):
            self._static[hash_token(token)] = Identity(f"admin{n}", "admin")
        self.token_file = token_file_path(settings.api_token_file, settings.home)
        self._file_stamp: tuple[float, int] | None = None
        self._file_entries: dict[str, Identity] = {}
        self.widget_secret = settings.widget_secret.get_secret_value()
        self.widget_ttl = settings.widget_token_ttl
        rate = parse_rate(settings.rate_limit)
        self.limiter = RateLimiter(*rate) if rate else None
        self.max_body = settings.max_body_bytes

    def _file_tokens(self) -> dict[str, Identity]:
        """The token file's entries, re-read whenever the file changes (revocation is live)."""
        try:
            stat = self.token_file.stat()
            stamp = (stat.st_mtime, stat.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._file_stamp:
            entries: list[TokenEntry] = read_token_file(self.token_file) if stamp else []
            self._file_entries = {e.digest: Identity(e.name, "admin" if e.admin else "api") for e in entries}
            self._file_stamp = stamp
        return self._file_entries

    @property
    def auth_required(self) -> bool:
        """True once an API token or a widget secret exists (admin tokens alone guard only admin routes)."""
        identities = [*self._static.values(), *self._file_tokens().values()]
        return bool(self.widget_secret) or any(not i.admin for i in identities)

    @property
    def admin_configured(self) -> bool:
        return any(i.admin for i in [*self._static.values(), *self._file_tokens().values()])

    def identify(self, token: str | None, origin: str | None) -> Identity | None:
        """The identity of a bearer token (None without one); raises ``AuthError`` if refused."""
        if not token:
            if self.auth_required:
                raise AuthError("an API token is required: send 'Authorization: Bearer <token>'")
            return None
        if token.startswith(WIDGET_PREFIX) and self.widget_secret:
            problem = check_widget_token(token, self.widget_secret, origin, self.widget_ttl)
            if problem:
                raise AuthError(problem)
            return Identity(f"widget:{origin}", "widget")
        digest = hash_token(token)
        identity = self._static.get(digest) or self._file_tokens().get(digest)
        if identity is None:
            raise AuthError("the API token is not valid")
        return identity

    def origin_allowed(self, origin: str, own: str) -> bool:
        return origin == own or origin in self.allowed_origins

    def frame_ancestors(self) -> str:
        return " ".join(["'self'", *sorted(self.allowed_origins)])


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def own_origin(scope: Scope) -> str:
    host = _header(scope, b"host") or ""
    return normalise_origin(f"{scope.get('scheme', 'http')}://{host}")


def _bearer(scope: Scope) -> str | None:
    value = _header(scope, b"authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def send_json(send: Send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    base = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": base + list(headers)})
    await send({"type": "http.response.body", "body": payload})


class SecurityMiddleware:
    """Pure ASGI middleware (streams pass through unbuffered) applying ``Guard`` to ``/api/``."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["path"].startswith(API_PREFIX) or scope["path"] == "/api":
            await self._api(scope, receive, send)
        else:
            await self.app(scope, receive, _with_headers(send, _page_headers))

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        guard = self.guard
        raw_origin = _header(scope, b"origin")
        origin = normalise_origin(raw_origin) if raw_origin else None
        if origin and not guard.origin_allowed(origin, own_origin(scope)):
            log.info("refused %s %s from origin %s", scope["method"], scope["path"], origin)
            message = f"origin {origin} is not allowed to use this API (see NEWSQA_ALLOWED_ORIGINS)"
            await send_json(send, 403, {"error": message})
            return
        cors = _cors_headers(origin) if origin and origin in guard.allowed_origins else []
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
            preflight = [
                (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
                (b"access-control-allow-headers", b"authorization, content-type"),
                (b"access-control-max-age", b"600"),
                (b"content-length", b"0"),
            ]
            await send({"type": "http.response.start", "status": 204, "headers": cors + preflight})
            await send({"type": "http.response.body", "body": b""})
            return
        if scope["method"] not in ("GET", "HEAD"):
            body = await _read_body(scope, receive, guard.max_body)
            if body is None:
                limit = f"{guard.max_body:,} bytes"
                await send_json(send, 413, {"error": f"the request body is larger than {limit}"}, cors)
                return
            receive = _replay(body, receive)
        client = (scope.get("client") or ("unknown", 0))[0]
        # Browsers omit Origin on same-origin GETs but say so in Sec-Fetch-Site (the /embed page).
        same_site = _header(scope, b"sec-fetch-site") == "same-origin"
        token_origin = origin or (own_origin(scope) if same_site else None)
        try:
            identity, auth_error = guard.identify(_bearer(scope), token_origin), None
        except AuthError as exc:
            identity, auth_error = None, exc
        if guard.limiter is not None:
            key = f"ip:{client}" if identity is None else identity.name
            if identity is not None and identity.kind == "widget":
                key += f"|{client}"
            retry = guard.limiter.hit(key)
            if retry is not None:
                seconds = max(1, int(retry + 0.999))
                message = f"too many requests; try again in {seconds} s"
                retry_after = (b"retry-after", str(seconds).encode())
                await send_json(send, 429, {"error": message}, [*cors, retry_after])
                return
        if auth_error is not None:
            extra = [(b"www-authenticate", b'Bearer realm="newsqa"')] if auth_error.status == 401 else []
            await send_json(send, auth_error.status, {"error": str(auth_error)}, cors + extra)
            return
        state = scope.setdefault("state", {})
        state.update(identity=identity, origin=origin, client=client)
        api_headers = [*(cors or [(b"vary", b"Origin")]), (b"x-content-type-options", b"nosniff"),
                       (b"cache-control", b"no-store")]
        await self.app(scope, receive, _with_headers(send, lambda _: api_headers))


def _cors_headers(origin: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-expose-headers", b"retry-after"),
        (b"vary", b"Origin"),
    ]


def _page_headers(existing: set[bytes]) -> list[tuple[bytes, bytes]]:
    headers = [(b"x-content-type-options", b"nosniff")]
    if b"content-security-policy" not in existing:
        headers.append((b"content-security-policy", b"frame-ancestors 'self'"))
    return headers


def _with_headers(send: Send, extra: Callable[[set[bytes]], list[tuple[bytes, bytes]]]) -> Send:
    """``send`` that adds headers to the response start (without duplicating existing ones)."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            existing = {k.lower() for k, _ in headers}
            headers += [(k, v) for k, v in extra(existing) if k not in existing or k == b"vary"]
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it exceeds ``limit`` bytes."""
    declared = _header(scope, b"content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the buffered body once, then waits on the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
