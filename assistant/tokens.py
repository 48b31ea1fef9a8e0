"""API tokens: the hashed token file, short-lived widget tokens, and their command line.

``python -m assistant.tokens issue NAME [--admin]`` prints a new token once and stores only
its sha256 hash; ``revoke NAME`` and ``list`` manage the file (``NEWSQA_API_TOKEN_FILE``,
by default ``NEWSQA_HOME/api-tokens.txt``). A line is ``HASH [NAME] [admin] [CREATED]``.
``password NAME [--admin]`` prints a ``NEWSQA_USERS`` entry for a user of the web UI.

A widget token is ``w1.<expiry>.<hex HMAC-SHA256(secret, "<origin>|<expiry>")>``: an
intranet backend mints one for the page's origin, and it is accepted only from that origin
and before its expiry (a Unix time in seconds).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WIDGET_PREFIX = "w1."


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenEntry:
    """One stored token: its hash, a name for logs and revocation, and whether it is admin."""

    digest: str
    name: str
    admin: bool = False
    created: str = ""

    def line(self) -> str:
        role = "admin" if self.admin else "user"
        return " ".join(filter(None, [self.digest, self.name, role, self.created]))


def token_file_path(setting: str, home: Path) -> Path:
    return Path(setting).expanduser() if setting else home / "api-tokens.txt"


def read_token_file(path: Path) -> list[TokenEntry]:
    """Entries of a token file (missing file: none); blank lines and ``#`` comments skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for n, line in enumerate(lines, 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        digest = fields[0].lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"{path}:{n}: expected a sha256 hex digest, got {fields[0][:20]!r}")
        name = fields[1] if len(fields) > 1 else f"line{n}"
        created = fields[3] if len(fields) > 3 else ""
        entries.append(TokenEntry(digest, name, "admin" in fields[2:3], created))
    return entries


def _write_token_file(path: Path, entries: list[TokenEntry]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    header = "# sha256 name role created  (managed by python -m assistant.tokens)\n"
    tmp.write_text(header + "".join(e.line() + "\n" for e in entries), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def issue(path: Path, name: str, admin: bool = False) -> str:
    """Store a new token's hash under ``name`` and return the token (shown only once)."""
    if not name or any(c.isspace() or c == "#" for c in name):
        raise ValueError("a token name must be one word without '#'")
    entries = read_token_file(path)
    if any(e.name == name for e in entries):
        raise ValueError(f"a token named {name!r} exists; revoke it first")
    token = "nqa_" + secrets.token_urlsafe(32)
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _write_token_file(path, [*entries, TokenEntry(hash_token(token), name, admin, created)])
    return token


def revoke(path: Path, name: str) -> bool:
    """Remove the tokens named ``name``; False if there was none."""
    entries = read_token_file(path)
    kept = [e for e in entries if e.name != name]
    if len(kept) == len(entries):
        return False
    _write_token_file(path, kept)
    return True


def widget_signature(secret: str, origin: str, expiry: int) -> str:
    return hmac.new(secret.encode("utf-8"), f"{origin}|{expiry}".encode(), hashlib.sha256).hexdigest()


def mint_widget_token(secret: str, origin: str, ttl: int, now: float | None = None) -> tuple[str, int]:
    """A widget token for ``origin`` valid for ``ttl`` seconds, and its expiry."""
    expiry = int(now if now is not None else time.time()) + ttl
    return f"{WIDGET_PREFIX}{expiry}.{widget_signature(secret, origin, expiry)}", expiry


def check_widget_token(
    token: str, secret: str, origin: str | None, max_ttl: int, now: float | None = None
) -> str | None:
    """None when ``token`` is valid from ``origin`` now, else why it is refused."""
    try:
        expiry_text, signature = token[len(WIDGET_PREFIX) :].split(".", 1)
        expiry = int(expiry_text)
    except ValueError:
        return "malformed widget token"
    if not origin:
        return "a widget token is only accepted with an Origin header"
    if not hmac.compare_digest(signature, widget_signature(secret, origin, expiry)):
        return "widget token is not valid for this origin"
    now = time.time() if now is None else now
    if expiry < now:
        return "widget token has expired"
    if expiry > now + max_ttl + 60:  # a minute of clock skew
        return f"widget token lives longer than NEWSQA_WIDGET_TOKEN_TTL ({max_ttl} s)"
    return None


def _password_entry(name: str, admin: bool) -> int:
    """Ask for a password twice (or read one line from a pipe); print ``NAME:HASH[:admin]``."""
    import getpass

    from assistant.auth import hash_password

    if not name or any(c in name for c in ",: \t#"):
        print("error: a user name must be one word without ',', ':' or '#'", file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != password:
            print("error: the passwords differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        print("error: use a password of at least 8 characters", file=sys.stderr)
        return 2
    print(f"{name}:{hash_password(password)}{':admin' if admin else ''}")
    print("add this entry to NEWSQA_USERS (comma-separated, in single quotes in a shell)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    from assistant.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m assistant.tokens", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("issue", help="create a token, print it once, store its hash")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may also upload and delete articles")
    rm = sub.add_parser("revoke", help="remove the token with this name")
    rm.add_argument("name")
    sub.add_parser("list", help="names and roles of the stored tokens")
    pw = sub.add_parser("password", help="a NEWSQA_USERS entry for a user who signs in with a password")
    pw.add_argument("name")
    pw.add_argument("--admin", action="store_true", help="may also change the library in the web UI")
    args = parser.parse_args(argv)
    if args.command == "password":
        return _password_entry(args.name, args.admin)
    settings = get_settings()
    path = token_file_path(settings.api_token_file, settings.home)
    try:
        if args.command == "issue":
            print(issue(path, args.name, args.admin))
            print(f"stored the hash of {args.name!r} in {path}; it is not shown again", file=sys.stderr)
        elif args.command == "revoke":
            if not revoke(path, args.name):
                print(f"no token named {args.name!r} in {path}", file=sys.stderr)
                return 1
            print(f"revoked {args.name}")
        else:
            for e in read_token_file(path):
                print("\t".join([e.name, "admin" if e.admin else "user", e.created or "-"]))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
