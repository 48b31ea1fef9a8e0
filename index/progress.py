"""Progress bars on stderr (tqdm) for the CLI: one bar per stage, with rate and ETA."""

from __future__ import annotations

import sys
from typing import TextIO

_UNITS = {"reading": "file", "indexing": "article", "re-embedding": "article"}


class ProgressBars:
    """A ``Progress`` callback (``stage, done, total``) drawing tqdm bars, or nothing."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._bars: dict = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        bar = self._bars.get(stage)
        if bar is None:
            from tqdm import tqdm

            bar = self._bars[stage] = tqdm(
                total=total, desc=stage, unit=_UNITS.get(stage, "item"), file=self.stream,
                dynamic_ncols=True, smoothing=0.1, mininterval=0.5,
            )
        bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wanted(flag: bool, json_output: bool, stream: TextIO | None = None) -> bool:
    """Bars when asked (``--progress``) or when stderr is a terminal; never with ``--json``."""
    if json_output:
        return False
    stream = stream or sys.stderr
    return flag or (hasattr(stream, "isatty") and stream.isatty())
