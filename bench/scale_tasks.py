"""The two pipelines of the scale benchmark (ours, naive LangChain) and the tasks that measure them."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant.settings import Settings
    from index.library import Library

from bench.scale_measure import BuildProgress, ProgressLog, peak_rss_mib, percentile, timed

log = logging.getLogger("bench.scale")

NAIVE_CHUNK_SIZE, NAIVE_OVERLAP, NAIVE_K = 1000, 200, 8
NAIVE_BATCH_CHUNKS = 512  # chunks per add_documents call of a naive build (a resumable unit)


# Large libraries a query process may have imported (recorded with its peak RSS).
_HEAVY_MODULES = ("torch", "transformers", "sentence_transformers", "spacy", "onnxruntime", "chromadb")

_EMBEDDERS: dict[str, Any] = {}  # in-process runs (--inline) share one loaded model per pipeline


def ours_settings(home: Path) -> Settings:
    from assistant.settings import Settings

    return Settings(home=home, llm="none")


def embedder_settings(settings: Settings) -> dict:
    """The settings that decide what ours stores: embedder, its backend, batch, chunking."""
    dumped = settings.model_dump(mode="json")
    return {k: v for k, v in sorted(dumped.items()) if k.startswith(("embed", "chunk"))}


def ours_library(home: Path) -> Library:
    """A product library over ``home``; the embedder is the configured default (built by
    ``build_library``), loaded once per process."""
    from assistant.build import build_library

    settings = ours_settings(home)
    key = json.dumps(embedder_settings(settings))
    if key in _EMBEDDERS:
        return build_library(settings, embedder=_EMBEDDERS[key])
    library = build_library(settings)
    library.embedder.load()
    _EMBEDDERS[key] = library.embedder
    return library


def backend_of(embedder: Embeddings, settings: Settings) -> str:
    """A description of the encoder that runs: the embedder's backend attribute, the
    backend setting, else sentence-transformers on torch."""
    for name in ("backend", "backend_name"):
        value = getattr(embedder, name, None)
        if isinstance(value, str) and value:
            return value
    for key, value in embedder_settings(settings).items():
        if "backend" in key and value:
            return str(value)
    return "torch"


def naive_embeddings() -> HuggingFaceEmbeddings:
    """``HuggingFaceEmbeddings`` over the bundled model's local folder (nothing downloaded)."""
    if "naive" not in _EMBEDDERS:
        from langchain_huggingface import HuggingFaceEmbeddings

        from index.embed import BUNDLED_NAME, resolve_model_path

        _EMBEDDERS["naive"] = HuggingFaceEmbeddings(
            model_name=str(resolve_model_path(BUNDLED_NAME)),
            model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True},
        )
    return _EMBEDDERS["naive"]


def fp32_embedder(embedder: Any) -> Any:
    """The same model as ``embedder`` on the ``torch`` backend (sentence-transformers, fp32)."""
    from index.embed import SentenceEmbedder

    key = f"fp32:{embedder.name}:{embedder.batch_size}"
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = SentenceEmbedder(embedder.name, embedder.batch_size, backend="torch")
        _EMBEDDERS[key].load()
    return _EMBEDDERS[key]


def naive_split(path: Path) -> tuple[list[Document], list[str], int]:
    """The naive pipeline's chunks (LangChain documents) of a JSONL file, their ids
    (``article:chunk``, deterministic) and its articles. Each article is split on its own,
    as ``split_documents`` does over a list."""
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    with path.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    splitter = RecursiveCharacterTextSplitter(chunk_size=NAIVE_CHUNK_SIZE, chunk_overlap=NAIVE_OVERLAP)
    chunks: list[Document] = []
    ids: list[str] = []
    for n, r in enumerate(records):
        doc = Document(page_content=r["text"], metadata={k: r[k] for k in ("title", "date", "source", "url")})
        parts = splitter.split_documents([doc])
        chunks += parts
        ids += [f"{n}:{i}" for i in range(len(parts))]
    return chunks, ids, len(records)


