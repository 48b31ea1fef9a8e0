"""Hybrid retrieval on the real sample corpus: BM25 kept in sync, fusion, filters, scope, diversity."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assistant.retrieve import NewsRetriever, diversify, intersect, rrf, with_names
from assistant.scope import FilterError
from index.types import Article, Chunk, Passage, SearchFilter

APRIL = dt.date(2025, 4, 16)
SEPTEMBER = dt.date(2025, 9, 4)


@pytest.fixture(scope="module")
def sample_articles(sample_corpus_path) -> list[Article]:
    """The sample articles as the product ingests them, oldest first."""
    from index.ingest import load_paths

    articles = [a for a in load_paths([sample_corpus_path]) if isinstance(a, Article)]
    return sorted(articles, key=lambda a: a.date)


@pytest.fixture
def two_source_library(fresh_library, sample_articles):
    """The two sample articles, filed under two different sources."""
    april, september = sample_articles
    fresh_library.add(april.model_copy(update={"source": "Nhan Dan"}))
    fresh_library.add(september.model_copy(update={"source": "Viet Nam News"}))
    return fresh_library


def test_bm25_finds_exact_names_and_numbers(sample_library):
    cases = [("3+3 strategic dialogue", "3+3"), ("UNCLOS 1982", "UNCLOS 1982"), ("Zhao Leji", "Zhao Leji")]
    for query, words in cases:
        top = sample_library.search_lexical(query, 3)
        assert top and words in top[0].chunk.text, (query, top[0].chunk.text if top else None)


def test_hybrid_ranks_the_exact_match_first(sample_assistant):
    retriever = sample_assistant.retriever.model_copy(update={"mode": "hybrid", "k": 5})
    top = retriever.passages("What is the 3+3 mechanism?")
    assert "3+3" in top[0].chunk.text


def test_bm25_index_follows_adds_and_removes(fresh_library, sample_articles):
    article = sample_articles[0]
    fresh_library.add(article)
    assert fresh_library.lexical.count() == fresh_library.chunks.count() > 0
    generation = fresh_library.catalog.generation
    pointer = json.loads((fresh_library.home / "bm25" / "current.json").read_text())
    assert pointer["generation"] == generation

    changed = article.model_copy(update={"text": article.text + "\n\nA later paragraph about zeppelins."})
    assert fresh_library.add(changed) == "updated"
    hits = fresh_library.search_lexical("zeppelins", 5)
    assert hits and "zeppelins" in hits[0].chunk.text
    assert fresh_library.lexical.count() == fresh_library.chunks.count()
    assert {h.id for h in fresh_library.search_lexical(article.title, 50)} <= {
        r.id for r in fresh_library.catalog.chunk_rows()
    }

    assert fresh_library.remove(article.id)
    assert fresh_library.search_lexical("zeppelins", 5) == []
    assert fresh_library.lexical.count() == 0


def test_bm25_index_is_reused_by_a_new_process(fresh_settings, fresh_library, sample_articles, embedder):
    from assistant.build import build_library

    fresh_library.add(sample_articles[0])
    fresh_library.search_lexical("railways", 3)  # builds and saves
    folder = fresh_library.home / "bm25" / str(fresh_library.catalog.generation)
    saved = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = build_library(fresh_settings, embedder=embedder)
    assert again.search_lexical("railways", 3) == fresh_library.search_lexical("railways", 3)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == saved  # loaded, not rebuilt


def test_date_filter_applies_to_both_rankings(sample_library):
    april_only = SearchFilter(until=dt.date(2025, 4, 30))
    for mode in ("dense", "bm25", "hybrid"):
        retriever = NewsRetriever(library=sample_library, k=8, mode=mode, use_scope=False)
        passages = retriever.passages("cooperation between Vietnam and China", where=april_only)
        assert passages and {p.date for p in passages} == {APRIL}, mode
        september = retriever.passages("cooperation", where=SearchFilter(since=dt.date(2025, 9, 1)))
        assert {p.date for p in september} == {SEPTEMBER}, mode


def test_a_filtered_dense_search_ranks_like_the_whole_ranking_cut_to_the_filter(sample_library):
    query = "railway cooperation between Vietnam and China"
    everything = sample_library.search(query, k=1000)
    for where in (SearchFilter(until=dt.date(2025, 4, 30)), SearchFilter(since=dt.date(2025, 9, 1))):
        expected = [p.id for p in everything if where.matches(p.date, p.source, p.article_id)][:5]
        found = sample_library.search(query, k=5, where=where)
        assert expected and [p.id for p in found] == expected
        assert [p.score for p in found] == pytest.approx([p.score for p in everything if p.id in expected])
    assert sample_library.search(query, k=5, where=SearchFilter(sources=("No such outlet",))) == []


def test_an_undated_article_is_outside_every_date_range(two_source_library):
    text = "The harbour crane was repaired."
    two_source_library.add(Article(id="harbour", title="Harbour works", source="Nhan Dan", text=text))
    assert two_source_library.get("harbour").date is None
    query = "harbour crane repaired"
    for where in (SearchFilter(since=dt.date(2000, 1, 1)), SearchFilter(until=dt.date(2100, 1, 1))):
        assert "harbour" not in {p.article_id for p in two_source_library.search(query, 20, where)}
        assert "harbour" not in {p.article_id for p in two_source_library.search_lexical(query, 20, where)}
    by_source = SearchFilter(sources=("Nhan Dan",))
    assert two_source_library.search(query, 1, by_source)[0].article_id == "harbour"
    assert two_source_library.search_lexical(query, 1, by_source)[0].article_id == "harbour"
    other = SearchFilter(sources=("Viet Nam News",))
    found = two_source_library.search_lexical("railway " + query, 5, other)
    assert {p.source for p in found} == {"Viet Nam News"}
    assert not two_source_library.search_lexical(query, 5, SearchFilter(article_ids=("no-such-id",)))


def test_source_and_article_filters(two_source_library):
    retriever = NewsRetriever(library=two_source_library, k=8, use_scope=False)
    nhan_dan = retriever.passages("railways", where=SearchFilter(sources=("Nhan Dan",)))
    assert nhan_dan and {p.source for p in nhan_dan} == {"Nhan Dan"}
    article_id = nhan_dan[0].article_id
    other = next(a["id"] for a in two_source_library.list() if a["id"] != article_id)
    only = retriever.passages("railways", where=SearchFilter(article_ids=(other,)))
    assert only and {p.article_id for p in only} == {other}


def test_question_dates_narrow_the_search(sample_assistant):
    answer = sample_assistant.ask("What did Xi say in April 2025?")
    assert answer.found
    assert {c.passage.date for c in answer.citations} == {APRIL}
    assert "2025-04-01" in answer.searched and "2025-04-30" in answer.searched
    september = sample_assistant.retrieve("What did Xi propose in September?")
    assert {p.date for p in september} == {SEPTEMBER}


def test_question_dates_outside_the_corpus_do_not_empty_the_search(sample_assistant):
    passages = sample_assistant.retrieve("What happened with the sea disputes in 2019?")
    assert passages  # no articles from 2019: the date is ignored rather than matching nothing


def test_question_naming_a_source_looks_into_it(two_source_library, fresh_settings):
    from assistant.build import build_assistant

    assistant = build_assistant(fresh_settings, library=two_source_library)
    scope = assistant.retriever.scope("What did Viet Nam News report about railways?")
    assert [m.sources for m in scope.sources] == [("Viet Nam News",)]
    passages = assistant.retrieve("What did Viet Nam News report about railways?")
    assert passages[0].source == "Viet Nam News"


def test_user_filters_are_validated(two_source_library, fresh_settings):
    from assistant.build import build_assistant

    assistant = build_assistant(fresh_settings, library=two_source_library)
    assert assistant.make_filter(sources=["nhan dan"]).sources == ("Nhan Dan",)
    assert assistant.make_filter(since="2025-04", until="2025").since == dt.date(2025, 4, 1)
    assert assistant.make_filter(until="2025-02").until == dt.date(2025, 2, 28)
    with pytest.raises(FilterError, match="Reuters"):
        assistant.make_filter(sources=["Reuters"])
    with pytest.raises(FilterError, match="not a date"):
        assistant.make_filter(since="last Tuesday")
    with pytest.raises(FilterError, match="after the end date"):
        assistant.make_filter(since="2025-09-01", until="2025-04-01")


def test_disjoint_filters_match_nothing(sample_assistant):
    a = SearchFilter(since=dt.date(2025, 9, 1))
    b = SearchFilter(until=dt.date(2025, 4, 30))
    assert intersect(a, b) is None
    assert intersect(SearchFilter(sources=("A",)), SearchFilter(sources=("B",))) is None
    assert intersect(a, SearchFilter(sources=("A",))) == SearchFilter(since=a.since, sources=("A",))
    retriever = sample_assistant.retriever.model_copy(update={"where": a})
    assert retriever.passages("railways", where=b) == []


def test_no_article_crowds_out_the_others(sample_library):
    retriever = NewsRetriever(library=sample_library, k=6, max_per_article=2, use_scope=False)
    passages = retriever.passages("Vietnam China cooperation")
    counts = {}
    for p in passages[:4]:
        counts[p.article_id] = counts.get(p.article_id, 0) + 1
    assert max(counts.values()) <= 2 and len(counts) == 2
    assert len({p.id for p in passages}) == len(passages) == 6  # topped up, never repeated


def test_fusion_and_diversity_rules(sample_library):
    dense = sample_library.search("railway connectivity", 10)
    lexical = sample_library.search_lexical("railway connectivity", 10)
    fused = rrf([dense, lexical], [1.0, 1.0])
    both = {p.id for p in dense} & {p.id for p in lexical}
    assert both and fused[0].id in both  # found by both rankings beats found by one
    assert [p.score for p in fused] == sorted((p.score for p in fused), reverse=True)
    assert diversify(fused, 3, 0) == fused[:3]


def test_zscore_fusion_scores_every_candidate_on_both_signals(sample_library):
    retriever = NewsRetriever(library=sample_library, k=4, candidates=4, use_scope=False, max_per_article=0)
    query = "Joint Committee for Railway Cooperation"
    embedding = sample_library.embedder.embed_query(query)
    fused = retriever.ranked(query, None, embedding)
    dense = {p.id: p.score for p in sample_library.search(query, 4)}
    lexical = {p.id: p.score for p in sample_library.search_lexical(query, 4)}
    assert {p.id for p in fused} == set(dense) | set(lexical)
    assert [p.score for p in fused] == sorted((p.score for p in fused), reverse=True)
    # A chunk only BM25 returned still gets its real cosine similarity, and vice versa.
    ids = [p.id for p in fused]
    cosine = sample_library.dense_scores(embedding, ids)
    bm25 = sample_library.lexical_scores(query, ids)
    for chunk_id, score in dense.items():
        assert cosine[chunk_id] == pytest.approx(score, abs=1e-4)
    for chunk_id, score in lexical.items():
        assert bm25[chunk_id] == pytest.approx(score, rel=1e-5)
    assert "Joint Committee for Railway Cooperation" in fused[0].chunk.text


def test_dense_search_is_exact_over_the_stored_vectors(sample_library):
    """The in-memory search ranks every searchable chunk by its cosine to the stored vector."""
    import numpy as np

    query = "maritime disputes in the South China Sea"
    embedding = sample_library.embedder.embed_query(query)
    rows = sample_library.catalog.chunk_rows()
    stored = sample_library.chunks.vectors([r.id for r in rows])
    assert set(stored) == {r.id for r in rows}
    q = np.asarray(embedding) / np.linalg.norm(embedding)
    expected = sorted(rows, key=lambda r: -float(stored[r.id] @ q / np.linalg.norm(stored[r.id])))
    hits = sample_library.search(query, 5, embedding=embedding)
    assert [h.id for h in hits] == [r.id for r in expected[:5]]
    for hit in hits:
        cosine = float(stored[hit.id] @ q / np.linalg.norm(stored[hit.id]))
        assert hit.score == pytest.approx(cosine, abs=1e-5)
    assert sample_library.dense_scores(embedding, [h.id for h in hits]) == pytest.approx(
        {h.id: h.score for h in hits}, abs=1e-6
    )
    assert sample_library.dense_scores(embedding, ["no-such:chunk:0"]) == {}


def test_dense_search_follows_adds_and_removes(fresh_library, sample_articles):
    april, september = sample_articles
    fresh_library.add(april)
    assert {p.article_id for p in fresh_library.search("talks", 50)} == {april.id}
    before = fresh_library.dense_view()[1]
    fresh_library.add(september)
    hits = fresh_library.search(september.title, 50)
    assert {p.article_id for p in hits} == {april.id, september.id}
    assert hits[0].article_id == september.id
    matrix = fresh_library.dense_view()[1]
    assert matrix is not before and len(matrix) == fresh_library.chunks.count()
    fresh_library.remove(september.id)
    assert {p.article_id for p in fresh_library.search(september.title, 50)} == {april.id}


def _scored(article_id: str, text: str, score: float) -> Passage:
    chunk = Chunk(article_id=article_id, position=0, start=0, end=len(text), text=text, sentences=())
    return Passage(chunk=chunk, title=article_id, score=score)


def test_passages_about_the_person_named_in_full_rise_above_namesakes():
    """For "Who is Dana Kowalski?", the passage that names her, and one that calls her by her
    surname in an article that names her, rise above passages about other Kowalskis."""
    articles = {
        "sport": "Kowalski scored twice as Leeds won.",
        "board": "Lena Kowalski joined the board.",
        "orbit": "Orbit was founded by CTO Dana Kowalski in 2020. Kowalski said phones talk to servers.",
    }
    ranked = [
        _scored("sport", "Kowalski scored twice as Leeds won.", 0.60),
        _scored("board", "Lena Kowalski joined the board.", 0.58),
        _scored("orbit", "Orbit was founded by CTO Dana Kowalski in 2020.", 0.55),
        _scored("orbit", "Kowalski said phones talk to servers.", 0.54),
        _scored("other", "Rain is due on Sunday.", 0.10),
        _scored("other", "Trams run every six minutes.", 0.0),
    ]
    boosted = with_names(ranked, "Who is Dana Kowalski?", articles.get)
    assert [p.chunk.text for p in boosted[:2]] == [ranked[2].chunk.text, ranked[3].chunk.text]
    assert with_names(ranked, "Who scored for Leeds?", articles.get) == ranked  # no name: as ranked
