"""The vector store: chunks in Chroma through LangChain's ``Chroma`` vector store.

This module is the one boundary between domain types and LangChain ``Document``s.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from index.types import Article, Chunk, Passage, Sentence

COLLECTION = "news_chunks"


def _date_number(date: dt.date | None) -> int:
    """Sortable date for Chroma filters: 20250416; 0 when unknown."""
    return int(date.strftime("%Y%m%d")) if date else 0


def chunk_to_document(chunk: Chunk, article: Article) -> Document:
    metadata: dict[str, Any] = {
        "article_id": article.id,
        "title": article.title,
        "date": article.date.isoformat() if article.date else "",
        "date_num": _date_number(article.date),
        "source": article.source,
        "url": article.url,
        "position": chunk.position,
        "start": chunk.start,
        "end": chunk.end,
        # Chroma metadata values are scalars: sentences travel as compact JSON.
        "sentences": json.dumps([[s.start, s.end, s.speaker] for s in chunk.sentences]),
    }
    return Document(page_content=chunk.text, metadata=metadata, id=chunk.chunk_id(article.content_hash))


def document_to_passage(doc: Document, score: float) -> Passage:
    meta = doc.metadata
    chunk = Chunk(
        article_id=meta["article_id"],
        position=int(meta["position"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=doc.page_content,
        sentences=tuple(
            Sentence(start=s, end=e, speaker=who) for s, e, who in json.loads(meta.get("sentences") or "[]")
        ),
    )
    return Passage(
        chunk=chunk,
        title=meta.get("title", ""),
        date=dt.date.fromisoformat(meta["date"]) if meta.get("date") else None,
        source=meta.get("source", ""),
        url=meta.get("url", ""),
        score=float(score),
    )


def passage_to_document(passage: Passage) -> Document:
    """A retrieved passage as a LangChain Document (for retrievers and chains)."""
    meta = {
        "article_id": passage.article_id,
        "title": passage.title,
        "date": passage.date.isoformat() if passage.date else "",
        "source": passage.source,
        "url": passage.url,
        "position": passage.chunk.position,
        "start": passage.chunk.start,
        "end": passage.chunk.end,
        "score": passage.score,
        "sentences": json.dumps([[s.start, s.end, s.speaker] for s in passage.chunk.sentences]),
    }
    return Document(page_content=passage.chunk.text, metadata=meta)


def document_score(doc: Document) -> float:
    return float(doc.metadata.get("score", 0.0))


class ChunkStore:
    """Chunks of articles in a persistent Chroma collection, cosine space."""

    def __init__(self, path: Path, embeddings: Embeddings, collection: str = COLLECTION) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        # The embedder is always ours: Chroma never falls back to its own (downloaded) one.
        self._chroma = Chroma(
            client=client,
            collection_name=collection,
            embedding_function=embeddings,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    def add(self, article: Article, chunks: list[Chunk]) -> None:
        """Upsert the chunks of one article (ids are deterministic, so re-adding is a no-op)."""
        docs = [chunk_to_document(c, article) for c in chunks]
        if docs:
            self._chroma.add_documents(docs, ids=[d.id for d in docs])

    def delete_article(self, article_id: str, keep_hash: str | None = None) -> None:
        """Delete an article's chunks (all versions, or all but the version ``keep_hash``)."""
        found = self._chroma.get(where={"article_id": article_id}, include=[])
        ids = [i for i in found["ids"] if keep_hash is None or i.split(":")[-2] != keep_hash[:12]]
        if ids:
            self._chroma.delete(ids=ids)

    def count(self) -> int:
        return self._chroma._collection.count()

    def article_chunk_count(self, article_id: str) -> int:
        return len(self._chroma.get(where={"article_id": article_id}, include=[])["ids"])

    def search(self, query: str, k: int, where: dict | None = None) -> list[Passage]:
        """The ``k`` chunks closest to ``query`` (cosine similarity as score, best first)."""
        if self.count() == 0:
            return []
        hits = self._chroma.similarity_search_with_relevance_scores(query, k=k, filter=where)
        return [document_to_passage(doc, score) for doc, score in hits]
