"""Domain types of an answer: citations pointing at passages, and the answer itself."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.render import answer_blocks
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
    # other outlets that published the same story (near-duplicates of this article)
    also_published_by: tuple[str, ...] = ()

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
            "also_published_by": list(self.also_published_by),
        }


class Statement(BaseModel):
    """One sentence of a generated answer and what checking it against its sources found.

    ``cited`` are the passage numbers the model cited that exist; ``markers`` those among
    them that support the sentence (the only ones shown), or, where none does and the
    answerer re-attributes (``CitationVerifier.check``), the given passage that does.
    ``verified`` is True when there is one; ``support`` is the source sentence that does
    (offsets in its article's text, marker ``supported_by``). ``problem`` says why it failed, for the user.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    cited: tuple[int, ...] = ()
    markers: tuple[int, ...] = ()
    verified: bool = False
    supported_by: int | None = None
    support: str = ""
    support_start: int = 0
    support_end: int = 0
    similarity: float = 0.0
    problem: str = ""

    def to_json(self) -> dict:
        return self.model_dump()


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
    # "extractive": quoted sentences; "generated": a language model's verified answer;
    # "fallback": the model failed or was not supported, the extractive answer is shown.
    mode: Literal["extractive", "generated", "fallback"] = "extractive"
    notice: str = ""  # one line for the user, e.g. why the language model was not used
    statements: tuple[Statement, ...] = ()  # per sentence of a generated answer

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "found": self.found,
            "citations": [c.to_json() for c in self.citations],
            "closest": [c.to_json() for c in self.closest],
            "searched": self.searched,
            "mode": self.mode,
            "notice": self.notice,
            "statements": [s.to_json() for s in self.statements],
            # The answer read once into paragraphs, list items, markers and warnings
            # (assistant/render.py): what the widget and the export render.
            "blocks": answer_blocks(self),
        }


class AnswerEvent(BaseModel):
    """One step of a streamed answer: ``status`` text, an answer ``token``, or the final ``answer``.

    A stream is any number of status and token events followed by exactly one answer event
    (whose ``answer`` replaces whatever the tokens spelled: only it is verified).
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["status", "token", "answer"]
    text: str = ""
    answer: Answer | None = None

    def to_json(self) -> dict:
        if self.kind == "answer" and self.answer is not None:
            return {"kind": "answer", "answer": self.answer.to_json()}
        return {"kind": self.kind, "text": self.text}
