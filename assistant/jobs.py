"""Ingestion jobs: run off the request thread, one at a time, with progress to poll.

``JobQueue.submit(work)`` queues ``work(progress)`` for one background worker thread and
returns a ``Job`` whose ``state``, ``stage``, ``done`` and ``total`` follow the library's
progress callback. Jobs live in memory only: at most ``max_pending`` wait, and the oldest
finished ones are forgotten beyond ``keep``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

log = logging.getLogger(__name__)

State = Literal["queued", "running", "done", "failed"]
Progress = Callable[[str, int, int], None]
Work = Callable[[Progress], dict]


class QueueFull(RuntimeError):
    """Too many ingestion jobs are waiting; the message is for the client."""


@dataclass
class Job:
    """One ingestion: its state, progress and outcome (``result`` or ``error``)."""

    id: str
    state: State = "queued"
    stage: str = ""
    done: int = 0
    total: int = 0
    result: dict | None = None
    error: str | None = None
    exception: BaseException | None = field(default=None, repr=False)
    finished: threading.Event = field(default_factory=threading.Event, repr=False)
    created: float = field(default_factory=time.time)

    def progress(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, total

    def to_json(self) -> dict:
        out: dict = {"id": self.id, "state": self.state, "stage": self.stage, "done": self.done,
                     "total": self.total}  # fmt: skip
        if self.state == "done":
            out["result"] = self.result
        elif self.state == "failed":
            out["error"] = self.error
        return out


class JobQueue:
    """One worker thread runs the queued jobs in order; jobs are kept in memory, bounded."""

    def __init__(self, keep: int = 100, max_pending: int = 20) -> None:
        self.keep = keep
        self.max_pending = max_pending
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: queue.Queue[tuple[Job, Work, Callable[[], None] | None]] = queue.Queue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def submit(self, work: Work, cleanup: Callable[[], None] | None = None) -> Job:
        """Queue ``work``; ``cleanup`` runs after it whatever happens (or now if refused)."""
        with self._lock:
            pending = sum(j.state in ("queued", "running") for j in self._jobs.values())
            if pending >= self.max_pending:
                if cleanup is not None:
                    cleanup()
                raise QueueFull(f"{pending} ingestion jobs are waiting or running; try again later")
            job = Job(id=uuid.uuid4().hex[:16])
            self._jobs[job.id] = job
            self._forget_old()
            self._queue.put((job, work, cleanup))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="ingestion-jobs", daemon=True)
                self._worker.start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _forget_old(self) -> None:
        finished = [i for i, j in self._jobs.items() if j.finished.is_set()]
        for job_id in finished[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[job_id]

    def _run(self) -> None:
        while True:
            job, work, cleanup = self._queue.get()
            job.state = "running"
            try:
                job.result = work(job.progress)
                job.state = "done"
            except Exception as exc:  # noqa: BLE001 - reported through the job
                log.warning("ingestion job %s failed: %s", job.id, exc, exc_info=not isinstance(exc, OSError))
                job.error, job.exception, job.state = str(exc) or type(exc).__name__, exc, "failed"
            finally:
                if cleanup is not None:
                    try:
                        cleanup()
                    except OSError as exc:
                        log.warning("cleaning up after job %s: %s", job.id, exc)
                job.finished.set()
