"""The Library tab in a real browser: upload a file, ask about it, delete it, it is gone.

The app runs as ``python app.py`` on 127.0.0.1 with the sample corpus; Debian's chromium
drives it. Screenshots go to the test's temporary folder.
"""

from __future__ import annotations

import pytest
from live_server import SAMPLE, chromium_browser, live_app

pytestmark = pytest.mark.browser

HARBOUR = """Title: Port Vell harbour reopens
Date: 2031-03-02
Source: Harbour Weekly

The harbour of Port Vell reopened on Monday after two years of repairs. The new breakwater
cost 40 million euros, said harbour master Ines Marquez, and the fishing fleet will return in
spring.
"""
QUESTION = "How much did the new breakwater in Port Vell cost?"


def _ask(page, question: str) -> str:
    page.get_by_role("tab", name="Chat").click()
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.locator("#sources .nq-source").first.wait_for(timeout=60_000)
    page.wait_for_timeout(300)
    return page.locator("#sources").inner_text()


def test_upload_ask_delete(tmp_path):
    upload = tmp_path / "port-vell.txt"
    upload.write_text(HARBOUR, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    with live_app(home, [SAMPLE]) as base, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(base + "/", wait_until="load")
        page.get_by_role("tab", name="Library").click()
        table = page.locator("#library-table")
        table.get_by_text("Xi Jinping meets Vietnamese President").wait_for(timeout=30_000)

        page.locator("#upload input[type=file]").set_input_files(str(upload))
        page.locator("#add-files").click()
        page.locator("#library-outcome").get_by_text("added 1").wait_for(timeout=120_000)
        assert "port-vell" in page.locator("#library-outcome").inner_text()
        table.get_by_text("Port Vell harbour reopens").wait_for(timeout=10_000)
        page.screenshot(path=str(tmp_path / "library-added.png"))

        # searching the list narrows it
        page.locator("#library-find textarea, #library-find input").first.fill("harbour")
        page.wait_for_timeout(1000)
        assert "Xi Jinping meets" not in table.inner_text() and "Port Vell" in table.inner_text()

        assert "Port Vell harbour reopens" in _ask(page, QUESTION)
        assert "40 million euros" in page.locator("#chat").inner_text()

        page.get_by_role("tab", name="Library").click()
        header = page.locator("#header")
        assert "3 articles indexed" in header.inner_text()  # refreshed after the upload
        page.locator("#delete-id input").fill("Port Vell")
        page.get_by_role("option", name="Port Vell harbour reopens — 2031-03-02 — Harbour Weekly").click()
        page.locator("#delete").click()
        outcome = page.locator("#library-outcome")
        outcome.get_by_text("Delete “Port Vell harbour reopens” (2031-03-02, Harbour Weekly)?").wait_for(
            timeout=30_000)
        assert "Port Vell" in table.inner_text()  # nothing is deleted before the confirmation
        page.screenshot(path=str(tmp_path / "library-confirm.png"))
        page.locator("#delete-yes").click()
        outcome.get_by_text("Deleted “Port Vell harbour reopens”").wait_for(timeout=60_000)
        assert "2 articles indexed" in header.inner_text()
        assert not page.locator("#delete-confirm").is_visible()
        page.locator("#library-find textarea, #library-find input").first.fill("")
        page.wait_for_timeout(1000)
        assert "Port Vell" not in table.inner_text()

        page.get_by_role("tab", name="Chat").click()
        page.locator("#clear").click()
        assert "Port Vell harbour reopens" not in _ask(page, QUESTION)
        page.screenshot(path=str(tmp_path / "library-deleted.png"))
