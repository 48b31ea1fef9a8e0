"""Sentence helpers shared by the answerers: cached sentence vectors and clause windows."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from index.embed import SentenceEmbedder


class EmbeddingCache:
    """Sentence vectors by text; repeated questions over the same passages embed nothing."""

    def __init__(self, embedder: SentenceEmbedder, size: int = 20000) -> None:
        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vector in zip(missing, self.embedder.encode(missing), strict=True):
                self._vectors[text] = vector
        for t in texts:
            self._vectors.move_to_end(t)
        vectors = np.stack([self._vectors[t] for t in texts])
        while len(self._vectors) > self.size:  # evict only after this call's vectors are read
            self._vectors.popitem(last=False)
        return vectors


CLAUSE_WORDS = 12  # sentences longer than about two clauses are also compared clause by clause


def clauses(sentence: str, width: int = 2) -> list[str]:
    """Runs of ``width`` adjacent comma/semicolon clauses of a long sentence (else none)."""
    if len(sentence.split()) <= 2 * CLAUSE_WORDS:
        return []
    parts = [p.strip() for p in re.split(r"[,;:]\s+|\s+(?:and|while|thus)\s+", sentence) if p.strip()]
    if len(parts) < 2:
        return []
    return [", ".join(parts[i : i + width]) for i in range(len(parts) - width + 1)] + [
        p for p in parts if len(p.split()) >= CLAUSE_WORDS
    ]
