"""Domain types for what is stored: articles, their chunks, and retrieved passages.

Defined once and used by the CLI, the UI, the answerer and the tests. Offsets are
character offsets into ``Article.text`` (the cleaned body, without header lines).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from pydantic import BaseModel, ConfigDict, Field


class Article(BaseModel):
    """One news article: metadata plus its cleaned body text."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    date: dt.date | None = None
    source: str = ""
    url: str = ""
    text: str

    @property
    def content_hash(self) -> str:
        """Hash of everything that ends up in the index; a change means re-indexing."""
        payload = "\x1f".join(
            [self.title, self.date.isoformat() if self.date else "", self.source, self.url, self.text]
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Sentence(BaseModel):
    """A sentence span inside an article, with the person it is attributed to (if any)."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    speaker: str | None = None


class Chunk(BaseModel):
    """A run of whole sentences from one article, small enough for the embedder."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    position: int
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...] = ()

    def chunk_id(self, content_hash: str) -> str:
        """Deterministic id: article, content hash of the article version, position."""
        return f"{self.article_id}:{content_hash[:12]}:{self.position}"


class Passage(BaseModel):
    """A retrieved chunk with the metadata of its article and a relevance score (cosine, 0..1)."""

    model_config = ConfigDict(frozen=True)

    chunk: Chunk
    title: str
    date: dt.date | None = None
    source: str = ""
    url: str = ""
    score: float = Field(default=0.0)

    @property
    def article_id(self) -> str:
        return self.chunk.article_id

    def sentence_text(self, sentence: Sentence) -> str:
        """Text of a sentence of this passage (offsets are article offsets)."""
        return self.chunk.text[sentence.start - self.chunk.start : sentence.end - self.chunk.start]
