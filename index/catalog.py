"""The article catalogue: full texts, metadata and term statistics in SQLite.

Chroma holds chunks; this holds what chunks cannot give back: each article's whole
text (for "open the article"), its content hash (to skip unchanged re-adds) and how
many chunks contain each term (IDF for the answerer's evidence score).
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from index.terms import terms
from index.types import Article

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT,
    source TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    chunks INTEGER NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunk_terms (
    article_id TEXT NOT NULL,
    term TEXT NOT NULL,
    chunks INTEGER NOT NULL,
    PRIMARY KEY (article_id, term)
);
CREATE INDEX IF NOT EXISTS chunk_terms_term ON chunk_terms (term);
"""


class Catalog:
    """SQLite catalogue of indexed articles (one file under ``NEWSQA_HOME``)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)

    def content_hash(self, article_id: str) -> str | None:
        row = self._db.execute(
            "SELECT content_hash FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return row["content_hash"] if row else None

    def put(self, article: Article, chunk_texts: list[str]) -> None:
        """Insert or replace an article and its chunks' term counts, in one transaction."""
        per_term: Counter[str] = Counter()
        for text in chunk_texts:
            per_term.update(set(terms(text)))
        with self._db:
            self._db.execute("DELETE FROM chunk_terms WHERE article_id = ?", (article.id,))
            self._db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article.id,
                    article.title,
                    article.date.isoformat() if article.date else None,
                    article.source,
                    article.url,
                    article.text,
                    article.content_hash,
                    len(chunk_texts),
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                ),
            )
            self._db.executemany(
                "INSERT INTO chunk_terms VALUES (?, ?, ?)",
                [(article.id, term, n) for term, n in per_term.items()],
            )

    def remove(self, article_id: str) -> bool:
        with self._db:
            self._db.execute("DELETE FROM chunk_terms WHERE article_id = ?", (article_id,))
            return self._db.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount > 0

    def get(self, article_id: str) -> Article | None:
        row = self._db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article(row) if row else None

    def list(self) -> list[dict]:
        """Metadata of every article (no text), newest first."""
        rows = self._db.execute(
            "SELECT id, title, date, source, url, chunks, added_at FROM articles "
            "ORDER BY date DESC, title"
        )
        return [dict(r) for r in rows]

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def idf(self, words: Iterable[str]) -> dict[str, float]:
        """Inverse chunk frequency of stemmed terms (BM25 form); unseen terms weigh most."""
        words = list(set(words))
        n = self._db.execute("SELECT COALESCE(SUM(chunks), 0) FROM articles").fetchone()[0]
        counts: Counter[str] = Counter()
        if words:
            marks = ",".join("?" * len(words))
            rows = self._db.execute(
                f"SELECT term, SUM(chunks) AS df FROM chunk_terms WHERE term IN ({marks}) GROUP BY term",
                words,
            )
            counts.update({row["term"]: row["df"] for row in rows})
        return {w: math.log(1 + (n - counts[w] + 0.5) / (counts[w] + 0.5)) for w in words}

    def close(self) -> None:
        self._db.close()


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        date=dt.date.fromisoformat(row["date"]) if row["date"] else None,
        source=row["source"],
        url=row["url"],
        text=row["text"],
    )
