"""Record files (JSONL, CSV) read a line at a time, so a news archive of any size fits in memory.

The encoding is told from the first mebibyte by the rules of ``index.decode``. Bytes
further on that are not in that encoding fail only the record that holds them; a line
longer than the record cap is skipped with a failure, never read whole into memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from index.decode import DecodeError, stream_encoding

SAMPLE_BYTES = 1024 * 1024
_ESCAPED = re.compile("[\udc80-\udcff]")  # undecodable bytes, kept by "surrogateescape"
_READ = 1024 * 1024


class StreamError(ValueError):
    """The file cannot be read as a stream of records; the message says why."""


def open_text(path: Path) -> tuple[TextIO, str]:
    """(the file opened for reading text, its encoding); raises StreamError when it is not text."""
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    if not sample.strip():
        raise StreamError("file is empty")
    try:
        encoding = stream_encoding(sample)
    except DecodeError as exc:
        raise StreamError(str(exc)) from None
    return path.open(encoding=encoding, errors="surrogateescape", newline=""), encoding


def undecodable(text: str, encoding: str) -> str | None:
    """Why ``text`` (read by ``open_text``) holds bytes that are not ``encoding``, or None."""
    if (bad := _ESCAPED.search(text)) is None:
        return None
    byte = ord(bad.group()) - 0xDC00
    return f"byte 0x{byte:02x} is not {encoding.upper()} (the file's start is); save the file as UTF-8"


def bounded_lines(file: TextIO, limit: int) -> Iterator[tuple[int, str | None]]:
    """(line number, line) for each line; None for a line over ``limit`` characters (skipped)."""
    n = 0
    while line := file.readline(limit + 1):
        n += 1
        if len(line) <= limit or line.endswith(("\n", "\r")):
            yield n, line
            continue
        while (rest := file.readline(_READ)) and not rest.endswith(("\n", "\r")):
            pass
        yield n, None
