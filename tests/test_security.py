"""Security building blocks without a server: tokens, the token file, widget tokens, rate limits.

``tests/test_api.py`` checks the same rules end to end through the running app.
"""

from __future__ import annotations

import hashlib

import pytest

from assistant.auth import SessionSigner, hash_password, parse_users, verify_password
from assistant.security import AuthError, Guard, RateLimiter, host_name, is_loopback, parse_rate
from assistant.settings import Settings
from assistant.tokens import check_widget_token, issue, mint_widget_token, read_token_file, revoke

ORIGIN = "https://intranet.example.com"


def test_rate_limits_parse_and_slide():
    assert parse_rate("30/minute") == (30, 60) and parse_rate(" 5 / second ") == (5, 1)
    assert parse_rate("0") is None and parse_rate("none") is None
    with pytest.raises(ValueError):
        parse_rate("30 per minute")
    limiter = RateLimiter(2, 60)
    assert limiter.hit("a", now=0) is None and limiter.hit("a", now=10) is None
    assert limiter.hit("a", now=20) == pytest.approx(40)  # the first hit leaves the window at 60
    assert limiter.hit("b", now=20) is None  # per key
    assert limiter.hit("a", now=60.5) is None


def test_token_file_keeps_only_hashes(tmp_path):
    path = tmp_path / "tokens.txt"
    user = issue(path, "reporting")
    admin = issue(path, "editor", admin=True)
    text = path.read_text()
    assert user not in text and admin not in text and hashlib.sha256(user.encode()).hexdigest() in text
    with pytest.raises(ValueError, match="exists"):
        issue(path, "reporting")
    entries = {e.name: e for e in read_token_file(path)}
    assert not entries["reporting"].admin and entries["editor"].admin
    assert revoke(path, "reporting") and not revoke(path, "reporting")
    assert [e.name for e in read_token_file(path)] == ["editor"]
    # A bare hash per line is a valid file too.
    bare = tmp_path / "bare.txt"
    bare.write_text(hashlib.sha256(b"t").hexdigest() + "\n# comment\n\n")
    assert [e.name for e in read_token_file(bare)] == ["line1"]
    bare.write_text("not-a-hash name\n")
    with pytest.raises(ValueError, match="sha256"):
        read_token_file(bare)


def test_widget_tokens_are_bound_to_origin_and_expiry():
    token, expiry = mint_widget_token("s", ORIGIN, 600, now=1_000_000)
    assert token.startswith(f"w1.{expiry}.") and expiry == 1_000_600
    assert check_widget_token(token, "s", ORIGIN, 3600, now=1_000_001) is None
    assert "expired" in check_widget_token(token, "s", ORIGIN, 3600, now=1_000_601)
    assert "origin" in check_widget_token(token, "s", "https://evil.example", 3600, now=1_000_001)
    assert "Origin header" in check_widget_token(token, "s", None, 3600, now=1_000_001)
    assert "not valid" in check_widget_token(token, "other secret", ORIGIN, 3600, now=1_000_001)
    assert "longer" in check_widget_token(token, "s", ORIGIN, 60, now=1_000_001)
    assert "malformed" in check_widget_token("w1.soon.abc", "s", ORIGIN, 3600)


def test_guard_roles(tmp_path):
    open_guard = Guard(Settings(home=tmp_path))
    assert not open_guard.auth_required and not open_guard.admin_configured
    assert open_guard.identify(None, None) is None

    admin_only = Guard(Settings(home=tmp_path, admin_tokens="root-token"))
    assert admin_only.admin_configured and not admin_only.auth_required  # reads stay open
    assert admin_only.identify("root-token", None).admin

    locked = Guard(Settings(home=tmp_path, api_tokens="a,b", widget_secret="s", allowed_origins=ORIGIN + "/"))
    assert locked.auth_required and not locked.admin_configured
    assert locked.identify("b", None).name == "token2"
    with pytest.raises(AuthError, match="required"):
        locked.identify(None, ORIGIN)
    with pytest.raises(AuthError, match="not valid"):
        locked.identify("c", None)
    widget, _ = mint_widget_token("s", ORIGIN, 600)
    assert locked.identify(widget, ORIGIN).kind == "widget"
    assert locked.origin_allowed(ORIGIN) and locked.origin_allowed("http://127.0.0.1:7860")
    assert not locked.origin_allowed("http://evil.example:7860")
    assert locked.frame_ancestors() == f"'self' {ORIGIN}"

    # Tokens issued while the app runs count at once.
    path = tmp_path / "api-tokens.txt"
    late = issue(path, "late", admin=True)
    assert open_guard.identify(late, None).admin and open_guard.admin_configured


