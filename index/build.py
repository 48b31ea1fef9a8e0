"""Settings -> the library: the embedder and the store that ``python -m index`` and the app use."""

from __future__ import annotations

from index.embed import SentenceEmbedder
from index.library import Library
from index.settings import Settings


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
            backend=settings.embedder_backend,
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
