"""Domain types for what is stored: articles, their chunks, and retrieved passages.

Defined once and used by the CLI, the UI, the answerer and the tests. Offsets are
character offsets into ``Article.text`` (the cleaned body, without header lines).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

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
    path: str = Field(
        default="",
        description="The file the article was read from ('' if none); not part of its content.",
    )

    @property
    def content_hash(self) -> str:
        """Hash of everything that ends up in the index (not ``path``); a change means re-indexing."""
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
    """A retrieved chunk with the metadata of its article and the score that ranked it.

    Higher is better; the scale depends on how it was found: cosine similarity (dense),
    BM25 (lexical), a sum of standardised scores (hybrid, the default) or a fused rank.
    """

    model_config = ConfigDict(frozen=True)

    chunk: Chunk
    title: str
    date: dt.date | None = None
    source: str = ""
    url: str = ""
    score: float = Field(default=0.0)
    id: str = Field(default="", description="The chunk's id in the index (article:hash:position).")

    @property
    def article_id(self) -> str:
        return self.chunk.article_id

    def sentence_text(self, sentence: Sentence) -> str:
        """Text of a sentence of this passage (offsets are article offsets)."""
        return self.chunk.text[sentence.start - self.chunk.start : sentence.end - self.chunk.start]


class SearchFilter(BaseModel):
    """Which articles a search may return: a date range (inclusive), sources, article ids.

    Empty fields do not restrict. Articles without a date never match a date range.
    """

    model_config = ConfigDict(frozen=True)

    since: dt.date | None = None
    until: dt.date | None = None
    sources: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.since or self.until or self.sources or self.article_ids)

    def matches(self, date: dt.date | None, source: str, article_id: str) -> bool:
        if self.article_ids and article_id not in self.article_ids:
            return False
        if self.sources and source not in self.sources:
            return False
        if self.since or self.until:
            if date is None:
                return False
            if self.since and date < self.since:
                return False
            if self.until and date > self.until:
                return False
        return True

    def describe(self) -> str:
        """Human-readable summary, e.g. 'from 2025-04-01 to 2025-04-30, source Reuters'."""
        parts = []
        if self.since and self.until:
            parts.append(f"from {self.since} to {self.until}")
        elif self.since:
            parts.append(f"since {self.since}")
        elif self.until:
            parts.append(f"until {self.until}")
        if self.sources:
            parts.append("source " + " or ".join(self.sources))
        if self.article_ids:
            parts.append("article " + ", ".join(self.article_ids))
        return ", ".join(parts)


def sentences_json(sentences: tuple[Sentence, ...]) -> str:
    """Sentences as compact JSON ``[[start, end, speaker], ...]`` (Chroma metadata, SQLite)."""
    return json.dumps([[s.start, s.end, s.speaker] for s in sentences])


def sentences_from_json(payload: str | None) -> tuple[Sentence, ...]:
    return tuple(Sentence(start=s, end=e, speaker=who) for s, e, who in json.loads(payload or "[]"))
