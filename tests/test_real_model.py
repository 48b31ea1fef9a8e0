"""One question through the real 1.5B model: in-process, via an OpenAI-compatible server, in the UI.

Opt-in (``real_model``): the model is 1.1 GB and an answer takes from ~30 s on idle cores
to minutes on busy ones, so these run only when asked::

    .venv/bin/python scripts/fetch_model.py
    .venv/bin/python -m pytest -m real_model tests/test_real_model.py

The model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M (``scripts/fetch_model.py``; another
file can be given with ``NEWSQA_TEST_GGUF``). The server is llama-cpp-python's own
(``python -m llama_cpp.server``) on a free 127.0.0.1 port, with bounded waits. What is
asserted is what the product shows — every shown citation verified, or a labelled
fallback — and that the model was asked the constrained (JSON) way and streamed sentences,
not JSON. The browser test drives ``python app.py`` (llama.cpp in-process, one thread) in
Debian's chromium and checks that the draft grows in the chat before the checked answer
replaces it, and that the answer's ``[n]`` chip opens its highlighted source.
Whether the model's answer survives verification is measured, over many
questions, by bench/llm_answers.py, not asserted here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from live_server import CHROMIUM, SAMPLE, chromium_browser, free_port, live_app, wait_for

from assistant.build import build_assistant
from assistant.types import Answer

pytestmark = pytest.mark.real_model

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from fetch_model import NAME, default_dir  # noqa: E402

RAILWAY = "What did Xi propose on railways?"


@pytest.fixture(scope="module")
def gguf(request) -> Path:
    if "real_model" not in (request.config.option.markexpr or ""):
        pytest.skip("opt-in: run with -m real_model")
    path = Path(os.environ.get("NEWSQA_TEST_GGUF") or default_dir() / NAME)
    if not path.is_file():
        pytest.skip(f"no model at {path}: run .venv/bin/python scripts/fetch_model.py")
    return path


@pytest.fixture(scope="module")
def server(gguf, tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("llama") / "server.log").open("w")
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
        "--port", str(port), "--n_threads", "1", "--n_threads_batch", "1", "--n_ctx", "4096",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/v1/models", proc, seconds=300)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        log.close()


def assert_shown_citations_verified(answer: Answer) -> None:
    """Generated: at least one verified sentence, every shown marker verified and highlighted
    where its offsets say. Fallback (the model's sentences all failed): labelled, extractive."""
    assert answer.found
    shown = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert shown == {c.n for c in answer.citations}
    for c in answer.citations:
        start = c.start - c.passage.chunk.start
        assert c.passage.chunk.text[start : start + len(c.sentence)] == c.sentence
    if answer.mode == "generated":
        assert any(s.verified for s in answer.statements)
        assert all(s.verified == bool(s.markers) for s in answer.statements)
    else:
        assert answer.mode == "fallback" and answer.notice and not answer.statements


def stream(assistant, question: str) -> tuple[Answer, str]:
    tokens, answer = [], None
    for event in assistant.stream(question):
        if event.kind == "token":
            tokens.append(event.text)
        answer = event.answer or answer
    assert answer is not None
    return answer, "".join(tokens)


def test_one_question_through_llama_cpp_in_process(gguf, sample_assistant, fresh_settings):
    settings = fresh_settings.model_copy(
        update={"llm": "llamacpp", "llm_model_path": gguf, "llm_threads": 1, "llm_timeout": 900,
                "llm_temperature": 0.0}
    )  # fmt: skip
    assistant = build_assistant(settings, library=sample_assistant.library)
    answer, streamed = stream(assistant, RAILWAY)
    assert_shown_citations_verified(answer)
    # the grammar held: what streamed is the rendered JSON claims, not JSON
    assert streamed and not streamed.lstrip().startswith("{")


def test_one_question_through_the_openai_compatible_server(server, sample_assistant, fresh_settings):
    settings = fresh_settings.model_copy(
        update={"llm": "openai", "llm_base_url": server, "llm_timeout": 900, "llm_temperature": 0.0}
    )
    assistant = build_assistant(settings, library=sample_assistant.library)
    answer, streamed = stream(assistant, RAILWAY)
    assert_shown_citations_verified(answer)
    assert streamed and not streamed.lstrip().startswith("{")


# Every change of the chat's text, in order, recorded by the page itself (a poll from Python
# could miss states between two looks).
RECORD_CHAT = """() => {
  window.__states = [];
  const chat = document.querySelector('#chat');
  const note = () => {
    const text = chat.innerText;
    if (window.__states[window.__states.length - 1] !== text) window.__states.push(text);
  };
  new MutationObserver(note).observe(chat, {subtree: true, childList: true, characterData: true});
}"""
PENDING = ("Writing the answer", "Checking every citation")
NOT_SUPPORTED = "language model"  # every fallback notice names the model and why it is not shown


def draft_of(state: str) -> str | None:
    """The draft shown while the answer is pending (the question and the status taken off)."""
    at = min((state.find(p) for p in PENDING if p in state), default=-1)
    if at < 0:
        return None
    return state[:at].split(RAILWAY, 1)[-1].strip()


@pytest.mark.browser
@pytest.mark.timeout(1200)
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt install chromium)")
def test_the_ui_streams_a_real_model_answer_then_a_clickable_citation(gguf, tmp_path):
    env = {"NEWSQA_LLM": "llamacpp", "NEWSQA_LLM_MODEL_PATH": str(gguf), "NEWSQA_LLM_THREADS": "1",
           "NEWSQA_LLM_TEMPERATURE": "0", "NEWSQA_LLM_TIMEOUT": "900"}  # fmt: skip
    with live_app(tmp_path, [SAMPLE], env) as base, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(base + "/", wait_until="load")
        page.locator("#chat").wait_for(timeout=60_000)
        page.evaluate(RECORD_CHAT)
        page.locator("#question textarea").fill(RAILWAY)
        started = time.monotonic()
        page.locator("#ask").click()
        page.locator("#sources .nq-source").first.wait_for(timeout=900_000)  # bounded: 15 min
        seconds = time.monotonic() - started
        page.wait_for_timeout(500)  # the last mutation recorded
        states = page.evaluate("window.__states")
        chat = page.locator("#chat").inner_text()
        page.screenshot(path=str(tmp_path / "real-model-chat.png"))
        drafts = [d for d in map(draft_of, states) if d]
        fallback = NOT_SUPPORTED in chat and "shown instead" in chat
        chip = page.locator("#chat a.nq-cite").first
        chip.wait_for(timeout=10_000)
        target = chip.get_attribute("href")
        chip.click()
        page.wait_for_timeout(900)  # the smooth scroll
        card = page.locator(target)
        marked = card.locator("mark.nq-support").first.text_content() or ""
        in_view = card.bounding_box()
    record = {"seconds": round(seconds, 1), "states": len(states), "partial_drafts": len(set(drafts)),
              "mode": "fallback" if fallback else "generated", "first_draft": drafts[:1],
              "last_draft": drafts[-1:], "final": chat, "chip": target, "marked": marked}  # fmt: skip
    print(json.dumps(record, ensure_ascii=False, indent=1))
    # progressive: the draft grew over several distinct states before the final answer
    assert len(set(drafts)) >= 2, states
    assert len(drafts[-1]) > len(drafts[0])
    assert not any(p in chat for p in PENDING)  # the draft was replaced by the checked answer
    # the final answer: a chip that opens its source card with the supporting sentence marked;
    # a fallback says so (the model's answer was not shown) and quotes the articles instead
    assert target and target.startswith("#nq-t1-c") and marked.strip()
    assert in_view is not None
    if fallback:
        assert "shown instead" in chat
    else:
        shown = {int(n) for n in re.findall(r"\[(\d+)\]", chat)}
        assert shown and shown == set(range(1, len(shown) + 1))
