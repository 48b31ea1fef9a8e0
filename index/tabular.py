"""Rows of a CSV (or TSV) file with a header row, as records keyed by column name."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

# Article bodies are longer than the csv module's default field limit (128 KiB).
csv.field_size_limit(64 * 1024 * 1024)


class TableError(ValueError):
    """The file is not a usable table; the message says why."""


Rows = Iterator[tuple[int, dict[str, str]]]


def table_rows(text: str, delimiter: str | None = None) -> tuple[list[str], Rows]:
    """(header, rows): each row is (line number where it ends, {column: value}).

    The delimiter is sniffed among ``, ; TAB |`` when not given.
    """
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:64 * 1024], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
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
