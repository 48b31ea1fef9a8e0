"""Make Chroma hold exactly the chunks the catalogue lists (run before every write session).

The catalogue is the record of what is indexed: an article counts as indexed once its
row is committed, which happens after its chunks are in Chroma. A process killed in
between leaves chunks in Chroma that the catalogue does not list (dropped here; the
re-run adds the article again). Chunks the catalogue lists but Chroma lacks (a lost or
deleted vector store) are embedded again from the catalogue's own copy of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from index.catalog import Catalog
from index.store import ChunkStore

log = logging.getLogger(__name__)


@dataclass
class Repair:
    """What one reconciliation changed."""

    dropped: int = 0
    restored: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.dropped or self.restored)


def reconcile(catalog: Catalog, store: ChunkStore) -> Repair:
    """Drop Chroma chunks the catalogue does not list; re-embed listed ones Chroma lacks."""
    listed = catalog.chunk_index()
    stored = store.ids()
    repair = Repair()
    orphans = sorted(stored - listed.keys())
    if orphans:
        log.warning("dropping %d chunks of unfinished ingestions from the vector store", len(orphans))
        store.delete_ids(orphans)
        repair.dropped = len(orphans)
    missing = sorted({listed[i] for i in listed.keys() - stored})
    for article_id in missing:
        article = catalog.get(article_id)
        if article is not None:
            store.add(article, catalog.chunks_of(article_id))
            repair.restored.append(article_id)
    if missing:
        log.warning("re-embedded %d articles whose chunks were missing from the vector store", len(missing))
    return repair