def test_env_variables_configure_the_guard(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSQA_HOME", str(tmp_path))
    monkeypatch.setenv("NEWSQA_ADMIN_TOKENS", "x1, x2")
    monkeypatch.setenv("NEWSQA_ALLOWED_ORIGINS", "https://a.example, https://b.example:8443")
    guard = Guard(Settings())
    assert guard.identify("x2", None).admin
    assert guard.allowed_origins == {"https://a.example", "https://b.example:8443"}
    monkeypatch.setenv("NEWSQA_ALLOWED_ORIGINS", "intranet.example.com")
    with pytest.raises(ValueError, match="not an origin"):
        Guard(Settings())
    monkeypatch.setenv("NEWSQA_RATE_LIMIT", "lots")
    with pytest.raises(ValueError):
        Settings()


def test_trusted_hosts_and_own_origins_come_from_settings(tmp_path):
    default = Guard(Settings(home=tmp_path))
    assert default.trusted_hosts == ["127.0.0.1", "localhost"]
    assert default.own_origins == {"http://127.0.0.1:7860", "http://localhost:7860"}
    assert default.host_allowed("127.0.0.1:7860") and default.host_allowed("LOCALHOST")
    for spoofed in ("evil.example:7860", "127.0.0.1.evil.example", "", None):
        assert not default.host_allowed(spoofed)
    intranet = Guard(Settings(home=tmp_path, host="0.0.0.0", api_tokens="t", port=8000,
                              trusted_hosts="qa.intranet.example, *.corp.example",
                              public_url="https://qa.intranet.example/chat"))
    assert intranet.host_allowed("qa.intranet.example") and intranet.host_allowed("a.corp.example:8000")
    assert not intranet.host_allowed("127.0.0.1:8000") and not intranet.host_allowed("corp.example.evil")
    assert "https://qa.intranet.example" in intranet.own_origins and intranet.secure_cookies
    assert host_name("[::1]:7860") == "::1" and is_loopback("::1") and not is_loopback("0.0.0.0")


def test_binding_beyond_loopback_needs_readers_credentials_or_the_named_setting(tmp_path):
    Guard(Settings(home=tmp_path)).check_bind("127.0.0.1", False)
    with pytest.raises(ValueError, match="NEWSQA_ALLOW_ANONYMOUS"):
        Guard(Settings(home=tmp_path, host="0.0.0.0")).check_bind("0.0.0.0", False)
    with pytest.raises(ValueError, match="NEWSQA_ALLOW_ANONYMOUS"):  # admins only: reading is open
        Guard(Settings(home=tmp_path, host="10.1.2.3", admin_tokens="a")).check_bind("10.1.2.3", False)
    Guard(Settings(home=tmp_path, host="0.0.0.0")).check_bind("0.0.0.0", True)
    Guard(Settings(home=tmp_path, host="0.0.0.0", api_tokens="t")).check_bind("0.0.0.0", False)


def test_users_sign_in_and_sessions_follow_them(tmp_path):
    encoded = hash_password("pw-1", iterations=1000)
    assert verify_password("pw-1", encoded) and not verify_password("pw-2", encoded)
    users = f"ann:{encoded},bob:{hash_password('pw-2', 1000)}:admin"
    guard = Guard(Settings(home=tmp_path, users=users, api_tokens="tok"))
    assert guard.auth_required and guard.admin_configured
    ann = guard.sign_in("ann", "pw-1")
    assert ann is not None and ann.kind == "user" and not ann.admin
    assert guard.sign_in("bob", "pw-2").admin
    assert guard.sign_in("ann", "pw-2") is None and guard.sign_in("eve", "pw-1") is None
    assert guard.sign_in("", "tok").name == "token1" and guard.sign_in("", "nope") is None
    cookie, _ = guard.session_cookie(ann)
    assert guard.session(cookie) == ann
    # the key is kept in the home: another process on it reads the same sessions
    assert Guard(Settings(home=tmp_path, users=users)).session(cookie) == ann
    # a removed user's sessions end at once
    assert Guard(Settings(home=tmp_path, users=users.split(",")[1])).session(cookie) is None
    assert guard.session(cookie[:-3] + "abc") is None and guard.session("x.y") is None
    key = bytes.fromhex((tmp_path / "session-secret").read_text())
    assert guard.session(SessionSigner(key, 60).issue("ann", "user")[0]) == ann
    assert guard.session(SessionSigner(key, 60).issue("ann", "user", now=0)[0]) is None  # expired
    assert (tmp_path / "session-secret").stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValueError, match="NEWSQA_USERS"):
        parse_users("ann:plaintext")
