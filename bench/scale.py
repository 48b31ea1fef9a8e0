"""Scale benchmark: ingestion rate, query latency, memory and disk at 10k and 100k chunks.

Run from the repository root::

    .venv/bin/python bench/scale.py                    # 100,000 chunks (hours the first time)
    .venv/bin/python bench/scale.py --quick            # 80 chunks, 10 queries, a smoke run
    .venv/bin/python bench/scale.py --chunks 20000 --slice-chunks 1000

The corpus is assembled deterministically from ``../shared/eval/external``: the 609
MultiHop-RAG news articles first (cut to at most 1,200 words at a sentence), then, in a
seeded order, SQuAD 2.0 paragraphs and SciFact abstracts grouped into 600-1,200-word
articles mixed with synthetic articles made of runs of sentences of those texts (titles,
dates and sources drawn too). Articles are written as the JSONL the product ingests.
The number of articles for a chunk target is estimated from words per chunk measured with
the product's chunker on a sample; the stores report the exact chunk counts.

Two pipelines, run in the same invocation:

* **ours**: ``python -m index add`` (``Library.add_paths``) into a home built by
  ``assistant.build.build_library(Settings(home=...))``; queries through the product's
  hybrid ``NewsRetriever.passages`` (query embedding, dense + BM25, scoping, fusion).
* **naive**: ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` +
  ``HuggingFaceEmbeddings`` (the same local model, normalised) + one persistent Chroma
  collection filled by ``add_documents`` calls of 512 chunks (``Chroma.from_documents`` adds
  in batches too, of the client's maximum batch size); queries through
  ``similarity_search(q, k=8)``.

Figures: ingestion rate on a slice (default 3,000 chunks) ingested into a fresh home, next
to the raw encoder rate (``encode`` on exactly the chunk texts the pipeline produced,
measured before and after ingestion; the faster of the two is used, so the ratio is not
flattered by a slow moment); build time, peak RSS and size on disk of each store (built
once into ``bench/.cache/scale/stores/``, keyed by corpus, settings and pipeline, and
reused); p50/p95 query latency over MultiHop-RAG questions after a warm-up (ours also the
whole extractive answer, ``Assistant.ask``, to the same questions; naive has no answerer). Each build and
each query run is a child process (peak RSS per process; ``--inline`` or ``--quick`` run
everything in this process, with the peak reset between steps: only indicative).

Store builds resume: a run that is killed leaves its partial stores, and the next run
continues them instead of starting over (``--rebuild`` starts over). Ours calls
``add_paths`` again on the same home (committed articles are skipped as unchanged, a killed
batch is repaired by the library's reconciliation); naive skips the batches whose
deterministic ids (``article:chunk``) are all stored. ``progress.json`` in the store folder,
rewritten after every batch, accumulates the build over the runs ("segments"): the sum of
each segment's wall time from its model being loaded to its last finished batch, the
largest peak RSS, the chunks done. ``build.json`` is written when the store is complete.

Order (``scale.md``/``scale.json`` rewritten after each step): the ingestion-rate slices
(measured again by every run), then the 10k stores and their query latencies, then the
100k store of ours and its latencies, then the 100k store of naive (``--stores`` picks the
stores and their order).

``--build-only`` builds (or resumes) the stores and measures nothing else, so that the long
builds can run at low priority on a busy machine; a later run measures the slices and the
queries with the stores cached.

Writes ``bench/results/scale.md`` and ``scale.json`` (``--quick``: into the cache folder).

This module is the command line and the order of the run; the parts live beside it:
``scale_corpus`` (the corpus and the questions), ``scale_tasks`` (the two pipelines and the
measuring tasks), ``scale_stores`` (child processes and the cached stores), ``scale_measure``
(RSS, disk, timing, build progress) and ``scale_report`` (ratios, scale.md/scale.json).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import index  # noqa: E402,F401,I001  (switches model hubs and telemetry off before any ML import)

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from typing import Any  # noqa: E402

from bench.scale_corpus import CORPUS_VERSION, SEED, build_corpus, load_questions  # noqa: E402
from bench.scale_measure import STOP_EXIT, read_progress  # noqa: E402
from bench.scale_report import machine_info, markdown, save, summarise  # noqa: E402
from bench.scale_stores import cached_build, clean_leftovers, run_task, store_path, worker  # noqa: E402
from bench.scale_tasks import (  # noqa: E402
    NAIVE_BATCH_CHUNKS,
    NAIVE_CHUNK_SIZE,
    NAIVE_K,
    NAIVE_OVERLAP,
    embedder_settings,
    ours_settings,
)

log = logging.getLogger("bench.scale")

CACHE = Path(__file__).resolve().parent / ".cache" / "scale"
RESULTS = Path(__file__).resolve().parent / "results"
STORES = ("ours-small", "naive-small", "ours-large", "naive-large")  # the default order
QUICK_BATCH_CHUNKS = 8  # --quick: small batches of both pipelines, so a build has several
PROFILE_QUESTIONS = 30  # questions of ours' profile breakdown (other than the timed ones)


def run(args: argparse.Namespace) -> dict:
    cache = Path(args.cache).resolve()
    settings = ours_settings(cache / "unused")
    small = args.small_chunks
    targets = {"slice": args.slice_chunks, "small": small, "large": args.chunks}
    corpus = build_corpus(cache, targets, settings.chunk_tokens, settings.chunk_overlap_sentences, args.quick)
    # warm-up questions, then the profile pass's (ours): neither among the timed ones, so the
    # profile does not replay questions whose answers' caches are warm
    questions, others = load_questions(args.queries, args.warm_queries + PROFILE_QUESTIONS)
    warm, profiled = others[: args.warm_queries], others[args.warm_queries :]
    opts = {
        "inline": args.inline,
        "threads": args.threads,
        "rebuild": args.rebuild,
        "batch_chunks": args.batch_chunks,
        "stop_after": args.stop_after_batches,
    }
    clean_leftovers(cache)
    result: dict[str, Any] = {
        "config": {
            "chunks": args.chunks,
            "small_chunks": small,
            "slice_chunks": args.slice_chunks,
            "queries": len(questions),
            "warm_queries": len(warm),
            "quick": args.quick,
            "inline": args.inline,
            "build_only": args.build_only,
            "stores": args.stores,
            "threads": args.threads or "default",
            "batch_chunks": args.batch_chunks or {"naive": NAIVE_BATCH_CHUNKS, "ours": "the library's"},
            "seed": SEED,
            "corpus_version": CORPUS_VERSION,
            "embedder_settings": embedder_settings(settings),
            "naive": {"chunk_size": NAIVE_CHUNK_SIZE, "chunk_overlap": NAIVE_OVERLAP, "k": NAIVE_K},
        },
        "machine": machine_info(),
        "corpus": {
            "files": {role: path.name for role, path in corpus.files.items()},
            "articles": corpus.articles,
            "estimated_chunks": corpus.estimated_chunks,
            "kinds": corpus.kinds,
            "words_per_chunk": corpus.words_per_chunk,
        },
        "sizes": {"small": small, "large": args.chunks},
        "ingestion": {},
        "stores": {},
        "partial": {},  # stores being built: their progress when this run started on them
    }
    started = time.perf_counter()
    for pipeline in () if args.build_only else ("ours", "naive"):
        spec = {
            "task": f"rate-{pipeline}",
            "name": f"rate-{pipeline}",
            "threads": args.threads,
            "slice": str(corpus.files["slice"]),
            "warm": str(corpus.files["warm"]),
            "work": str(cache / "work" / f"rate-{pipeline}-{os.getpid()}"),
            "batch_chunks": args.batch_chunks,
        }
        # The slices take ~20 min per pipeline at full size: a run that only continues the
        # store builds may reuse the last measurement of the same slice (--reuse-slices).
        record = cache / "slices" / f"{pipeline}-{corpus.files['slice'].stem}-{args.threads}.json"
        reuse = args.reuse_slices is not None and (not args.reuse_slices or pipeline in args.reuse_slices)
        if reuse and record.exists():
            measured = json.loads(record.read_text()) | {"reused": True}
            log.info("reusing the %s slice measured at %s", pipeline, measured.get("measured_at"))
        else:
            measured = run_task(spec, args.inline, cache)
            measured["measured_at"] = dt.datetime.now().isoformat(timespec="seconds")
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps(measured, indent=1))
        result["ingestion"][pipeline] = measured
        save(result, args)
    if "ours" in result["ingestion"]:
        result["backend"] = result["ingestion"]["ours"]["backend"]
    for name in args.stores:
        pipeline, size = name.split("-")
        progress = read_progress(store_path(pipeline, size, corpus.files[size], cache))
        if progress and not progress.get("complete") and not args.rebuild:
            result["partial"][name] = {
                k: progress.get(k)
                for k in ("seconds", "segments", "chunks", "chunks_total", "articles", "articles_total")
            }
            save(result, args)
        build = cached_build(pipeline, size, corpus.files[size], cache, opts)
        result["partial"].pop(name, None)
        if args.build_only:
            result["stores"][name] = _build_figures(build)
            save(result, args)
            continue
        spec = {
            "task": "query",
            "name": f"query-{pipeline}-{size}",
            "pipeline": pipeline,
            "store": build["store"],
            "questions": questions,
            "warm": warm,
            "profile_questions": profiled,
            "threads": args.threads,
        }
        query = run_task(spec, args.inline, cache)
        result["stores"][name] = _build_figures(build) | {
            "p50_ms": query["p50_ms"],
            "p95_ms": query["p95_ms"],
            "mean_ms": query["mean_ms"],
            "queries": query["queries"],
            "mean_passages": query["mean_passages"],
            # (ours: measured before the profile pass below, whose timers wrap the product)
            "query_peak_rss_mib": query.get("peak_rss_mib_measured", query["peak_rss_mib"]),
            "ask_p50_ms": query.get("ask_p50_ms"),
            "ask_p95_ms": query.get("ask_p95_ms"),
            # the peak after the searches, before any answer (naive: its whole query run)
            "search_peak_rss_mib": query.get("search_peak_rss_mib"),
            "ask_mean_ms": query.get("ask_mean_ms"),
            "ask_peak_rss_mib": query.get("ask_peak_rss_mib"),
            "search_modules": query.get("search_modules"),
            "ask_modules": query.get("ask_modules"),
            "query_load_average": query.get("load_average"),
            "profile": query.get("profile"),
        }
        save(result, args)
    result["ours_vs_naive"] = summarise(result)
    result["seconds"] = time.perf_counter() - started
    save(result, args)
    return result


def _build_figures(build: dict) -> dict:
    """What the report shows of a store's build record."""
    return {
        "articles": build["articles"],
        "chunks": build["chunks"],
        "build_seconds": build["seconds"],
        "build_segments": build.get("segments", 1),
        "build_peak_rss_mib": build["peak_rss_mib"],
        "disk_mib": build["disk_mib"],
        "build_cached": build["cached"],
        "built_at": build.get("built_at"),
        "build_backend": build.get("backend"),
        "build": build,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chunks", type=int, default=None, help="chunks of the large store (default 100000)")
    p.add_argument(
        "--small-chunks", type=int, default=0, help="chunks of the small store (default chunks/10)"
    )
    p.add_argument("--slice-chunks", type=int, default=None, help="chunks of the ingestion-rate slice (3000)")
    p.add_argument("--queries", type=int, default=None, help="timed questions per store (100)")
    p.add_argument("--warm-queries", type=int, default=None, help="untimed warm-up questions (5)")
    p.add_argument("--quick", action="store_true", help="smoke run: 80 chunks, 10 queries, in one process")
    p.add_argument(
        "--inline", action="store_true", help="run every step in this process (no child processes)"
    )
    p.add_argument("--cache", default=str(CACHE), help=f"corpus and store cache (default {CACHE})")
    p.add_argument(
        "--out",
        default=None,
        help="folder of scale.md/scale.json (default bench/results; --quick, --build-only: the cache folder)",
    )
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument(
        "--reuse-slices",
        nargs="*",
        choices=("ours", "naive"),
        default=None,
        metavar="PIPELINE",
        help="reuse the last ingestion-rate measurement of the same slice instead of measuring again "
        "(of the pipelines named, else of both)",
    )
    p.add_argument(
        "--stores",
        nargs="+",
        choices=STORES,
        default=list(STORES),
        metavar="STORE",
        help=f"the stores to build and measure, in this order (default: {' '.join(STORES)})",
    )
    p.add_argument(
        "--build-only",
        action="store_true",
        help="only build (or resume) the stores: no ingestion-rate slices, no query measurements "
        "(a later run measures those with the stores cached, on a quiet machine)",
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="build the stores again, even when complete or partly built (else a partial build resumes)",
    )
    p.add_argument(
        "--batch-chunks",
        type=int,
        default=0,
        help=f"chunks per batch of a store build: naive per add_documents call (default "
        f"{NAIVE_BATCH_CHUNKS}), ours the library's BATCH_CHUNKS (default its own); --quick: "
        f"{QUICK_BATCH_CHUNKS}",
    )
    p.add_argument(
        "--stop-after-batches",
        action="append",
        default=[],
        metavar="[STORE=]N",
        help=f"for tests: end the run with status {STOP_EXIT} after N batches of a store build "
        "(of STORE, e.g. naive-small, else of any), as if it were killed",
    )
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    quick = args.quick
    args.chunks = args.chunks or (80 if quick else 100_000)
    args.small_chunks = args.small_chunks or (20 if quick else max(args.chunks // 10, 1))
    args.slice_chunks = args.slice_chunks or (20 if quick else 3000)
    args.queries = args.queries or (10 if quick else 100)
    args.warm_queries = args.warm_queries or (2 if quick else 5)
    args.inline = args.inline or quick
    args.batch_chunks = args.batch_chunks or (QUICK_BATCH_CHUNKS if quick else None)
    stops: dict[str, int] = {}
    for item in args.stop_after_batches:
        store, _, n = item.rpartition("=")
        stops[store or "*"] = int(n)
    args.stop_after_batches = stops
    # a smoke run or a build-only run leaves the committed results alone
    args.out = args.out or (args.cache if quick or args.build_only else str(RESULTS))
    return args


def setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    for noisy in (
        "httpx",
        "chromadb",
        "sentence_transformers",
        "index",
        "assistant",
        "bm25s",
        "transformers",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    setup_logging()
    if args.worker:
        worker(args.worker)
        return 0
    result = run(args)
    print(markdown(result))
    log.info(
        "wrote %s and %s in %.0f s",
        Path(args.out) / "scale.md",
        Path(args.out) / "scale.json",
        result["seconds"],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
