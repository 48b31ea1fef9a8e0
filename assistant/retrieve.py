"""Hybrid retrieval as a LangChain retriever: dense + BM25, fused, scoped, diversified.

For a query the retriever

1. reads its scope: dates and news sources the question names (``assistant.scope``),
   intersected with any filter the caller gives (CLI ``--since``, the UI's date boxes);
2. for the whole scope, and once more for each named source, takes the best
   ``candidates`` chunks by meaning (Chroma) and by words (BM25) and fuses the two
   rankings (standardised scores by default, or weighted reciprocal rank); with
   standardised scores, the passages about the one person or thing a question names in
   full are raised (``with_names``);
3. fuses those lists again (so each named source contributes its best passages);
4. optionally reranks the head of the list (``assistant.rerank``);
5. keeps at most ``max_per_article`` passages of one article before filling up to ``k``.

The words matched are the question's without the source names and dates it used up.

As a LangChain retriever it takes per-call options as keywords, like any retriever:
``retriever.invoke(query, k=3, where={"since": "2025-09-01", "sources": ["Reuters"]})``
(also through ``ainvoke``, ``batch``, ``abatch`` and ``retriever.bind(k=3)``). ``where`` is a
``SearchFilter`` or a dict of its fields and is intersected with the retriever's own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables.config import run_in_executor

from assistant.scope import FilterError, Scope, make_filter, scope_of
from index.store import passage_to_document
from index.types import Passage, SearchFilter

Mode = Literal["hybrid", "dense", "bm25"]
Fusion = Literal["zscore", "rrf"]


def intersect(a: SearchFilter | None, b: SearchFilter | None) -> SearchFilter | None:
    """Both filters at once; None when nothing can match both (disjoint dates or sources)."""
    a = a or SearchFilter()
    b = b or SearchFilter()
    since = max((d for d in (a.since, b.since) if d), default=None)
    until = min((d for d in (a.until, b.until) if d), default=None)
    if since and until and since > until:
        return None
    sources = _narrow(a.sources, b.sources)
    ids = _narrow(a.article_ids, b.article_ids)
    if sources is None or ids is None:
        return None
    return SearchFilter(since=since, until=until, sources=sources, article_ids=ids)


def _narrow(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...] | None:
    """Values both allow (an empty tuple allows everything); None when they share none."""
    if a and b:
        return tuple(x for x in a if x in b) or None
    return a or b


FILTER_KEYS = ("since", "until", "sources", "article_ids")
# Keywords LangChain itself may leave in a retriever call's kwargs (Runnable.invoke reads
# ``verbose`` without removing it); they are not retrieval options.
_IGNORED_KWARGS = frozenset({"verbose"})


def as_filter(
    where: SearchFilter | Mapping[str, Any] | None, known_sources: Sequence[str] = ()
) -> SearchFilter | None:
    """A ``SearchFilter`` from a filter or a dict of its fields (dates as text, sources by name).

    Raises ``FilterError`` (a ``ValueError``) naming the problem: an unknown key, a bad date,
    a source the library does not hold.
    """
    if where is None or isinstance(where, SearchFilter):
        return where
    if not isinstance(where, Mapping):
        raise TypeError(f"where must be a SearchFilter or a dict, not {type(where).__name__}")
    unknown = sorted(set(where) - set(FILTER_KEYS))
    if unknown:
        raise FilterError(
            f"unknown filter key(s) {', '.join(map(repr, unknown))}; valid: {', '.join(FILTER_KEYS)}"
        )

    def names(value: Any) -> tuple[str, ...]:
        return (value,) if isinstance(value, str) else tuple(value or ())

    return make_filter(
        where.get("since"),
        where.get("until"),
        names(where.get("sources")),
        names(where.get("article_ids")),
        known_sources,
    )


def rrf(rankings: Sequence[Sequence[Passage]], weights: Sequence[float], k: int = 60) -> list[Passage]:
    """Weighted reciprocal-rank fusion; each passage keeps its first-seen copy, fused score set."""
    fused: dict[str, float] = defaultdict(float)
    first: dict[str, Passage] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, passage in enumerate(ranking):
            key = passage.id or f"{passage.article_id}:{passage.chunk.position}"
            fused[key] += weight / (k + rank + 1)
            first.setdefault(key, passage)
    order = sorted(fused, key=lambda key: -fused[key])
    return [first[key].model_copy(update={"score": fused[key]}) for key in order]


def zscore_fusion(
    candidates: Sequence[Passage],
    dense: dict[str, float],
    lexical: dict[str, float],
    weights: tuple[float, float] = (1.0, 1.0),
) -> list[Passage]:
    """Fuse by standardised scores: each signal is z-scored over the candidates, then summed.

    Unlike rank fusion this keeps *how much* better a passage is; both scores are known for
    every candidate (the caller fills in the ones a ranking did not return).
    """
    if not candidates:
        return []
    ids = [p.id for p in candidates]
    total = np.zeros(len(ids))
    for scores, weight in ((dense, weights[0]), (lexical, weights[1])):
        values = np.array([scores.get(i, 0.0) for i in ids], dtype=np.float64)
        spread = values.std()
        if weight and spread > 0:
            total += weight * (values - values.mean()) / spread
    order = np.argsort(-total, kind="stable")
    return [candidates[i].model_copy(update={"score": float(total[i])}) for i in order]


# A name of two or more capitalised words ("Brad Murray", "Beeper Mini"), not at the start of
# a sentence (where any word is capitalised).
_CAPITALISED = r"[A-Z][\w’'-]*"
_NAME = re.compile(
    rf"(?<![.?!]\s)(?<!^)\b{_CAPITALISED}(?: (?:{_CAPITALISED}|[a-z]{{1,3}}(?= [A-Z])))*? {_CAPITALISED}"
)
# How much a passage about the name a query gives is raised in a fused ranking (in standard
# deviations of the fused score).
NAME_BOOST = 1.0


def with_names(
    ranked: Sequence[Passage], query: str, article_text: Callable[[str], str] | None = None
) -> list[Passage]:
    """The ranking with the passages about the one person or thing the query names in full
    raised by ``NAME_BOOST``: "Who is Brad Murray?" finds "CTO Brad Murray" in a long article
    above short passages about other Murrays.

    A passage is about the name when it writes it as the query does, or writes its last word
    in an article (``article_text``) that names it in full: "Hayes expected to earn close to
    $2 million" is about Emma Hayes where her article introduced her. A query that names
    several (outlets, companies: "… from The Wall Street Journal and a New York Times article
    on Goodyear") is left as ranked: raising the passages of any of its names drew passages
    that only mention an outlet (MultiHop-RAG null queries refused 274 -> 270)."""
    names = set(_NAME.findall(query))
    if len(names) != 1 or len(ranked) < 2:
        return list(ranked)
    (name,) = names
    last = re.compile(rf"\b{re.escape(name.split()[-1])}\b")
    texts: dict[str, str] = {}  # each article read once

    def about(passage: Passage) -> bool:
        if name in passage.chunk.text:
            return True
        if article_text is None or not last.search(passage.chunk.text):
            return False
        if passage.article_id not in texts:
            texts[passage.article_id] = article_text(passage.article_id)
        return name in texts[passage.article_id]

    scores = np.array([p.score for p in ranked], dtype=np.float64)
    total = scores + NAME_BOOST * (scores.std() or 1.0) * np.array([about(p) for p in ranked])
    order = np.argsort(-total, kind="stable")
    return [ranked[i].model_copy(update={"score": float(total[i])}) for i in order]


def diversify(passages: Sequence[Passage], k: int, max_per_article: int) -> list[Passage]:
    """The best ``k`` with at most ``max_per_article`` per article, then topped up in rank order."""
    if max_per_article <= 0:
        return list(passages[:k])
    taken: list[Passage] = []
    rest: list[Passage] = []
    per_article: dict[str, int] = defaultdict(int)
    for passage in passages:
        if len(taken) == k:
            break
        if per_article[passage.article_id] < max_per_article:
            per_article[passage.article_id] += 1
            taken.append(passage)
        else:
            rest.append(passage)
    return taken + rest[: k - len(taken)]


class NewsRetriever(BaseRetriever):
    """The ``k`` passages that best answer a query, as LangChain ``Document``s.

    ``where`` restricts every search (dates, sources, article ids). ``invoke`` (and
    ``ainvoke``, ``batch``) also take ``k`` and ``where`` per call. Convert documents back
    with ``index.store.document_to_passage``, or call ``passages`` directly.
    """

    library: Any
    k: int = 8
    mode: Mode = "hybrid"
    fusion: Fusion = "zscore"
    candidates: int = 50
    rrf_k: int = 60
    dense_weight: float = 0.7
    bm25_weight: float = 1.0
    max_per_article: int = 4
    use_scope: bool = True
    reranker: Any = None
    where: SearchFilter | None = None

    def scope(self, query: str) -> Scope:
        """Dates and sources the query names (empty when scoping is off)."""
        if not self.use_scope:
            return Scope()
        return scope_of(query, self.library.sources(), self.library.months())

    def ranked(
        self, query: str, where: SearchFilter | None, embedding: list[float] | None, k: int | None = None
    ) -> list[Passage]:
        """One ranking for one filter: dense, BM25 or their fusion (at least ``k`` candidates each)."""
        where = where if where and not where.is_empty else None
        n = max(self.candidates, k or self.k)
        dense = self.library.search(query, n, where, embedding) if self.mode != "bm25" else []
        lexical = self.library.search_lexical(query, n, where) if self.mode != "dense" else []
        if self.mode == "dense":
            return dense
        if self.mode == "bm25":
            return lexical
        if self.fusion == "rrf":
            return rrf([dense, lexical], [self.dense_weight, self.bm25_weight], self.rrf_k)
        union = list({p.id: p for p in lexical + dense}.values())  # dense copy wins (cosine score)
        dense_of = {p.id: p.score for p in dense}
        lexical_of = {p.id: p.score for p in lexical}
        if embedding is not None:
            dense_of |= self.library.dense_scores(embedding, [i for i in lexical_of if i not in dense_of])
        lexical_of |= self.library.lexical_scores(query, [i for i in dense_of if i not in lexical_of])
        fused = zscore_fusion(union, dense_of, lexical_of, (self.dense_weight, self.bm25_weight))
        return with_names(fused, query, self.library.article_text)

    def passages(
        self,
        query: str,
        k: int | None = None,
        where: SearchFilter | None = None,
        scope: Scope | None = None,
    ) -> list[Passage]:
        """The best ``k`` passages for ``query`` within ``where`` and the query's own scope."""
        k = k or self.k
        base = intersect(self.where, where)
        if base is None:  # the retriever's own filter and the caller's exclude each other
            return []
        scope = scope if scope is not None else self.scope(query)
        query = scope.residual(query)  # sources and dates named are used as filters, not words
        embedding = None
        if self.mode != "bm25" and not self.library.is_empty():
            embedding = self.library.embedder.embed_query(query)
        scoped = intersect(base, scope.where)
        main = self.ranked(query, scoped, embedding, k) if scoped is not None else []
        if not main and not scope.where.is_empty:  # the question's dates match nothing: ignore them
            main = self.ranked(query, base, embedding, k)
        rankings = [main]
        for lookup in scope.lookups:
            narrowed = intersect(base, lookup)
            if narrowed is not None:  # None: the caller's filter excludes this source or date
                rankings.append(self.ranked(query, narrowed, embedding, k))
        rankings = [r for r in rankings if r]
        if not rankings:
            return []
        merged = rankings[0] if len(rankings) == 1 else rrf(rankings, [1.0] * len(rankings), self.rrf_k)
        if self.reranker is not None:
            merged = self.reranker.rerank(query, merged)
        return diversify(merged, k, self.max_per_article)

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        where: SearchFilter | Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        """``passages`` as Documents; ``k`` and ``where`` come from ``invoke``'s keywords."""
        unknown = sorted(set(kwargs) - _IGNORED_KWARGS)
        if unknown:  # LangChain passes every keyword on: a typo must not be dropped silently
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword(s) {', '.join(unknown)}; it takes k and where"
            )
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
            raise ValueError(f"k must be a positive integer, not {k!r}")
        known = self.library.sources() if isinstance(where, Mapping) else ()
        return [passage_to_document(p) for p in self.passages(query, k=k, where=as_filter(where, known))]

    async def _aget_relevant_documents(
        self,
        query: str,
        *,
        run_manager: AsyncCallbackManagerForRetrieverRun,
        **kwargs: Any,
    ) -> list[Document]:
        """The sync search in a worker thread (embedding, Chroma and BM25 all block).

        Overridden because LangChain's default drops ``k`` and ``where`` on the way.
        """
        return await run_in_executor(
            None, self._get_relevant_documents, query, run_manager=run_manager.get_sync(), **kwargs
        )
