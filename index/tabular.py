"""Rows of a CSV (or TSV) file with a header row, as records keyed by column name."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TextIO

# Article bodies are longer than the csv module's default field limit (128 KiB).
csv.field_size_limit(64 * 1024 * 1024)


class TableError(ValueError):
    """The file is not a usable table; the message says why."""


Rows = Iterator[tuple[int, dict[str, str]]]


def table_rows(file: TextIO, delimiter: str | None = None) -> tuple[list[str], Rows]:
    """(header, rows) of a file opened with ``newline=""``: each row is (line number where it
    ends, {column: value}), read as they are consumed.

    The delimiter is sniffed among ``, ; TAB |`` in the first 64 KiB when not given.
    """
    if delimiter is None:
        sample = file.read(64 * 1024)
        file.seek(0)
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(file, delimiter=delimiter)
    try:
        header = [h.strip() for h in (reader.fieldnames or []) if h]
    except csv.Error as exc:
        raise TableError(f"not a readable CSV file ({exc})") from None
    if not header:
        raise TableError("the CSV file has no header row")

    def rows() -> Rows:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise TableError(f"line {reader.line_num}: {exc}") from None
            record = {k.strip(): v for k, v in row.items() if k is not None and v is not None}
            if any(v.strip() for v in record.values()):
                yield reader.line_num, record

    return header, rows()
