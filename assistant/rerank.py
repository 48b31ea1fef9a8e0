"""Rerankers: reorder the head of a fused ranking with a slower, sharper model.

No cross-encoder ships its weights inside a PyPI package, so none is on by default.
A user who has one on disk names its folder in ``NEWSQA_RERANKER``; it is loaded from
local files only (never from a model hub).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from index.types import Passage

log = logging.getLogger(__name__)


class RerankerError(ValueError):
    """A reranker setting that cannot be used; the message says what to change."""


class Reranker(Protocol):
    def rerank(self, query: str, passages: Sequence[Passage]) -> list[Passage]: ...


class CrossEncoderReranker:
    """Scores (query, title + passage) pairs with a local cross-encoder; reorders the top ``top_n``."""

    def __init__(self, path: str | Path, top_n: int = 30, batch_size: int = 16) -> None:
        path = Path(path).expanduser()
        if not (path / "config.json").is_file():
            raise RerankerError(
                f"NEWSQA_RERANKER={path}: not a local model folder (no config.json); "
                "give the path of a downloaded sentence-transformers cross-encoder, or 'none'"
            )
        self.path = path
        self.top_n = top_n
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):  # noqa: ANN201
        if self._model is None:
            from sentence_transformers import CrossEncoder

            log.info("loading the reranker from %s", self.path)
            self._model = CrossEncoder(str(self.path), device="cpu", local_files_only=True)
        return self._model

    def rerank(self, query: str, passages: Sequence[Passage]) -> list[Passage]:
        head, tail = list(passages[: self.top_n]), list(passages[self.top_n :])
        if len(head) < 2:
            return list(passages)
        pairs = [(query, f"{p.title}\n{p.chunk.text}") for p in head]
        scores = self.model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False)
        order = sorted(range(len(head)), key=lambda i: -float(scores[i]))
        return [head[i] for i in order] + tail


def build_reranker(name: str, top_n: int = 30) -> Reranker | None:
    """``none`` (or empty) -> no reranker; otherwise the folder of a local cross-encoder."""
    if not name or name.strip().lower() == "none":
        return None
    return CrossEncoderReranker(name.strip(), top_n=top_n)
