"""One writer at a time per ``NEWSQA_HOME``: a file lock around every change to the index.

The operating system releases the lock when its holder dies, even by SIGKILL, so a
killed ingestion never leaves a stale lock behind. Who holds it (pid, host, command,
since when) is written beside it, so a process that gives up waiting can say whom it
waited for. Readers never take the lock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout


def _command() -> str:
    """This process's command line, ``python -m index add …`` rather than ``…/__main__.py add …``."""
    argv = sys.argv or [""]
    program = Path(argv[0])
    if program.name == "__main__.py":
        return " ".join([f"python -m {program.parent.name}", *argv[1:]])
    return " ".join(argv)


class IndexBusy(RuntimeError):
    """Another process is writing to the index and did not finish in time."""


class WriteLock:
    """Re-entrant inter-process write lock for one index folder."""

    def __init__(self, path: Path, timeout: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.timeout = timeout
        self.owner_file = path.with_name(path.name + ".owner")
        self._lock = FileLock(path, thread_local=False)

    @property
    def depth(self) -> int:
        """How many times this process holds the lock (0: not held)."""
        return self._lock.lock_counter

    def acquire(self) -> None:
        try:
            self._lock.acquire(timeout=self.timeout)
        except Timeout:
            raise IndexBusy(self._busy_message()) from None
        if self.depth == 1:
            self._write_owner()

    def release(self) -> None:
        if self.depth == 1:
            self.owner_file.unlink(missing_ok=True)
        self._lock.release()

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def holder(self) -> dict | None:
        """What the current holder wrote about itself (None if unknown)."""
        try:
            return json.loads(self.owner_file.read_text())
        except (OSError, ValueError):
            return None

    def _write_owner(self) -> None:
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": _command()[:300],
            "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        tmp = self.owner_file.with_name(f"{self.owner_file.name}.{os.getpid()}")
        tmp.write_text(json.dumps(info))
        os.replace(tmp, self.owner_file)

    def _busy_message(self) -> str:
        who = self.holder()
        holder = "another process"
        if who:
            holder = (f"process {who.get('pid')} on {who.get('host')} "
                      f"(`{who.get('command')}`, since {who.get('since')})")
        return (
            f"the index in {self.path.parent} is being changed by {holder}; "
            f"gave up after waiting {self.timeout:g} s (NEWSQA_LOCK_TIMEOUT). "
            "Run the command again when that one has finished."
        )
