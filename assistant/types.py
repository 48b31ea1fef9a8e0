"""Domain types of an answer: citations pointing at passages, and the answer itself."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from index.types import Passage


class Citation(BaseModel):
    """Marker ``[n]``: a passage and the exact sentence in it that supports a statement.

    ``start``/``end`` are the sentence's offsets in the article text; ``score`` is the
    evidence score of that sentence for the question (0..1, higher is stronger).
    """

    model_config = ConfigDict(frozen=True)

    n: int
    passage: Passage
    sentence: str
    start: int
    end: int
    speaker: str | None = None
    score: float = 0.0

    def to_json(self) -> dict:
        """The flat shape of the CLI/API contract."""
        p = self.passage
        return {
            "n": self.n,
            "article_id": p.article_id,
            "title": p.title,
            "date": p.date.isoformat() if p.date else None,
            "source": p.source,
            "url": p.url,
            "text": p.chunk.text,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "speaker": self.speaker,
            "passage_start": p.chunk.start,
        }


class Answer(BaseModel):
    """An answer whose statements carry ``[n]`` markers resolved in ``citations``.

    ``found`` is False when the articles do not answer the question; ``closest`` then
    holds the nearest passages, which are shown but are not citations.
    """

    model_config = ConfigDict(frozen=True)

    question: str
    text: str
    found: bool
    citations: tuple[Citation, ...] = ()
    closest: tuple[Citation, ...] = ()
    searched: str = ""  # the filters the search used, e.g. "from 2025-04-01 to 2025-04-30"

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "found": self.found,
            "citations": [c.to_json() for c in self.citations],
            "closest": [c.to_json() for c in self.closest],
            "searched": self.searched,
        }
