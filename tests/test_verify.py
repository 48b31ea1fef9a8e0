"""Citation verification: every generated sentence is checked against the passage it cites.

Real bundled embedder and the real sample passages; the sentences below are what a
language model might write (faithful, paraphrased, with a wrong number, a wrong speaker,
a marker pointing nowhere).
"""

from __future__ import annotations

import pytest

from assistant.verify import (
    MAX_NEW_TERMS,
    CitationVerifier,
    answer_sentences,
    facts,
    new_words,
    role_conflicts,
    split_markers,
)
from index.types import Chunk, Passage

RAILWAY = "What did Xi propose on railways?"
JOINT_COMMITTEE = "Joint Committee for Railway Cooperation"


@pytest.fixture(scope="module")
def verifier(embedder):
    return CitationVerifier(embedder, min_similarity=0.6)


def retrieved_with(assistant, question: str, text: str) -> tuple[list, int]:
    """The passages retrieved for ``question`` and the marker number of the first holding ``text``."""
    passages = assistant.retrieve(question)
    holding = [i for i, p in enumerate(passages, 1) if text in p.chunk.text]
    assert holding, f"the passage with {text!r} must be retrieved"
    return passages, holding[0]


@pytest.fixture(scope="module")
def railway_passages(sample_assistant):
    return retrieved_with(sample_assistant, RAILWAY, JOINT_COMMITTEE)


def test_markers_are_parsed_and_unknown_ones_removed():
    text, valid, unknown = split_markers("He proposed railways [1][7], and ports [2, 3] .", 3)
    assert text == "He proposed railways, and ports."
    assert valid == (1, 2, 3) and unknown == (7,)
    assert split_markers("Ranges work [1-3].", 5)[1] == (1, 2, 3)


def test_a_marker_after_the_full_stop_belongs_to_the_sentence_before():
    pieces = answer_sentences("Xi proposed railways. [1] Luong Cuong agreed [2]. He thanked Xi [1].")
    assert pieces == ["Xi proposed railways. [1]", "Luong Cuong agreed [2].", "He thanked Xi [1]."]


def test_facts_are_names_and_numbers():
    found = facts("What the UN said in 2025: Vietnam's 14th Congress costs 2,000.5 million.")
    assert {"UN", "2025", "Vietnam", "14", "Congress", "2000.5"} <= found
    assert "What" not in found


def test_a_faithful_paraphrase_is_verified_and_the_source_sentence_recorded(verifier, railway_passages):
    passages, n = railway_passages
    statement = f"Xi proposed that the two sides soon organize the first meeting of the {JOINT_COMMITTEE}"
    [checked] = verifier.check(f"{statement} [{n}].", passages)
    assert checked.verified and checked.markers == (n,) and checked.supported_by == n
    assert JOINT_COMMITTEE in checked.support
    article = passages[n - 1]
    # the recorded offsets point at that sentence in the article text
    start, end = checked.support_start - article.chunk.start, checked.support_end - article.chunk.start
    assert article.chunk.text[start:end] == checked.support


def test_a_number_the_passage_lacks_fails(verifier, railway_passages):
    passages, n = railway_passages
    [checked] = verifier.check(
        f"Xi proposed that the Joint Committee for Railway Cooperation meet in 2031 [{n}].", passages
    )
    assert not checked.verified and checked.markers == () and checked.cited == (n,)
    assert "2031" in checked.problem


def test_the_wrong_speaker_fails(verifier, railway_passages):
    passages, n = railway_passages
    [checked] = verifier.check(
        "Luong Cuong proposed that the two sides soon organize the first meeting of the Joint "
        f"Committee for Railway Cooperation [{n}].",
        passages,
    )
    assert not checked.verified
    assert "Xi Jinping" in checked.problem


def test_an_unrelated_claim_fails_even_with_a_valid_marker(verifier, railway_passages):
    passages, n = railway_passages
    [checked] = verifier.check(f"The two leaders discussed football transfer rules [{n}].", passages)
    assert not checked.verified and checked.problem == "not supported by the cited source"


def test_uncited_and_nonexistent_citations_fail(verifier, railway_passages):
    passages, _ = railway_passages
    uncited, ghost = verifier.check("Railways were discussed. Xi spoke about railways [99].", passages)
    assert not uncited.verified and uncited.problem == "cites no source"
    assert not ghost.verified and ghost.cited == () and ghost.problem == "cites a source that does not exist"


def test_one_good_marker_of_several_is_enough_and_only_it_survives(verifier, railway_passages):
    passages, n = railway_passages
    other = next(i for i in range(1, len(passages) + 1) if "Railway" not in passages[i - 1].chunk.text)
    [checked] = verifier.check(
        f"Xi suggested the first meeting of the Joint Committee for Railway Cooperation [{other}][{n}].",
        passages,
    )
    assert checked.verified and checked.markers == (n,) and set(checked.cited) == {n, other}


TRADE = "What did Xi say about trade?"
TRADE_SOURCE = "Commercial wars will undermine the international trading system"


