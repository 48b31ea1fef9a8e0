"""The catalogue published in a Chroma server, so app replicas can share one index.

With ``NEWSQA_CHROMA_URL`` set, Chroma is the only shared state. Beside the chunks it holds:

- ``news_articles``: one record per indexed article (its text and MinHash signature as the
  document, the catalogue row as metadata, a revision id that changes with every
  publication);
- ``news_state``: the embedder that built the index, an interrupted re-embedding, a stamp
  that changes after every write session, and the writer's lease.

Each process keeps its SQLite catalogue and BM25 index under its own ``NEWSQA_HOME`` as a
cache of these records: ``pull`` refreshes it whenever the stamp moved (another replica or
an ingestion job wrote), and the cache can be deleted at any time. A writer commits an
article locally, then publishes its record, and only then deletes the chunks of the
version it replaced — so a reader always finds the chunks of every record it pulls, and a
writer killed before publishing leaves only chunks that the next writer's reconciliation
drops (the published records, not a local cache, decide what is indexed).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from index.catalog import Catalog
from index.lock import IndexBusy, _command
from index.store import ChunkStore
from index.types import Article

log = logging.getLogger(__name__)

ARTICLES = "news_articles"
STATE = "news_state"
_STAMP, _LEASE = "stamp", "writer"
_PAGE = 1000
# Chroma needs a vector per record; article records are looked up by id, never by vector.
_NO_VECTOR = [0.0]


class StoreUnavailable(RuntimeError):
    """The configured Chroma server cannot be reached."""


def chroma_client(url: str, token: str | None = None):  # -> chromadb.ClientAPI
    """A ``chromadb.HttpClient`` for ``http(s)://host:port``, or ``StoreUnavailable``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreUnavailable(f"NEWSQA_CHROMA_URL must look like http://host:8000, not {url!r}")
    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        return chromadb.HttpClient(
            host=parts.hostname,
            port=parts.port or (443 if parts.scheme == "https" else 8000),
            ssl=parts.scheme == "https",
            headers=headers,
            settings=ChromaSettings(anonymized_telemetry=False),
        )
    except Exception as exc:  # chromadb raises ValueError or httpx errors
        raise StoreUnavailable(
            f"cannot reach the Chroma server at {url} (NEWSQA_CHROMA_URL): {exc}. "
            "Start it with `chroma run --path DIR --host HOST --port PORT` or unset the setting."
        ) from exc


@dataclass
class Pull:
    """What one refresh of the local cache changed."""

    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.updated or self.removed)


