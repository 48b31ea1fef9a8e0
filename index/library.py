"""The library of indexed articles: ingest, sync, re-embed, list, remove, search.

Writing is ordered so that a kill at any point is repaired by running again: chunks are
upserted into Chroma under deterministic ids first, then the catalogue rows (with the
content hashes that mark articles done) are committed, a batch of articles per
transaction, and only then the chunks of replaced versions deleted. Every write session
holds the index's file lock and starts by reconciling Chroma with the catalogue
(``index.reconcile``). The catalogue records the embedder that built the index; another
one is refused (``index.identity``).

With a Chroma server (``chroma_url``) the records published in Chroma decide what is
indexed; the local catalogue and BM25 index are a cache refreshed from them
(``index.shared``), and writers also hold a lease in the server: one writer at a time.

Readers never wait for a writer (``docs/ingestion.md``, "Readers and writers"): the
catalogue is in WAL mode with a connection per thread, chunks are embedded with a second
instance of the model, and new chunks become searchable when the BM25 snapshot that lists
them is swapped in (built off the reader path). Replaced chunks are deleted only once the
session's final snapshot is published, and ``reindex`` builds a new Chroma collection aside
and switches to it in one catalogue transaction.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from index.catalog import Catalog, CatalogChunk
from index.chunk import chunk_text
from index.dense import DenseIndex, DenseMatrix
from index.duplicates import DuplicateFinder, signature, to_bytes
from index.embed import SentenceEmbedder
from index.identity import EmbedderMismatch, EmbedderRecord, describe, mismatch_message
from index.ingest import Failure, ReadOptions, list_files, load_file
from index.lexical import LexicalIndex, Snapshot
from index.lock import IndexBusy, WriteLock
from index.prefetch import Prefetcher, prefetching
from index.reconcile import reconcile
from index.shared import SharedCatalog, chroma_client, pull
from index.speakers import ParsedSubjects, attribute_speakers
from index.store import COLLECTION, ChunkStore
from index.types import Article, Chunk, Passage, SearchFilter, Sentence

if TYPE_CHECKING:
    from datasketch import MinHash

log = logging.getLogger(__name__)
T = TypeVar("T")

# Speakers are found with the dependency parser (bench/attribution.py: 36/36 statements of the
# sample articles, against 35/36 for the word rules alone); loaded once, on first use.
_PARSED_SUBJECTS = ParsedSubjects()

# progress(stage, done, total): stage "reading" counts files, "indexing" and "re-embedding" articles.
Progress = Callable[[str, int, int], None]
# Articles embedded and committed together: fewer, larger embedder calls and transactions.
BATCH_ARTICLES = 32
BATCH_CHUNKS = 128
# Articles chunked ahead of the encoder by the background thread (index.prefetch).
PREPARE_AHEAD = 2 * BATCH_ARTICLES
_EMBEDDER_KEY = "embedder"
_REINDEXING_KEY = "reindexing"
_STAMP_KEY = "shared_stamp"
_COLLECTION_KEY = "collection"  # the Chroma collection searched (a reindex switches it)
# While a long ingestion runs, other replicas are told about its progress this often.
_ANNOUNCE_SECONDS = 30.0


def _collection_gone(exc: Exception) -> bool:
    """Whether Chroma failed because the collection was deleted (by a reindex elsewhere)."""
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError) or "does not exist" in str(exc)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, best first (ties: lower position first)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return top[np.lexsort((top, -scores[top]))]


def _passage(row: CatalogChunk, score: float) -> Passage:
    """A searchable chunk row as a retrieved passage."""
    return Passage(
        chunk=row.chunk,
        title=row.title,
        date=row.date,
        source=row.source,
        url=row.url,
        score=score,
        id=row.id,
    )


def _no_progress(stage: str, done: int, total: int) -> None:
    """Progress callback that reports nothing."""


@dataclass
class IngestReport:
    """What one ingestion run did, per article id, and what it skipped and why."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    # added or updated articles that are near-duplicates: id -> the canonical article's id
    duplicates: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failed],
            "duplicates": self.duplicates,
        }