def naive_build(
    path: Path,
    persist: Path,
    embeddings: Embeddings,
    batch_chunks: int = NAIVE_BATCH_CHUNKS,
    on_batch: Callable[[int, int], None] | None = None,
) -> tuple[Chroma, int, int]:
    """The whole naive ingestion (read, split, embed, store): the store, its chunks, its articles.

    The chunks go into one persistent Chroma collection (the default one, as
    ``Chroma.from_documents`` makes) by ``add_documents`` calls of ``batch_chunks`` chunks
    under deterministic ids; ``from_documents`` also adds in batches (of the client's maximum
    batch size, with random ids), so this is the same pipeline in resumable units. On a
    collection that already holds chunks (a killed build), batches whose ids are all stored
    are skipped (``add_documents`` upserts, so a half-stored batch is simply added again).
    ``on_batch(chunks stored, chunks in all)`` is called after each batch added.
    """
    from langchain_chroma import Chroma

    chunks, ids, articles = naive_split(path)
    store = Chroma(embedding_function=embeddings, persist_directory=str(persist))
    resuming = store._collection.count() > 0
    for start in range(0, len(chunks), batch_chunks):
        batch_ids = ids[start : start + batch_chunks]
        if resuming and len(store._collection.get(ids=batch_ids, include=[])["ids"]) == len(batch_ids):
            continue
        store.add_documents(chunks[start : start + batch_chunks], ids=batch_ids)
        if on_batch is not None:
            on_batch(store._collection.count(), len(chunks))
    return store, len(chunks), articles


def _raw_rate(encode: Callable[[list[str]], Any], texts: list[str]) -> float:
    """Chunks per second of one ``encode`` call over all ``texts``."""
    _, seconds = timed(lambda: encode(texts))
    return len(texts) / seconds


# --- tasks (run in a child process, or inline) -----------------------------------------------


def task_rate_ours(spec: dict) -> dict:
    """End-to-end ``add_paths`` on the slice into a fresh home, bracketed by raw ``encode``
    on the same chunk texts."""
    from index.chunk import chunk_text
    from index.ingest import load_file
    from index.types import Article

    work = Path(spec["work"])
    shutil.rmtree(work, ignore_errors=True)
    warm = ours_library(work / "warm")
    embedder = warm.embedder
    warm.add_paths([spec["warm"]])  # loads the sentence splitter, parser and Chroma
    embedder.encode(["warm-up sentence"] * 64)
    library = ours_library(work / "home")
    articles = [a for a in load_file(Path(spec["slice"])) if isinstance(a, Article)]
    limit = embedder.max_tokens - 2
    expected = [
        c.text
        for a in articles
        for c in chunk_text(
            a.id,
            a.text,
            embedder.count_tokens,
            min(library.chunk_tokens, limit),
            library.overlap_sentences,
            limit,
        )
    ]
    raw_before = _raw_rate(embedder.encode, expected)
    log.info("ours: raw encoder %.1f chunks/s on %d chunks", raw_before, len(expected))
    # The reference of the goal: the model's raw fp32 encoder (sentence-transformers on
    # torch) on the same chunk texts, bracketing the ingestion too.
    fp32 = embedder if embedder.backend == "torch" else fp32_embedder(embedder)
    fp32_before = _raw_rate(fp32.encode, expected)
    log.info("ours: raw fp32 encoder (torch) %.1f chunks/s", fp32_before)
    report, seconds = timed(lambda: library.add_paths([spec["slice"]], progress=ProgressLog("ours slice")))
    catalog = library.catalog  # the stored texts are the catalogue's (Chroma keeps vectors and offsets)
    stored = [c.text for article_id in catalog.article_ids() for c in catalog.chunks_of(article_id)]
    if report.failed:
        raise RuntimeError(f"articles failed to index: {report.failed[:3]}")
    raw_after = _raw_rate(embedder.encode, stored)
    fp32_after = _raw_rate(fp32.encode, stored)
    e2e = len(stored) / seconds
    log.info(
        "ours: end-to-end %.1f chunks/s, raw encoder after %.1f chunks/s, raw fp32 after %.1f chunks/s",
        e2e,
        raw_after,
        fp32_after,
    )
    result = {
        "articles": len(articles),
        "chunks": len(stored),
        "chunks_match_chunker": sorted(stored) == sorted(expected),
        "seconds": seconds,
        "e2e_chunks_per_s": e2e,
        "e2e_articles_per_s": len(articles) / seconds,
        "raw_chunks_per_s_before": raw_before,
        "raw_chunks_per_s_after": raw_after,
        "raw_chunks_per_s": max(raw_before, raw_after),
        "raw_fp32_chunks_per_s_before": fp32_before,
        "raw_fp32_chunks_per_s_after": fp32_after,
        "raw_fp32_chunks_per_s": max(fp32_before, fp32_after),
        "backend": backend_of(embedder, ours_settings(library.home)),
        "embedder_settings": embedder_settings(ours_settings(library.home)),
    }
    result["e2e_over_raw"] = result["e2e_chunks_per_s"] / result["raw_chunks_per_s"]
    result["e2e_over_raw_fp32"] = result["e2e_chunks_per_s"] / result["raw_fp32_chunks_per_s"]
    shutil.rmtree(work, ignore_errors=True)
    return result


