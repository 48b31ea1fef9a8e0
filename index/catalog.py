"""The article catalogue: full texts, chunks, metadata and term statistics in SQLite.

This is the record of what is indexed. It holds each article's whole text (for "open the
article"), its content hash (to skip unchanged re-adds), its chunks (the lexical index is
built from them) and how many chunks contain each term (IDF for the answerer's evidence
score). A generation counter, bumped in the same transaction as every change, tells
derived indexes (BM25) when they are stale.

The database is in WAL mode and every thread has its own connection: a reader sees the
last committed state and never waits for a writer's transaction (issue 18).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from index.terms import TERMS_VERSION, terms
from index.types import Article, Chunk, sentences_from_json, sentences_json

log = logging.getLogger(__name__)

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
    added_at TEXT NOT NULL,
    path TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS chunk_terms (
    article_id TEXT NOT NULL,
    term TEXT NOT NULL,
    chunks INTEGER NOT NULL,
    PRIMARY KEY (article_id, term)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS chunk_terms_term ON chunk_terms (term);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    sentences TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks (article_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO state VALUES ('generation', 0);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signatures (article_id TEXT PRIMARY KEY, minhash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS copies (article_id TEXT PRIMARY KEY, original TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS copies_original ON copies (original);
CREATE TABLE IF NOT EXISTS published (article_id TEXT PRIMARY KEY, revision TEXT NOT NULL);
"""
_ARTICLE_COLUMNS = "id, title, date, source, url, text, content_hash, chunks, added_at, path"
# A chunk's text is its article's text between its offsets: the row stores it only when
# SQLite's substr could not cut it (a NUL in the text); older catalogues stored every one.
_CHUNK_TEXT = (
    "CASE WHEN c.text != '' THEN c.text ELSE "
    'substr((SELECT t.text FROM articles t WHERE t.id = c.article_id), c.start + 1, c."end" - c.start) END'
)
_TERMS_KEY = "terms"  # meta: the TERMS_VERSION the chunk_terms counts were made with


def _term_counts(chunk_texts: Iterable[str]) -> Counter[str]:
    """In how many of the chunks each term occurs."""
    per_term: Counter[str] = Counter()
    for text in chunk_texts:
        per_term.update(set(terms(text)))
    return per_term


class CatalogChunk:
    """A chunk row with the metadata of its article (what the lexical index needs).

    The searchable snapshot holds one per chunk (100,000 at scale), so a row keeps the raw
    columns and builds its ``Chunk`` (with the parsed sentences) only when asked, for the few
    rows a search returns; equal titles, sources and urls share one string.
    """

    __slots__ = (
        *("id", "article_id", "position", "start", "end", "text", "_sentences"),
        *("title", "date", "source", "url", "_chunk"),
    )

    def __init__(self, row: sqlite3.Row, shared: dict[str, str] | None = None) -> None:
        share = shared.setdefault if shared is not None else (lambda value, _: value)
        self.id: str = row["id"]
        self.article_id: str = share(row["article_id"], row["article_id"])
        self.position: int = row["position"]
        self.start: int = row["start"]
        self.end: int = row["end"]
        self.text: str = row["text"]
        self._sentences: str = row["sentences"]
        self.title: str = share(row["title"], row["title"])
        self.date = dt.date.fromisoformat(row["date"]) if row["date"] else None
        self.source: str = share(row["source"], row["source"])
        self.url: str = share(row["url"], row["url"])
        self._chunk: Chunk | None = None

    @property
    def chunk(self) -> Chunk:
        chunk = self._chunk
        if chunk is None:
            chunk = self._chunk = Chunk(
                article_id=self.article_id,
                position=self.position,
                start=self.start,
                end=self.end,
                text=self.text,
                sentences=sentences_from_json(self._sentences),
            )
        return chunk


