"""Settings -> the library: the embedder and the store that ``python -m index`` and the app use."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from index.embed import SentenceEmbedder
from index.identity import EmbedderRecord, vector_space
from index.library import Library
from index.settings import Settings

log = logging.getLogger(__name__)


def built_record(home: Path) -> EmbedderRecord | None:
    """The embedder record of the index under ``home`` (None: no index or none recorded yet)."""
    path = home / "articles.sqlite3"
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'embedder'").fetchone()
        finally:
            db.close()
        return EmbedderRecord.from_json(row[0]) if row else None
    except (sqlite3.Error, ValueError, TypeError):
        return None  # the library itself reports a broken catalogue


def embedder_backend(settings: Settings) -> str:
    """The backend to run: the setting, except that an index built with another backend of
    the same model keeps its own while ``NEWSQA_EMBEDDER_BACKEND`` is not set, so a change of
    the default never makes an existing index unreadable (vectors of two backends are
    never mixed: an explicit setting that differs is refused by ``Library.check_embedder``)."""
    backend = settings.embedder_backend
    if "embedder_backend" in settings.model_fields_set:
        return backend
    built = built_record(settings.home)
    if built is None or built.name != settings.embedder or not built.backend:
        return backend
    if vector_space(built.backend) != vector_space(backend):
        log.info(
            "this index was built with the %s embedder backend: using it (set "
            "NEWSQA_EMBEDDER_BACKEND=%s and run `python -m index reindex` to move to the default)",
            built.backend,
            backend,
        )
        return built.backend
    return backend


def build_library(
    settings: Settings, embedder: SentenceEmbedder | None = None, check_embedder: bool = True
) -> Library:
    """The library: embedded Chroma under NEWSQA_HOME, or the NEWSQA_CHROMA_URL server."""
    return Library(
        settings.home,
        embedder
        or SentenceEmbedder(
            settings.embedder,
            batch_size=settings.embed_batch_size,
            backend=embedder_backend(settings),
            cache_dir=settings.onnx_cache,
        ),
        chunk_tokens=settings.chunk_tokens,
        overlap_sentences=settings.chunk_overlap_sentences,
        lock_timeout=settings.lock_timeout,
        check_embedder=check_embedder,
        chroma_url=settings.chroma_url,
        chroma_token=settings.chroma_token.get_secret_value() or None,
        refresh_seconds=settings.chroma_refresh_seconds,
    )