def task_rate_naive(spec: dict) -> dict:
    """End-to-end naive ingestion of the slice, bracketed by raw ``encode`` on its chunks."""
    work = Path(spec["work"])
    shutil.rmtree(work, ignore_errors=True)
    embeddings = naive_embeddings()
    batch = spec.get("batch_chunks") or NAIVE_BATCH_CHUNKS
    naive_build(Path(spec["warm"]), work / "warm", embeddings, batch)
    encode_kwargs = dict(embeddings.encode_kwargs)

    def encode(texts: list[str]) -> Any:
        # what HuggingFaceEmbeddings.embed_documents hands to SentenceTransformer.encode
        return embeddings._client.encode([t.replace("\n", " ") for t in texts], **encode_kwargs)

    expected = [d.page_content for d in naive_split(Path(spec["slice"]))[0]]
    raw_before = _raw_rate(encode, expected)
    log.info("naive: raw encoder %.1f chunks/s on %d chunks", raw_before, len(expected))
    (store, chunks, articles), seconds = timed(
        lambda: naive_build(Path(spec["slice"]), work / "home", embeddings, batch)
    )
    stored = store.get(include=["documents"])["documents"]
    raw_after = _raw_rate(encode, stored)
    e2e = chunks / seconds
    log.info("naive: end-to-end %.1f chunks/s, raw encoder after %.1f chunks/s", e2e, raw_after)
    result = {
        "articles": articles,
        "chunks": chunks,
        "chunks_match_chunker": sorted(stored) == sorted(expected),
        "seconds": seconds,
        "e2e_chunks_per_s": e2e,
        "e2e_articles_per_s": articles / seconds,
        "raw_chunks_per_s_before": raw_before,
        "raw_chunks_per_s_after": raw_after,
        "raw_chunks_per_s": max(raw_before, raw_after),
        "backend": "torch (HuggingFaceEmbeddings)",
    }
    result["e2e_over_raw"] = result["e2e_chunks_per_s"] / result["raw_chunks_per_s"]
    shutil.rmtree(work, ignore_errors=True)
    return result


@contextmanager
def ours_batches(chunks: int | None) -> Iterator[None]:
    """Ours commits ingested articles in batches of ``index.library.BATCH_CHUNKS`` chunks (or
    ``BATCH_ARTICLES`` articles); ``chunks`` (--batch-chunks, --quick) overrides the former."""
    import index.library as library_module

    saved = library_module.BATCH_CHUNKS
    library_module.BATCH_CHUNKS = chunks or saved
    try:
        yield
    finally:
        library_module.BATCH_CHUNKS = saved


def task_build(spec: dict) -> dict:
    """Build one store from a JSONL file, or resume its partial build (ours: then the BM25
    index, as the first query would). ``progress.json`` accumulates the segments."""
    path, store = Path(spec["corpus"]), Path(spec["store"])
    name = f"{spec['pipeline']}-{spec['size']}"
    progress = BuildProgress(store, name, spec.get("stop_after", 0))
    if spec["pipeline"] == "ours":
        library, load = timed(lambda: ours_library(store))
        progress.start(load, chunks=library.chunks.count(), articles=library.catalog.count())
        logger = ProgressLog(f"build {name}")
        committed = [library.catalog.count()]

        def on_progress(stage: str, done: int, total: int) -> None:
            logger(stage, done, total)
            # A batch commits catalogue rows; articles skipped as unchanged add none.
            if stage == "indexing" and (articles := library.catalog.count()) != committed[0]:
                committed[0] = articles
                progress.batch(chunks=library.chunks.count(), articles=articles, articles_total=total)

        with ours_batches(spec.get("batch_chunks")):
            report = library.add_paths([path], progress=on_progress)
        if report.failed:
            raise RuntimeError(f"articles failed to index: {report.failed[:3]}")
        _, bm25 = timed(library.lexical.count)
        record = progress.finish(chunks=library.chunks.count(), articles=library.catalog.count())
        return record | {
            # the segments' peak; run_task overwrites peak_rss_mib with this process's
            "peak_rss_mib_batches": record["peak_rss_mib"],
            "ingest_seconds": record["seconds"] - bm25,
            "bm25_seconds": bm25,
            "backend": backend_of(library.embedder, ours_settings(store)),
        }
    embeddings, load = timed(naive_embeddings)
    progress.start(load)
    started = time.perf_counter()

    def on_batch(done: int, total: int) -> None:
        progress.batch(chunks=done, chunks_total=total)
        seconds = time.perf_counter() - started
        log.info("build %s: %d/%d chunks (%.0f s in this run)", name, done, total, seconds)

    batch = spec.get("batch_chunks") or NAIVE_BATCH_CHUNKS
    vectorstore, chunks, articles = naive_build(path, store, embeddings, batch, on_batch)
    if (stored := vectorstore._collection.count()) != chunks:
        raise RuntimeError(f"{name}: {stored} chunks stored, {chunks} expected")
    record = progress.finish(chunks=chunks, articles=articles)
    return record | {"peak_rss_mib_batches": record["peak_rss_mib"], "backend": "torch"}


