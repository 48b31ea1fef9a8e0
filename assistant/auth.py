"""Sign-in for the web UI: user passwords, signed session cookies, and their command line.

A user is ``NAME:pbkdf2_sha256$ITERATIONS$SALT$HASH[:admin]`` in ``NEWSQA_USERS`` (made by
``python -m assistant.tokens password NAME [--admin]``); API tokens sign in too. A session
is a cookie ``newsqa_session=<payload>.<HMAC-SHA256>`` whose payload names the identity and
its expiry; the server keeps no session table, and an identity whose token or user is
removed loses its sessions at once (the name is looked up on every request).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

SESSION_COOKIE = "newsqa_session"
_SCHEME = "pbkdf2_sha256"
_ITERATIONS = 200_000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, iterations: int = _ITERATIONS) -> str:
    """``pbkdf2_sha256$ITERATIONS$SALT$HASH`` (salt and hash URL-safe base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{_SCHEME}${iterations}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, iterations, salt, digest = encoded.split("$")
        if scheme != _SCHEME:
            return False
        expected = _unb64(digest)
        found = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), _unb64(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, expected)


@dataclass(frozen=True)
class User:
    """A user who signs in with a password."""

    name: str
    password_hash: str
    admin: bool = False


def parse_users(text: str) -> dict[str, User]:
    """Users of ``NEWSQA_USERS``: comma-separated ``NAME:HASH[:admin]`` entries."""
    users: dict[str, User] = {}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        parts = entry.split(":")
        if len(parts) not in (2, 3) or not parts[0] or not parts[1].startswith(_SCHEME + "$"):
            shown = parts[0] if parts and parts[0] else entry[:12]
            raise ValueError(
                f"NEWSQA_USERS: entry {shown!r} is not NAME:{_SCHEME}$…[:admin] "
                "(make one with `python -m assistant.tokens password NAME`)"
            )
        if len(parts) == 3 and parts[2] not in ("admin", "user"):
            raise ValueError(f"NEWSQA_USERS: the role of {parts[0]!r} must be 'admin' or 'user'")
        users[parts[0]] = User(parts[0], parts[1], len(parts) == 3 and parts[2] == "admin")
    return users


@dataclass(frozen=True)
class Session:
    """What a valid session cookie says: who, how they signed in, until when."""

    name: str
    kind: str  # "user" (password), or the token's kind: "api" / "admin"
    expires: int


class SessionSigner:
    """Signs and reads session cookie values (HMAC-SHA256 with the session secret)."""

    def __init__(self, secret: bytes, ttl: int) -> None:
        self._secret = secret
        self.ttl = ttl

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self, name: str, kind: str, now: float | None = None) -> tuple[str, int]:
        """A cookie value for ``name`` and its expiry (Unix seconds)."""
        expires = int(now if now is not None else time.time()) + self.ttl
        body = json.dumps({"n": name, "k": kind, "e": expires, "r": _b64(secrets.token_bytes(8))})
        payload = _b64(body.encode("utf-8"))
        return f"{payload}.{self._sign(payload)}", expires

    def read(self, value: str | None, now: float | None = None) -> Session | None:
        """The session of a cookie value; None when missing, forged, malformed or expired."""
        if not value or value.count(".") != 1:
            return None
        payload, signature = value.split(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
            session = Session(str(data["n"]), str(data["k"]), int(data["e"]))
        except (ValueError, KeyError, TypeError):
            return None
        now = time.time() if now is None else now
        if session.expires <= now or session.expires > now + self.ttl + 60:
            return None
        return session


def session_secret(configured: str, home: Path) -> bytes:
    """``NEWSQA_SESSION_SECRET``, else a random key kept in ``home/session-secret`` (0600),
    so sessions survive a restart and are shared by processes on one home."""
    if configured:
        return configured.encode("utf-8")
    path = home / "session-secret"
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        pass
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex())
    try:
        os.link(tmp, path)  # the first process to write it wins; others read its key
    except FileExistsError:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    finally:
        tmp.unlink(missing_ok=True)
    return key
