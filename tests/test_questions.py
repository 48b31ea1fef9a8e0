"""Questions that cannot be asked raise ``QuestionError`` with a message for the user."""

from __future__ import annotations

import pytest

from assistant.pipeline import QuestionError

HUGE = "Why " + "x" * (100 * 1024)  # a 100 KB question


@pytest.mark.parametrize("question", ["", "   ", "\n\t  \n", None], ids=["empty", "spaces", "blank", "none"])
def test_empty_question_is_rejected(sample_assistant, question):
    with pytest.raises(QuestionError) as err:
        sample_assistant.ask(question)
    message = str(err.value)
    assert message.strip()
    assert "question" in message.lower()


def test_huge_question_is_rejected(sample_assistant):
    with pytest.raises(QuestionError) as err:
        sample_assistant.ask(HUGE)
    message = str(err.value)
    assert "too long" in message.lower()
    limit = sample_assistant.max_question_chars
    assert f"{limit:,}" in message, "the message says what the limit is"
    assert len(message) < 300, "the message must not echo the question"


def test_search_rejects_the_same_input(sample_assistant):
    for bad in ("", HUGE):
        with pytest.raises(QuestionError):
            sample_assistant.search(bad, k=3)


def test_question_length_limit_boundary(sample_assistant):
    limit = sample_assistant.max_question_chars
    ok = "a" * limit
    assert sample_assistant.check(f"  {ok}  ") == ok  # trimmed, then measured
    with pytest.raises(QuestionError):
        sample_assistant.check(ok + "a")


def test_question_error_is_a_value_error():
    assert issubclass(QuestionError, ValueError)


def test_sentence_cache_smaller_than_one_question_still_answers(embedder, sample_library):
    """The answerer's vector cache may be tiny: eviction never drops vectors still in use."""
    from assistant.extractive import ExtractiveAnswerer
    from assistant.settings import Settings

    answerer = ExtractiveAnswerer(
        embedder, sample_library.catalog.idf, min_evidence=Settings().min_evidence
    )
    answerer.embed.size = 3
    passages = sample_library.search("railway cooperation", 8)
    ranked = answerer.score("What did Xi propose on railways?", passages)
    assert len(ranked) > 3
    assert len(answerer.embed._vectors) == 3
