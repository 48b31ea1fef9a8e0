"""Ordered background work: the next items are prepared while the caller handles this one.

Ingestion chunks articles (sentence splitting and the speaker parser, pure Python that
holds the GIL) and encodes chunks (PyTorch, which releases it). One worker thread chunks
ahead while the main thread encodes and writes, so the cores' slack during encoding is
used and end-to-end ingestion comes close to the raw encoder's rate.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Prefetcher(Generic[T, R]):
    """``fn`` applied to ``items`` in one background thread, up to ``ahead`` items early
    (``ahead`` 0: in the caller's thread, when asked for).

    Ask for results in the items' order with ``get(item)``; items skipped over are dropped
    (their work cancelled, or finished and discarded). ``fn``'s exceptions are raised by
    ``get``. Use as a context manager (``prefetching``) so that the thread always ends.
    """

    def __init__(self, fn: Callable[[T], R], items: Iterable[T], ahead: int) -> None:
        self._fn = fn
        self._items = iter(items)
        self._ahead = ahead
        self._pending: deque[tuple[T, Future[R]]] = deque()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")

    def _fill(self) -> None:
        while len(self._pending) < max(1, self._ahead):
            item = next(self._items, _END)
            if item is _END:
                return
            if self._ahead > 0:
                self._pending.append((item, self._pool.submit(self._fn, item)))
            else:  # no thread: each item is prepared when it is asked for
                self._pending.append((item, _Deferred(self._fn, item)))

    def get(self, item: T) -> R:
        """``fn(item)``; ``item`` must be one of the items not yet passed."""
        while True:
            self._fill()
            if not self._pending:
                raise KeyError("item is not among the items still to prefetch")
            queued, future = self._pending.popleft()
            if queued is item:
                self._fill()
                return future.result()
            future.cancel()

    def close(self) -> None:
        """Cancel what has not started and wait for the item in progress."""
        for _, future in self._pending:
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)


_END = object()


class _Deferred(Future):
    """A future computed by its first ``result()`` call, in the calling thread."""

    def __init__(self, fn: Callable, item: object) -> None:
        super().__init__()
        self._call = (fn, item)

    def result(self, timeout: float | None = None):  # noqa: ANN201
        if not self.done():
            fn, item = self._call
            try:
                self.set_result(fn(item))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, as a pool would
                self.set_exception(exc)
        return super().result(timeout)


@contextmanager
def prefetching(fn: Callable[[T], R], items: Iterable[T], ahead: int) -> Iterator[Prefetcher[T, R]]:
    prefetcher = Prefetcher(fn, items, ahead)
    try:
        yield prefetcher
    finally:
        prefetcher.close()
