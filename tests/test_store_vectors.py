"""Reading stored vectors back (index.store.ChunkStore.vectors), as the in-memory dense index does."""

from __future__ import annotations

import numpy as np


def test_vectors_are_read_in_batches_and_missing_ids_left_out(sample_library, monkeypatch):
    import index.store as store_module

    store = sample_library.chunks
    ids = sorted(store.ids())
    assert len(ids) > 10
    whole = store._chroma._collection.get(ids=ids, include=["embeddings"])
    expected = dict(zip(whole["ids"], np.asarray(whole["embeddings"], dtype=np.float32), strict=True))

    monkeypatch.setattr(store_module, "_VECTOR_BATCH", 4)  # several gets, the last one short
    got = store.vectors([*ids[:10], "no-such-article:0", *ids[10:]])
    assert sorted(got) == ids
    for chunk_id in ids:
        assert got[chunk_id].dtype == np.float32
        assert np.array_equal(got[chunk_id], expected[chunk_id])
    assert store.vectors([]) == {}
