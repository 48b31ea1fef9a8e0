"""Citations you can click, in a real browser (Debian's chromium) against ``python app.py``.

At desktop (1440 px) and phone (375 px) width: after a follow-up, ``[1]`` of the *first*
answer brings that answer's source card into view with its supporting sentence marked; the
whole article opens scrolled to the marked sentence; a refusal shows its closest passages
without any evidence highlight, one per article.
"""

from __future__ import annotations

import pytest
from live_server import SAMPLE, chromium_browser, live_app

pytestmark = pytest.mark.browser

RAILWAY_Q = "What did Xi propose on railways?"
RAILWAY_SENTENCE = "Joint Committee for Railway Cooperation"
FOLLOW_UP = "What did Xi say about the role of the United Nations?"
UNANSWERABLE = "What did the two leaders agree about football?"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    home = tmp_path_factory.mktemp("citations-home")
    with live_app(home, [SAMPLE]) as base, chromium_browser() as browser:
        yield base, browser


def ask(page, question: str, answers_before: int) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.locator("#sources details.nq-turn").nth(answers_before).wait_for(timeout=90_000)


def in_viewport(locator, page) -> bool:
    box = locator.bounding_box()
    view = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= view["height"]


@pytest.mark.parametrize("width,height", [(1440, 900), (375, 740)])
def test_first_answers_marker_opens_its_own_source_after_a_follow_up(app, tmp_path, width, height):
    base, browser = app
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(base + "/", wait_until="load")
    ask(page, RAILWAY_Q, 0)
    ask(page, FOLLOW_UP, 1)
    # The panel now leads with answer 2; answer 1's section is folded below.
    assert page.locator("#sources details.nq-turn").first.get_attribute("id") == "nq-turn-2"

    chip = page.locator("#chat a.nq-cite[href='#nq-t1-c1']").first
    chip.wait_for(timeout=10_000)
    supporting = page.locator("#nq-t1-c1 mark").first.text_content().strip()  # folded: not rendered
    assert supporting and chip.get_attribute("title").strip() == supporting  # the hover text
    assert any(RAILWAY_SENTENCE in page.locator(f"#nq-t1-c{n} mark").first.text_content()
               for n in range(1, page.locator("#nq-turn-1 .nq-source").count() + 1))
    chip.click()
    card = page.locator("#nq-t1-c1")
    page.wait_for_timeout(900)  # the smooth scroll
    assert card.is_visible() and in_viewport(card, page)
    assert "Answer 1 · [1]" in card.inner_text()
    assert "nq-flash" in (card.get_attribute("class") or "")
    assert card.locator("mark").first.inner_text().strip() != ""
    page.screenshot(path=str(tmp_path / f"citation-click-{width}.png"))

    # The whole article opens with the supporting sentence in view inside its box.
    card.locator("details.nq-full summary").click()
    page.wait_for_timeout(300)
    article = card.locator(".nq-article")
    mark, box = article.locator("mark").bounding_box(), article.bounding_box()
    assert mark is not None and box is not None
    assert box["y"] <= mark["y"] < box["y"] + box["height"] - 20  # the sentence starts in view
    assert mark["y"] - box["y"] > 0 or box["height"] < mark["height"] + 40  # scrolled to, not at the top
    context.close()


def test_refusal_shows_no_evidence_highlight(app, tmp_path):
    base, browser = app
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(base + "/", wait_until="load")
    ask(page, UNANSWERABLE, 0)
    section = page.locator("#nq-turn-1")
    assert "not evidence" in section.inner_text()
    cards = section.locator(".nq-source")
    assert cards.count() >= 1 and section.locator("mark").count() == 0
    assert "does not answer the question" in cards.first.inner_text()
    titles = [cards.nth(i).locator("h4").inner_text() for i in range(cards.count())]
    assert len(titles) == len(set(titles))  # one per article
    assert page.locator("#chat a.nq-cite").count() == 0
    page.screenshot(path=str(tmp_path / "refusal.png"))
    context.close()


def test_phone_layout_puts_sources_right_after_the_answer(app, tmp_path):
    base, browser = app
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(base + "/", wait_until="load")
    ask(page, RAILWAY_Q, 0)

    def top(selector: str) -> float:
        return page.evaluate(f"document.querySelector('{selector}').getBoundingClientRect().top + scrollY")

    order = [top(s) for s in ("#chat", "#sources", "#question", "#ask", "#filters")]
    assert order == sorted(order), order  # answer, its sources, then the controls
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    header = page.locator("#header").bounding_box()
    assert header is not None and header["width"] > 250  # the title is not squeezed beside the account
    page.screenshot(path=str(tmp_path / "phone-chat.png"), full_page=True)
    # The Library fits too: its table scrolls inside the page, the page does not.
    page.get_by_role("tab", name="Library").click()
    page.locator("#library-table").get_by_text("Xi Jinping meets").first.wait_for(timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    table = page.locator("#library-table").bounding_box()
    assert table is not None and table["x"] >= 0 and table["x"] + table["width"] <= 375
    context.close()


def test_a_tap_on_a_phone_shows_the_sentence_inline_then_the_source(app, tmp_path):
    base, browser = app
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(base + "/", wait_until="load")
    ask(page, RAILWAY_Q, 0)
    chip = page.locator("#chat a.nq-cite[href='#nq-t1-c1']").first
    chip.tap()
    pop = page.locator("#chat .nq-pop")
    pop.wait_for(timeout=10_000)
    sentence = page.locator("#nq-t1-c1 mark").first.text_content().strip()
    assert sentence[:60] in pop.inner_text()
    page.screenshot(path=str(tmp_path / "phone-tap.png"))
    pop.locator("a.nq-go").tap()
    card = page.locator("#nq-t1-c1")
    page.wait_for_timeout(900)
    assert in_viewport(card, page) and "nq-flash" in (card.get_attribute("class") or "")
    context.close()
