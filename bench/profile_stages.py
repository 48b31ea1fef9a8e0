"""Per-stage wall time of ``Assistant.search`` and ``Assistant.ask``, by wrapping their parts.

``Stages`` replaces methods of the live objects (the library, its stores, the embedder, the
retriever's class, the answerer) with timed copies for the duration of a ``with`` block and
adds up the seconds per stage and query. Stages nest (Chroma's query is inside the dense
search), so each stage is reported inclusive, and "rest" is the query's time outside every
top-level stage (fusion arithmetic, the per-article cap, Passage copies, Python overhead).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# (stage, parent stage or "", object path, method): paths are resolved on an Assistant.
SEARCH_STAGES: tuple[tuple[str, str, str, str], ...] = (
    ("scope", "", "retriever_class", "scope"),
    ("embed query", "", "library.embedder", "embed_query"),
    ("dense search", "", "library", "search"),
    ("  filter -> chunk ids", "dense search", "library.lexical", "chunk_ids"),
    ("  Chroma query", "dense search", "library.chunks", "search"),
    ("  listed check", "dense search", "library.lexical", "known"),
    ("BM25 search", "", "library", "search_lexical"),
    ("dense score lookups", "", "library", "dense_scores"),
    ("BM25 score lookups", "", "library", "lexical_scores"),
    ("fusion", "", "module:assistant.retrieve", "zscore_fusion"),
    ("per-article cap", "", "module:assistant.retrieve", "diversify"),
)
ASK_STAGES: tuple[tuple[str, str, str, str], ...] = (
    *SEARCH_STAGES,
    ("answerer", "", "answerer", "answer"),
    ("  sentence vectors", "answerer", "answerer.embed", "__call__"),
    ("  idf (catalogue)", "answerer", "answerer", "idf"),
    ("  unmentioned nouns", "answerer", "answerer", "unmentioned"),
    ("copies (catalogue)", "", "library", "copies_of"),
)


_MISSING = object()


def _restore(target: Any, method: str, own: Any) -> None:
    if own is _MISSING:
        object.__delattr__(target, method)
    else:
        object.__setattr__(target, method, own)


def _resolve(assistant: Any, path: str) -> Any:
    if path == "retriever_class":
        return type(assistant.retriever)
    if path.startswith("module:"):
        import importlib

        return importlib.import_module(path.split(":", 1)[1])
    target = assistant
    for part in path.split("."):
        target = getattr(target, part)
    return target


class Stages:
    """Seconds per stage for each timed query (``query()`` opens one)."""

    def __init__(self, assistant: Any, stages: tuple[tuple[str, str, str, str], ...]) -> None:
        self.assistant = assistant
        self.stages = stages
        self.names = [s[0] for s in stages]
        self.parents = {s[0]: s[1] for s in stages}
        self.rows: list[dict[str, float]] = []
        self._current: dict[str, float] | None = None
        self._depth: dict[str, int] = defaultdict(int)

    def _timed(self, name: str, fn: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self._current is None or self._depth[name]:  # outside a query, or recursive
                return fn(*args, **kwargs)
            self._depth[name] += 1
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._depth[name] -= 1
                self._current[name] = self._current.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    @contextmanager
    def installed(self) -> Iterator[Stages]:
        """The timed methods in place (instance attributes; classes and modules restored after)."""
        undo: list[Callable[[], None]] = []
        try:
            for name, _, path, method in self.stages:
                target = _resolve(self.assistant, path)
                if target is None:
                    continue
                if method == "__call__":  # a callable instance: wrap its class's __call__
                    cls = type(target)
                    original = cls.__call__
                    cls.__call__ = self._timed(name, original)
                    undo.append(lambda cls=cls, original=original: setattr(cls, "__call__", original))
                    continue
                original = getattr(target, method, None)
                if original is None:
                    continue
                if isinstance(target, type) or type(target).__name__ == "module":
                    raw = target.__dict__[method]
                    setattr(target, method, self._timed(name, raw))
                    undo.append(lambda t=target, m=method, r=raw: setattr(t, m, r))
                    if path.startswith("module:"):  # names imported into the retriever's namespace
                        continue
                else:
                    own = vars(target).get(method, _MISSING)  # an instance attribute (a callable)?
                    object.__setattr__(target, method, self._timed(name, original))
                    undo.append(lambda t=target, m=method, o=own: _restore(t, m, o))
            yield self
        finally:
            for step in reversed(undo):
                step()

    @contextmanager
    def query(self) -> Iterator[None]:
        """Time one query: its stages and its total."""
        self._current = {}
        started = time.perf_counter()
        try:
            yield
        finally:
            total = time.perf_counter() - started
            row, self._current = self._current, None
            row["total"] = total
            row["rest"] = total - sum(v for k, v in row.items() if k in self.parents and not self.parents[k])
            self.rows.append(row)

    def summary(self) -> list[dict[str, Any]]:
        """Per stage: mean and p50/p95 ms over the queries, share of the mean total."""
        import numpy as np

        if not self.rows:
            return []
        mean_total = float(np.mean([r["total"] for r in self.rows]))
        out = []
        for name in [*self.names, "rest", "total"]:
            values = np.array([r.get(name, 0.0) for r in self.rows]) * 1000
            if name not in ("rest", "total") and not values.any():
                continue
            out.append(
                {
                    "stage": name,
                    "mean_ms": round(float(values.mean()), 2),
                    "p50_ms": round(float(np.percentile(values, 50)), 2),
                    "p95_ms": round(float(np.percentile(values, 95)), 2),
                    "share": round(float(values.mean()) / (mean_total * 1000), 3) if mean_total else 0.0,
                }
            )
        return out
