"""The vector store: chunks in Chroma through LangChain's ``Chroma`` vector store.

This module is the one boundary between domain types and LangChain ``Document``s.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from index.types import Article, Chunk, Passage, sentences_from_json, sentences_json

COLLECTION = "news_chunks"
# Ids per Chroma get/delete call: SQLite limits the variables of one statement.
_ID_BATCH = 5000


def _date_number(date: dt.date | None) -> int:
    """Sortable date in Chroma's metadata (for other readers of the collection): 20250416; 0 if unknown."""
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
        "sentences": sentences_json(chunk.sentences),
    }
    return Document(page_content=chunk.text, metadata=metadata, id=chunk.chunk_id(article.content_hash))


def document_to_passage(doc: Document, score: float) -> Passage:
    meta = doc.metadata
    chunk_id = doc.id or meta.get("chunk_id", "")
    chunk = Chunk(
        article_id=meta["article_id"],
        position=int(meta["position"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=doc.page_content,
        sentences=sentences_from_json(meta.get("sentences")),
    )
    return Passage(
        chunk=chunk,
        title=meta.get("title", ""),
        date=dt.date.fromisoformat(meta["date"]) if meta.get("date") else None,
        source=meta.get("source", ""),
        url=meta.get("url", ""),
        score=float(score),
        id=chunk_id or "",
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
        "chunk_id": passage.id,
        "sentences": sentences_json(passage.chunk.sentences),
    }
    return Document(page_content=passage.chunk.text, metadata=meta, id=passage.id or None)


def local_client(path: Path):  # -> chromadb.ClientAPI
    """An embedded Chroma persisted in ``path`` (the default: no server)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


class ChunkStore:
    """Chunks of articles in a Chroma collection (embedded or on a server), cosine space."""

    def __init__(
        self,
        path: Path | None,
        embeddings: Embeddings,
        collection: str = COLLECTION,
        client=None,  # noqa: ANN001 - a chromadb client (e.g. an HttpClient); default: local at path
        writer: Embeddings | None = None,
    ) -> None:
        if client is None:
            if path is None:
                raise ValueError("ChunkStore needs a folder or a Chroma client")
            client = local_client(path)
        self._embeddings = embeddings
        # Chunks are embedded with ``writer`` (default: ``embeddings``): a second model instance
        # lets ingestion encode while questions are embedded with the first.
        self._writer_embeddings = writer or embeddings
        self._name = collection
        self._client = client
        self._open()

    @property
    def name(self) -> str:
        """The Chroma collection's name."""
        return self._name

    @property
    def client(self):  # -> chromadb.ClientAPI
        return self._client

    def _open(self) -> None:
        from langchain_chroma import Chroma

        # The embedder is always ours: Chroma never falls back to its own (downloaded) one.
        self._chroma = Chroma(
            client=self._client,
            collection_name=self._name,
            embedding_function=self._embeddings,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )
        self._writer = Chroma(
            client=self._client,
            collection_name=self._name,
            embedding_function=self._writer_embeddings,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    def sibling(self, collection: str) -> ChunkStore:
        """A store for another collection of the same client, with the same embedders."""
        return ChunkStore(None, self._embeddings, collection, self._client, self._writer_embeddings)

    def collections(self) -> list[str]:
        """Names of the client's collections that hold chunks (this one and its siblings)."""
        names = [getattr(c, "name", c) for c in self._client.list_collections()]
        return [n for n in names if n == COLLECTION or n.startswith(COLLECTION + "-")]

    def drop(self, collection: str | None = None) -> None:
        """Delete this collection (or a sibling) from the client; missing is fine."""
        from chromadb.errors import NotFoundError

        try:
            self._client.delete_collection(collection or self._name)
        except (NotFoundError, ValueError):
            pass

    def add(self, article: Article, chunks: list[Chunk]) -> None:
        """Upsert the chunks of one article (ids are deterministic, so re-adding is a no-op)."""
        self.add_many([(article, chunks)])

    def add_many(self, items: list[tuple[Article, list[Chunk]]]) -> None:
        """Upsert the chunks of several articles, embedded in one batch."""
        docs = [chunk_to_document(c, article) for article, chunks in items for c in chunks]
        if docs:
            self._writer.add_documents(docs, ids=[d.id for d in docs])

    def ids(self) -> set[str]:
        """Ids of every stored chunk."""
        return set(self._chroma._collection.get(include=[])["ids"])

    def delete_ids(self, ids: list[str]) -> None:
        for start in range(0, len(ids), _ID_BATCH):
            self._chroma.delete(ids=ids[start : start + _ID_BATCH])

    def reset(self) -> None:
        """Drop every chunk and the collection itself (a new embedder may change the dimension)."""
        from chromadb.errors import NotFoundError

        try:
            self._client.delete_collection(self._name)
        except NotFoundError:
            pass
        self._open()

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

    def search(
        self,
        query: str,
        k: int,
        among: list[str] | None = None,
        embedding: list[float] | None = None,
    ) -> list[Passage]:
        """The ``k`` chunks closest to ``query`` (cosine similarity as score, best first).

        ``among`` restricts the search to those chunk ids (the library resolves a filter to
        them: Chroma's own metadata filter on a date range took 0.5-0.9 s per query at 100,000
        chunks, a query restricted to ids 0.05-0.1 s whatever their number; docs/scale.md).
        Pass the query's ``embedding`` when searching several times with one query.
        """
        if among is not None and not among:
            return []
        if embedding is None:
            embedding = self._embeddings.embed_query(query)
        extra = {"ids": among} if among is not None else {}
        hits = self._chroma.similarity_search_by_vector_with_relevance_scores(embedding, k=k, **extra)
        # The collection is in cosine space: the returned distance is 1 - cosine similarity.
        return [document_to_passage(doc, 1.0 - distance) for doc, distance in hits]

    def similarities(self, embedding: list[float], chunk_ids: list[str]) -> dict[str, float]:
        """Cosine similarity of the query ``embedding`` to each given stored chunk."""
        if not chunk_ids:
            return {}
        query = np.asarray(embedding, dtype=np.float32)
        query /= np.linalg.norm(query) or 1.0
        out: dict[str, float] = {}
        for start in range(0, len(chunk_ids), _ID_BATCH):
            found = self._chroma.get(ids=chunk_ids[start : start + _ID_BATCH], include=["embeddings"])
            if not found["ids"]:
                continue
            vectors = np.asarray(found["embeddings"], dtype=np.float32)
            norms = np.linalg.norm(vectors, axis=1)
            norms[norms == 0] = 1.0
            out.update(zip(found["ids"], (vectors @ query / norms).tolist(), strict=True))
        return out

    def chunks_by_article(self, article_ids: list[str]) -> dict[str, list[tuple[str, Chunk]]]:
        """Article id -> (chunk id, chunk) of every stored chunk of those articles (any version)."""
        found = self._chroma.get(
            where={"article_id": {"$in": article_ids}}, include=["documents", "metadatas"]
        )
        out: dict[str, list[tuple[str, Chunk]]] = {}
        for chunk_id, text, meta in zip(found["ids"], found["documents"], found["metadatas"], strict=True):
            chunk = document_to_passage(Document(page_content=text, metadata=meta), 0.0).chunk
            out.setdefault(chunk.article_id, []).append((chunk_id, chunk))
        return out

    def chunks_of(self, article_id: str) -> list[Chunk]:
        """The stored chunks of one article, in order (used to migrate older catalogues)."""
        stored = self.chunks_by_article([article_id]).get(article_id, [])
        return sorted((chunk for _, chunk in stored), key=lambda c: c.position)
