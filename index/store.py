"""The vector store: chunk vectors in Chroma, with where each chunk is in its article.

Chroma holds each chunk's id, vector and offsets (``chunk_metadata``); texts and article
metadata are the catalogue's. Searches do not query Chroma: the library reads the vectors
into memory once (``index.dense``). This module is the one boundary between domain types
and LangChain ``Document``s.
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
# Vectors per Chroma get: the result passes through Python objects before it is an array, a
# transient ~13 KiB per vector (5,000 at once: +66 MiB peak RSS while the library reads its
# 100,000 vectors; 1,000: +6 MiB, and no slower).
_VECTOR_BATCH = 1000


def _date_number(date: dt.date | None) -> int:
    """Sortable date in Chroma's metadata (for other readers of the collection): 20250416; 0 if unknown."""
    return int(date.strftime("%Y%m%d")) if date else 0


def chunk_metadata(chunk: Chunk, article: Article) -> dict[str, Any]:
    """What Chroma keeps of a chunk beside its vector: where it is in its article.

    The text, title, date and source are the catalogue's (``index.catalog``), read from
    there for every search; storing them here too doubled the index on disk (the chunk text
    three times over: as a document, in Chroma's full-text index and in its metadata
    index). A Chroma server's readers rebuild a chunk's text from the shared article text
    and these offsets (``index.shared.pull``).
    """
    return {
        "article_id": article.id,
        "position": chunk.position,
        "start": chunk.start,
        "end": chunk.end,
        # Chroma metadata values are scalars: sentences travel as compact JSON.
        "sentences": sentences_json(chunk.sentences),
    }


def chunk_to_document(chunk: Chunk, article: Article) -> Document:
    """A chunk as a LangChain Document with its article's metadata (for LangChain readers)."""
    metadata: dict[str, Any] = chunk_metadata(chunk, article) | {
        "title": article.title,
        "date": article.date.isoformat() if article.date else "",
        "date_num": _date_number(article.date),
        "source": article.source,
        "url": article.url,
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
        """Upsert the chunks of several articles, embedded in one batch: ids, vectors and
        ``chunk_metadata`` (no documents: the texts are the catalogue's)."""
        pairs = [(article, c) for article, chunks in items for c in chunks]
        if not pairs:
            return
        vectors = self._writer_embeddings.embed_documents([c.text for _, c in pairs])
        collection = self._writer._collection
        for start in range(0, len(pairs), _ID_BATCH):
            part = pairs[start : start + _ID_BATCH]
            collection.upsert(
                ids=[c.chunk_id(a.content_hash) for a, c in part],
                embeddings=vectors[start : start + _ID_BATCH],
                metadatas=[chunk_metadata(c, a) for a, c in part],
            )

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

    def vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of the given chunks (missing ones are left out)."""
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(chunk_ids), _VECTOR_BATCH):
            found = self._chroma._collection.get(
                ids=chunk_ids[start : start + _VECTOR_BATCH], include=["embeddings"]
            )
            if found["ids"]:
                vectors = np.asarray(found["embeddings"], dtype=np.float32)
                out.update(zip(found["ids"], vectors, strict=True))
        return out

    def chunks_by_article(self, article_ids: list[str]) -> dict[str, list[tuple[str, Chunk]]]:
        """Article id -> (chunk id, chunk) of every stored chunk of those articles (any version).

        A chunk's text is empty unless the store kept documents (stores written before
        ``chunk_metadata``): rebuild it from the article text and the offsets.
        """
        found = self._chroma.get(
            where={"article_id": {"$in": article_ids}}, include=["documents", "metadatas"]
        )
        out: dict[str, list[tuple[str, Chunk]]] = {}
        for chunk_id, text, meta in zip(found["ids"], found["documents"], found["metadatas"], strict=True):
            chunk = document_to_passage(Document(page_content=text or "", metadata=meta), 0.0).chunk
            out.setdefault(chunk.article_id, []).append((chunk_id, chunk))
        return out

    def chunks_of(self, article_id: str) -> list[Chunk]:
        """The stored chunks of one article, in order (used to migrate older catalogues)."""
        stored = self.chunks_by_article([article_id]).get(article_id, [])
        return sorted((chunk for _, chunk in stored), key=lambda c: c.position)
