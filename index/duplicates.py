"""Near-duplicate articles: the same wire story published by several outlets.

Each article gets a MinHash signature of its word 5-grams (``datasketch``, 128
permutations). At ingestion an article whose estimated Jaccard similarity with an
already indexed one reaches ``THRESHOLD`` becomes a *copy* of that article's canonical
version: it stays in the catalogue (listed, deletable, with its own metadata) but its
chunks are not searched, so a question gets one citation for the story, and the citation
lists the other outlets as "also published by". Removing a canonical article promotes its
oldest copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SCHEME = "affine64"  # datasketch's permutation scheme; stored signatures are its uint64 values
SHINGLE_WORDS = 5
# Syndicated copies differ in a headline, a byline or a closing line; two different reports
# of one event share far less than 80% of their 5-grams.
THRESHOLD = 0.8
_WORD = re.compile(r"\w+")


def signature(text: str) -> MinHash:
    words = _WORD.findall(text.lower())
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(np.uint64).tobytes()


def from_bytes(blob: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashvalues=np.frombuffer(blob, dtype=np.uint64))


class DuplicateFinder:
    """Finds the canonical article an incoming one copies, among the signatures given."""

    def __init__(self, canonical: Iterable[tuple[str, bytes]], threshold: float = THRESHOLD) -> None:
        """``canonical``: (article id, signature) of the articles that are not copies."""
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._signatures: dict[str, MinHash] = {}
        for article_id, blob in canonical:
            self.add(article_id, from_bytes(blob))

    def add(self, article_id: str, minhash: MinHash) -> None:
        if article_id in self._signatures:
            self._lsh.remove(article_id)
        self._signatures[article_id] = minhash
        self._lsh.insert(article_id, minhash)

    def discard(self, article_id: str) -> None:
        if self._signatures.pop(article_id, None) is not None:
            self._lsh.remove(article_id)

    def original_of(
        self, article_id: str, minhash: MinHash, text: str = "", text_of: Callable[[str], str] | None = None
    ) -> str | None:
        """The canonical article that ``article_id`` copies (most similar), or None.

        With ``text`` and ``text_of`` (the text of a candidate), a candidate whose version
        of a shared sentence states another name or number is not an original: two outlets
        that disagree on a fact are two sources, and both must stay answerable.
        """
        candidates = []
        for candidate in self._lsh.query(minhash):
            if candidate != article_id:
                jaccard = self._signatures[candidate].jaccard(minhash)
                if jaccard >= self.threshold:
                    candidates.append((jaccard, candidate))
        for _, candidate in sorted(candidates, reverse=True):
            if not (text and text_of) or not contradicts(text, text_of(candidate)):
                return candidate
        return None


def _facts(sentence: str) -> set[str]:
    return set(re.findall(r"\b(?:[A-Z][\w’'-]*|\d[\d.,]*)", sentence))


def contradicts(text: str, other: str) -> bool:
    """Some sentence of ``text`` is another's sentence with a different name or number.

    Sentences are paired by their words (Jaccard ≥ 0.5 of lower-cased word sets); a pair
    whose capitalised words or numbers differ states a different fact.
    """
    from index.chunk import split_sentences

    theirs = [other[a:b] for a, b in split_sentences(other)]
    their_words = [set(_WORD.findall(t.lower())) for t in theirs]
    for a, b in split_sentences(text):
        sentence = text[a:b]
        if sentence in theirs:
            continue
        words = set(_WORD.findall(sentence.lower()))
        best, overlap = None, 0.5
        for candidate, candidate_words in zip(theirs, their_words, strict=True):
            union = words | candidate_words
            share = len(words & candidate_words) / len(union) if union else 0.0
            if share >= overlap:
                best, overlap = candidate, share
        if best is not None and _facts(sentence) != _facts(best):
            return True
    return False
