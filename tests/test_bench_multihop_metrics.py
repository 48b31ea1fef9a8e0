"""The MultiHop-RAG retrieval metrics (bench/retrieval_multihop.py) on hand-made rankings."""

from __future__ import annotations

import pytest

from bench.retrieval_multihop import (
    contained,
    evenly,
    names_source,
    normalise,
    score_query,
    summarise,
)

FACT_A = "The prosecution painted Bankman-Fried as a fraud."
FACT_B = "No apartment in New York City has ever sold for that amount."


def test_normalise_drops_spaces_and_newlines_only():
    assert normalise("a b\nc\td") == "abc\td"


def test_first_relevant_rank_hits_and_mrr():
    ranked = ["nothing here", "still nothing", "x " + FACT_A + " y", FACT_B]
    s = score_query(ranked, [FACT_A, FACT_B])
    assert s.first_rank == 3
    assert s.hits10 and s.hits4
    assert s.rr == pytest.approx(1 / 3)
    assert s.facts_found == 2 and s.recall == 1.0 and s.all_found
    # MAP@10 as the official evaluator: (1/3 + 1/4) / min(2 facts, 10)
    assert s.ap10 == pytest.approx((1 / 3 + 1 / 4) / 2)


def test_relevant_only_after_rank_four_is_not_a_hit_at_four():
    ranked = ["filler"] * 4 + [FACT_A]
    s = score_query(ranked, [FACT_A, FACT_B])
    assert s.first_rank == 5 and s.hits10 and not s.hits4
    assert s.rr == pytest.approx(0.2)
    assert s.recall == 0.5 and not s.all_found


def test_only_the_top_ten_count():
    ranked = ["filler"] * 10 + [FACT_A]
    s = score_query(ranked, [FACT_A])
    assert s.first_rank == 0 and not s.hits10 and s.rr == 0.0 and s.recall == 0.0


def test_whitespace_and_newlines_are_ignored_both_ways():
    passage = "The prosecution\npainted Bankman -Fried  as a\n fraud. More text."
    s = score_query([passage], [FACT_A])
    assert s.first_rank == 1 and s.all_found


def test_other_differences_still_miss():
    # Case and punctuation are not normalised by the official evaluator.
    s = score_query(["the prosecution painted Bankman-Fried as a fraud."], [FACT_A])
    assert s.first_rank == 0
    s = score_query(["The prosecution painted Bankman-Fried as a fraud"], [FACT_A])
    assert s.first_rank == 0


def test_a_fact_cut_across_two_passages_is_not_found():
    half = len(FACT_A) // 2
    ranked = ["lead " + FACT_A[:half], FACT_A[half:] + " tail"]
    s = score_query(ranked, [FACT_A])
    assert s.first_rank == 0 and s.facts_found == 0
    assert contained([FACT_A], ranked) == [False]
    # Only the cut loses it: the two passages joined contain it again.
    assert contained([FACT_A], ["".join(ranked)]) == [True]


def test_a_fact_found_twice_counts_once():
    s = score_query([FACT_A, "again " + FACT_A], [FACT_A, FACT_B])
    assert s.first_rank == 1 and s.facts_found == 1 and s.recall == 0.5
    assert s.ap10 == pytest.approx(1 / 2)


def test_summarise_averages_over_queries():
    scores = [
        score_query([FACT_A], [FACT_A]),  # rank 1, all found
        score_query(["x", "y", FACT_B], [FACT_A, FACT_B]),  # rank 3, half found
        score_query(["x"], [FACT_A]),  # miss
    ]
    m = summarise(scores, [0.010, 0.020, 0.030])
    assert m["n"] == 3
    assert m["hits10"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["hits4"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["mrr10"] == pytest.approx((1 + 1 / 3) / 3, abs=1e-4)
    assert m["recall10"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    assert m["all_found"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["p50_ms"] == pytest.approx(20.0)
    assert summarise([]) == {"n": 0}


def test_evenly_spreads_and_keeps_order():
    items = list(range(10))
    assert evenly(items, None) == items
    assert evenly(items, 20) == items
    assert evenly(items, 5) == [0, 2, 4, 6, 8]
    assert evenly(items, 0) == []


@pytest.mark.parametrize(
    ("question", "source", "named"),
    [
        ("as reported by CBS Sports and ...", "CBSSports.com", True),
        ("according to Live Science, ...", "Live Science: The Most Interesting Articles", True),
        ("in a Roar article", "The Roar | Sports Writers Blog", True),
        ("as 'Fortune' reported", "Fortune", True),
        ("What did The Verge say?", "TechCrunch", False),
        ("a teenager's AI venture", "The Age", False),
        ("their fortunes turned", "Fortune", False),
    ],
)
def test_names_source_is_loose(question, source, named):
    assert names_source(question, source) is named
