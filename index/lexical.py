"""BM25 over the catalogue's chunks (``bm25s``), persisted beside the Chroma store.

The index is derived from the catalogue, never written to directly: it is stamped with
the catalogue's generation and rebuilt when that moves on (after an add or remove, by
this process or another one). So it cannot disagree with what is indexed, and a killed
ingestion leaves nothing to repair here. Files live in ``NEWSQA_HOME/bm25/<generation>``
with ``current.json`` (replaced atomically) naming the complete one.

Readers never build it: they search the last complete snapshot (one immutable ``Snapshot``)
while a newer one is built by the writer (``refresh``) or by a background thread
(``request``) and swapped in with one assignment. The snapshot is also the publication
point of new chunks: dense hits are kept only if it lists them (``known``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.catalog import Catalog, CatalogChunk
from index.terms import snowball
from index.types import SearchFilter

log = logging.getLogger(__name__)

# Bump when tokenisation or parameters change: a persisted index with another version is rebuilt.
FORMAT = 2
_WORD = re.compile(r"\w+")
# Joined forms kept whole as well as split: "3+3", "COVID-19", "U.S.", "5.2%".
_COMPOUND = re.compile(r"\w+(?:[+&/.\-]\w+)+")


@dataclass(frozen=True)
class LexicalHit:
    """A chunk found by BM25 with its score (unbounded, higher is better)."""

    row: CatalogChunk
    score: float


class Tokenizer:
    """Lower-case words, English stopwords dropped, Snowball-stemmed; lone digits kept.

    Joined forms such as "3+3" or "COVID-19" also count as one token, so an exact match on
    them outweighs the common parts they are made of.
    """

    def __init__(self) -> None:
        from bm25s.stopwords import STOPWORDS_EN

        self._stop = frozenset(STOPWORDS_EN)

    def __call__(self, text: str) -> list[str]:
        text = text.lower()
        words = [w for w in _WORD.findall(text) if w not in self._stop and (len(w) > 1 or w.isdigit())]
        return snowball(words) + _COMPOUND.findall(text)


def document_text(row: CatalogChunk) -> str:
    """What BM25 indexes for a chunk: the article title, then the chunk text."""
    return f"{row.title}\n{row.text}"


class Snapshot:
    """One immutable snapshot: the searchable rows, their BM25 index and filter columns."""

    def __init__(self, generation: int, rows: list[CatalogChunk], bm25) -> None:  # noqa: ANN001
        self.generation = generation
        self.rows = rows
        self.bm25 = bm25
        self.position = {r.id: i for i, r in enumerate(rows)}
        self._columns: _Columns | None = None
        # The last query's scores over every row: a question's rankings (one per filter) and
        # the fusion's score lookups all use one BM25 pass.
        self._last: tuple[tuple[str, ...], np.ndarray | None] | None = None

    def scores(self, tokens: list[str]) -> np.ndarray | None:
        """BM25 score of every row for the query ``tokens`` (None: no token is indexed)."""
        key = tuple(tokens)
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        ids = self.bm25.get_tokens_ids(tokens) if self.rows else []
        scores = self.bm25.get_scores_from_ids(ids) if ids else None
        self._last = (key, scores)  # one assignment: other threads see the old or the new pair
        return scores

    @property
    def columns(self) -> _Columns:
        if self._columns is None:
            self._columns = _Columns(self.rows)
        return self._columns


class _Columns:
    """Each row's date, source and article as arrays, to resolve a filter without SQL.

    ``mask`` is ``SearchFilter.matches`` over every row at once: change both together
    (tests/test_retrieval.py compares a filtered search with ``matches`` on the whole ranking).
    """

    def __init__(self, rows: list[CatalogChunk]) -> None:
        self.dates = np.array([r.date.toordinal() if r.date else -1 for r in rows], dtype=np.int64)
        self.source_codes, self.sources = _codes([r.source for r in rows])
        self.article_codes, self.articles = _codes([r.article_id for r in rows])
        self._masks: dict[SearchFilter, np.ndarray] = {}  # the last few (dense and BM25 share them)

    def mask(self, where: SearchFilter) -> np.ndarray:
        """``SearchFilter.matches`` for every row (read-only; cached for the last few filters)."""
        cached = self._masks.get(where)
        if cached is None:
            cached = self._mask(where)
            cached.flags.writeable = False
            if len(self._masks) >= 8:
                self._masks.clear()
            self._masks[where] = cached
        return cached

    def _mask(self, where: SearchFilter) -> np.ndarray:
        keep = np.ones(len(self.dates), dtype=bool)
        if where.since or where.until:
            keep &= self.dates >= 0  # undated articles are outside any date range
        if where.since:
            keep &= self.dates >= where.since.toordinal()
        if where.until:
            keep &= self.dates <= where.until.toordinal()
        if where.sources:
            keep &= np.isin(self.source_codes, [self.sources.get(s, -1) for s in where.sources])
        if where.article_ids:
            keep &= np.isin(self.article_codes, [self.articles.get(a, -1) for a in where.article_ids])
        return keep


def _codes(values: list[str]) -> tuple[np.ndarray, dict[str, int]]:
    index: dict[str, int] = {}
    codes = np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int64)
    return codes, index


class LexicalIndex:
    """BM25 search over every chunk in the catalogue, optionally restricted to some chunks."""

    def __init__(self, path: Path, catalog: Catalog, k1: float = 1.2, b: float = 0.75) -> None:
        self.path = path
        self.catalog = catalog
        self.k1 = k1
        self.b = b
        self.tokenize = Tokenizer()
        self._loaded: Snapshot | None = None
        self._lock = threading.Lock()  # one build at a time
        self._wanted = threading.Lock()  # guards _pending and _worker
        self._pending = False
        self._worker: threading.Thread | None = None

    @property
    def _stamp(self) -> dict:
        return {"format": FORMAT, "k1": self.k1, "b": self.b}

    @property
    def generation(self) -> int | None:
        """The catalogue generation that searches see now (None: nothing loaded yet)."""
        loaded = self._loaded
        return loaded.generation if loaded is not None else None

    def _current(self) -> Snapshot:
        """The snapshot searches use: never rebuilt here once one exists (see ``request``)."""
        loaded = self._loaded
        if loaded is None:  # the first search of this process: nothing older to serve
            return self.refresh()
        if loaded.generation != self.catalog.generation:
            self.request()
        return loaded

    def refresh(self, save: bool = True) -> Snapshot:
        """Bring the snapshot up to the catalogue's generation now (in the calling thread)."""
        with self._lock:
            loaded = self._loaded
            if loaded is not None and loaded.generation == self.catalog.generation:
                return loaded
            generation, rows = self.catalog.snapshot()
            self._loaded = self._load_or_build(generation, rows, save)
            return self._loaded

    def request(self) -> None:
        """Rebuild in a background thread soon (requests made meanwhile are coalesced).

        Nothing to do while no search has loaded the index (a command-line ingestion).
        """
        if self._loaded is None:
            return
        with self._wanted:
            self._pending = True
            if self._worker is None:
                self._worker = threading.Thread(target=self._background, name="bm25-refresh", daemon=True)
                self._worker.start()

    def _background(self) -> None:
        while True:
            with self._wanted:
                if not self._pending:
                    self._worker = None
                    return
                self._pending = False
            started = time.monotonic()
            try:
                # not saved: the writer saves its final state, other builds are transient
                self.refresh(save=False)
            except Exception:  # noqa: BLE001 - searches keep the previous snapshot
                log.exception("rebuilding the BM25 index failed")
            # at most half of one core while an ingestion keeps changing the catalogue
            time.sleep(min(time.monotonic() - started, 5.0))

    def _load_or_build(self, generation: int, rows: list[CatalogChunk], save: bool = True) -> Snapshot:
        import bm25s

        pointer = self.path / "current.json"
        try:
            current = json.loads(pointer.read_text())
            if current.get("generation") == generation and current.get("stamp") == self._stamp:
                folder = self.path / str(generation)
                ids = json.loads((folder / "ids.json").read_text())
                if ids == [r.id for r in rows]:
                    bm25 = bm25s.BM25.load(folder, show_progress=False, verbosity=0)
                    return Snapshot(generation, rows, bm25)
        except (OSError, ValueError, KeyError):
            pass  # missing or partial: rebuild below
        return self._build(generation, rows, save)

    def _build(self, generation: int, rows: list[CatalogChunk], save: bool = True) -> Snapshot:
        import bm25s

        log.info("building the BM25 index over %d chunks", len(rows))
        bm25 = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        if rows:
            # An empty document still needs a token for bm25s; it never matches a query.
            corpus = [self.tokenize(document_text(r)) or ["\x00"] for r in rows]
            bm25.index(corpus, show_progress=False)
            if save:
                self._save(generation, rows, bm25)
        return Snapshot(generation, rows, bm25)

    def _save(self, generation: int, rows: list[CatalogChunk], bm25) -> None:  # noqa: ANN001
        folder = self.path / str(generation)
        try:
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            bm25.save(folder, show_progress=False)
            (folder / "ids.json").write_text(json.dumps([r.id for r in rows]))
            tmp = self.path / f"current.json.{os.getpid()}"
            tmp.write_text(json.dumps({"generation": generation, "stamp": self._stamp}))
            os.replace(tmp, self.path / "current.json")
        except OSError as exc:  # a read-only home still searches, it just rebuilds next time
            log.warning("could not save the BM25 index: %s", exc)
            return
        for old in self.path.iterdir():
            if old.is_dir() and old.name != str(generation):
                shutil.rmtree(old, ignore_errors=True)

    def count(self) -> int:
        return len(self._current().rows)

    def snapshot(self) -> Snapshot:
        """The snapshot searches use now (immutable: rows, BM25, filter columns)."""
        return self._current()

    def chunk_ids(self, where: SearchFilter) -> list[str]:
        """Ids of the searchable chunks of the articles ``where`` matches, in index order."""
        loaded = self._current()
        if not loaded.rows:
            return []
        return [loaded.rows[i].id for i in np.flatnonzero(loaded.columns.mask(where))]

    def search(self, query: str, k: int, where: SearchFilter | None = None) -> list[LexicalHit]:
        """The ``k`` best chunks for ``query``, among those of the articles ``where`` matches."""
        loaded = self._current()
        if not loaded.rows or k <= 0:
            return []
        scores = loaded.scores(self.tokenize(query))
        if scores is None:
            return []
        if where is not None and not where.is_empty:
            scores = np.where(loaded.columns.mask(where), scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(loaded.rows[i], float(scores[i])) for i in top if scores[i] > 0]

    def scores(self, query: str, chunk_ids: list[str]) -> dict[str, float]:
        """BM25 scores of the given chunks for ``query`` (0 for chunks not indexed)."""
        loaded = self._current()
        scores = loaded.scores(self.tokenize(query)) if loaded.rows else None
        if scores is None:
            return dict.fromkeys(chunk_ids, 0.0)
        return {c: float(scores[loaded.position[c]]) if c in loaded.position else 0.0 for c in chunk_ids}

    def known(self, chunk_ids: list[str]) -> set[str]:
        """Which of ``chunk_ids`` the catalogue lists (checked against one loaded index)."""
        position = self._current().position
        return {c for c in chunk_ids if c in position}
