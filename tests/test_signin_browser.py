"""Signing in to the web UI in a real browser (Debian's chromium) against ``python app.py``.

The sign-in page, a wrong password, a user who may ask but does not see the Library tab,
an admin who does, sign-out, and a session that has expired.
"""

from __future__ import annotations

import pytest
from live_server import SAMPLE, chromium_browser, live_app

from assistant.auth import SESSION_COOKIE, SessionSigner, hash_password

pytestmark = pytest.mark.browser

SECRET = "browser-session-secret"
USERS = {"alice": "alice-password-1", "root": "root-password-1"}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    home = tmp_path_factory.mktemp("signin-home")
    alice, root = (hash_password(USERS[name], 1000) for name in ("alice", "root"))
    env = {"NEWSQA_USERS": f"alice:{alice},root:{root}:admin", "NEWSQA_SESSION_SECRET": SECRET}
    with live_app(home, [SAMPLE], env) as base, chromium_browser() as browser:
        yield base, browser


def sign_in(page, base: str, user: str, password: str) -> None:
    page.goto(base + "/", wait_until="load")
    page.locator("#signin").wait_for(timeout=30_000)
    page.fill("#user", user)
    page.fill("#secret", password)
    page.click("#signin-submit")


def test_user_signs_in_asks_and_signs_out(app_url, tmp_path):
    base, browser = app_url
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    sign_in(page, base, "alice", "wrong password")
    assert "not valid" in page.locator("#signin-error").inner_text()

    sign_in(page, base, "alice", USERS["alice"])
    page.locator("#account").get_by_text("Signed in as").wait_for(timeout=60_000)
    assert "alice" in page.locator("#account").inner_text()
    cookie = next(c for c in context.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    page.locator("#question textarea").fill("What did Xi propose on railways?")
    page.locator("#ask").click()
    page.locator("#sources .nq-source").first.wait_for(timeout=60_000)
    assert "Railway" in page.locator("#chat").inner_text()
    assert page.get_by_role("tab", name="Library").count() == 0  # not even shown to a non-admin
    page.screenshot(path=str(tmp_path / "signed-in-user.png"))

    page.locator("#sign-out").click()
    page.locator("#signin-note").wait_for(timeout=30_000)
    assert "signed out" in page.locator("#signin-note").inner_text().lower()
    page.goto(base + "/", wait_until="load")
    page.locator("#signin").wait_for(timeout=30_000)  # the chat is gone with the session
    context.close()


def test_admin_sees_the_library(app_url):
    base, browser = app_url
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    sign_in(page, base, "root", USERS["root"])
    page.get_by_role("tab", name="Library").click(timeout=60_000)
    table = page.locator("#library-table")
    table.get_by_text("Xi Jinping meets Vietnamese President").wait_for(timeout=30_000)
    assert "(admin)" in page.locator("#account").inner_text()
    context.close()


def test_expired_session_returns_to_sign_in(app_url):
    base, browser = app_url
    context = browser.new_context()
    stale, _ = SessionSigner(SECRET.encode(), 8 * 3600).issue("alice", "user", now=1_000)
    context.add_cookies([{"name": SESSION_COOKIE, "value": stale, "url": base}])
    page = context.new_page()
    page.goto(base + "/", wait_until="load")
    page.locator("#signin-note").wait_for(timeout=30_000)
    assert "session has ended" in page.locator("#signin-note").inner_text()
    context.close()
