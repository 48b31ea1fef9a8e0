"""The README's screenshots, taken from the real app on the sample corpus in Debian's chromium.

    HF_HUB_OFFLINE=1 .venv/bin/python docs/make_screenshots.py      # writes docs/screenshots/*.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]
from live_server import SAMPLE, chromium_browser, live_app  # noqa: E402

OUT = REPO / "docs" / "screenshots"
RAILWAY_Q = "What did Xi propose on railways?"
FOLLOW_UP = "What did Xi say about the role of the United Nations?"
UNANSWERABLE = "What did the two leaders agree about football?"
NEAR_MISS = "When will the first meeting of the Joint Committee for Railway Cooperation take place?"


def ask(page, question: str, answers_before: int) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.locator("#sources details.nq-turn").nth(answers_before).wait_for(timeout=90_000)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home, live_app(Path(home), [SAMPLE]) as base, \
            chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(base + "/", wait_until="load")
        ask(page, RAILWAY_Q, 0)
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "answer.png"))
        ask(page, FOLLOW_UP, 1)
        page.locator("#chat a.nq-cite[href='#nq-t1-c1']").first.click()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(OUT / "chat-citation.png"))
        card = page.locator("#nq-t1-c1")
        card.locator("details.nq-full summary").click()
        page.wait_for_timeout(500)
        card.scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "whole-article.png"))

        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(base + "/", wait_until="load")
        ask(page, UNANSWERABLE, 0)
        page.screenshot(path=str(OUT / "refusal.png"))
        ask(page, NEAR_MISS, 1)
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "near-miss.png"))

        phone = browser.new_page(viewport={"width": 375, "height": 740})
        phone.goto(base + "/", wait_until="load")
        ask(phone, RAILWAY_Q, 0)
        phone.locator("#sources").scroll_into_view_if_needed()
        phone.screenshot(path=str(OUT / "phone.png"))

        widget = browser.new_page(viewport={"width": 1000, "height": 800})
        widget.goto(base + "/embed?title=Ask%20the%20news", wait_until="load")
        box = widget.locator("newsqa-chat textarea")
        box.fill(RAILWAY_Q)
        box.press("Enter")
        widget.locator("newsqa-chat .sources mark").first.wait_for(timeout=90_000)
        widget.screenshot(path=str(OUT / "widget.png"))
    print("\n".join(str(p.relative_to(REPO)) for p in sorted(OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
