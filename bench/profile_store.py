"""A profiling store: a built library enlarged by copying its articles, without re-encoding.

For profiling only, not the scale benchmark's store (``bench/scale.py`` builds that with the
real ingestion). Every article of the source home is copied ``copies - 1`` times under new
ids (``<id>~<n>``, same text, title and date); each copy's chunks get the source chunk's
vector plus a little noise (then normalised), so the HNSW graph holds no exact duplicates,
and are written straight into the catalogue and Chroma (``Catalog.put_many``,
``collection.add`` with the vectors). Queries then see a library of the target size whose
texts repeat: dense and BM25 work, fusion and the per-article cap are exercised as at that
size; answer quality on it means nothing.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import numpy as np

from index.catalog import Catalog
from index.store import COLLECTION, chunk_to_document, local_client
from index.types import Article

log = logging.getLogger("bench.profile_store")

NOISE = 0.02  # standard deviation per dimension before normalising (cosine to source ~0.99)
_PAGE = 2000


def enlarge(source: Path, target: Path, chunks: int, seed: int = 0) -> Path:
    """``target``: a copy of the library home ``source`` grown to about ``chunks`` chunks."""
    marker = target / "profile-store.json"
    if marker.exists():
        return target
    if target.exists():
        shutil.rmtree(target)
    started = time.perf_counter()
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("write.lock*", "bm25"))
    catalog = Catalog(target / "articles.sqlite3")
    name = catalog.get_meta("collection") or COLLECTION
    collection = local_client(target / "chroma").get_collection(name)
    vectors: dict[str, np.ndarray] = {}
    for offset in range(0, collection.count(), _PAGE):
        page = collection.get(include=["embeddings"], limit=_PAGE, offset=offset)
        vectors.update(zip(page["ids"], np.asarray(page["embeddings"], dtype=np.float32), strict=True))
    have = len(vectors)
    copies = max(1, round(chunks / max(have, 1)))
    rng = np.random.default_rng(seed)
    ids = catalog.article_ids()
    for n in range(1, copies):
        items = []
        for article_id in ids:
            article = catalog.get(article_id)
            if article is None:
                continue
            copy = Article(
                id=f"{article_id}~{n}",
                title=article.title,
                date=article.date,
                source=article.source,
                url=article.url,
                text=article.text,
            )
            own = [c.model_copy(update={"article_id": copy.id}) for c in catalog.chunks_of(article_id)]
            items.append((copy, own))
        for start in range(0, len(items), 64):
            batch = items[start : start + 64]
            docs = [chunk_to_document(c, a) for a, cs in batch for c in cs]
            sources = [
                f"{a.id.rsplit('~', 1)[0]}:{a.content_hash[:12]}:{c.position}" for a, cs in batch for c in cs
            ]
            base = np.stack([vectors[s] for s in sources])
            noisy = base + rng.normal(0.0, NOISE, base.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            collection.add(
                ids=[d.id for d in docs],
                embeddings=noisy,
                documents=[d.page_content for d in docs],
                metadatas=[d.metadata for d in docs],
            )
            catalog.put_many(batch)
        log.info("profiling store: copy %d of %d written (%d chunks)", n, copies - 1, collection.count())
    total = collection.count()
    catalog.close()
    marker.write_text(
        json.dumps(
            {
                "source": str(source),
                "copies": copies,
                "chunks": total,
                "source_chunks": have,
                "noise": NOISE,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )
    return target
