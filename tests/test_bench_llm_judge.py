"""The word judge of generated sentences (bench/llm_judge.py) and the benchmark's gold check."""

from __future__ import annotations

import pytest

from bench.llm_answers import holds_gold
from bench.llm_judge import judge_many

PASSAGE = (
    "State President Luong Cuong met Xi Jinping in Beijing on September 4. "
    "Xi proposed holding the first meeting of the Joint Committee for Railway Cooperation. "
    "The two sides agreed to expand trade, which grew 12 percent last year."
)


@pytest.mark.parametrize(
    "claim,kinds",
    [
        ("Xi proposed holding the first meeting of the Joint Committee for Railway Cooperation.", ()),
        ("Luong Cuong met Xi Jinping in Beijing on September 4.", ()),
        (
            "Xi proposed holding the first meeting of the Joint Committee for Railway Cooperation in Hanoi.",
            ("actor",),
        ),
        ("The two sides agreed to expand trade, which grew 15 percent last year.", ("number",)),
        ("The two sides did not agree to expand trade.", ("negation",)),
        ("Xi is implicated in controversies about privacy and content moderation.", ("added",)),
    ],
)
def test_each_unfaithful_kind_is_found_by_its_words(claim, kinds):
    (verdict,) = judge_many([(claim, [PASSAGE])])
    assert set(kinds) <= set(verdict.kinds)
    assert verdict.supported == (not kinds)


def test_a_sentence_citing_nothing_is_uncited():
    (verdict,) = judge_many([("Xi proposed a railway committee.", [])])
    assert verdict.kinds == ("uncited",)


def test_gold_answers_are_names_or_answer_terms():
    assert holds_gold({"answer": "Sam Bankman-Fried was convicted.", "gold": "Sam Bankman-Fried"}) is True
    assert holds_gold({"answer": "Yes, it did.", "gold": "Yes"}) is None  # yes/no: not a name
    assert (
        holds_gold({"answer": "Xi Jinping proposed it.", "answer_terms": [["Xi"], ["railway", "rail"]]})
        is False
    )
    assert holds_gold({"answer": "no terms", "answer_terms": []}) is None
