"""Article text is data: Markdown and HTML inside an article never become links, images or markup.

An article full of link syntax is ingested and answered through the real pipeline; the chat
Markdown, the sources panel and the exported conversation are checked as text and, where
Node.js is installed, rendered by Gradio's own Markdown renderer (marked, configured as the
Chatbot configures it: GFM, line breaks, ``$$`` LaTeX blocks).
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.html import (
    answer_markdown,
    conversation_markdown,
    draft_markdown,
    ingest_summary,
    markdown_text,
    sources_html,
)

ARTICLE = """Title: Port Vell ![pixel](https://evil.example/title.png) harbour reopens
Date: 2025-04-16
Source: Harbour Weekly

The harbour of Port Vell reopened on Monday after three weeks of repairs.

Harbour master Ines Marquez said the new breakwater cost 40 million euros, according to \
[the budget](https://evil.example/budget) published by <https://evil.example/auto> and \
<a href="https://evil.example/html">the port</a> <img src=x onerror=alert(1)> authority.

The photographer Ana Ruiz took the picture ![pixel](https://evil.example/track.png) of the \
reopened harbour on Monday.

The fishing fleet of Port Vell returns in spring, said officials at https://evil.example/bare \
and www.evil.example and press@evil.example on Tuesday.
"""
QUESTIONS = (
    "How much did the new breakwater cost?",
    "Who took the picture of the harbour?",
    "When does the fishing fleet return?",
)
# Markdown or HTML that would become a link, an image or a tag: an unescaped "](", "![",
# bare link start or "@", and any "<" (ours are entities).
ACTIVE = re.compile(r"(?<!\\)(?:\]\(|!\[|@)|(?<!\\)(?:https?|ftp)://|(?<!\\)www\.|<", re.IGNORECASE)
# What our own Markdown may render to: paragraphs, line breaks, lists, emphasis, headings.
OWN_TAGS = re.compile(r"</?(?:p|br|ul|ol|li|em|strong|h1|h2|blockquote)>")
OTHER_TAGS = re.compile(r"<(?!/?(?:p|br|ul|ol|li|em|strong|h1|h2|blockquote)>)")


@pytest.fixture(scope="module")
def harbour(tmp_path_factory: pytest.TempPathFactory, embedder):
    """(answers to QUESTIONS, the articles they cite) over a library holding ARTICLE only."""
    from assistant.build import build_assistant, build_library
    from assistant.settings import Settings

    home = tmp_path_factory.mktemp("html-safety")
    (home / "in").mkdir()
    (home / "in" / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
    settings = Settings(home=home / "newsqa-home")
    library = build_library(settings, embedder=embedder)
    report = library.add_paths([home / "in"])
    assert report.added == ["harbour"], report.to_dict()
    assistant = build_assistant(settings, library=library)
    answers = [assistant.ask(q) for q in QUESTIONS]
    return answers, {"harbour": library.get("harbour")}


@pytest.fixture(scope="module")
def gradio_markdown(tmp_path_factory: pytest.TempPathFactory) -> Callable[[list[str]], list[str]]:
    """Render Markdown to HTML with the marked set-up of Gradio's Chatbot, in Node.js."""
    node = shutil.which("node")
    spec = importlib.util.find_spec("gradio")
    if node is None or spec is None or spec.origin is None:
        pytest.skip("needs Node.js and gradio")
    chunks = Path(spec.origin).parent / "templates" / "node" / "build" / "server" / "chunks"
    for module in sorted(chunks.glob("markdown-code-*.js")):
        source = module.read_text(encoding="utf-8")
        # The function that builds Gradio's marked instance: GFM, breaks, its extensions.
        if found := re.search(r"function (\w+)\(\{header_links:\w+,line_breaks:", source):
            break
    else:
        pytest.skip("Gradio's Markdown module is not where this Gradio version was seen to keep it")
    copy = tmp_path_factory.mktemp("gradio-markdown") / "chunks"
    shutil.copytree(chunks, copy)
    (copy / module.name).write_text(source + f"\nexport {{ {found.group(1)} as makeMarked }};\n", "utf-8")
    script = copy.parent / "render.mjs"
    script.write_text(
        f'import {{ makeMarked }} from "./chunks/{module.name}";\n'
        'import { readFileSync } from "node:fs";\n'
        "const marked = makeMarked({ header_links: false, line_breaks: true,\n"
        '  latex_delimiters: [{ left: "$$", right: "$$", display: true }] });\n'
        'const texts = JSON.parse(readFileSync(0, "utf8"));\n'
        "const out = [];\n"
        "for (const text of texts) out.push(await marked.parse(text));\n"
        "console.log(JSON.stringify(out));\n",
        encoding="utf-8",
    )

    def render(texts: list[str]) -> list[str]:
        done = subprocess.run(
            [node, str(script)], input=json.dumps(texts), capture_output=True, text=True, timeout=60,
            check=True,
        )
        return json.loads(done.stdout)

    return render


def shown_text(rendered: str) -> str:
    """The text a reader sees in rendered HTML made of OWN_TAGS only."""
    return html.unescape(OWN_TAGS.sub("", rendered.replace("<br>", "\n")))


def chat_outputs(answers, articles) -> dict[str, str]:
    """Every piece of Markdown the web UI produces from the answers."""
    outputs = {f"answer {n}": answer_markdown(a) for n, a in enumerate(answers)}
    outputs |= {f"draft {n}": draft_markdown(a.text, "Checking the sources…") for n, a in enumerate(answers)}
    outputs["export"] = conversation_markdown([a.to_json() for a in answers])
    return outputs


# --- through the real pipeline -------------------------------------------------------------


def test_the_answers_quote_the_article_markup(harbour):
    """The test is meaningful: the answers do carry the article's link syntax."""
    answers, _ = harbour
    text = " ".join(a.text for a in answers)
    for syntax in ("[the budget](https://evil.example/budget)", "<https://evil.example/auto>",
                   '<a href="https://evil.example/html">', "<img src=x", "https://evil.example/bare",
                   "www.evil.example", "press@evil.example", "[pixel](https://evil.example/track.png)"):
        assert syntax in text
    assert all(a.citations for a in answers)


def test_chat_markdown_has_no_active_syntax_from_the_article(harbour):
    answers, articles = harbour
    for name, markdown in chat_outputs(answers, articles).items():
        assert not ACTIVE.findall(markdown), (name, markdown)
    chat = answer_markdown(answers[0])
    assert chat.endswith("authority. [1]")  # our citation marker stays as it is
    assert "\\[the budget\\](https\\://evil.example/budget)" in chat
    export = conversation_markdown([a.to_json() for a in answers])
    assert "- [1] Port Vell \\!\\[pixel\\](https\\://evil.example/title.png) harbour reopens" in export


def test_gradio_renders_the_article_markup_as_text(harbour, gradio_markdown):
    answers, articles = harbour
    outputs = chat_outputs(answers, articles)
    for name, rendered in zip(outputs, gradio_markdown(list(outputs.values())), strict=True):
        assert not OTHER_TAGS.findall(rendered), (name, rendered)
    rendered = gradio_markdown([answer_markdown(answers[0]), answer_markdown(answers[2])])
    assert answers[0].text in shown_text(rendered[0])  # every character shown as written
    assert answers[2].text in shown_text(rendered[1])


def test_sources_panel_shows_the_article_markup_as_text(harbour):
    answers, articles = harbour
    for answer in answers:
        panel = sources_html(answer, articles)
        assert "<a " not in panel and "<img" not in panel  # the article has no URL of its own
        assert "&lt;img src=x onerror=alert(1)&gt;" in panel
        assert "[the budget](https://evil.example/budget)" in panel  # text in HTML: not Markdown


# --- the escaping itself -------------------------------------------------------------------

CASES = {
    "[click](https://evil.example)": "\\[click\\](https\\://evil.example)",
    "![x](https://evil.example/t.png)": "\\!\\[x\\](https\\://evil.example/t.png)",
    "<https://evil.example>": "&lt;https\\://evil.example&gt;",
    "<b onmouseover=x>bold</b>": "&lt;b onmouseover=x&gt;bold&lt;/b&gt;",
    "see HTTPS://E.EXAMPLE, www.e.example, ftp://f.example or a@b.example": (
        "see HTTPS\\://E.EXAMPLE, www\\.e.example, ftp\\://f.example or a\\@b.example"),
    "snake_case *bold* `code` ~gone~": "snake\\_case \\*bold\\* \\`code\\` \\~gone\\~",
    "cost $$x$$ and $5": "cost \\$\\$x\\$\\$ and $5",
    "# Breaking\n[1]: https://evil.example": "\\# Breaking\n\\[1\\]: https\\://evil.example",
    "a \\[b] c & d": "a \\\\\\[b\\] c &amp; d",
    "Plain news, 40% up (on Monday)!": "Plain news, 40% up (on Monday)!",
}


@pytest.mark.parametrize("text", list(CASES))
def test_markdown_text_escapes(text):
    assert markdown_text(text) == CASES[text]


def test_markdown_text_is_shown_as_written_by_gradio(gradio_markdown):
    texts = [*CASES, "[x][y] and [y]\n\n[y]: https://evil.example", "[^1]\n\n[^1]: https://evil.example",
             "<!-- hidden --> <mailto:a@b.example> \\<https://e.example> $$\\href{https://e.example}{x}$$",
             "[x](<https://evil.example>) and [x]\n(https://evil.example)"]
    for text, rendered in zip(texts, gradio_markdown([markdown_text(t) for t in texts]), strict=True):
        assert not re.findall(r"<(?!/?(?:p|br)>)", rendered), (text, rendered)
        shown = re.sub(r"\s*\n\s*", "\n", shown_text(rendered)).strip()
        assert shown == re.sub(r"\s*\n\s*", "\n", text).strip(), (text, rendered)


def test_citation_markers_stay_and_cannot_become_links(gradio_markdown):
    from assistant.types import Answer

    text = "Fact one. [1] See [2](https://evil.example) and ![3] [4]: x"
    answer = Answer(question="q", text=text, found=False)
    markdown = answer_markdown(answer)
    assert markdown.startswith("Fact one. [1] See \\[2\\](https\\://evil.example) and \\![3] \\[4\\]: x")
    (rendered,) = gradio_markdown([markdown])
    assert "<a" not in rendered and "<img" not in rendered


def test_the_export_links_only_to_the_source_url(gradio_markdown):
    turn = {
        "question": "What [x](https://evil.example)?\n# and",
        "answer": "It reopened. [1]",
        "notice": "<img src=x>",
        "citations": [{
            "n": 1, "title": "Harbour [news](https://evil.example)", "date": "2025-04-16",
            "source": "Weekly", "url": 'https://ok.example/a b>"[y](https://evil.example)',
            "sentence": "It reopened ![t](https://evil.example/t.png).",
        }],
    }
    (rendered,) = gradio_markdown([conversation_markdown([turn])])
    links = re.findall(r"<a\b[^>]*>", rendered)
    assert len(links) == 1, rendered  # the source's own address, with nothing breaking out of it
    assert 'href="https://ok.example/a%20b%3E%22%5By%5D(https://evil.example)"' in links[0]
    assert "<img" not in rendered and rendered.count("<h2>") == 1


def test_ingest_summary_escapes_names_and_reasons():
    summary = ingest_summary({
        "added": ["[a](https://evil.example)"],
        "failed": [{"path": "/tmp/x/![p](https://evil.example/t.png).docx", "reason": "see <https://evil.example>"}],
    })
    assert not ACTIVE.findall(summary), summary


def test_the_widget_export_escapes_like_the_server(repo_root):
    """widget.js's mdText/mdBlocks (its Markdown export) give what markdown_text and
    blocks_markdown give, for the same blocks (assistant/render.py)."""
    from assistant.html import blocks_markdown
    from assistant.render import text_blocks

    node = shutil.which("node")
    if node is None:
        pytest.skip("needs Node.js")
    widget = (repo_root / "assistant" / "static" / "widget.js").read_text(encoding="utf-8")
    pattern = r"\n  var MD_ACTIVE = .*?\n  }\n\n  /\* An answer's blocks for the export.*?\n  }\n"
    helpers = re.search(pattern, widget, re.DOTALL)
    assert helpers, "mdText and mdBlocks are no longer where this test looks for them"
    texts = [*CASES, "Fact one. [1] See [2](https://evil.example) and ![3] [4]: x", ARTICLE,
             "Intro\n- one [1]\n- two ![2]\n\nAfter [3]"]
    cases = [[t, text_blocks(t)] for t in texts]
    warned = [{"text": "Said *so*"}, {"warning": "cites [no] source"}]
    cases.append(["", [{"kind": "paragraph", "runs": warned}]])
    script = helpers.group() + (
        'const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));\n'
        "console.log(JSON.stringify(cases.map(([t, b]) => [mdText(t), mdBlocks(b)])));\n"
    )
    done = subprocess.run([node, "-e", script], input=json.dumps(cases), capture_output=True, text=True,
                          timeout=60, check=True)
    assert json.loads(done.stdout) == [[markdown_text(t), blocks_markdown(b)] for t, b in cases]
