"""The SciFact retrieval metrics (bench/retrieval_scifact.py) on hand-made rankings; no model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.retrieval_scifact import (
    CONFIGS,
    dedupe,
    expand,
    max_similarities,
    mrr_at_k,
    ndcg_at_k,
    paired,
    recall_at_k,
    score_ranking,
    sentence_rerank,
    sentence_texts,
    summarise,
)
from index.types import Chunk, Passage, Sentence


def test_ndcg_with_graded_relevance_matches_hand_computation():
    qrels = {"a": 2, "b": 1, "c": 1}
    ranking = ["x", "b", "a", "y"]
    # DCG = 1/log2(3) + 2/log2(4); ideal = 2/log2(2) + 1/log2(3) + 1/log2(4)
    expected = (1 / math.log2(3) + 1.0) / (2.0 + 1 / math.log2(3) + 0.5)
    assert ndcg_at_k(ranking, qrels, 10) == pytest.approx(expected)
    assert ndcg_at_k(ranking, qrels, 10) == pytest.approx(0.520909, abs=1e-6)


def test_perfect_ranking_scores_one_and_order_of_grades_matters():
    qrels = {"a": 2, "b": 1}
    assert ndcg_at_k(["a", "b", "z"], qrels) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "a"], qrels) < 1.0
    assert ndcg_at_k(["z"] * 3, qrels) == 0.0
    assert ndcg_at_k(["a"], {}) == 0.0  # no relevant documents: 0, not a division by zero


def test_ndcg_cut_ignores_documents_past_k_and_ideal_is_cut_too():
    qrels = {f"d{i}": 1 for i in range(12)}
    ranking = [f"d{i}" for i in range(12)]
    assert ndcg_at_k(ranking, qrels, 10) == pytest.approx(1.0)  # ideal DCG has 10 gains, not 12
    assert ndcg_at_k(["z"] * 10 + ["d0"], {"d0": 1}, 10) == 0.0


def test_recall_at_k():
    qrels = {"a": 1, "b": 1, "c": 2, "n": 0}  # relevance 0 is not relevant
    ranking = ["a", "x", "c"] + ["y"] * 20 + ["b"]
    assert recall_at_k(ranking, qrels, 3) == pytest.approx(2 / 3)
    assert recall_at_k(ranking, qrels, 1) == pytest.approx(1 / 3)
    assert recall_at_k(ranking, qrels, 100) == 1.0
    assert recall_at_k(ranking, {}, 10) == 0.0


def test_mrr_at_k():
    qrels = {"a": 1, "b": 1}
    assert mrr_at_k(["x", "y", "b", "a"], qrels) == pytest.approx(1 / 3)
    assert mrr_at_k(["a"], qrels) == 1.0
    assert mrr_at_k(["x"] * 10 + ["a"], qrels, 10) == 0.0


def test_dedupe_keeps_each_document_at_its_best_chunk():
    ids = ["d1", "d2", "d1", "d3", "d2", "d4"]
    assert dedupe(ids) == ["d1", "d2", "d3", "d4"]
    assert dedupe(ids, 2) == ["d1", "d2"]
    # A second chunk of an irrelevant abstract does not push the relevant one down.
    s = score_ranking(dedupe(["x", "x", "x", "rel"]), {"rel": 1})
    assert s.mrr10 == pytest.approx(0.5) and s.docs == 2
    assert s.ndcg10 == pytest.approx(1 / math.log2(3))


def test_score_ranking_and_summary():
    qrels = {"a": 1}
    good = score_ranking(["a", "b"], qrels)
    bad = score_ranking(["b"] * 1 + [f"z{i}" for i in range(150)], qrels)
    assert (good.ndcg10, good.recall10, good.recall100, good.mrr10) == (1.0, 1.0, 1.0, 1.0)
    assert bad.docs == 100 and bad.recall100 == 0.0
    m = summarise([good, bad], [0.010, 0.030])
    assert m["n"] == 2 and m["ndcg10"] == 0.5 and m["mrr10"] == 0.5
    assert m["short_rankings"] == 1  # the good one reached only 2 documents
    assert m["p50_ms"] == pytest.approx(20.0)


def test_paired_difference():
    out = paired([0.5, 0.5, 1.0], [1.0, 0.5, 0.0], rounds=200)
    assert out["mean_diff"] == pytest.approx(round(-1 / 6, 4))
    assert (out["better"], out["worse"], out["same"]) == (1, 1, 1)
    assert out["ci95"][0] <= out["mean_diff"] <= out["ci95"][1]


# --- Sentence rerank ---------------------------------------------------------------------------

ARTICLE = "Title here. First finding is A. Second finding is B. Third is C."


def passage(article_id: str, score: float, start: int = 12, end: int = len(ARTICLE)) -> Passage:
    spans = [(12, 31), (32, 52), (53, 64)]
    return Passage(
        chunk=Chunk(
            article_id=article_id,
            position=0,
            start=start,
            end=end,
            text=ARTICLE[start:end],
            sentences=tuple(Sentence(start=s, end=e) for s, e in spans if s >= start and e <= end),
        ),
        title="t",
        score=score,
        id=f"{article_id}:h:0",
    )


def test_sentence_texts_use_article_offsets():
    assert sentence_texts(passage("d", 1.0)) == [
        "First finding is A.",
        "Second finding is B.",
        "Third is C.",
    ]
    assert sentence_texts(passage("d", 1.0, start=32)) == ["Second finding is B.", "Third is C."]


class FakeEmbedder:
    """Vectors by keyword: 'B' sentences point along the query, the rest away from it."""

    def encode(self, texts):
        return np.array([[1.0, 0.0] if "B" in t else [0.0, 1.0] for t in texts])


def test_max_similarities_is_the_best_sentence():
    ps = [passage("d1", 1.0), passage("d2", 1.0, start=53)]
    assert max_similarities(FakeEmbedder(), np.array([1.0, 0.0]), ps) == [1.0, 0.0]


def test_sentence_rerank_reorders_only_the_head():
    ps = [passage(f"d{i}", s) for i, s in enumerate([3.0, 2.0, 1.0, 0.5])]
    maxsim = [0.1, 0.2, 0.9]
    out = sentence_rerank(ps, maxsim, weight=1.0, top=3)
    # z(score) = [1.22, 0, -1.22]; z(maxsim) = [-0.84, -0.56, 1.40] -> d0 0.38, d1 -0.56, d2 0.18
    assert [p.article_id for p in out] == ["d0", "d2", "d1", "d3"]
    assert [p.article_id for p in sentence_rerank(ps, maxsim, weight=0.0, top=3)] == ["d0", "d1", "d2", "d3"]
    assert [p.article_id for p in sentence_rerank(ps, maxsim, weight=10.0, top=3)][:1] == ["d2"]


def test_expand_adds_the_rerank_base_and_accepts_prefixes():
    reranks = [n for n in CONFIGS if n.startswith("default+sentence-rerank")]
    assert len(reranks) == 2
    assert expand(["default+sentence-rerank"]) == ["default", *reranks]
    assert expand(["bm25", reranks[0]]) == ["bm25", "default", reranks[0]]
