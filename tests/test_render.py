"""One reading of an answer (assistant/render.py), rendered by the chat and sent to the widget.

The chat's Markdown (as Gradio renders it) and the API's ``blocks`` come from the same
blocks; the widget's DOM from those blocks is checked in tests/test_widget_browser.py.
"""

from __future__ import annotations

import re

import pytest
from test_html_safety import gradio_markdown  # noqa: F401  (a fixture)

from assistant.html import answer_markdown
from assistant.render import answer_blocks, blocks_text, text_blocks
from assistant.types import Answer, Statement

QUESTIONS = [
    "What did Xi propose on railways?",
    "How did Vietnam–China railway cooperation develop in 2025?",
    "What did Luong Cuong say about maritime issues?",
    "What did the two leaders agree about football?",
]


@pytest.fixture(scope="module")
def answers(sample_assistant) -> list[Answer]:
    return [sample_assistant.ask(q) for q in QUESTIONS]


def test_blocks_keep_every_character_of_an_extractive_answer(answers):
    for answer in answers:
        blocks = answer_blocks(answer)
        assert blocks_text(blocks) == answer.text.strip()
        cited = {c.n for c in answer.citations}
        markers = [r["cite"] for b in blocks for r in b["runs"] if "cite" in r]
        assert set(markers) <= cited  # no marker to nowhere
        assert markers or not answer.found


def test_list_items_and_paragraphs():
    blocks = text_blocks("Two things happened:\n- First [1].\n- Second [2][3].\n\nAlso [4]: a note")
    assert [b["kind"] for b in blocks] == ["paragraph", "item", "item", "paragraph"]
    assert blocks[1]["runs"] == [{"text": "First "}, {"cite": 1}, {"text": "."}]
    assert [r for r in blocks[2]["runs"] if "cite" in r] == [{"cite": 2}, {"cite": 3}]
    assert blocks[3]["runs"] == [{"text": "Also [4]: a note"}]  # "[4]:" is a Markdown reference, not a marker


def test_a_generated_answer_shows_markers_and_warnings_never_bracketed_problems(answers):
    source = next(a for a in answers if a.citations)
    answer = Answer(
        question="q",
        text="unused by the renderers",
        found=True,
        citations=source.citations[:1],
        mode="generated",
        statements=(
            Statement(text="A supported sentence.", cited=(1,), markers=(1,), verified=True),
            Statement(text="An unsupported one.", problem="cites no source"),
        ),
    )
    blocks = answer_blocks(answer)
    assert blocks == [{"kind": "paragraph", "runs": [
        {"text": "A supported sentence. "}, {"cite": 1}, {"text": " "},
        {"text": "An unsupported one."}, {"warning": "cites no source"},
    ]}]
    assert answer.to_json()["blocks"] == blocks
    chat = answer_markdown(answer, turn=1)
    assert 'href="#nq-t1-c1"' in chat and "⚠️ *cites no source*" in chat and "[cites no source]" not in chat


def test_the_chat_renders_the_blocks_the_api_sends(answers, gradio_markdown):  # noqa: F811
    """Same list items, same markers in the same order, in Gradio's rendering of the chat."""
    for turn, answer in enumerate(answers, 1):
        blocks = answer.to_json()["blocks"]
        (rendered,) = gradio_markdown([answer_markdown(answer, turn)])
        items = [b for b in blocks if b["kind"] == "item"]
        assert rendered.count("<li") == len(items), rendered
        chips = [int(n) for n in re.findall(r'class="nq-cite" href="#nq-t\d+-c(\d+)"', rendered)]
        assert chips == [r["cite"] for b in blocks for r in b["runs"] if "cite" in r]
