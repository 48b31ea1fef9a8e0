"""Measurement helpers of the scale benchmark: peak RSS, disk use, timing, build progress."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("bench.scale")

STOP_EXIT = 3  # exit status of a build stopped by --stop-after-batches (a simulated kill)


def reset_peak_rss() -> None:
    """Reset this process's peak RSS to its current RSS (Linux; elsewhere a no-op)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_rss_mib() -> float:
    """Peak resident set size of this process since start (or the last reset), MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_mib(path: Path) -> float:
    """Disk space used by the files under ``path`` (allocated blocks, like ``du``), MiB."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total / 2**20


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def percentile(values: Sequence[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q))


class ProgressLog:
    """A ``Library`` progress callback that logs every ~5% (or minute) with the rate so far."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.perf_counter()
        self.last = (0.0, -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != "indexing" or total == 0:
            return
        now = time.perf_counter() - self.started
        step = max(1, total // 20)
        if done == total or done // step > self.last[1] // step or now - self.last[0] > 60:
            self.last = (now, done)
            log.info(
                "%s: %d/%d articles in %.0f s (%.2f articles/s)",
                self.label,
                done,
                total,
                now,
                done / max(now, 1e-9),
            )


def write_json(path: Path, data: dict) -> None:
    """Write JSON atomically: a temporary file beside it, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_progress(store: Path) -> dict | None:
    """A store's ``progress.json`` (None: absent or unreadable)."""
    try:
        return json.loads((store / "progress.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class BuildProgress:
    """``progress.json`` of a store build, accumulated over the segments (runs) that built it.

    A segment's clock starts once its model is loaded (an uninterrupted build's time never
    included loading either) and covers everything after: reading the corpus again, skipping
    what is stored, the batches. It is written after every batch, atomically, so a kill
    loses at most the unfinished batch, whose work is not counted (the next segment does it
    again and counts it). ``stop_after`` (``--stop-after-batches``) ends the process with
    status ``STOP_EXIT`` after that many batches of this segment, like a kill would.
    """

    def __init__(self, store: Path, name: str, stop_after: int = 0) -> None:
        self.path, self.name, self.stop_after = store / "progress.json", name, stop_after
        self.state = read_progress(store) or {
            "name": name,
            "segments": 0,
            "seconds": 0.0,
            "peak_rss_mib": 0.0,
            "chunks": 0,
            "batches": 0,
            "complete": False,
            "segment_log": [],
        }
        self.base = self.state["seconds"]
        self.started = time.perf_counter()
        self.batches = 0

    def start(self, load_seconds: float, **done: Any) -> None:
        """A new segment: its model loaded in ``load_seconds`` (not counted); its clock starts."""
        self.state["segments"] += 1
        self.state["segment_log"].append(
            {
                "started_at": dt.datetime.now().isoformat(timespec="seconds"),
                "load_seconds": load_seconds,
                "seconds": 0.0,
                "batches": 0,
                "chunks_at_start": done.get("chunks", self.state["chunks"]),
                "peak_rss_mib": peak_rss_mib(),
            }
        )
        self.base = self.state["seconds"]
        self.started = time.perf_counter()
        self.update(**done)

    def update(self, **done: Any) -> None:
        """Record the segment so far (its seconds, peak RSS, what is done) and write the file."""
        seconds = time.perf_counter() - self.started
        segment = self.state["segment_log"][-1]
        segment |= {
            "seconds": seconds,
            "batches": self.batches,
            "peak_rss_mib": max(segment["peak_rss_mib"], peak_rss_mib()),
        }
        self.state |= done | {
            "seconds": self.base + seconds,
            "peak_rss_mib": max(s["peak_rss_mib"] for s in self.state["segment_log"]),
            "batches": sum(s["batches"] for s in self.state["segment_log"]),
            "updated_at": dt.datetime.now().isoformat(timespec="seconds"),
        }
        write_json(self.path, self.state)

    def batch(self, **done: Any) -> None:
        """A batch is stored: record it; stop here if ``stop_after`` batches are done."""
        self.batches += 1
        self.update(**done)
        if self.stop_after and self.batches >= self.stop_after:
            log.warning("%s: stopping after %d batches (--stop-after-batches)", self.name, self.batches)
            logging.shutdown()
            os._exit(STOP_EXIT)  # no clean-up, as if the run were killed here

    def finish(self, **done: Any) -> dict:
        """The store is complete: the accumulated figures."""
        self.update(**done, complete=True)
        return dict(self.state)
