"""The web chat's feedback, reload and export, in a real browser against ``python app.py``.

Thumbs up/down land in ``NEWSQA_HOME/feedback.sqlite3`` with the question, the answer and
its citations (exported by ``python -m assistant.feedback``); the conversation survives a
page reload; "Export chat" downloads it as Markdown with its citations.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from live_server import SAMPLE, app_env, chromium_browser, live_app, run_module

pytestmark = pytest.mark.browser

RAILWAY = "What did Xi propose on railways?"


def stored_feedback(home: Path) -> list[dict]:
    env = app_env(home, 0)
    done = run_module(env, "assistant.feedback", "export", "--format", "jsonl")
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_thumbs_comment_reload_and_export(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    with live_app(home, [SAMPLE]) as base, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 900}, accept_downloads=True)
        page.goto(base + "/", wait_until="load")
        page.locator("#question textarea").fill(RAILWAY)
        page.locator("#ask").click()
        page.locator("#sources .nq-source").first.wait_for(timeout=60_000)

        page.locator("#chat button[aria-label='Like']").last.click()
        page.locator("#feedback-result").get_by_text("Thank you").wait_for(timeout=10_000)
        page.locator("#feedback").click()  # open the accordion: a thumbs down with a comment
        page.get_by_label("👎 not helpful").check()
        page.locator("#feedback-comment textarea").fill("Should also quote Luong Cuong's railway sentence.")
        page.locator("#feedback-send").click()
        page.wait_for_timeout(1500)

        with page.expect_download(timeout=20_000) as download:
            page.locator("#export").click()
        exported = Path(download.value.path()).read_text(encoding="utf-8")

        page.reload(wait_until="load")
        page.locator("#chat").get_by_text(RAILWAY).wait_for(timeout=20_000)
        restored = page.locator("#chat").inner_text()

    assert "Joint Committee for Railway Cooperation" in restored  # the answer came back too
    assert f"## {RAILWAY}" in exported and "Sources:" in exported
    assert "[1]" in exported and "Joint Committee for Railway Cooperation" in exported

    ratings = stored_feedback(home)
    assert [r["rating"] for r in ratings] == [1, -1], ratings
    assert all(r["question"] == RAILWAY for r in ratings)
    assert ratings[1]["comment"] == "Should also quote Luong Cuong's railway sentence."
    assert "Joint Committee for Railway Cooperation" in json.dumps(ratings[0], ensure_ascii=False)
