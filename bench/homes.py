"""Shared benchmark plumbing: corpora indexed once and reused, run setup, saving plots.

Benchmark corpora are indexed once by the product and reused across runs.

A benchmark's articles are ingested with the product's own ``Library`` into
``bench/.cache/homes/<name>-<key>``, where the key hashes everything that decides what
is stored (chunking settings, embedder, the articles' content hashes). A second run
with the same inputs opens the finished home instead of re-embedding thousands of
chunks; any change makes a new home. A home is only reused once it is complete (a
``complete.json`` marker is written after the last article).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import index
from assistant.build import build_library
from assistant.settings import Settings
from index.library import Library
from index.types import Article

log = logging.getLogger("bench.homes")

CACHE = Path(__file__).resolve().parent / ".cache" / "homes"
# The analysis stored with each sentence (its split and speaker), of the index package in use
# (answer_eval --code answers with another checkout's).
ANALYSIS = [Path(index.__file__).resolve().parent / name for name in ("chunk.py", "speakers.py")]


def home_key(articles: Sequence[Article], settings: Settings) -> str:
    digest = hashlib.sha256()
    for part in (settings.embedder, settings.chunk_tokens, settings.chunk_overlap_sentences):
        digest.update(f"{part}\x1f".encode())
    for module in ANALYSIS:  # how sentences are split and attributed is stored too
        digest.update(module.read_bytes())
    if settings.embedder_backend != "torch":  # torch homes keep the keys they had before backends
        digest.update(f"{settings.embedder_backend}\x1f".encode())
    for article in articles:
        digest.update(f"{article.id}:{article.content_hash}\n".encode())
    return digest.hexdigest()[:12]


def indexed_library(
    name: str, articles: Sequence[Article], settings: Settings | None = None, fresh: bool = False
) -> tuple[Library, float | None]:
    """A library holding exactly ``articles``; also the indexing seconds when it was built now."""
    settings = settings or Settings()
    home = CACHE / f"{name}-{home_key(articles, settings)}"
    marker = home / "complete.json"
    if fresh and home.exists():
        shutil.rmtree(home)
    if marker.exists():
        log.info("reusing %s", home)
        return build_library(settings.model_copy(update={"home": home})), None
    if home.exists():  # an interrupted build: start over
        shutil.rmtree(home)
    library = build_library(settings.model_copy(update={"home": home}))
    library.embedder.load()
    started = time.perf_counter()
    report = library.add_articles(articles)
    seconds = time.perf_counter() - started
    if report.failed:
        raise RuntimeError(f"{len(report.failed)} articles failed to index: {report.failed[:3]}")
    marker.write_text(json.dumps({"articles": len(articles), "seconds": round(seconds, 1)}))
    log.info("indexed %d articles into %s in %.0f s", len(articles), home, seconds)
    return library, seconds


def setup_run(threads: int) -> None:
    """Log at INFO without the libraries' chatter; pin torch to ``threads`` (0: its default).

    On a shared 2-core machine two torch threads made one query embedding up to ten times
    slower than one, so the latency benchmarks default to 1.
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "index", "assistant", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


def save_figure(fig, path: Path) -> None:  # noqa: ANN001 (a matplotlib Figure)
    """Lay out, write as a 120-dpi PNG (creating the folder) and close a matplotlib figure."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    log.info("wrote %s", path)
