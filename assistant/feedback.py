"""Thumbs up/down on answers, kept in SQLite under ``NEWSQA_HOME``, and their export.

``python -m assistant.feedback export --format jsonl|csv [--out FILE]`` writes every
rating, oldest first (to stdout without ``--out``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

FIELDS = ("id", "created", "rating", "comment", "question", "answer", "citations", "client", "origin")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT ''
);
"""


def feedback_path(home: Path) -> Path:
    return home / "feedback.sqlite3"


class FeedbackStore:
    """Append-only ratings; one short-lived connection per call (safe from any thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    def add(
        self,
        question: str,
        answer: dict[str, Any],
        rating: int,
        comment: str = "",
        client: str = "",
        origin: str = "",
    ) -> int:
        """Store one rating (+1 or -1) of ``answer`` (the API's answer JSON); returns its id."""
        if rating not in (1, -1):
            raise ValueError("rating must be 1 or -1")
        citations = [
            {k: c.get(k) for k in ("n", "article_id", "title", "date", "source", "sentence", "start", "end")}
            for c in answer.get("citations", [])
            if isinstance(c, dict)
        ]
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        row = (created, rating, comment, question, json.dumps(answer, ensure_ascii=False),
               json.dumps(citations, ensure_ascii=False), client, origin)
        with closing(self._connect()) as db, db:
            cursor = db.execute(
                "INSERT INTO feedback (created, rating, comment, question, answer, citations, client, "
                "origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid)

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every rating, oldest first; ``answer`` and ``citations`` decoded from JSON."""
        with closing(self._connect()) as db:
            for row in db.execute(f"SELECT {', '.join(FIELDS)} FROM feedback ORDER BY id"):
                item = dict(row)
                item["answer"] = json.loads(item["answer"])
                item["citations"] = json.loads(item["citations"])
                yield item


def export(store: FeedbackStore, fmt: str, out: io.TextIOBase) -> int:
    """Write every rating as JSON lines or CSV (JSON columns as JSON text); returns the count."""
    n = 0
    writer = csv.DictWriter(out, fieldnames=FIELDS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    for row in store.rows():
        n += 1
        if writer:
            flat = row | {k: json.dumps(row[k], ensure_ascii=False) for k in ("answer", "citations")}
            writer.writerow(flat)
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return n


def main(argv: list[str] | None = None) -> int:
    from assistant.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m assistant.feedback", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    exp = sub.add_parser("export", help="write all ratings as JSON lines or CSV")
    exp.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    exp.add_argument("--out", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    store = FeedbackStore(feedback_path(get_settings().home))
    if args.out:
        with args.out.open("w", encoding="utf-8", newline="") as out:
            n = export(store, args.format, out)
        print(f"exported {n} ratings to {args.out}", file=sys.stderr)
    else:
        export(store, args.format, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
