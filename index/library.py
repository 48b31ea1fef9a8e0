"""The library of indexed articles: ingest, list, remove, search.

Adding an article is ordered so that a crash at any point is repaired by re-running:
chunks are upserted under deterministic ids first, stale chunks deleted second, and the
catalogue row (with the content hash that marks the article as done) written last.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.catalog import Catalog
from index.chunk import chunk_text
from index.embed import SentenceEmbedder
from index.ingest import Failure, load_paths
from index.lexical import LexicalIndex
from index.speakers import attribute_speakers
from index.store import ChunkStore
from index.types import Article, Chunk, Passage, SearchFilter, Sentence

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What one ingestion run did, per article id, and what it skipped and why."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failed],
        }


class Library:
    """Articles and their chunks: a SQLite catalogue beside a Chroma collection."""

    def __init__(
        self,
        home: Path,
        embedder: SentenceEmbedder,
        chunk_tokens: int = 200,
        overlap_sentences: int = 1,
    ) -> None:
        self.home = home
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.overlap_sentences = overlap_sentences
        self.catalog = Catalog(home / "articles.sqlite3")
        self.chunks = ChunkStore(home / "chroma", embedder)
        self.lexical = LexicalIndex(home / "bm25", self.catalog)
        self._backfill_chunks()

    def _backfill_chunks(self) -> None:
        """Copy chunks from Chroma into a catalogue written before it kept them."""
        for article_id, content_hash in self.catalog.articles_without_chunks():
            log.info("recording the chunks of %s in the catalogue", article_id)
            self.catalog.backfill_chunks(content_hash, self.chunks.chunks_of(article_id))

    def chunk(self, article: Article) -> list[Chunk]:
        """Sentence-aware chunks of an article, each sentence tagged with its speaker."""
        chunks = chunk_text(
            article.id,
            article.text,
            self.embedder.count_tokens,
            max_tokens=min(self.chunk_tokens, self.embedder.max_tokens - 2),
            overlap_sentences=self.overlap_sentences,
            model_limit=self.embedder.max_tokens - 2,
        )
        spans = sorted({(s.start, s.end) for c in chunks for s in c.sentences})
        speaker = dict(zip(spans, attribute_speakers(article.text, spans), strict=True))
        return [
            c.model_copy(
                update={
                    "sentences": tuple(
                        Sentence(start=s.start, end=s.end, speaker=speaker[(s.start, s.end)])
                        for s in c.sentences
                    )
                }
            )
            for c in chunks
        ]

    def add(self, article: Article) -> str:
        """Index one article; returns 'added', 'updated' or 'unchanged'."""
        new_hash = article.content_hash
        old_hash = self.catalog.content_hash(article.id)
        if old_hash == new_hash:
            return "unchanged"
        chunks = self.chunk(article)
        self.chunks.add(article, chunks)
        self.chunks.delete_article(article.id, keep_hash=new_hash)
        self.catalog.put(article, chunks)
        return "added" if old_hash is None else "updated"

    def add_articles(self, items: Iterable[Article | Failure]) -> IngestReport:
        report = IngestReport()
        for item in items:
            if isinstance(item, Failure):
                log.warning("skipped %s: %s", item.path, item.reason)
                report.failed.append(item)
                continue
            status = self.add(item)
            getattr(report, status).append(item.id)
        return report

    def add_paths(self, paths: Iterable[str | Path]) -> IngestReport:
        """Ingest files and folders; broken files are reported, the rest still indexed."""
        return self.add_articles(load_paths(paths))

    def remove(self, article_id: str) -> bool:
        """Remove an article and its chunks; False if it was not indexed."""
        self.chunks.delete_article(article_id)
        return self.catalog.remove(article_id)

    def get(self, article_id: str) -> Article | None:
        return self.catalog.get(article_id)

    def list(self) -> list[dict]:
        return self.catalog.list()

    def stats(self) -> dict:
        return {
            "articles": self.catalog.count(),
            "chunks": self.chunks.count(),
            "home": str(self.home),
            "embedder": self.embedder.name,
        }

    def search(
        self,
        query: str,
        k: int,
        where: SearchFilter | None = None,
        embedding: list[float] | None = None,
    ) -> list[Passage]:
        """Dense search: the ``k`` chunks closest in meaning (score: cosine similarity)."""
        where = where if where and not where.is_empty else None
        passages = self.chunks.search(query, k, where, embedding)
        # A chunk the catalogue does not list belongs to an ingestion that was killed before
        # it finished; it is not indexed yet (the re-run completes it).
        known = self.lexical.known([p.id for p in passages])
        return [p for p in passages if p.id in known]

    def search_lexical(self, query: str, k: int, where: SearchFilter | None = None) -> list[Passage]:
        """BM25 search over titles and chunk texts (score: BM25, unbounded)."""
        allowed = self.catalog.chunk_ids(where) if where else None
        return [
            Passage(
                chunk=hit.row.chunk,
                title=hit.row.title,
                date=hit.row.date,
                source=hit.row.source,
                url=hit.row.url,
                score=hit.score,
                id=hit.row.id,
            )
            for hit in self.lexical.search(query, k, allowed)
        ]

    def dense_scores(self, embedding: list[float], chunk_ids: list[str]) -> dict[str, float]:
        """Cosine similarity of a query embedding to particular chunks (for score fusion)."""
        return self.chunks.similarities(embedding, chunk_ids)

    def lexical_scores(self, query: str, chunk_ids: list[str]) -> dict[str, float]:
        """BM25 scores of particular chunks (for score fusion)."""
        return self.lexical.scores(query, chunk_ids)

    def sources(self) -> list[str]:
        return self.catalog.sources()

    def months(self) -> set[tuple[int, int]]:
        """(year, month) pairs the library has dated articles for."""
        return self.catalog.months()

    def is_empty(self) -> bool:
        return self.catalog.count() == 0
