"""NewsRetriever keeps LangChain's retriever contract, on a real index of the sample corpus.

LangChain's own standard tests (``langchain-tests``) run first; the rest checks what they
do not: ``k`` and ``where`` per call through every entry point (the sample corpus has
two articles, 2025-04-16 and 2025-09-04, in 15 chunks).
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.retrieve import NewsRetriever
from assistant.scope import FilterError
from index.store import document_to_passage
from index.types import SearchFilter

QUERY = "railway cooperation"
APRIL, SEPTEMBER = dt.date(2025, 4, 16), dt.date(2025, 9, 4)

# The standard async test is a plain coroutine; this project runs pytest-asyncio in strict
# mode, so it is marked here (marking keeps the very same function: not an override).
pytest.mark.asyncio(RetrieversIntegrationTests.test_ainvoke_returns_documents)


class TestNewsRetrieverStandard(RetrieversIntegrationTests):
    """``langchain_tests``' retriever suite: constructor ``k``, ``invoke(k=)``, ainvoke."""

    @pytest.fixture(autouse=True)
    def _library(self, sample_library) -> None:
        self.library = sample_library

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return NewsRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"library": self.library}

    @property
    def retriever_query_example(self) -> str:
        return QUERY


@pytest.fixture(scope="module")
def retriever(sample_library) -> NewsRetriever:
    return NewsRetriever(library=sample_library)


def dates(docs: list[Document]) -> set[dt.date]:
    return {dt.date.fromisoformat(d.metadata["date"]) for d in docs}


def test_invoke_honours_k_and_returns_the_ranked_passages(retriever):
    for k in (1, 2, 5):
        docs = retriever.invoke(QUERY, k=k)
        assert [document_to_passage(d, d.metadata["score"]) for d in docs] == retriever.passages(QUERY, k=k)
        assert len(docs) == k
    assert len(retriever.invoke(QUERY)) == retriever.k


def test_documents_carry_text_and_citation_metadata(retriever, sample_library):
    for doc in retriever.invoke(QUERY, k=3):
        assert isinstance(doc, Document) and doc.page_content.strip()
        assert doc.id == doc.metadata["chunk_id"]
        meta = doc.metadata
        assert {"article_id", "title", "date", "source", "url", "start", "end", "score"} <= set(meta)
        article = sample_library.get(meta["article_id"])
        assert article.text[meta["start"] : meta["end"]] == doc.page_content


def test_k_above_the_candidate_pool_is_still_honoured(sample_library):
    small = NewsRetriever(library=sample_library, k=4, candidates=3)
    assert len(small.invoke(QUERY)) == 4
    assert len(small.invoke(QUERY, k=12)) == 12  # the per-call k widens each search too


def test_ainvoke_batch_abatch_and_bind_pass_k_and_where(retriever):
    expected = retriever.invoke(QUERY, k=2, where={"since": "2025-09-01"})
    assert len(expected) == 2 and dates(expected) == {SEPTEMBER}
    assert asyncio.run(retriever.ainvoke(QUERY, k=2, where={"since": "2025-09-01"})) == expected
    queries = [QUERY, "United Nations", "trade"]
    batched = retriever.batch(queries, k=1)
    assert batched == [retriever.invoke(q, k=1) for q in queries]
    assert [len(b) for b in batched] == [1, 1, 1]
    assert asyncio.run(retriever.abatch(queries, k=1)) == batched
    assert retriever.bind(k=2, where={"since": "2025-09-01"}).invoke(QUERY) == expected


def test_where_as_a_filter_or_a_dict(retriever, sample_library):
    april = retriever.invoke(QUERY, k=15, where=SearchFilter(until=dt.date(2025, 8, 31)))
    assert april and dates(april) == {APRIL}
    assert retriever.invoke(QUERY, k=15, where={"until": "2025-08"}) == april
    september = retriever.invoke(QUERY, k=15, where={"since": "2025-09-01", "sources": "sample corpus"})
    assert september and dates(september) == {SEPTEMBER}
    assert {d.metadata["source"] for d in september} == {"Sample corpus"}
    one = april[0].metadata["article_id"]
    assert {d.metadata["article_id"] for d in retriever.invoke(QUERY, where={"article_ids": [one]})} == {one}
    both = retriever.invoke(QUERY, k=15)
    assert dates(both) == {APRIL, SEPTEMBER} and len(both) == len(april) + len(september)


def test_per_call_where_narrows_the_retrievers_own(sample_library):
    april_only = NewsRetriever(library=sample_library, where=SearchFilter(until=dt.date(2025, 8, 31)))
    assert dates(april_only.invoke(QUERY)) == {APRIL}
    assert april_only.invoke(QUERY, where={"since": "2025-09-01"}) == []  # disjoint: nothing


def test_bad_arguments_fail_loudly(retriever):
    with pytest.raises(TypeError, match="top_k"):
        retriever.invoke(QUERY, top_k=2)  # a typo must not be ignored like k used to be
    with pytest.raises(ValueError, match="k must be"):
        retriever.invoke(QUERY, k=0)
    with pytest.raises(FilterError, match="unknown filter key.*'source'"):
        retriever.invoke(QUERY, where={"source": "Reuters"})
    with pytest.raises(FilterError, match="no articles from source 'Reuters'"):
        retriever.invoke(QUERY, where={"sources": ["Reuters"]})
    with pytest.raises(FilterError, match="not a date"):
        asyncio.run(retriever.ainvoke(QUERY, where={"since": "last week"}))
