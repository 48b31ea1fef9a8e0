"""One question through the real 1.5B model: llama.cpp in-process and an OpenAI-compatible server.

Opt-in (``real_model``): the model is 1.1 GB and an answer takes from ~30 s on idle cores
to minutes on busy ones, so these run only when asked::

    .venv/bin/python scripts/fetch_model.py
    .venv/bin/python -m pytest -m real_model tests/test_real_model.py

The model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M (``scripts/fetch_model.py``; another
file can be given with ``NEWSQA_TEST_GGUF``). The server is llama-cpp-python's own
(``python -m llama_cpp.server``) on a free 127.0.0.1 port, with bounded waits. What is
asserted is what the product shows — every shown citation verified, or a labelled
fallback — and that the model was asked the constrained (JSON) way and streamed sentences,
not JSON. Whether the model's answer survives verification is measured, over many
questions, by bench/llm_answers.py, not asserted here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from live_server import free_port, wait_for

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
