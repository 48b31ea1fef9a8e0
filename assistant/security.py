"""The web app's one access policy: hosts, origins, CORS, tokens, sessions, limits, headers.

One pure ASGI middleware guards every route the server has, Gradio's own included:

1. a ``Host`` that is not in ``NEWSQA_TRUSTED_HOSTS`` gets 400 (DNS rebinding);
2. ``/api/``: a request whose ``Origin`` is neither the app's own (from settings, never
   from the request) nor listed in ``NEWSQA_ALLOWED_ORIGINS`` gets 403; CORS preflights
   from allowed origins are answered; bodies over ``NEWSQA_MAX_BODY_BYTES`` get 413; the
   bearer token is checked (401); the client is rate limited (429);
3. everything else (the UI, ``/gradio_api/*``, ``/config``, file and queue routes): a
   state-changing request from a foreign ``Origin`` gets 403, bodies are capped, a file
   reference (Gradio ``FileData``) outside Gradio's upload folder is refused (403), uploads
   need an admin, and once credentials are configured a request needs a session cookie or a
   bearer token (pages redirect to ``/login``, the rest get 401).

Every non-API response gets ``frame-ancestors 'self'`` and ``nosniff`` unless its route set
its own policy (``/embed``).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from assistant.auth import SESSION_COOKIE, SessionSigner, parse_users, session_secret, verify_password
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
# Served to anyone who reaches a trusted host: the sign-in page and the widget's own files
# (the widget authenticates its /api/ calls with its token).
PUBLIC_PATHS = ("/login", "/logout", "/widget.js", "/embed")
PUBLIC_PREFIXES = ("/widget-static/",)
GRADIO_UPLOAD = "/gradio_api/upload"
_LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def normalise_origin(origin: str) -> str:
    """``HTTPS://Host:443/`` -> ``https://host:443``: the form browsers send."""
    return origin.strip().rstrip("/").lower()


def valid_origin(origin: str) -> bool:
    return bool(_ORIGIN.match(origin))


# Gradio user names of callers without credentials: the laptop default's local user (who
# owns the library) and, when only admin credentials exist, an anonymous reader.
LOCAL_ADMIN = "local"
GUEST = "guest"


def ui_is_admin(username: str | None) -> bool:
    """Whether a Gradio user name (``Guard.ui_user``) may change the library."""
    return username == LOCAL_ADMIN or (username or "").startswith("admin:")


def ui_display_name(username: str | None) -> str:
    return (username or "").partition(":")[2] or (username or "")


def inside_folder(path: str, folder: str) -> bool:
    """Whether ``path`` (a local file, after resolving links) lies inside ``folder``."""
    if "://" in path or "\0" in path:
        return False
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real.startswith(base + os.sep)