@pytest.fixture(scope="module")
def trade_passages(sample_assistant):
    return retrieved_with(sample_assistant, TRADE, TRADE_SOURCE)


def test_new_words_are_the_statement_words_whose_term_the_passage_lacks():
    text = "Xi said trade wars undermine the trading system."
    passage = Passage(
        chunk=Chunk(article_id="a", position=0, start=0, end=len(text), text=text), title="Talks"
    )
    # "traded" and "wars" share the passage's terms (stems); stopwords never count
    assert new_words("Xi traded wars with the system.", passage) == ()
    assert new_words("Xi said the talks ended a long feud, sadly.", passage) == (
        "ended",
        "long",
        "feud",
        "sadly",
    )


def test_a_sentence_restating_the_question_as_fact_is_rejected(embedder, trade_passages):
    """A 1.5B model's answer to "What did Xi say about trade?" (bench/results/llm_answers.json,
    a09): on topic, close in meaning to the cited passage, but none of its claims is there."""
    passages, n = trade_passages
    sentence = (
        "Xi Jinping stressed that China and Viet Nam should respond to external uncertainties with the "
        "stability of their friendly cooperation and the superiority of their socialist systems, and "
        f"propel the ship of the community with a shared future to navigate the right way [{n}]."
    )
    [unchecked] = CitationVerifier(embedder, max_new_terms=None).check(sentence, passages)
    assert unchecked.verified, "without the word check the meaning alone lets it through"
    [checked] = CitationVerifier(embedder).check(sentence, passages)
    assert not checked.verified and checked.markers == ()
    assert checked.problem.startswith("the cited source does not mention")
    assert "uncertainties" in checked.problem


def test_a_faithful_paraphrase_with_a_word_or_two_of_its_own_is_accepted(verifier, trade_passages):
    passages, n = trade_passages
    assert verifier.max_new_terms == MAX_NEW_TERMS == 2
    [checked] = verifier.check(
        "Commercial wars would seriously harm the international trading system and the stability of "
        f"the world economic order [{n}].",
        passages,
    )
    assert checked.verified and checked.markers == (n,), checked.problem
    assert new_words(checked.text, passages[n - 1]) == ("seriously", "harm")


def test_the_speakers_full_name_for_his_title_is_no_swap(verifier, sample_assistant):
    question = "Which mechanisms did Xi agree to organize meetings of?"
    passages, n = retrieved_with(sample_assistant, question, "Steering Committee for Bilateral Cooperation")
    tail = (
        "agreed to promote high-level and all-level exchanges, step up the sharing of experiences in "
        "Party building and national governance, and effectively organize the meetings of the Steering "
        f"Committee for Bilateral Cooperation and the 3+3 strategic dialogue mechanism [{n}]."
    )
    # the source says "General Secretary and President Xi agreed …"; its speaker is Xi Jinping
    [checked] = verifier.check(f"Xi Jinping {tail}", passages)
    assert checked.verified, checked.problem
    [swapped] = verifier.check(f"Luong Cuong {tail}", passages)
    assert not swapped.verified


def test_a_proposal_written_as_done_fails(verifier, railway_passages):
    passages, n = railway_passages
    [done] = verifier.check(
        f"The two sides organized the first meeting of the {JOINT_COMMITTEE} [{n}].", passages
    )
    assert not done.verified and done.problem == "the cited source only proposes or expects this"
    [proposed] = verifier.check(
        f"Xi suggested that the two sides soon organize the first meeting of the {JOINT_COMMITTEE} [{n}].",
        passages,
    )
    assert proposed.verified, proposed.problem


@pytest.mark.parametrize(
    ("statement", "source", "conflict"),
    [
        ("The board approved the merger.", "The board will approve the merger next week.", True),
        ("He signed the deal.", "He agreed to sign the deal.", True),
        ("He signed the deal.", "He agreed to talk and then signed the deal.", False),
        ("He agreed to sign the deal.", "He agreed to sign the deal.", False),
        # the parser reads "organize" as a clause of "railways": "proposed" still governs it
        (
            "Xi proposed on railways that the two sides soon organize the first meeting.",
            "He suggested that the two sides soon organize the first meeting.",
            False,
        ),
    ],
)
def test_mood_conflicts(statement, source, conflict):
    assert any(c.startswith("mood") for c in role_conflicts(statement, source, None)) is conflict


def test_a_few_words_of_a_long_sentence_and_its_date_are_a_shortened_copy(verifier, sample_assistant):
    question = "On what date were the talks in Beijing held?"
    passages, n = retrieved_with(sample_assistant, question, "held talks with Party General Secretary")
    # far in meaning from the 45-word sentence it shortens, but made only of its words and the date
    [short] = verifier.check(f"The talks in Beijing were held on September 4, 2025 [{n}].", passages)
    assert short.verified, short.problem
    [wrong] = verifier.check(f"The talks in Beijing were held on September 5, 2025 [{n}].", passages)
    assert not wrong.verified
    [hanoi] = verifier.check(f"The talks in Hanoi were held on September 4, 2025 [{n}].", passages)
    assert not hanoi.verified
