"""The embeddable widget in a real browser, on a page of another origin (an "intranet").

The app runs as ``python app.py`` with ``NEWSQA_ALLOWED_ORIGINS`` naming a second local
origin (``python -m http.server`` on another free port) and a widget secret, so every call
carries a short-lived widget token: the page's script tag gets one minted for the page's
origin, the iframe one for the app's own origin. The page is ``examples/intranet.html`` with
its host replaced. Screenshots go to a pytest temporary folder (and to
``$NEWSQA_TEST_ARTIFACTS`` when set).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from live_server import (
    CHROMIUM,
    REPO,
    SAMPLE,
    app_env,
    chromium_browser,
    free_port,
    live_app,
    run_module,
    wait_for,
)

from assistant.tokens import mint_widget_token

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt install chromium)"),
]

SECRET = "browser-widget-secret"
RAILWAY_Q = "What did Xi propose on railways?"
RAILWAY_SENTENCE = "Joint Committee for Railway Cooperation"
FOCUSED = "document.querySelector('newsqa-chat').shadowRoot.activeElement"
XSS_Q = "What markup did the museum's old web page contain?"
XSS_ARTICLE = {
    "id": "museum-markup",
    "title": "Museum <b>web page</b> markup flagged",
    "date": "2025-10-10",
    "source": "Intranet <i>notices</i>",
    "url": "javascript:alert(3)",
    "text": (
        "Curator Lena Ortiz said the museum's old web page contained the markup "
        "<script>alert(1)</script> and <img src=x onerror=alert(2)> in its ticket section. "
        'She also found a link <a href="javascript:alert(3)">buy tickets</a> that the new page removes.'
    ),
}


def _initial_env(name: str) -> str | None:
    """A variable as the test run started: tests/conftest.py drops NEWSQA_* from os.environ."""
    if name in os.environ:
        return os.environ[name]
    try:
        entries = Path("/proc/self/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    values = dict(e.decode(errors="replace").split("=", 1) for e in entries if b"=" in e)
    return values.get(name)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app and the intranet page (other origin); yields their URLs and the app's home."""
    home = tmp_path_factory.mktemp("widget-home")
    extra = home / "xss.jsonl"
    extra.write_text(json.dumps(XSS_ARTICLE) + "\n", encoding="utf-8")
    page_port = free_port()
    page_origin = f"http://127.0.0.1:{page_port}"
    env = {"NEWSQA_ALLOWED_ORIGINS": page_origin, "NEWSQA_WIDGET_SECRET": SECRET}
    with live_app(home, [SAMPLE, extra], env) as base:
        page_token, _ = mint_widget_token(SECRET, page_origin, 3600)
        frame_token, _ = mint_widget_token(SECRET, base, 3600)
        html = (REPO / "examples" / "intranet.html").read_text(encoding="utf-8")
        html = html.replace("http://127.0.0.1:7860", base)
        html = html.replace('data-lang="en"></script>', f'data-lang="en" data-token="{page_token}"></script>')
        html = html.replace("&amp;color=%233b3b58", f"&amp;color=%233b3b58&amp;token={frame_token}")
        docroot = home / "intranet"
        docroot.mkdir()
        (docroot / "intranet.html").write_text(html, encoding="utf-8")
        command = [sys.executable, "-m", "http.server", str(page_port), "--bind", "127.0.0.1"]
        server = subprocess.Popen([*command, "--directory", str(docroot)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(f"{page_origin}/intranet.html", server, seconds=30)
            yield {"app": base, "page": f"{page_origin}/intranet.html", "origin": page_origin, "home": home}
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """Save a screenshot under a pytest temporary folder (and $NEWSQA_TEST_ARTIFACTS if set)."""
    folder = tmp_path_factory.mktemp("widget-screenshots")
    extra = _initial_env("NEWSQA_TEST_ARTIFACTS")

    def save(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(extra) / path.name)
        return path

    return save


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as b:
        yield b


def _open_page(browser, url: str, width: int = 1280, height: int = 900):
    """A fresh context (empty localStorage) whose dialogs are recorded, never shown."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="load")
    return page


def _ask(scope, question: str) -> None:
    """Type the question in a widget (page or frame) and send it with Enter."""
    box = scope.locator("newsqa-chat textarea")
    box.fill(question)
    box.press("Enter")


def test_widget_on_another_origin(browser, site, shots):
    page = _open_page(browser, site["page"])
    launcher = page.locator("newsqa-chat .launcher")
    launcher.click()
    assert page.locator("newsqa-chat .panel").is_visible()
    assert page.evaluate(FOCUSED + ".tagName") == "TEXTAREA"
    assert "Hello! Ask me about the news." in page.locator("newsqa-chat .log").inner_text()
    _ask(page, RAILWAY_Q)
    mark = page.locator("newsqa-chat .sources mark", has_text=RAILWAY_SENTENCE).first
    mark.wait_for(timeout=90_000)
    assert mark.is_visible()
    assert "[1]" in page.locator("newsqa-chat .answer").last.inner_text()
    summary = page.locator("newsqa-chat .sources summary").first.inner_text()
    assert summary.startswith("[1] ")
    shots(page, "widget-answer")

    # No style bleed: the page's loud button and mark rules stop at the shadow root.
    style = "(el, p) => getComputedStyle(el)[p]"
    assert launcher.evaluate(style, "backgroundColor") != "rgb(255, 105, 180)"
    assert mark.evaluate(style, "backgroundColor") == "rgb(253, 230, 138)"
    assert "Georgia" not in page.locator("newsqa-chat .panel").evaluate(style, "fontFamily")

    page.locator("newsqa-chat .actions button", has_text="Open the whole article").first.click()
    article = page.locator("newsqa-chat .article").first
    article.locator("mark", has_text=RAILWAY_SENTENCE).wait_for(timeout=30_000)
    assert "Luong Cuong" in article.inner_text()
    shots(page, "widget-whole-article")

    # Thumbs up with a comment, stored with the page's origin.
    page.locator("newsqa-chat .fb button.up").last.click()
    page.locator("newsqa-chat .fb input").last.fill("clear and cited")
    page.locator("newsqa-chat .fb button", has_text="Send feedback").last.click()
    page.locator("newsqa-chat .fb", has_text="Thank you").last.wait_for(timeout=30_000)
    env = app_env(site["home"], 0)
    rows = [json.loads(line) for line in
            run_module(env, "assistant.feedback", "export", "--format", "jsonl").stdout.splitlines()]
    mine = [r for r in rows if r["comment"] == "clear and cited"]
    assert mine and mine[0]["rating"] == 1 and mine[0]["origin"] == site["origin"]

    # Export as Markdown: the answer and its citations.
    with page.expect_download() as download:
        page.locator("newsqa-chat header button", has_text="MD").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"## {RAILWAY_Q}" in markdown and "[1] " in markdown and RAILWAY_SENTENCE in markdown

    # The conversation survives a reload (localStorage), Esc closes and focus returns.
    page.reload(wait_until="load")
    launcher.click()
    page.locator("newsqa-chat .sources mark", has_text=RAILWAY_SENTENCE).first.wait_for(timeout=10_000)
    assert RAILWAY_Q in page.locator("newsqa-chat .log").inner_text()
    page.keyboard.press("Escape")
    assert not page.locator("newsqa-chat .panel").is_visible()
    assert page.evaluate(FOCUSED + ".className") == "launcher"
    assert page.dialogs == []
    page.context.close()


def test_widget_on_a_page_whose_origin_is_not_allowed_says_why(browser, site, shots):
    # The same page reached as localhost: another origin, not in NEWSQA_ALLOWED_ORIGINS.
    page = _open_page(browser, site["page"].replace("127.0.0.1", "localhost"))
    page.locator("newsqa-chat .launcher").click()
    _ask(page, RAILWAY_Q)
    reason = page.locator("newsqa-chat .log", has_text="NEWSQA_ALLOWED_ORIGINS")
    reason.wait_for(timeout=60_000)
    text = reason.inner_text()
    assert "is not allowed to use this API" in text and "Failed to fetch" not in text
    assert "localhost" in text
    shots(page, "widget-origin-refused")
    page.context.close()


def test_iframe_embed(browser, site, shots):
    page = _open_page(browser, site["page"])
    frame = page.frame_locator("#newsqa-frame")
    frame.locator("newsqa-chat textarea").wait_for(timeout=30_000)
    assert frame.locator("newsqa-chat h2").inner_text() == "News desk"
    _ask(frame, RAILWAY_Q)
    mark = frame.locator("newsqa-chat .sources mark", has_text=RAILWAY_SENTENCE).first
    mark.wait_for(timeout=90_000)
    assert "[1]" in frame.locator("newsqa-chat .answer").last.inner_text()
    frame.locator("newsqa-chat .actions button", has_text="Open the whole article").first.click()
    frame.locator("newsqa-chat .article mark", has_text=RAILWAY_SENTENCE).first.wait_for(timeout=30_000)
    page.locator("#newsqa-frame").scroll_into_view_if_needed()
    shots(page, "iframe-answer")
    assert page.dialogs == []
    page.context.close()


def test_small_viewport(browser, site, shots):
    page = _open_page(browser, site["page"], width=375, height=740)
    page.locator("newsqa-chat .launcher").click()
    panel = page.locator("newsqa-chat .panel")
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert box["y"] >= 0 and box["y"] + box["height"] <= 740
    _ask(page, RAILWAY_Q)
    page.locator("newsqa-chat .sources mark", has_text=RAILWAY_SENTENCE).first.wait_for(timeout=90_000)
    assert page.locator("newsqa-chat textarea").is_visible()
    assert page.locator("newsqa-chat .close").is_visible()
    # Nothing overflows sideways.
    assert page.locator("newsqa-chat .log").evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    shots(page, "widget-375px")
    page.locator("newsqa-chat .close").click()
    assert page.locator("newsqa-chat .launcher").is_visible()
    page.context.close()


def _assert_markup_is_text(scope, page) -> None:
    sources = scope.locator("newsqa-chat .sources").last
    sources.wait_for(timeout=90_000)
    scope.locator("newsqa-chat .sources", has_text="onerror").last.wait_for(timeout=30_000)
    text = scope.locator("newsqa-chat .log").inner_text()
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(2)>" in text
    assert "Museum <b>web page</b> markup flagged" in text
    scope.locator("newsqa-chat .actions button", has_text="Open the whole article").first.click()
    scope.locator("newsqa-chat .article", has_text="javascript:alert(3)").first.wait_for(timeout=30_000)
    for selector in ("img", "script", "b", "i", "a[href^='javascript']"):
        assert scope.locator(f"newsqa-chat .log {selector}").count() == 0, selector
    page.wait_for_timeout(500)  # an onerror handler would have fired by now
    assert page.dialogs == []


def test_article_markup_never_runs(browser, site, shots):
    page = _open_page(browser, site["page"])
    page.locator("newsqa-chat .launcher").click()
    _ask(page, XSS_Q)
    _assert_markup_is_text(page, page)
    shots(page, "widget-xss-as-text")
    frame = page.frame_locator("#newsqa-frame")
    _ask(frame, XSS_Q)
    _assert_markup_is_text(frame, page)
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.context.close()


LIST_Q = "How did Vietnam–China railway cooperation develop in 2025?"
# Emoji and the pictographic symbols that need an emoji font (and show as empty boxes without one).
PICTOGRAPHS = r"[\p{Extended_Pictographic}\u2190-\u21ff\u2300-\u23ff\u2700-\u27bf\u2900-\u297f]"
NO_EMOJI = f"el => !/{PICTOGRAPHS}/u.test(el.textContent)"


def test_list_answers_and_svg_icons(browser, site, shots):
    page = _open_page(browser, site["page"])
    page.locator("newsqa-chat .launcher").click()
    _ask(page, LIST_Q)
    answer = page.locator("newsqa-chat .answer").last
    answer.locator("li").first.wait_for(timeout=90_000)
    items = answer.locator("ul > li")
    assert items.count() >= 2
    # The "- " markers became list items: no line of the answer starts with one.
    lines = answer.inner_text().splitlines()
    assert not [line for line in lines if line.lstrip().startswith("- ")], lines
    assert all(not text.startswith("-") for text in items.all_inner_texts())
    # The DOM is the server's blocks (assistant/render.py, the chat's too), item for item.
    stored = page.evaluate("() => JSON.parse(localStorage.getItem(Object.keys(localStorage)"
                           ".find(k => k.startsWith('newsqa-chat:'))))")
    blocks = stored[-1]["a"]["blocks"]
    expected = ["".join(r.get("text", f"[{r.get('cite')}]") for r in b["runs"])
                for b in blocks if b["kind"] == "item"]
    assert [" ".join(t.split()) for t in items.all_inner_texts()] == [" ".join(t.split()) for t in expected]
    # Citation markers inside the items stay buttons that open their source card.
    cite = items.first.locator("button.cite").first
    assert cite.inner_text().startswith("[")
    cite.click()
    n = int(cite.inner_text().strip("[]"))
    assert page.locator("newsqa-chat .sources details").nth(n - 1).evaluate("el => el.open")
    # Icons are inline SVG, never emoji (an empty box where no emoji font is installed).
    for selector in (".fb button.up", ".fb button.down"):
        button = page.locator(f"newsqa-chat {selector}").last
        assert button.locator("svg path").count() == 1, selector
        assert button.get_attribute("aria-label") and button.locator("svg title").text_content()
        assert button.evaluate(NO_EMOJI), selector
    for button in page.locator("newsqa-chat header button").all():
        assert button.locator("svg").count() == 1 and button.get_attribute("aria-label")
        assert button.evaluate(NO_EMOJI)
    assert page.locator("newsqa-chat header button", has_text="MD").count() == 1
    shots(page, "widget-list-answer")
    # Pressed thumbs keep a visible (white on the accent) icon.
    up = page.locator("newsqa-chat .fb button.up").last
    up.click()
    assert up.get_attribute("aria-pressed") == "true"
    assert up.locator("svg").evaluate("el => getComputedStyle(el).fill") == "rgb(255, 255, 255)"
    assert up.locator("svg").evaluate("el => el.getBoundingClientRect().width") > 10
    assert page.dialogs == []
    page.context.close()


def test_open_panel_leaves_the_iframe_send_button_clear(browser, site, shots):
    page = _open_page(browser, site["page"], width=1280, height=900)
    frame = page.frame_locator("#newsqa-frame")
    send = frame.locator("newsqa-chat form button[type=submit]")
    send.wait_for(timeout=30_000)
    page.locator("newsqa-chat .launcher").click()
    panel = page.locator("newsqa-chat .panel")
    assert panel.is_visible()
    page.locator("#newsqa-frame").scroll_into_view_if_needed()  # the whole frame: it fits in 900 px
    p, s = panel.bounding_box(), send.bounding_box()
    assert 0 <= s["y"] and s["y"] + s["height"] <= 900, s
    overlap_x = min(p["x"] + p["width"], s["x"] + s["width"]) - max(p["x"], s["x"])
    overlap_y = min(p["y"] + p["height"], s["y"] + s["height"]) - max(p["y"], s["y"])
    assert overlap_x <= 0 or overlap_y <= 0, (p, s)
    # What a click at the button's centre reaches: the iframe, and in it the Send button.
    x, y = s["x"] + s["width"] / 2, s["y"] + s["height"] / 2
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).id", [x, y]) == "newsqa-frame"
    f = page.locator("#newsqa-frame").bounding_box()
    border = page.locator("#newsqa-frame").evaluate("el => [el.clientLeft, el.clientTop]")
    inner = page.frame_locator("#newsqa-frame").locator("newsqa-chat").evaluate(
        "(el, [x, y]) => el.shadowRoot.elementFromPoint(x, y)?.textContent",
        [x - f["x"] - border[0], y - f["y"] - border[1]],
    )
    assert inner == "Send"
    # The whole iframe sits left of the panel, wherever the page is scrolled.
    assert f["x"] + f["width"] <= p["x"]
    shots(page, "intranet-panel-and-iframe")
    page.context.close()
