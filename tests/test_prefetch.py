"""The background preparation ingestion uses (index/prefetch.py): order, skips, errors, shutdown."""

from __future__ import annotations

import threading
import time

import pytest

from index.prefetch import prefetching


def test_results_come_in_order_from_another_thread():
    threads: set[str] = set()

    def square(n: int) -> int:
        threads.add(threading.current_thread().name)
        return n * n

    items = list(range(20))
    with prefetching(square, items, ahead=4) as prepared:
        assert [prepared.get(i) for i in items] == [n * n for n in items]
    assert threads and threading.current_thread().name not in threads


def test_work_runs_ahead_of_the_caller():
    started: list[int] = []

    def record(n: int) -> int:
        started.append(n)
        return n

    items = list(range(10))
    with prefetching(record, items, ahead=3) as prepared:
        assert prepared.get(items[0]) == 0
        deadline = time.monotonic() + 5
        while len(started) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert started == [0, 1, 2, 3]  # the first item and the three after it, not more


def test_skipped_items_are_dropped_and_passed_ones_cannot_be_asked_for():
    items = [object() for _ in range(6)]
    with prefetching(id, items, ahead=2) as prepared:
        assert prepared.get(items[3]) == id(items[3])
        assert prepared.get(items[5]) == id(items[5])
        with pytest.raises(KeyError):
            prepared.get(items[1])


def test_an_error_is_raised_for_its_item_only():
    def fragile(n: int) -> int:
        if n == 2:
            raise ValueError("broken article 2")
        return n

    with prefetching(fragile, [1, 2, 3], ahead=3) as prepared:
        assert prepared.get(1) == 1
        with pytest.raises(ValueError, match="broken article 2"):
            prepared.get(2)
        assert prepared.get(3) == 3


def test_leaving_early_cancels_the_rest_and_ends_the_thread():
    done: list[int] = []

    def slow(n: int) -> int:
        time.sleep(0.05)
        done.append(n)
        return n

    before = threading.active_count()
    with prefetching(slow, list(range(100)), ahead=10) as prepared:
        prepared.get(0)
    assert len(done) < 20  # the queued work was cancelled, not run to the end
    assert threading.active_count() == before


def test_ahead_zero_prepares_each_item_in_the_callers_thread_when_asked():
    calls: list[tuple[int, str]] = []

    def note(n: int) -> int:
        calls.append((n, threading.current_thread().name))
        return -n

    items = [1, 2, 3]
    with prefetching(note, items, ahead=0) as prepared:
        assert calls == []
        assert prepared.get(1) == -1
        assert prepared.get(3) == -3  # 2 was skipped: never computed
    here = threading.current_thread().name
    assert calls == [(1, here), (3, here)]