@dataclass
class SyncReport(IngestReport):
    """An ingestion run that also removed the articles whose files are gone."""

    removed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return super().to_dict() | {"removed": self.removed}


class Library:
    """Articles and their chunks: a SQLite catalogue beside a Chroma collection (embedded
    under ``home``, or on the Chroma server at ``chroma_url``)."""

    def __init__(
        self,
        home: Path,
        embedder: SentenceEmbedder,
        chunk_tokens: int = 200,
        overlap_sentences: int = 1,
        lock_timeout: float = 60.0,
        check_embedder: bool = True,
        chroma_url: str = "",
        chroma_token: str | None = None,
        refresh_seconds: float = 2.0,
    ) -> None:
        self.home = home
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.overlap_sentences = overlap_sentences
        self.chroma_url = chroma_url
        # Ingestion chunks and embeds with its own model instance (questions use ``embedder``).
        self.encoder: SentenceEmbedder = getattr(embedder, "writer", embedder)
        self.catalog = Catalog(home / "articles.sqlite3")
        self.shared: SharedCatalog | None = None
        collection = self.catalog.get_meta(_COLLECTION_KEY) or COLLECTION
        if chroma_url:
            client = chroma_client(chroma_url, chroma_token)
            self.shared = SharedCatalog(client)
            collection = self.shared.get_state(_COLLECTION_KEY) or COLLECTION
            self.chunks = ChunkStore(None, embedder, collection, client=client, writer=self.encoder)
        else:
            self.chunks = ChunkStore(home / "chroma", embedder, collection, writer=self.encoder)
        self.lexical = LexicalIndex(home / "bm25", self.catalog)
        self._dense = DenseIndex()  # the searchable chunks' vectors, in memory (index.dense)
        self.lock = WriteLock(home / "write.lock", timeout=lock_timeout)
        # One write session at a time in this process too (the file lock is re-entrant across
        # threads); the thread holding it, and the chunks its session replaced.
        self._writer = threading.RLock()
        self._writer_thread: int | None = None
        self._replaced: set[str] = set()
        self._started_at = 0  # the catalogue generation when the current session began
        self._refresh_seconds = refresh_seconds
        self._refreshed_at = float("-inf")
        self._refreshing = threading.Lock()
        self._announced_at = 0.0
        if self.shared is not None:
            self.refresh(force=True)
        else:
            self._backfill_chunks()
        if check_embedder:
            self.check_embedder()

    def _backfill_chunks(self) -> None:
        """Copy chunks from Chroma into a catalogue written before it kept them."""
        for article_id, content_hash in self.catalog.articles_without_chunks():
            log.info("recording the chunks of %s in the catalogue", article_id)
            self.catalog.backfill_chunks(content_hash, self.chunks.chunks_of(article_id))

    # --- a shared index (Chroma server) --------------------------------------------------

    def refresh(self, force: bool = False) -> None:
        """Bring the local cache up to date with the shared index, if another process wrote.

        Checks at most every ``refresh_seconds`` (one small request) unless ``force``.
        """
        if self.shared is None:
            return
        if not force and time.monotonic() - self._refreshed_at < self._refresh_seconds:
            return
        if not force and self._writer_thread not in (None, threading.get_ident()):
            return  # this process is writing: its writer keeps the cache up to date
        # One reader refreshes; the others search the cache as it is meanwhile.
        if not self._refreshing.acquire(blocking=force):
            return
        try:
            self._refresh()
        finally:
            self._refreshing.release()

    def _refresh(self) -> None:
        """Pull the shared index's changes into the local cache (the caller holds ``_refreshing``)."""
        if self.shared is None:
            return
        self._refreshed_at = time.monotonic()
        stamp = self.shared.stamp()
        if stamp == self.catalog.get_meta(_STAMP_KEY):
            return
        for key in (_EMBEDDER_KEY, _REINDEXING_KEY, _COLLECTION_KEY):
            self.catalog.set_meta(key, self.shared.get_state(key))
        self._follow_collection()
        result = pull(self.shared, self.catalog, self.chunks)
        if result.changed:
            log.info(
                "refreshed from the shared index: %d updated, %d removed",
                len(result.updated),
                len(result.removed),
            )
            self.lexical.refresh()  # another replica's changes: searchable from now on
        if result.incomplete:
            # a writer is between publishing and tidying up, or died there: look again
            log.info("articles not complete in the shared index yet: %s", result.incomplete)
            if not self.lock.depth:
                return
            # we are the writer now: drop them (a re-run adds them again)
            self.shared.unpublish(result.incomplete)
            for article_id in result.incomplete:
                self.catalog.remove(article_id)
        self.catalog.set_meta(_STAMP_KEY, stamp)

    def _publish(self, article_ids: Iterable[str]) -> None:
        """Publish changed catalogue rows to the shared index (no-op without one)."""
        if self.shared is None:
            return
        self.shared.publish(self.catalog, article_ids)
        if time.monotonic() - self._announced_at > _ANNOUNCE_SECONDS:
            self._announce()

    def _announce(self) -> None:
        """Tell other replicas that the shared index changed (they pull on their next check)."""
        if self.shared is None:
            return
        self._announced_at = time.monotonic()
        self.shared.renew()
        self.shared.touch()
        self.catalog.set_meta(_STAMP_KEY, self.shared.stamp())

    def _set_state(self, key: str, value: str | None) -> None:
        """Set index state locally and, with a shared index, in it."""
        if self.shared is not None:
            self.shared.set_state(key, value)
        self.catalog.set_meta(key, value)

    @contextmanager
    def _session(self) -> Iterator[bool]:
        """Hold the write lock (and the shared index's lease); yields True for the outermost.

        The outermost session ends by publishing its work to searches (``_finish``).
        """
        if not self._writer.acquire(timeout=self.lock.timeout):
            raise IndexBusy(
                f"the index in {self.home} is being changed by another task of this process; "
                f"gave up after waiting {self.lock.timeout:g} s (NEWSQA_LOCK_TIMEOUT)"
            )
        try:
            with self.lock:
                outermost = self._writer_thread is None
                self._writer_thread = threading.get_ident()
                if outermost:
                    self._started_at = self.catalog.generation
                try:
                    if not outermost:
                        yield False
                    elif self.shared is None:
                        try:
                            yield True
                        finally:
                            self._finish()
                    else:
                        yield from self._shared_session()
                finally:
                    if outermost:
                        self._writer_thread = None
        finally:
            self._writer.release()

    def _shared_session(self) -> Iterator[bool]:
        assert self.shared is not None
        self.shared.acquire(self.lock.timeout)
        try:
            # Pull even if the stamp did not move: a writer killed after publishing
            # records but before announcing them must not have its chunks taken for orphans.
            self.catalog.set_meta(_STAMP_KEY, None)
            self.refresh(force=True)
            try:
                yield True
            finally:
                self._finish()
        finally:
            try:
                self._announce()
            finally:
                self.shared.release()

    def _finish(self) -> None:
        """Publish the session's changes to searches, then delete the chunks they replaced.

        Until the new BM25 snapshot is swapped in, searches keep using the previous one, and
        the chunks it lists are still in Chroma. A kill before the deletes leaves chunks the
        catalogue does not list: the next session's reconciliation drops them.
        """
        if self.lexical.generation is not None or self.catalog.generation != self._started_at:
            self.lexical.refresh()  # and saved, for the next process that opens the index
        replaced, self._replaced = sorted(self._replaced), set()
        for article_id in replaced:
            # whatever the catalogue lists now stays; every other version goes
            self.chunks.delete_article(article_id, keep_hash=self.catalog.content_hash(article_id))

    def _follow_collection(self) -> None:
        """Search the collection the catalogue names (another process may have re-indexed)."""
        name = self.catalog.get_meta(_COLLECTION_KEY) or COLLECTION
        if name != self.chunks.name:
            log.info("switching to the re-indexed chunk collection %s", name)
            self.chunks = self.chunks.sibling(name)

    # --- the embedder record --------------------------------------------------------------

    def embedder_record(self) -> EmbedderRecord:
        """The record of the configured embedder (hash of its files; cached under home)."""
        return describe(
            self.embedder.name,
            self.embedder.path,
            self.home / "embedder-fingerprints.json",
            backend=self.embedder.backend,
        )

    def built_with(self) -> EmbedderRecord | None:
        """The embedder that built this index (None: nothing recorded yet)."""
        payload = self.catalog.get_meta(_EMBEDDER_KEY)
        return EmbedderRecord.from_json(payload) if payload else None

    def check_embedder(self) -> None:
        """Raise ``EmbedderMismatch`` unless the index was built with the configured embedder."""
        if pending := self.catalog.get_meta(_REINDEXING_KEY):
            target = EmbedderRecord.from_json(pending)
            raise EmbedderMismatch(
                f"re-embedding this index with {target.name} was interrupted: "
                "run `python -m index reindex` again to finish it"
            )
        built = self.built_with()
        if built is not None and not built.same_space(configured := self.embedder_record()):
            raise EmbedderMismatch(mismatch_message(built, configured))

    # --- writing --------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock; the outermost session first checks and repairs the index."""
        with self._session() as outermost:
            if outermost:
                self.check_embedder()
                if self.built_with() is None:
                    self._set_state(_EMBEDDER_KEY, self.embedder_record().to_json())
                self._follow_collection()
                self._drop_other_collections()
                repair = reconcile(self.catalog, self.chunks)
                if repair.changed:
                    log.info(
                        "repaired the index: dropped %d chunks, restored %s", repair.dropped, repair.restored
                    )
            yield

    def chunk(self, article: Article) -> list[Chunk]:
        """Sentence-aware chunks of an article, each sentence tagged with its speaker."""
        chunks = chunk_text(
            article.id,
            article.text,
            self.encoder.count_tokens,
            max_tokens=min(self.chunk_tokens, self.encoder.max_tokens - 2),
            overlap_sentences=self.overlap_sentences,
            model_limit=self.encoder.max_tokens - 2,
        )
        spans = sorted({(s.start, s.end) for c in chunks for s in c.sentences})
        speakers = attribute_speakers(article.text, spans, _PARSED_SUBJECTS)
        speaker = dict(zip(spans, speakers, strict=True))
        return [
            c.model_copy(
                update={
                    "sentences": tuple(
                        Sentence(start=s.start, end=s.end, speaker=speaker[(s.start, s.end)])
                        for s in c.sentences
                    )
                }
            )
            for c in chunks
        ]

    def add(self, article: Article) -> str:
        """Index one article; returns 'added', 'updated' or 'unchanged'."""
        report = self.add_articles([article])
        return next(s for s in ("added", "updated", "unchanged") if getattr(report, s))

    def add_articles(
        self, items: Iterable[Article | Failure], progress: Progress | None = None
    ) -> IngestReport:
        """Index articles (unchanged ones are skipped); failures are carried into the report."""
        report = IngestReport()
        with self.writing():
            self._ingest(list(items), report, progress or _no_progress)
        return report

    def add_paths(
        self,
        paths: Iterable[str | Path],
        options: ReadOptions | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest files and folders; broken files are reported, the rest still indexed."""
        report = IngestReport()
        progress = progress or _no_progress
        with self.writing():
            self._ingest(self._read(paths, options, progress), report, progress)
        return report

    def sync(
        self,
        folder: str | Path,
        prune: bool = False,
        options: ReadOptions | None = None,
        progress: Progress | None = None,
    ) -> SyncReport:
        """Make the index match ``folder``: (re)index new and changed articles; with
        ``prune``, remove articles read from this folder whose file or record is gone.

        Articles of a file that failed to read are kept (a broken file is not a deletion).
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder} is not a folder")
        report = SyncReport()
        progress = progress or _no_progress
        with self.writing():
            self._ingest(self._read([folder], options, progress, report_empty=False), report, progress)
            if prune:
                base = os.path.abspath(folder)
                seen = {*report.added, *report.updated, *report.unchanged}
                kept = {f.file for f in report.failed}
                for article_id, path in sorted(self.catalog.paths().items()):
                    inside = path == base or path.startswith(base + os.sep)
                    if inside and article_id not in seen and path not in kept:
                        self._remove(article_id)
                        report.removed.append(article_id)
        return report

    def _read(
        self,
        paths: Iterable[str | Path],
        options: ReadOptions | None,
        progress: Progress,
        report_empty: bool = True,
    ) -> list[Article | Failure]:
        files, failures = list_files(paths, report_empty=report_empty)
        items: list[Article | Failure] = list(failures)
        progress("reading", 0, len(files))
        for n, path in enumerate(files, 1):
            items.extend(load_file(path, options))
            progress("reading", n, len(files))
        return items

    def _ingest(self, items: list[Article | Failure], report: IngestReport, progress: Progress) -> None:
        """Add changed articles in batches: Chroma upsert, stale chunks deleted, catalogue commit."""
        # Articles that may need (re)indexing are chunked in a background thread, ahead of the
        # encoder (an id given twice may be unchanged by its second turn: its work is dropped).
        articles = [i for i in items if isinstance(i, Article)]
        repeated = {i for i, n in Counter(a.id for a in articles).items() if n > 1}
        stale = [a for a in articles if a.id in repeated or self.catalog.content_hash(a.id) != a.content_hash]
        if stale:
            self.encoder.count_tokens("")  # load the model here, not in the worker
        with prefetching(self._prepare, stale, PREPARE_AHEAD) as prepared:
            self._ingest_items(items, report, progress, prepared)

    def _prepare(self, article: Article) -> tuple[MinHash, list[Chunk]]:
        """What indexing an article needs that depends on nothing else (thread-safe)."""
        return signature(article.text), self.chunk(article)

    def _ingest_items(
        self,
        items: list[Article | Failure],
        report: IngestReport,
        progress: Progress,
        prepared: Prefetcher[Article, tuple[MinHash, list[Chunk]]],
    ) -> None:
        total = sum(isinstance(i, Article) for i in items)
        done = 0
        progress("indexing", done, total)
        known_paths = self.catalog.paths()
        seen: dict[str, str] = {}
        batch: list[tuple[Article, str | None, list[Chunk]]] = []
        finder = self._duplicate_finder()
        signatures: dict[str, bytes] = {}
        originals: dict[str, str | None] = {}

        moved: list[str] = []

        def flush() -> None:
            nonlocal done
            if not batch:
                self._publish(moved)
                moved.clear()
                return
            self.chunks.add_many([(a, c) for a, _, c in batch])
            self.catalog.put_many([(a, c) for a, _, c in batch], signatures, originals)
            self._publish([*(a.id for a, _, _ in batch), *moved])
            moved.clear()
            # Searches see the batch once a BM25 snapshot lists it (built in the background
            # meanwhile); the replaced versions' chunks go when the session ends (``_finish``).
            self.lexical.request()
            self._replaced.update(a.id for a, old_hash, _ in batch if old_hash is not None)
            for article, _, _ in batch:
                if originals.get(article.id):
                    report.duplicates[article.id] = originals[article.id]
            for article, old_hash, _ in batch:
                (report.added if old_hash is None else report.updated).append(article.id)
            done += len(batch)
            batch.clear()
            progress("indexing", done, total)

        for item in items:
            if isinstance(item, Failure):
                log.warning("skipped %s: %s", item.path, item.reason)
                report.failed.append(item)
                continue
            if item.id in seen:
                log.warning(
                    "article id %r is given twice (%s and %s); the later one is kept",
                    item.id,
                    seen[item.id] or "-",
                    item.path or "-",
                )
                flush()
            seen[item.id] = item.path
            old_hash = self.catalog.content_hash(item.id)
            if old_hash == item.content_hash:
                if item.path and known_paths.get(item.id) != item.path:
                    self.catalog.set_path(item.id, item.path)  # moved: sync --prune must know
                    moved.append(item.id)
                report.unchanged.append(item.id)
                done += 1
                progress("indexing", done, total)
                continue
            minhash, chunks = prepared.get(item)
            finder.discard(item.id)  # a changed article is compared as new
            original = finder.original_of(item.id, minhash, item.text, self.article_text)
            if original is None:
                finder.add(item.id, minhash)
            signatures[item.id], originals[item.id] = to_bytes(minhash), original
            batch.append((item, old_hash, chunks))
            if len(batch) >= BATCH_ARTICLES or sum(len(c) for _, _, c in batch) >= BATCH_CHUNKS:
                flush()
        flush()

    def _duplicate_finder(self) -> DuplicateFinder:
        """Near-duplicate lookup over the canonical articles (signatures kept in the catalogue;
        articles indexed before signatures existed get theirs now)."""
        missing = self.catalog.articles_without_signature()
        if missing:
            articles = [a for i in missing if (a := self.catalog.get(i)) is not None]
            self.catalog.set_signatures({a.id: to_bytes(signature(a.text)) for a in articles})
        return DuplicateFinder(self.catalog.canonical_signatures())

    def article_text(self, article_id: str) -> str:
        """An article's text ("" for an id the library does not hold)."""
        article = self.catalog.get(article_id)
        return article.text if article else ""

    def copies_of(self, article_ids: Iterable[str]) -> dict[str, list[dict]]:
        """Canonical article id -> the near-duplicates (other outlets) it answers for."""
        return self.catalog.copies_of(article_ids)

    def reindex(self, progress: Progress | None = None) -> dict:
        """Re-chunk and re-embed every article from the catalogue's text with the configured
        embedder, into a new Chroma collection built aside; then switch to it and record
        that embedder, in one catalogue transaction.

        Searches use the previous collection and chunks until the switch. Interrupted, the
        index is as before (the half-built collection is dropped by the next write session).
        """
        progress = progress or _no_progress
        configured = self.embedder_record()
        with self._session():
            self._drop_other_collections()
            target = self.chunks.sibling(f"{COLLECTION}-{uuid.uuid4().hex[:12]}")
            ids = self.catalog.article_ids()
            staged: list[tuple[str, str, list[Chunk]]] = []
            batch: list[tuple[Article, list[Chunk]]] = []
            progress("re-embedding", 0, len(ids))
            for n, article_id in enumerate(ids, 1):
                article = self.catalog.get(article_id)
                if article is not None:
                    batch.append((article, self.chunk(article)))
                if batch and (
                    n == len(ids)
                    or len(batch) >= BATCH_ARTICLES
                    or sum(len(c) for _, c in batch) >= BATCH_CHUNKS
                ):
                    target.add_many(batch)
                    staged.extend((a.id, a.content_hash, c) for a, c in batch)
                    batch = []
                    progress("re-embedding", n, len(ids))
            old = self.chunks
            state = {
                _COLLECTION_KEY: target.name,
                _EMBEDDER_KEY: configured.to_json(),
                _REINDEXING_KEY: None,
            }
            if self.shared is not None:  # other replicas switch when they pull
                for key, value in state.items():
                    self.shared.set_state(key, value)
            self.catalog.replace_all_chunks(staged, state)
            self.chunks = target
            self._publish(ids)
            self.lexical.refresh()
            old.drop()
        return {"articles": len(ids), "chunks": self.chunks.count(), "embedder": configured.name}

    def _drop_other_collections(self) -> None:
        """Drop chunk collections other than the searched one (a killed or finished reindex's)."""
        for name in self.chunks.collections():
            if name != self.chunks.name:
                log.info("dropping the unused chunk collection %s", name)
                self.chunks.drop(name)

    def remove(self, article_id: str) -> bool:
        """Remove an article and its chunks; False if it was not indexed."""
        with self.writing():
            return self._remove(article_id)

    def _remove(self, article_id: str) -> bool:
        # Catalogue first: a kill in between leaves chunks that reconciliation drops.
        copies = [c["id"] for c in self.catalog.copies_of([article_id]).get(article_id, [])]
        removed = self.catalog.remove(article_id)
        self._publish([article_id, *copies])  # the oldest copy is canonical now
        self._replaced.add(article_id)  # its chunks go once searches stop listing them
        return removed

    def get(self, article_id: str) -> Article | None:
        self.refresh()
        return self.catalog.get(article_id)

    def list(self) -> list[dict]:
        self.refresh()
        return self.catalog.list()

    def stats(self) -> dict:
        self.refresh()
        return {
            "articles": self.catalog.count(),
            "chunks": self._read_chunks(lambda store: store.count()),
            "home": str(self.home),
            "chroma": self.chroma_url or "embedded",
            "embedder": self.embedder.name,
            "built_with": asdict(built) if (built := self.built_with()) else None,
        }

    def search(
        self,
        query: str,
        k: int,
        where: SearchFilter | None = None,
        embedding: list[float] | None = None,
    ) -> list[Passage]:
        """Dense search: the ``k`` chunks closest in meaning (score: cosine similarity).

        Exact, over the searchable chunks' vectors held in memory (``index.dense``); a
        filter is a mask over them. Pass the query's ``embedding`` when searching several
        times with one query: the similarities are computed once.
        """
        self.refresh()
        where = where if where and not where.is_empty else None
        if k <= 0:
            return []
        if embedding is None:
            embedding = self.embedder.embed_query(query)
        snapshot, matrix = self.dense_view()
        if not snapshot.rows:
            return []
        scores = matrix.scores(embedding)
        if where is not None:
            allowed = np.flatnonzero(snapshot.columns.mask(where))
            if not len(allowed):
                return []
            top = _top(scores[allowed], k)
            chosen = allowed[top]
        else:
            chosen = _top(scores, k)
        return [_passage(snapshot.rows[i], float(scores[i])) for i in chosen]

    def dense_view(self) -> tuple[Snapshot, DenseMatrix]:
        """The searchable snapshot and its vectors (read from the vector store on first use)."""
        snapshot = self.lexical.snapshot()
        self._follow_collection()
        store = self.chunks
        return snapshot, self._dense.matrix(
            snapshot,
            lambda: [r.id for r in snapshot.rows],
            lambda ids: self._read_chunks(lambda s: s.vectors(ids)),
            store.name,
        )

    def search_lexical(self, query: str, k: int, where: SearchFilter | None = None) -> list[Passage]:
        """BM25 search over titles and chunk texts (score: BM25, unbounded)."""
        self.refresh()
        return [_passage(hit.row, hit.score) for hit in self.lexical.search(query, k, where)]

    def dense_scores(self, embedding: list[float], chunk_ids: list[str]) -> dict[str, float]:
        """Cosine similarity of a query embedding to particular searchable chunks (for score fusion)."""
        if not chunk_ids:
            return {}
        snapshot, matrix = self.dense_view()
        scores = matrix.scores(embedding)
        position = snapshot.position
        return {c: float(scores[position[c]]) for c in chunk_ids if c in position}

    def _read_chunks(self, read: Callable[[ChunkStore], T]) -> T:
        """``read`` the searched collection; once more if a reindex just replaced it."""
        self._follow_collection()
        store = self.chunks
        try:
            return read(store)
        except Exception as exc:
            if self.chunks is store and not _collection_gone(exc):
                raise
            log.info("the chunk collection %s is gone (re-indexed): reading the new one", store.name)
            self.refresh(force=True)
            self._follow_collection()
            return read(self.chunks)

    def lexical_scores(self, query: str, chunk_ids: list[str]) -> dict[str, float]:
        """BM25 scores of particular chunks (for score fusion)."""
        return self.lexical.scores(query, chunk_ids)

    def sources(self) -> list[str]:
        self.refresh()
        return self.catalog.sources()

    def months(self) -> set[tuple[int, int]]:
        """(year, month) pairs the library has dated articles for."""
        return self.catalog.months()

    def is_empty(self) -> bool:
        self.refresh()
        return self.catalog.count() == 0
