"""The web app in a real browser: Debian's chromium driven by Playwright, app on 127.0.0.1."""

from __future__ import annotations

import pytest
from live_server import CHROMIUM, SAMPLE, chromium_browser, live_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt install chromium)"),
]

XSS_ARTICLE = """Harbour bridge opening date announced

Mayor Alma Reyes said the new harbour bridge will open to traffic on 12 May 2026. \
Engineers flagged the markup <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> \
found in the bridge's old web page.
"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    home = tmp_path_factory.mktemp("newsqa-app")
    extra = home / "xss.txt"
    extra.write_text(XSS_ARTICLE, encoding="utf-8")
    with live_app(home, [SAMPLE, extra]) as base:
        yield base + "/"


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as b:
        yield b


def _ask(browser, url: str, question: str):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(url, wait_until="load")
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.locator("#sources .nq-source").first.wait_for(timeout=60_000)
    return page


def test_railway_question_shows_cited_answer_and_highlight(browser, app_url):
    page = _ask(browser, app_url, "What did Xi propose on railways?")
    page.get_by_text("Joint Committee for Railway Cooperation").first.wait_for(timeout=30_000)
    chat = page.locator("#chat").inner_text()
    assert "Joint Committee for Railway Cooperation" in chat
    assert "[1]" in chat
    marks = page.locator("#sources mark.nq-support")
    assert marks.first.is_visible()
    assert "Joint Committee for Railway Cooperation" in " ".join(marks.all_inner_texts())
    # The whole article opens from its source card.
    page.locator("#sources details.nq-full summary").first.click()
    assert page.locator("#sources .nq-article").first.is_visible()
    page.close()


def test_unanswerable_question_shows_closest_sources(browser, app_url):
    page = _ask(browser, app_url, "What is the recipe for pho?")
    page.locator("#sources .nq-not-evidence").first.wait_for(timeout=30_000)
    assert "The articles don't mention “recipe” or “pho”" in page.locator("#chat").inner_text()
    assert "not evidence" in page.locator("#sources").inner_text()
    assert page.locator("#sources mark").count() == 0  # closest passages are not highlighted as support
    page.close()


def test_article_markup_is_shown_as_text_and_never_runs(browser, app_url):
    page = _ask(browser, app_url, "What markup did the engineers flag in the bridge's old web page?")
    page.get_by_text("onerror").first.wait_for(timeout=30_000)
    assert "<img src=x onerror=" in page.locator("#sources").inner_text()
    assert page.locator("#sources img").count() == 0
    assert page.locator("#sources script").count() == 0
    assert page.evaluate("window.__xss") is None
    page.close()


def test_empty_question_gets_a_clear_message(browser, app_url):
    page = browser.new_page()
    page.goto(app_url, wait_until="load")
    assert "Ask about the news articles." in page.locator("#chat").inner_text()  # the greeting
    page.locator("#question textarea").fill("   ")
    page.locator("#ask").click()
    page.locator("#question-note").get_by_text("Please type a question.").wait_for(timeout=30_000)
    assert page.locator("#chat .message-row, #chat .message").count() == 0  # no empty bubbles
    # A question that is too long stays in the box to be shortened.
    long_question = "What did Xi say? " * 150
    page.locator("#question textarea").fill(long_question)
    page.locator("#ask").click()
    page.locator("#question-note").get_by_text("too long").wait_for(timeout=30_000)
    assert page.locator("#question textarea").input_value().strip() == long_question.strip()
    page.close()


def test_clicking_an_example_answers_it(browser, app_url):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(app_url, wait_until="load")
    page.get_by_text("What did Xi propose on railways?", exact=True).first.click()
    page.locator("#sources .nq-source").first.wait_for(timeout=60_000)
    assert "Joint Committee for Railway Cooperation" in page.locator("#chat").inner_text()
    assert page.locator("#chat .message-row, #chat .message").count() > 0  # (the bubbles' selector)
    page.close()


def test_follow_up_question_in_the_same_chat(browser, app_url):
    page = _ask(browser, app_url, "What did Xi propose on railways?")
    page.get_by_text("Joint Committee for Railway Cooperation").first.wait_for(timeout=30_000)
    page.locator("#question textarea").fill("And what did Luong Cuong propose on that?")
    page.locator("#ask").click()
    # Seed item d10: the sources panel now highlights Luong Cuong's railway proposal.
    support = page.locator("#sources mark.nq-support", has_text="particularly in railways")
    support.first.wait_for(timeout=60_000)
    chat = page.locator("#chat").inner_text()
    assert "And what did Luong Cuong propose on that?" in chat and "railways" in chat.split("on that?")[-1]
    page.close()


def test_date_filter_narrows_the_sources(browser, app_url):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(app_url, wait_until="load")
    page.locator("#filters").get_by_text("Filters").first.click()
    page.locator("#since input, #since textarea").first.fill("2025-09-01")
    page.locator("#question textarea").fill("What did Xi say about cooperation?")
    page.locator("#ask").click()
    page.locator("#sources .nq-source").first.wait_for(timeout=60_000)
    page.get_by_text("Searched: since 2025-09-01").first.wait_for(timeout=30_000)
    panel = page.locator("#sources").inner_text()
    assert "September 2025" in panel and "April 2025" not in panel
    page.close()


def test_timeline_and_speaker_are_shown(browser, app_url):
    page = _ask(browser, app_url, "How did Vietnam–China railway cooperation develop in 2025?")
    page.get_by_text("4 Sep 2025, Beijing").first.wait_for(timeout=30_000)
    chat = page.locator("#chat").inner_text()
    assert chat.index("16 Apr 2025, Hanoi") < chat.index("4 Sep 2025, Beijing")
    assert page.locator("#sources .nq-source").count() == 2
    page.close()
    who = "Who proposed the first meeting of the Joint Committee for Railway Cooperation?"
    page = _ask(browser, app_url, who)
    page.get_by_text("Xi Jinping suggested").first.wait_for(timeout=30_000)
    assert "speaker: Xi Jinping" in page.locator("#sources .nq-meta").first.inner_text()
    page.close()