class Catalog:
    """SQLite catalogue of indexed articles (one file under ``NEWSQA_HOME``)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        try:  # readers then never wait for a writer (persistent: set once per file)
            self._db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:  # a read-only home keeps its journal mode
            log.warning("could not switch %s to WAL mode: %s", path, exc)
        self._db.executescript(_SCHEMA)
        self._migrate()
        self._recount_terms()

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections must not be shared by threads)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0)
            db.row_factory = sqlite3.Row
            # The WAL file otherwise keeps its largest size (8 MiB after indexing 600 articles).
            db.execute("PRAGMA journal_size_limit = 1048576")
            self._local.db = db
            with self._connections_lock:
                self._connections.append(db)
        return db

    def _migrate(self) -> None:
        """Bring catalogues written by older versions up to date: the ``path`` column, and
        ``chunk_terms`` without a rowid (its primary key was a second copy of the table)."""
        try:
            self._drop_term_rowids()
            self._ensure_term_totals()
        except sqlite3.OperationalError as exc:  # a read-only home keeps the older layout
            log.warning("could not rewrite the term counts of %s: %s", self.path, exc)
        columns = {r["name"] for r in self._db.execute("PRAGMA table_info(articles)")}
        if "path" not in columns:
            try:
                with self._db:
                    self._db.execute("ALTER TABLE articles ADD COLUMN path TEXT NOT NULL DEFAULT ''")
            except sqlite3.OperationalError as exc:  # another process added it just now
                if "duplicate column" not in str(exc):
                    raise

    def _drop_term_rowids(self) -> None:
        def has_rowid() -> bool:
            sql = self._db.execute("SELECT sql FROM sqlite_schema WHERE name = 'chunk_terms'").fetchone()
            return sql is not None and "WITHOUT ROWID" not in sql[0].upper()

        if not has_rowid():
            return
        self._db.execute("BEGIN IMMEDIATE")  # one process rebuilds; the others then see it done
        try:
            if has_rowid():
                log.info("rewriting the term counts without a rowid (once)")
                for statement in (
                    "CREATE TABLE chunk_terms_new (article_id TEXT NOT NULL, term TEXT NOT NULL, "
                    "chunks INTEGER NOT NULL, PRIMARY KEY (article_id, term)) WITHOUT ROWID",
                    "INSERT INTO chunk_terms_new SELECT article_id, term, chunks FROM chunk_terms",
                    "DROP TABLE chunk_terms",
                    "ALTER TABLE chunk_terms_new RENAME TO chunk_terms",
                    "CREATE INDEX IF NOT EXISTS chunk_terms_term ON chunk_terms (term)",
                ):
                    self._db.execute(statement)
            self._db.commit()
        except BaseException:
            self._db.rollback()
            raise

    def _ensure_term_totals(self) -> None:
        """``term_chunks``: per term, its chunks in the whole library, kept by triggers on
        ``chunk_terms``. Summing ``chunk_terms`` per question cost ~0.7 s at 100,000 chunks."""

        def missing() -> bool:
            found = self._db.execute(
                "SELECT COUNT(*) FROM sqlite_schema "
                "WHERE type = 'trigger' AND name LIKE 'chunk_terms_total_%'"
            ).fetchone()[0]
            return found < 2

        if not missing():
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if missing():
                for statement in (
                    "DROP TABLE IF EXISTS term_chunks",
                    "CREATE TABLE term_chunks (term TEXT PRIMARY KEY, chunks INTEGER NOT NULL) WITHOUT ROWID",
                    "INSERT INTO term_chunks SELECT term, SUM(chunks) FROM chunk_terms GROUP BY term",
                    "CREATE TRIGGER chunk_terms_total_add AFTER INSERT ON chunk_terms BEGIN "
                    "INSERT INTO term_chunks VALUES (new.term, new.chunks) "
                    "ON CONFLICT(term) DO UPDATE SET chunks = chunks + new.chunks; END",
                    "CREATE TRIGGER chunk_terms_total_remove AFTER DELETE ON chunk_terms BEGIN "
                    "UPDATE term_chunks SET chunks = chunks - old.chunks WHERE term = old.term; END",
                ):
                    self._db.execute(statement)
            self._db.commit()
        except BaseException:
            self._db.rollback()
            raise

    def _recount_terms(self) -> None:
        """Recount ``chunk_terms`` from the stored chunks when the term rule changed."""
        if self.get_meta(_TERMS_KEY) == TERMS_VERSION:
            return
        self._db.execute("BEGIN IMMEDIATE")  # one process recounts; the others wait, then see it done
        try:
            if self.get_meta(_TERMS_KEY) != TERMS_VERSION:
                texts: dict[str, list[str]] = {}
                for article_id, text in self._db.execute(f"SELECT c.article_id, {_CHUNK_TEXT} FROM chunks c"):
                    texts.setdefault(article_id, []).append(text)
                if texts:
                    log.info("recounting the terms of %d articles (%s)", len(texts), TERMS_VERSION)
                # articles catalogued before chunks were kept here are recounted by backfill_chunks
                self._db.execute(
                    "DELETE FROM chunk_terms WHERE article_id IN (SELECT article_id FROM chunks)"
                )
                self._db.executemany(
                    "INSERT INTO chunk_terms VALUES (?, ?, ?)",
                    (
                        (article_id, term, n)
                        for article_id, chunk_texts in texts.items()
                        for term, n in _term_counts(chunk_texts).items()
                    ),
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)", (_TERMS_KEY, TERMS_VERSION)
                )
            self._db.commit()
        except BaseException:
            self._db.rollback()
            raise

    def _count_terms(self, article_id: str, chunk_texts: Iterable[str]) -> None:
        """Store in how many of the article's chunks each term occurs."""
        self._db.execute("DELETE FROM chunk_terms WHERE article_id = ?", (article_id,))
        self._db.executemany(
            "INSERT INTO chunk_terms VALUES (?, ?, ?)",
            [(article_id, term, n) for term, n in _term_counts(chunk_texts).items()],
        )

    def content_hash(self, article_id: str) -> str | None:
        row = self._db.execute("SELECT content_hash FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row["content_hash"] if row else None

    @property
    def generation(self) -> int:
        """Increases with every change to the catalogue (for derived indexes)."""
        return self._db.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()[0]

    def _bump(self) -> None:
        self._db.execute("UPDATE state SET value = value + 1 WHERE key = 'generation'")

    def put(self, article: Article, chunks: list[Chunk]) -> None:
        """Insert or replace an article, its chunks and their term counts, in one transaction."""
        self.put_many([(article, chunks)])

    def put_many(
        self,
        items: list[tuple[Article, list[Chunk]]],
        signatures: dict[str, bytes] | None = None,
        originals: dict[str, str | None] | None = None,
        added_at: dict[str, str | None] | None = None,
    ) -> None:
        """``put`` for several articles in one transaction (one generation step).

        ``signatures`` are the articles' MinHash signatures; ``originals`` names, for an
        article that is a near-duplicate, the canonical article it copies (None: it is
        canonical itself). See ``index/duplicates.py``. ``added_at`` keeps the time an
        article was first indexed when copying it from a shared index (default: now).
        """
        if not items:
            return
        signatures, originals, added_at = signatures or {}, originals or {}, added_at or {}
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._db:
            for article, chunks in items:
                self._db.execute(
                    f"INSERT OR REPLACE INTO articles ({_ARTICLE_COLUMNS}) VALUES ({', '.join('?' * 10)})",
                    (
                        article.id,
                        article.title,
                        article.date.isoformat() if article.date else None,
                        article.source,
                        article.url,
                        article.text,
                        article.content_hash,
                        len(chunks),
                        added_at.get(article.id) or now,
                        article.path,
                    ),
                )
                self._replace_chunks(article.id, article.content_hash, chunks)
                if article.id in signatures:
                    row = (article.id, signatures[article.id])
                    self._db.execute("INSERT OR REPLACE INTO signatures VALUES (?, ?)", row)
                if article.id in originals:
                    self._set_original(article.id, originals[article.id])
            self._bump()

    def _set_original(self, article_id: str, original: str | None) -> None:
        self._db.execute("DELETE FROM copies WHERE article_id = ?", (article_id,))
        if original is not None:
            self._db.execute("INSERT INTO copies VALUES (?, ?)", (article_id, original))
            # its own copies (it was canonical before this version) now copy the original
            self._db.execute("UPDATE copies SET original = ? WHERE original = ?", (original, article_id))

    def canonical_signatures(self) -> list[tuple[str, bytes]]:
        """(id, MinHash signature) of every article that is not a copy of another."""
        rows = self._db.execute(
            "SELECT s.article_id, s.minhash FROM signatures s "
            "WHERE NOT EXISTS (SELECT 1 FROM copies c WHERE c.article_id = s.article_id)"
        )
        return [(r[0], r[1]) for r in rows]

    def articles_without_signature(self) -> list[str]:
        rows = self._db.execute(
            "SELECT id FROM articles a "
            "WHERE NOT EXISTS (SELECT 1 FROM signatures s WHERE s.article_id = a.id)"
        )
        return [r[0] for r in rows]

    def set_signatures(self, signatures: dict[str, bytes]) -> None:
        """Signatures for articles catalogued before they were kept (no generation step)."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO signatures VALUES (?, ?)", signatures.items())

    def original_of(self, article_id: str) -> str | None:
        row = self._db.execute("SELECT original FROM copies WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def copies_of(self, article_ids: Iterable[str]) -> dict[str, list[dict]]:
        """Canonical article id -> its near-duplicates (id, title, date, source, url), oldest first."""
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"SELECT c.original, a.id, a.title, a.date, a.source, a.url FROM copies c "
            f"JOIN articles a ON a.id = c.article_id WHERE c.original IN ({marks}) ORDER BY a.added_at, a.id",
            ids,
        )
        out: dict[str, list[dict]] = {}
        for r in rows:
            out.setdefault(r[0], []).append(
                {"id": r[1], "title": r[2], "date": r[3], "source": r[4], "url": r[5]}
            )
        return out

    def _replace_chunks(self, article_id: str, content_hash: str, chunks: list[Chunk]) -> None:
        self._count_terms(article_id, (chunk.text for chunk in chunks))
        self._db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
        self._put_chunks(content_hash, chunks)

    def replace_chunks(self, items: list[tuple[Article, list[Chunk]]]) -> None:
        """New chunks for unchanged articles (re-chunked with another embedder's tokenizer)."""
        with self._db:
            for article, chunks in items:
                self._replace_chunks(article.id, article.content_hash, chunks)
                self._db.execute("UPDATE articles SET chunks = ? WHERE id = ?", (len(chunks), article.id))
            self._bump()

    def replace_all_chunks(
        self, items: list[tuple[str, str, list[Chunk]]], meta: dict[str, str | None]
    ) -> None:
        """New chunks (article id, content hash, chunks) and ``meta`` values in one
        transaction: what ``reindex`` built aside becomes what is indexed at once."""
        with self._db:
            for article_id, content_hash, chunks in items:
                self._replace_chunks(article_id, content_hash, chunks)
                self._db.execute("UPDATE articles SET chunks = ? WHERE id = ?", (len(chunks), article_id))
            for key, value in meta.items():
                self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
                if value is not None:
                    self._db.execute("INSERT INTO meta VALUES (?, ?)", (key, value))
            self._bump()

    def set_path(self, article_id: str, path: str) -> None:
        """Record the file an (unchanged) article now comes from; derived indexes do not care."""
        with self._db:
            self._db.execute("UPDATE articles SET path = ? WHERE id = ?", (path, article_id))

    def paths(self) -> dict[str, str]:
        """Article id -> the file it was read from, for articles read from a file."""
        return dict(self._db.execute("SELECT id, path FROM articles WHERE path != ''").fetchall())

    def article_ids(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT id FROM articles ORDER BY id")]

    def chunk_index(self) -> dict[str, str]:
        """Chunk id -> article id of every catalogued chunk."""
        return dict(self._db.execute("SELECT id, article_id FROM chunks").fetchall())

    def chunks_of(self, article_id: str) -> list[Chunk]:
        """The catalogued chunks of one article, in order."""
        rows = self._db.execute(
            f'SELECT c.id, c.article_id, c.position, c.start, c."end", {_CHUNK_TEXT} AS text, c.sentences '
            "FROM chunks c WHERE c.article_id = ? ORDER BY c.position",
            (article_id,),
        )
        return [
            Chunk(
                article_id=r["article_id"],
                position=r["position"],
                start=r["start"],
                end=r["end"],
                text=r["text"],
                sentences=sentences_from_json(r["sentences"]),
            )
            for r in rows
        ]

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Set (or with None delete) a value of the catalogue's key-value table."""
        with self._db:
            if value is None:
                self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _put_chunks(self, content_hash: str, chunks: list[Chunk]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c.chunk_id(content_hash),
                    c.article_id,
                    c.position,
                    c.start,
                    c.end,
                    c.text if "\x00" in c.text else "",  # else cut from the article (_CHUNK_TEXT)
                    sentences_json(c.sentences),
                )
                for c in chunks
            ],
        )

    def articles_without_chunks(self) -> list[tuple[str, str]]:
        """(id, content hash) of articles catalogued before chunks were kept here."""
        rows = self._db.execute(
            "SELECT id, content_hash FROM articles a WHERE chunks > 0 AND NOT EXISTS "
            "(SELECT 1 FROM chunks c WHERE c.article_id = a.id)"
        )
        return [(r["id"], r["content_hash"]) for r in rows]

    def backfill_chunks(self, content_hash: str, chunks: list[Chunk]) -> None:
        """Record the chunks of an already-catalogued article (migration from older indexes)."""
        with self._db:
            self._put_chunks(content_hash, chunks)
            if chunks:  # its term counts may predate the current term rule
                self._count_terms(chunks[0].article_id, (chunk.text for chunk in chunks))
            self._bump()

    def chunk_rows(self) -> list[CatalogChunk]:
        """Every searchable chunk with its article's title, date and source, in a stable order."""
        # Near-duplicates are not searched: their canonical article answers for them.
        rows = self._db.execute(
            f'SELECT c.id, c.article_id, c.position, c.start, c."end", {_CHUNK_TEXT} AS text, c.sentences, '
            "a.title, a.date, a.source, a.url FROM chunks c JOIN articles a ON a.id = c.article_id "
            "WHERE NOT EXISTS (SELECT 1 FROM copies d WHERE d.article_id = c.article_id) "
            "ORDER BY c.article_id, c.position"
        )
        shared: dict[str, str] = {}
        return [CatalogChunk(r, shared) for r in rows]

    def sources(self) -> list[str]:
        """Distinct non-empty sources, most articles first."""
        memo = self._memo()
        if "sources" not in memo:
            rows = self._db.execute(
                "SELECT source FROM articles WHERE source != '' "
                "GROUP BY source ORDER BY COUNT(*) DESC, source"
            )
            memo["sources"] = [r[0] for r in rows]
        return list(memo["sources"])

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        row = self._db.execute("SELECT MIN(date), MAX(date) FROM articles WHERE date IS NOT NULL").fetchone()
        if not row or row[0] is None:
            return None
        return dt.date.fromisoformat(row[0]), dt.date.fromisoformat(row[1])

    def months(self) -> set[tuple[int, int]]:
        """(year, month) pairs that have at least one dated article."""
        memo = self._memo()
        if "months" not in memo:
            rows = self._db.execute("SELECT DISTINCT substr(date, 1, 7) FROM articles WHERE date IS NOT NULL")
            memo["months"] = frozenset((int(r[0][:4]), int(r[0][5:7])) for r in rows)
        return set(memo["months"])

    def remove(self, article_id: str) -> bool:
        """Remove an article; if others copied it, the oldest copy becomes the canonical one."""
        with self._db:
            self._db.execute("DELETE FROM chunk_terms WHERE article_id = ?", (article_id,))
            self._db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
            self._db.execute("DELETE FROM signatures WHERE article_id = ?", (article_id,))
            self._db.execute("DELETE FROM copies WHERE article_id = ?", (article_id,))
            self._db.execute("DELETE FROM published WHERE article_id = ?", (article_id,))
            heir = self._db.execute(
                "SELECT c.article_id FROM copies c JOIN articles a ON a.id = c.article_id "
                "WHERE c.original = ? ORDER BY a.added_at, a.id LIMIT 1",
                (article_id,),
            ).fetchone()
            if heir is not None:
                self._db.execute("DELETE FROM copies WHERE article_id = ?", (heir[0],))
                self._db.execute("UPDATE copies SET original = ? WHERE original = ?", (heir[0], article_id))
            removed = self._db.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount > 0
            if removed:
                self._bump()
            return removed

    def record(self, article_id: str) -> dict | None:
        """An article's row with its MinHash signature and original (for publishing)."""
        row = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS}, s.minhash, c.original FROM articles a "
            "LEFT JOIN signatures s ON s.article_id = a.id LEFT JOIN copies c ON c.article_id = a.id "
            "WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        return dict(row) if row else None

    def revisions(self) -> dict[str, str]:
        """Article id -> the revision of the shared record this copy was made from."""
        return dict(self._db.execute("SELECT article_id, revision FROM published").fetchall())

    def set_revisions(self, revisions: dict[str, str | None]) -> None:
        """Record (None: forget) the shared revisions of articles."""
        with self._db:
            for article_id, revision in revisions.items():
                self._db.execute("DELETE FROM published WHERE article_id = ?", (article_id,))
                if revision is not None:
                    self._db.execute("INSERT INTO published VALUES (?, ?)", (article_id, revision))

    def get(self, article_id: str) -> Article | None:
        row = self._db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article(row) if row else None

    def list(self) -> list[dict]:
        """Metadata of every article (no text), newest first."""
        rows = self._db.execute(
            "SELECT id, title, date, source, url, chunks, added_at FROM articles ORDER BY date DESC, title"
        )
        return [dict(r) for r in rows]

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def _memo(self) -> dict:
        """Values derived from the catalogue, kept until its generation moves (every question
        asks for the sources, months and term frequencies; recomputing them cost ~20-40 ms)."""
        generation = self.generation
        memo = getattr(self, "_memo_state", None)
        if memo is None or memo["generation"] != generation:
            memo = self._memo_state = {"generation": generation, "df": {}}
        return memo

    def _document_frequencies(self, words: list[str]) -> dict[str, int]:
        """In how many chunks each stemmed term occurs (0: none), memoised per generation."""
        memo = self._memo()
        known: dict[str, int] = memo["df"]
        missing = [w for w in words if w not in known]
        if missing:
            found = dict.fromkeys(missing, 0)
            for start in range(0, len(missing), 500):  # SQLite limits the variables of a statement
                part = missing[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(f"SELECT term, chunks FROM term_chunks WHERE term IN ({marks})", part)
                found.update({row["term"]: row["chunks"] for row in rows})
            if len(known) > 50_000:
                known.clear()
            known.update(found)
        return {w: known.get(w, 0) for w in words}

    def idf(self, words: Iterable[str]) -> dict[str, float]:
        """Inverse chunk frequency of stemmed terms (BM25 form); unseen terms weigh most."""
        words = list(set(words))
        memo = self._memo()
        if "n" not in memo:
            memo["n"] = self._db.execute("SELECT COALESCE(SUM(chunks), 0) FROM articles").fetchone()[0]
        n = memo["n"]
        counts = self._document_frequencies(words)
        return {w: math.log(1 + (n - counts[w] + 0.5) / (counts[w] + 0.5)) for w in words}

    def unseen(self, words: Iterable[str]) -> list[str]:
        """The stemmed terms among ``words`` that no article's text, title or source contains."""
        words = list(dict.fromkeys(words))
        if not words:
            return []
        counts = self._document_frequencies(words)
        seen = {w for w, n in counts.items() if n > 0} | self._metadata_terms()
        return [w for w in words if w not in seen]

    def _metadata_terms(self) -> set[str]:
        """Terms of all titles and sources (cached until the catalogue changes)."""
        generation = self.generation
        cached = getattr(self, "_meta_cache", None)
        if cached is None or cached[0] != generation:
            found: set[str] = set()
            for title, source in self._db.execute("SELECT title, source FROM articles"):
                found.update(terms(f"{title} {source}"))
            cached = self._meta_cache = (generation, found)
        return cached[1]

    def snapshot(self) -> tuple[int, list[CatalogChunk]]:
        """The generation and the searchable chunk rows, read in one transaction (consistent)."""
        db = self._db
        db.execute("BEGIN")
        try:
            generation = db.execute("SELECT value FROM state WHERE key = 'generation'").fetchone()[0]
            rows = self.chunk_rows()
        finally:
            db.execute("COMMIT")
        return generation, rows

    def close(self) -> None:
        """Close every thread's connection."""
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for db in connections:
            db.close()
        self._local = threading.local()


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        date=dt.date.fromisoformat(row["date"]) if row["date"] else None,
        source=row["source"],
        url=row["url"],
        text=row["text"],
        path=row["path"],
    )