def task_query(spec: dict) -> dict:
    """Sequential query latency after a warm-up (ours: hybrid retrieval; naive: similarity_search);
    for ours also the whole extractive answer (``Assistant.ask``) to the same questions."""
    store = Path(spec["store"])
    load_start = os.getloadavg()  # the machine's load when this store was queried (timings move with it)
    assistant = None
    if spec["pipeline"] == "ours":
        from assistant.build import build_assistant

        library = ours_library(store)
        assistant = build_assistant(ours_settings(store), library=library)
        retriever = assistant.retriever

        def search(q: str) -> int:
            return len(retriever.passages(q))
    else:
        from langchain_chroma import Chroma

        vectorstore = Chroma(embedding_function=naive_embeddings(), persist_directory=str(store))

        def search(q: str) -> int:
            return len(vectorstore.similarity_search(q, k=NAIVE_K))

    for q in spec["warm"]:
        search(q)
    latencies, found = [], []
    for q in spec["questions"]:
        n, seconds = timed(lambda q=q: search(q))
        latencies.append(seconds * 1000)
        found.append(n)
    result = {
        "queries": len(latencies),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "mean_ms": sum(latencies) / len(latencies),
        "mean_passages": sum(found) / len(found),
        # The peak so far, of searching only (ours: embedder, BM25 snapshot, vector matrix):
        # what compares with naive, whose search is its whole answer. The answerer's models
        # (spaCy, word vectors) come after, in the process's peak (peak_rss_mib).
        "search_peak_rss_mib": peak_rss_mib(),
        "search_modules": sorted(m for m in _HEAVY_MODULES if m in sys.modules),
    }
    if assistant is not None:
        for q in spec["warm"]:
            assistant.ask(q)
        answers = [timed(lambda q=q: assistant.ask(q))[1] * 1000 for q in spec["questions"]]
        result |= {
            "ask_p50_ms": percentile(answers, 50),
            "ask_p95_ms": percentile(answers, 95),
            "ask_mean_ms": sum(answers) / len(answers),
            "ask_peak_rss_mib": peak_rss_mib(),
            "ask_modules": sorted(m for m in _HEAVY_MODULES if m in sys.modules),
        }
        # The profile breakdown, after everything above was measured: the stages of a search
        # and of an answer (bench.profile_stages) on questions not asked yet (asked again, an
        # answer finds its caches warm). The peak RSS is taken before it (its wrappers are
        # not the product's).
        result["peak_rss_mib_measured"] = peak_rss_mib()
        result["profile"] = stage_profile(assistant, spec.get("profile_questions") or spec["questions"][:30])
    result["load_average"] = {"start": load_start, "end": os.getloadavg()}
    return result


def stage_profile(assistant: Any, questions: list[str]) -> dict:
    """Per-stage times (mean, p50, p95 ms and share) of ``passages`` and of ``ask``."""
    from bench.profile_stages import ASK_STAGES, SEARCH_STAGES, Stages

    search = Stages(assistant, SEARCH_STAGES)
    with search.installed():
        for q in questions:
            with search.query():
                assistant.retriever.passages(q)
    ask = Stages(assistant, ASK_STAGES)
    with ask.installed():
        for q in questions:
            with ask.query():
                assistant.ask(q)
    return {"questions": len(questions), "search": search.summary(), "ask": ask.summary()}


TASKS: dict[str, Callable[[dict], dict]] = {
    "rate-ours": task_rate_ours,
    "rate-naive": task_rate_naive,
    "build": task_build,
    "query": task_query,
}


def apply_threads(spec: dict) -> None:
    if spec.get("threads", 0) > 0:
        import torch

        torch.set_num_threads(spec["threads"])