def is_loopback(host: str) -> bool:
    """True for ``127.0.0.1``, ``::1``, ``localhost``: an address only this machine reaches."""
    host = host.strip().strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """``Example.COM:7860`` -> ``example.com``; ``[::1]:7860`` -> ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def trusted_hosts(settings: Settings) -> list[str]:
    """``NEWSQA_TRUSTED_HOSTS``, or the bound host, ``localhost`` and ``127.0.0.1``."""
    configured = [h.lower() for h in split_list(settings.trusted_hosts)]
    if configured:
        return configured
    bound = settings.host.strip().strip("[]").lower()
    wildcard = bound in ("0.0.0.0", "::", "")
    return list(dict.fromkeys([*([] if wildcard else [bound]), "localhost", "127.0.0.1"]))


def own_origins(settings: Settings, hosts: list[str]) -> set[str]:
    """The origins the app itself is served at: ``NEWSQA_PUBLIC_URL`` and each trusted host
    on the bound port (never derived from a request)."""
    origins = set()
    if settings.public_url:
        scheme, _, rest = settings.public_url.strip().partition("://")
        origins.add(normalise_origin(f"{scheme}://{rest.split('/', 1)[0]}"))
    for host in hosts:
        if "*" in host:
            continue
        shown = f"[{host}]" if ":" in host else host
        origins.add(f"http://{shown}:{settings.port}")
        if settings.port == 80:
            origins.add(f"http://{shown}")
    return origins


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

    def forget(self, key: str) -> None:
        self._hits.pop(key, None)

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
    """Who made a request: a named token (API, admin), a widget token for an origin, or a
    signed-in user (``user``, or ``admin`` for an admin user)."""

    name: str
    kind: str  # "api", "admin", "widget" or "user"

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
        self.users = parse_users(settings.users.get_secret_value())
        self.signer = SessionSigner(
            session_secret(settings.session_secret.get_secret_value(), settings.home), settings.session_ttl
        )
        self.sign_in_limiter = RateLimiter(10, 60)  # failed sign-ins per client IP
        self.trusted_hosts = trusted_hosts(settings)
        self.own_origins = own_origins(settings, self.trusted_hosts)
        self.secure_cookies = settings.public_url.strip().lower().startswith("https://")
        self.loopback = is_loopback(settings.host)
        self.upload_folder: str | None = None  # Gradio's, set when the UI is mounted

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

    def _token_identities(self) -> list[Identity]:
        return [*self._static.values(), *self._file_tokens().values()]

    @property
    def auth_required(self) -> bool:
        """True once an API token, a user or a widget secret exists (admin credentials alone
        guard only the library: reading stays open)."""
        identities = self._token_identities()
        users = self.users.values()
        readers = any(not i.admin for i in identities) or any(not u.admin for u in users)
        return bool(self.widget_secret) or readers

    @property
    def admin_configured(self) -> bool:
        return any(i.admin for i in self._token_identities()) or any(u.admin for u in self.users.values())

    @property
    def credentials_configured(self) -> bool:
        return bool(self.widget_secret or self.users or self._token_identities())

    @property
    def local_admin(self) -> bool:
        """No credential at all and bound to loopback: the laptop default, where whoever
        uses the UI owns the library."""
        return self.loopback and not self.credentials_configured

    def check_bind(self, host: str, allow_anonymous: bool) -> None:
        """Refuse (``ValueError``) to serve a non-loopback address with reading left open."""
        if self.loopback or self.auth_required or allow_anonymous:
            return
        raise ValueError(
            f"NEWSQA_HOST={host} is reachable from other machines, but no API token or user is "
            "configured, so anyone could ask. Configure NEWSQA_API_TOKENS, NEWSQA_USERS or the "
            "token file (python -m assistant.tokens issue NAME), or set NEWSQA_ALLOW_ANONYMOUS=true "
            "to serve reading to anyone on purpose."
        )

    def host_allowed(self, header: str | None) -> bool:
        """Whether a ``Host`` header names a trusted host (``*.example.com`` matches subdomains)."""
        if not header:
            return False
        name = host_name(header)
        for trusted in self.trusted_hosts:
            if trusted == "*" or name == trusted:
                return True
            if trusted.startswith("*.") and name.endswith(trusted[1:]):
                return True
        return False

    def sign_in(self, user: str, secret: str) -> Identity | None:
        """The identity for a user name and password, or (no user name) an API token."""
        user, secret = user.strip(), secret.strip()
        if not secret:
            return None
        if user:
            entry = self.users.get(user)
            if entry is None or not verify_password(secret, entry.password_hash):
                return None
            return Identity(user, "admin" if entry.admin else "user")
        if secret.startswith(WIDGET_PREFIX):
            return None
        digest = hash_token(secret)
        return self._static.get(digest) or self._file_tokens().get(digest)

    def session_cookie(self, identity: Identity) -> tuple[str, int]:
        """A signed session cookie value for ``identity`` and its expiry."""
        source = "user" if identity.kind in ("user",) or identity.name in self.users else "token"
        return self.signer.issue(identity.name, source)

    def session(self, cookie: str | None) -> Identity | None:
        """The identity of a valid session cookie whose user or token still exists."""
        session = self.signer.read(cookie)
        if session is None:
            return None
        if session.kind == "user":
            entry = self.users.get(session.name)
            return Identity(entry.name, "admin" if entry.admin else "user") if entry else None
        return next((i for i in self._token_identities() if i.name == session.name), None)

    def ui_admin(self, identity: Identity | None) -> bool:
        """Whether the UI lets this identity change the library."""
        return self.local_admin or (identity is not None and identity.admin)

    def file_allowed(self, path: str) -> bool:
        """Whether a client may name this file: only uploads in Gradio's upload folder."""
        return self.upload_folder is not None and inside_folder(path, self.upload_folder)

    def ui_user(self, identity: Identity | None) -> str | None:
        """The user name Gradio sees for a request (its ``gr.Request.username``); None: refused."""
        if identity is not None:
            return f"{identity.kind}:{identity.name}"
        if self.local_admin:
            return LOCAL_ADMIN
        return None if self.auth_required else GUEST

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

    def origin_allowed(self, origin: str) -> bool:
        return origin in self.own_origins or origin in self.allowed_origins

    def request_origin(self, scope: Scope) -> str | None:
        """The app's own origin that a (trusted-host) request was made to, if it is one."""
        origin = normalise_origin(f"{scope.get('scheme', 'http')}://{_header(scope, b'host') or ''}")
        if origin in self.own_origins:
            return origin
        return next(iter(sorted(o for o in self.own_origins if o.startswith("https://"))), None)

    def frame_ancestors(self) -> str:
        return " ".join(["'self'", *sorted(self.allowed_origins)])


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


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
    """Pure ASGI middleware (streams pass through unbuffered) applying ``Guard`` to every route."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if not self.guard.host_allowed(_header(scope, b"host")):
            log.warning("refused %s %s for Host %r", scope.get("method", "WS"), scope["path"],
                        _header(scope, b"host"))
            await _refuse(scope, send, 400, "this host name is not served here (see NEWSQA_TRUSTED_HOSTS)")
            return
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        elif scope["path"].startswith(API_PREFIX) or scope["path"] == "/api":
            await self._api(scope, receive, send)
        else:
            await self._ui(scope, receive, send)

    def _caller(self, scope: Scope) -> tuple[Identity | None, bool]:
        """(identity, whether a credential was sent and refused) from a bearer token or a
        session cookie."""
        token = _bearer(scope)
        if token and not token.startswith(WIDGET_PREFIX):
            try:
                return self.guard.identify(token, None), False
            except AuthError:
                return None, True
        cookie = _cookie(scope, SESSION_COOKIE)
        identity = self.guard.session(cookie)
        return identity, bool(cookie) and identity is None

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_origin = _header(scope, b"origin")
        identity, _ = self._caller(scope)
        foreign = raw_origin and normalise_origin(raw_origin) not in self.guard.own_origins
        if foreign or (self.guard.auth_required and identity is None):
            await send({"type": "websocket.close", "code": 1008})
            return
        scope.setdefault("state", {}).update(identity=identity)
        await self.app(scope, receive, send)

    async def _ui(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The UI and Gradio's routes: same-origin writes, capped bodies, uploaded files only,
        a session or token once credentials exist, uploads for admins."""
        guard, path, method = self.guard, scope["path"], scope["method"]
        send = _with_headers(send, _page_headers)
        client = (scope.get("client") or ("unknown", 0))[0]
        unsafe = method not in ("GET", "HEAD", "OPTIONS")
        raw_origin = _header(scope, b"origin")
        if unsafe and raw_origin and normalise_origin(raw_origin) not in guard.own_origins:
            log.warning("refused %s %s from origin %s", method, path, raw_origin)
            await send_json(send, 403, {"error": f"origin {raw_origin} may not use this app"})
            return
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            if unsafe:  # the sign-in form: capped like every other body
                body = await _read_body(scope, receive, min(guard.max_body, 65_536))
                if body is None:
                    await send_json(send, 413, {"error": "the request body is too large"})
                    return
                receive = _replay(body, receive)
            scope.setdefault("state", {}).update(client=client)
            await self.app(scope, receive, send)
            return
        identity, refused = self._caller(scope)
        if guard.auth_required and identity is None:
            if method in ("GET", "HEAD") and _wants_page(scope):
                query = scope.get("query_string", b"").decode("latin-1")
                target = path + (f"?{query}" if query else "")
                location = "/login?next=" + quote(target, safe="/") + ("&expired=1" if refused else "")
                await _redirect(send, location)
                return
            message = "sign in first"
            if refused:
                message = "your session has expired or is not valid: sign in again"
            challenge = [(b"www-authenticate", b'Bearer realm="newsqa"')]
            await send_json(send, 401, {"error": message}, challenge)
            return
        if path.startswith(GRADIO_UPLOAD) and unsafe and not guard.ui_admin(identity):
            who = identity.name if identity else "anonymous"
            log.warning("refused an upload from %s (%s): not an admin", client, who)
            await send_json(send, 403, {"error": "only an admin may upload files"})
            return
        if unsafe:
            body = await _read_body(scope, receive, guard.max_body)
            if body is None:
                message = f"the request body is larger than {guard.max_body:,} bytes"
                await send_json(send, 413, {"error": message})
                return
            if not path.startswith(GRADIO_UPLOAD):
                refused_path = _foreign_file(body, guard)
                if refused_path is not None:
                    log.warning("refused a file reference to %r from %s (%s)", refused_path, client,
                                identity.name if identity else "anonymous")
                    await send_json(send, 403, {"error": "files must be uploaded through this page; "
                                                         "a server path or URL is not accepted"})
                    return
            receive = _replay(body, receive)
        scope.setdefault("state", {}).update(identity=identity, client=client)
        await self.app(scope, receive, send)

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        guard = self.guard
        raw_origin = _header(scope, b"origin")
        origin = normalise_origin(raw_origin) if raw_origin else None
        if origin and not guard.origin_allowed(origin):
            # Refused, but readable: the CORS headers only let the page's script read why
            # (the widget shows the reason instead of "Failed to fetch"); the preflight is let
            # through so that the browser sends the request that gets this 403.
            log.info("refused %s %s from origin %s", scope["method"], scope["path"], origin)
            readable = _cors_headers(origin)
            if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
                await send({"type": "http.response.start", "status": 204,
                            "headers": readable + _PREFLIGHT})
                await send({"type": "http.response.body", "body": b""})
                return
            message = f"origin {origin} is not allowed to use this API (see NEWSQA_ALLOWED_ORIGINS)"
            await send_json(send, 403, {"error": message}, readable)
            return
        cors = _cors_headers(origin) if origin and origin in guard.allowed_origins else []
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
            await send({"type": "http.response.start", "status": 204, "headers": cors + _PREFLIGHT})
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
        token_origin = origin or (guard.request_origin(scope) if same_site else None)
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


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 - a malformed Cookie header carries no session
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def _wants_page(scope: Scope) -> bool:
    """A browser navigating to a page (rather than a script fetching data)."""
    if _header(scope, b"sec-fetch-mode") == "navigate":
        return True
    return "text/html" in (_header(scope, b"accept") or "")


async def _redirect(send: Send, location: str) -> None:
    headers = [(b"location", location.encode("latin-1")), (b"content-length", b"0"),
               (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
    else:
        await send_json(send, status, {"error": message})


def _foreign_file(body: bytes, guard: Guard) -> str | None:
    """The first file path in a JSON body that the client may not name (a Gradio ``FileData``
    anywhere in it), or None. ``FileData`` without its ``meta`` is never moved by Gradio;
    the UI's own functions check those paths themselves."""
    if b'"path"' not in body or b"gradio.FileData" not in body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            path = item.get("path")
            meta = item.get("meta")
            is_file = isinstance(meta, dict) and meta.get("_type") == "gradio.FileData"
            if is_file and (not isinstance(path, str) or not guard.file_allowed(path)):
                return path
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


_PREFLIGHT = [
    (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
    (b"access-control-allow-headers", b"authorization, content-type"),
    (b"access-control-max-age", b"600"),
    (b"content-length", b"0"),
]


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