class SharedCatalog:
    """Article records and index state in two small Chroma collections."""

    def __init__(self, client, lease_seconds: float = 120.0) -> None:  # noqa: ANN001 - chromadb client
        # No embedding function: records are fetched by id, so Chroma never embeds them.
        self._articles = client.get_or_create_collection(ARTICLES, embedding_function=None)
        self._state = client.get_or_create_collection(STATE, embedding_function=None)
        self.lease_seconds = lease_seconds
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    # --- state ----------------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        found = self._state.get(ids=[key], include=["documents"])
        return found["documents"][0] if found["ids"] else None

    def set_state(self, key: str, value: str | None) -> None:
        if value is None:
            self._state.delete(ids=[key])
        else:
            self._state.upsert(ids=[key], documents=[value], embeddings=[_NO_VECTOR])

    def stamp(self) -> str:
        """Changes after every write session (empty: nothing was ever written)."""
        return self.get_state(_STAMP) or ""

    def touch(self) -> None:
        self.set_state(_STAMP, uuid.uuid4().hex)

    # --- the writer's lease ---------------------------------------------------------------

    def _holder(self) -> dict | None:
        try:
            return json.loads(self.get_state(_LEASE) or "null")
        except ValueError:
            return None

    def acquire(self, timeout: float) -> None:
        """Become the one writer of the shared index (waits up to ``timeout`` seconds).

        Chroma has no compare-and-set, so the lease is written, then read back after a
        pause: of two writers that raced, the one whose write landed last keeps it.
        """
        deadline = time.monotonic() + timeout
        while True:
            holder = self._holder()
            if not holder or holder.get("owner") == self._owner or holder.get("until", 0) < time.time():
                self.renew()
                time.sleep(0.2)
                holder = self._holder()
                if holder and holder.get("owner") == self._owner:
                    return
            if time.monotonic() >= deadline:
                raise IndexBusy(_busy_message(holder, timeout))
            time.sleep(0.5)

    def renew(self) -> None:
        """Write (or extend) this process's lease."""
        lease = {
            "owner": self._owner,
            "until": time.time() + self.lease_seconds,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "command": _command()[:300],
            "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        self.set_state(_LEASE, json.dumps(lease))

    def release(self) -> None:
        holder = self._holder()
        if holder and holder.get("owner") == self._owner:
            self.set_state(_LEASE, None)

    # --- article records ------------------------------------------------------------------

    def records(self) -> dict[str, dict]:
        """Article id -> published metadata (no text), every record."""
        out: dict[str, dict] = {}
        offset = 0
        while True:
            page = self._articles.get(include=["metadatas"], limit=_PAGE, offset=offset)
            out.update(zip(page["ids"], page["metadatas"], strict=True))
            if len(page["ids"]) < _PAGE:
                return out
            offset += _PAGE

    def bodies(self, ids: list[str]) -> dict[str, tuple[str, bytes | None]]:
        """Article id -> (text, MinHash signature) of published records."""
        found = self._articles.get(ids=ids, include=["documents"])
        out = {}
        for article_id, document in zip(found["ids"], found["documents"], strict=True):
            body = json.loads(document)
            out[article_id] = (
                body["text"],
                base64.b64decode(body["minhash"]) if body.get("minhash") else None,
            )
        return out

    def publish(self, catalog: Catalog, article_ids: Iterable[str]) -> None:
        """Publish the local catalogue's current rows of these articles (deleted: unpublished)."""
        ids = sorted(set(article_ids))
        gone = [i for i in ids if catalog.content_hash(i) is None]
        if gone:
            self._articles.delete(ids=gone)
            catalog.set_revisions({i: None for i in gone})
        records = [r for i in ids if (r := catalog.record(i)) is not None]
        if not records:
            return
        revisions = {r["id"]: uuid.uuid4().hex for r in records}
        metadatas = []
        documents = []
        for r in records:
            meta = {k: ("" if v is None else v) for k, v in r.items() if k not in ("id", "text", "minhash")}
            meta["revision"] = revisions[r["id"]]
            metadatas.append(meta)
            minhash = base64.b64encode(r["minhash"]).decode() if r["minhash"] else ""
            documents.append(json.dumps({"text": r["text"], "minhash": minhash}, ensure_ascii=False))
        self._articles.upsert(
            ids=[r["id"] for r in records],
            documents=documents,
            metadatas=metadatas,
            embeddings=[_NO_VECTOR] * len(records),
        )
        catalog.set_revisions(revisions)

    def unpublish(self, article_ids: list[str]) -> None:
        if article_ids:
            self._articles.delete(ids=article_ids)


def _busy_message(holder: dict | None, timeout: float) -> str:
    who = "another process"
    if holder:
        who = (
            f"process {holder.get('pid')} on {holder.get('host')} "
            f"(`{holder.get('command')}`, since {holder.get('since')})"
        )
    return (
        f"the shared index is being changed by {who}; gave up after waiting {timeout:g} s "
        "(NEWSQA_LOCK_TIMEOUT). Run the command again when that one has finished."
    )


def pull(shared: SharedCatalog, catalog: Catalog, store: ChunkStore) -> Pull:
    """Make the local catalogue a copy of the published records.

    An article whose chunks are not all in the store yet (its writer is still deleting the
    version it replaced, or died) keeps its previous local state and is listed as
    ``incomplete``; the caller pulls again later.
    """
    result = Pull()
    published = shared.records()
    local = dict.fromkeys(catalog.article_ids(), "") | catalog.revisions()
    for article_id in sorted(local.keys() - published.keys()):
        catalog.remove(article_id)
        result.removed.append(article_id)
    changed = [i for i, meta in published.items() if local.get(i) != meta.get("revision")]
    for start in range(0, len(changed), 64):
        ids = changed[start : start + 64]
        bodies = shared.bodies(ids)
        items, signatures, originals, revisions = [], {}, {}, {}
        stored = store.chunks_by_article(ids)
        for article_id in ids:
            meta = published[article_id]
            chunks = [
                c for cid, c in stored.get(article_id, []) if c.chunk_id(meta["content_hash"]) == cid
            ]
            if article_id not in bodies or len(chunks) != int(meta.get("chunks", 0)):
                result.incomplete.append(article_id)
                continue
            body = bodies[article_id][0]  # Chroma keeps offsets, not texts (index.store.chunk_metadata)
            chunks = [c if c.text else c.model_copy(update={"text": body[c.start : c.end]}) for c in chunks]
            article = Article(
                id=article_id,
                title=meta.get("title", ""),
                date=dt.date.fromisoformat(meta["date"]) if meta.get("date") else None,
                source=meta.get("source", ""),
                url=meta.get("url", ""),
                text=bodies[article_id][0],
                path=meta.get("path", ""),
            )
            if article.content_hash != meta["content_hash"]:
                result.incomplete.append(article_id)
                continue
            items.append((article, sorted(chunks, key=lambda c: c.position)))
            if (minhash := bodies[article_id][1]) is not None:
                signatures[article_id] = minhash
            originals[article_id] = meta.get("original") or None
            revisions[article_id] = meta["revision"]
        catalog.put_many(
            items,
            signatures,
            originals,
            added_at={a.id: published[a.id].get("added_at") or None for a, _ in items},
        )
        catalog.set_revisions(revisions)
        result.updated.extend(revisions)
    return result
