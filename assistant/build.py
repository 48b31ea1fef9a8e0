"""Settings -> components. The only place that decides which backends are used."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from assistant.extractive import ExtractiveAnswerer
from assistant.nouns import NounFinder, unmentioned
from assistant.pipeline import Assistant
from assistant.rerank import build_reranker
from assistant.retrieve import NewsRetriever
from assistant.settings import Settings
from index.embed import SentenceEmbedder
from index.library import IngestReport, Library

log = logging.getLogger(__name__)

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "data" / "sample_articles.jsonl"


def build_library(settings: Settings, embedder: SentenceEmbedder | None = None) -> Library:
    return Library(
        settings.home,
        embedder or SentenceEmbedder(settings.embedder, batch_size=settings.embed_batch_size),
        chunk_tokens=settings.chunk_tokens,
        overlap_sentences=settings.chunk_overlap_sentences,
    )


def build_assistant(settings: Settings, library: Library | None = None) -> Assistant:
    library = library or build_library(settings)
    unmentioned_nouns = None
    if settings.check_unmentioned:
        finder = NounFinder()
        unmentioned_nouns = partial(unmentioned, nouns=finder, unseen=library.catalog.unseen)
    answerer = ExtractiveAnswerer(
        library.embedder,
        library.catalog.idf,
        min_evidence=settings.min_evidence,
        max_sentences=settings.max_answer_sentences,
        unmentioned=unmentioned_nouns,
    )
    return Assistant(
        library,
        NewsRetriever(
            library=library,
            k=settings.top_k,
            mode=settings.retrieval,
            fusion=settings.fusion,
            candidates=settings.candidates,
            rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight,
            bm25_weight=settings.bm25_weight,
            max_per_article=settings.max_per_article,
            use_scope=settings.question_scope,
            reranker=build_reranker(settings.reranker, settings.rerank_top_n),
        ),
        answerer,
        max_question_chars=settings.max_question_chars,
    )


def ensure_sample_corpus(library: Library) -> IngestReport | None:
    """Index the bundled sample articles when the library is empty."""
    if not library.is_empty():
        return None
    report = library.add_paths([SAMPLE_CORPUS])
    log.info("indexed the sample corpus: %s", report.to_dict())
    return report
