"""Dense scores in memory: the searchable chunks' vectors as one matrix, one product per query.

The searchable chunks are the rows of the current BM25 snapshot (``index.lexical``); their
vectors are read from Chroma once (only the new ones after a change) into a float32 matrix
aligned with those rows. A query's cosine to every chunk is then one matrix-vector product
(~1 ms at 10,000 chunks, ~10-20 ms at 100,000 on one core), shared by everything the query
needs: the dense ranking within each filter (a mask, as BM25's), and the similarity of
chunks that only BM25 found. The search is exact, where Chroma's HNSW is approximate, and a
filter costs nothing extra (Chroma restricted to a list of ids took 50-100 ms at 100,000
chunks). Chroma stays the store of the vectors (and what a Chroma server shares); it is
not queried per question.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import numpy as np

log = logging.getLogger(__name__)

# Vectors per Chroma get: SQLite limits the variables of one statement.
_ID_BATCH = 5000


class DenseMatrix:
    """Unit vectors of ``ids`` (row order), read with ``fetch`` and reusing ``previous``."""

    def __init__(
        self,
        ids: Sequence[str],
        fetch: Callable[[list[str]], dict[str, np.ndarray]],
        collection: str,
        previous: DenseMatrix | None = None,
    ) -> None:
        self.collection = collection
        self.position = {chunk_id: i for i, chunk_id in enumerate(ids)}
        reuse = previous if previous is not None and previous.collection == collection else None
        known = {c: i for c, i in reuse.position.items() if c not in reuse.missing} if reuse else {}
        missing = [i for i in ids if i not in known]
        dimension = reuse.dimension if reuse is not None and len(reuse) else 0
        self.vectors = np.zeros((len(ids), dimension), dtype=np.float32)
        if reuse is not None and known:
            here = [(i, known[c]) for i, c in enumerate(ids) if c in known]
            if here:
                rows, old = map(list, zip(*here, strict=True))
                self.vectors[rows] = reuse.vectors[old]
        # Written into the matrix batch by batch: at 100,000 chunks a dict of all fetched
        # vectors next to the matrix doubled the peak memory.
        found: set[str] = set()
        for start in range(0, len(missing), _ID_BATCH):
            fetched = fetch(missing[start : start + _ID_BATCH])
            if fetched and not self.vectors.shape[1]:
                self.vectors = np.zeros((len(ids), next(iter(fetched.values())).shape[0]), dtype=np.float32)
            for chunk_id, vector in fetched.items():
                self.vectors[self.position[chunk_id]] = vector
            found.update(fetched)
        # Listed but not in Chroma (lost; the next write session re-embeds them): they never
        # match, and are looked for again on the next search (``DenseIndex.matrix``).
        self.missing: frozenset[str] = frozenset(c for c in missing if c not in found)
        if self.missing:
            log.warning("%d searchable chunks have no vector in the store yet", len(self.missing))
        # (einsum: no temporary the size of the matrix, as the squares of np.linalg.norm are)
        norms = np.sqrt(np.einsum("ij,ij->i", self.vectors, self.vectors))[:, None]
        np.divide(self.vectors, norms, out=self.vectors, where=norms > 0)
        self._last: tuple[bytes, np.ndarray] | None = None
        log.debug("dense matrix: %d vectors (%d read from the store)", len(ids), len(missing))

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def scores(self, embedding: Sequence[float] | np.ndarray) -> np.ndarray:
        """Cosine of the query to every row; the last query's scores are kept (one product per query)."""
        query = np.asarray(embedding, dtype=np.float32)
        key = query.tobytes()
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        norm = float(np.linalg.norm(query))
        if not len(self) or self.dimension != query.shape[0] or not norm:
            out = np.zeros(len(self), dtype=np.float32)
        else:
            out = self.vectors @ (query / norm)
        self._last = (key, out)  # one assignment: readers in other threads see old or new
        return out


class DenseIndex:
    """The matrix of the current snapshot's rows, rebuilt (incrementally) when those change."""

    def __init__(self) -> None:
        # (snapshot, collection name, matrix), replaced in one assignment; the snapshot is
        # kept so that the identity compared below cannot be reused by another object.
        self._state: tuple[object, str, DenseMatrix] | None = None
        self._lock = threading.Lock()

    def matrix(
        self,
        snapshot: object,
        ids: Callable[[], Sequence[str]],
        fetch: Callable[[list[str]], dict[str, np.ndarray]],
        collection: str,
    ) -> DenseMatrix:
        """The matrix for ``snapshot`` (an immutable BM25 snapshot) of ``collection``."""
        state = self._state
        if state is not None and state[0] is snapshot and state[1] == collection and not state[2].missing:
            return state[2]
        with self._lock:
            state = self._state
            if state is not None and state[0] is snapshot and state[1] == collection:
                if not state[2].missing:
                    return state[2]
                log.info("looking for %d missing vectors again", len(state[2].missing))
            built = DenseMatrix(ids(), fetch, collection, previous=state[2] if state else None)
            self._state = (snapshot, collection, built)
            return built
