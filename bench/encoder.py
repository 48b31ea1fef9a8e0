"""Encoder backends: speed and SciFact retrieval quality of torch, onnx and onnx-int8.

Run from the repository root (data from ``../shared/``)::

    .venv/bin/python bench/encoder.py
    .venv/bin/python bench/encoder.py --max-queries 30 --corpus 500      # smoke run

The same model (the bundled all-MiniLM-L6-v2) on each ``SentenceEmbedder`` backend, all on
the same number of threads (``--threads``, default 2: ``torch.set_num_threads`` and ONNX
Runtime's intra-op threads):

* encode rate: passages per second over the first ``--texts`` SciFact abstracts
  (title + " " + text, truncated to 256 tokens as the model does), in batches of 32. The
  texts are split into blocks and the backends take turns on each block, so a change of load
  on a shared machine hits every backend alike;
* single-query latency: each test query embedded alone (``embed_query``), backends in turn;
* SciFact nDCG@10 (and recall@100) of dense-only retrieval over whole abstracts: the 5,183
  abstracts and the 300 test queries are encoded by the backend and ranked by cosine
  (BEIR's setting; all-MiniLM-L6-v2 is published at 0.645). The metric functions and the
  data loaders are ``bench/retrieval_scifact.py``'s; the difference to torch comes with a
  paired bootstrap 95% interval over queries.

The rule (product issue): an ONNX backend becomes the default if it is at least 2x as fast
as torch and loses less than 0.01 nDCG@10. The ONNX export is made on first use into a
cache folder (``--cache``, default a temporary folder, so the export is timed apart).
Prints a markdown table and writes it to ``bench/results/encoder.md``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
# Importing the project (its `index` package) switches hubs and telemetry off.

import argparse  # noqa: E402
import logging  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from bench.calibrate_threshold import machine_info  # noqa: E402
from bench.retrieval_scifact import (  # noqa: E402
    DATA,
    load_corpus,
    load_queries,
    ndcg_at_k,
    paired,
    percentile_ms,
    recall_at_k,
)
from index.embed import BACKENDS, SentenceEmbedder  # noqa: E402

log = logging.getLogger("bench.encoder")

RESULTS = REPO / "bench" / "results" / "encoder.md"
BLOCKS = 5  # the timed texts are split into this many blocks, backends taking turns on each
MIN_SPEEDUP, MAX_NDCG_LOSS = 2.0, 0.01


def timed(fn, *args):  # noqa: ANN001, ANN202 - any callable and its result
    started = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - started


def encode_rate(embedders: dict[str, SentenceEmbedder], texts: list[str]) -> dict[str, float]:
    """Passages per second of each backend over ``texts``, blocks taken in turns."""
    seconds = dict.fromkeys(embedders, 0.0)
    names = list(embedders)
    for i, block in enumerate(np.array_split(np.arange(len(texts)), BLOCKS)):
        part = [texts[j] for j in block]
        for name in names[i % len(names) :] + names[: i % len(names)]:  # rotate who goes first
            seconds[name] += timed(embedders[name].encode, part)[1]
    return {name: len(texts) / s for name, s in seconds.items()}


def query_latency(embedders: dict[str, SentenceEmbedder], queries: list[str]) -> dict[str, list[float]]:
    """Seconds per single-query embedding, backends in turn on each query."""
    out: dict[str, list[float]] = {name: [] for name in embedders}
    for query in queries:
        for name, embedder in embedders.items():
            out[name].append(timed(embedder.embed_query, query)[1])
    return out


def rankings(doc_vectors: np.ndarray, query_vectors: np.ndarray, doc_ids: list[str], depth: int = 100):
    """Per query: document ids by cosine, best first (top ``depth``)."""
    scores = query_vectors @ doc_vectors.T
    top = np.argsort(-scores, axis=1, kind="stable")[:, :depth]
    return [[doc_ids[i] for i in row] for row in top]


def speed_row(name: str, rate: dict, latency: dict, load_s: dict) -> dict:
    """A table row without the retrieval columns (``--speed-only``)."""
    nan = float("nan")
    return {
        "backend": name,
        "rate": rate[name],
        "speedup": rate[name] / rate["torch"],
        "p50": percentile_ms(latency[name], 50),
        "p95": percentile_ms(latency[name], 95),
        "ndcg10": nan,
        "delta": nan,
        "recall100": nan,
        "cos_min": nan,
        "cos_mean": nan,
        "load_s": load_s[name],
    }


def _num(x: float, spec: str) -> str:
    return "–" if x != x else format(x, spec)  # NaN: not measured (--speed-only)


def markdown(rows: list[dict]) -> str:
    head = (
        "| backend | passages/s | × torch | query p50 ms | query p95 ms | nDCG@10 | Δ nDCG@10 (95% CI) "
        "| recall@100 | cosine to torch (min / mean) | first load s |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        ci = f" ({r['ci'][0]:+.4f}, {r['ci'][1]:+.4f})" if r.get("ci") else ""
        lines.append(
            f"| {r['backend']} | {r['rate']:.1f} | {r['speedup']:.2f} | {r['p50']:.1f} | {r['p95']:.1f} "
            f"| {_num(r['ndcg10'], '.4f')} | {_num(r['delta'], '+.4f')}{ci} | {_num(r['recall100'], '.4f')} "
            f"| {_num(r['cos_min'], '.4f')} / {_num(r['cos_mean'], '.4f')} | {r['load_s']:.1f} |"
        )
    return head + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="SciFact folder (corpus, queries, qrels)")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated, torch first")
    parser.add_argument("--texts", type=int, default=1000, help="abstracts timed for the encode rate")
    parser.add_argument("--corpus", type=int, default=None, help="use only the first N abstracts (smoke)")
    parser.add_argument("--max-queries", type=int, default=None, help="use only the first N test queries")
    parser.add_argument("--threads", type=int, default=2, help="threads of every backend")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--cache", type=Path, default=None, help="ONNX export cache (default: a temp folder)")
    parser.add_argument("--speed-only", action="store_true", help="skip the SciFact retrieval (nDCG) part")
    parser.add_argument("--out", type=Path, default=RESULTS, help="markdown file written")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if backends[0] != "torch" or not set(backends) <= set(BACKENDS):
        parser.error(f"backends: torch first, then any of {', '.join(BACKENDS)}")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("index").setLevel(logging.WARNING)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # ONNX Runtime's intra-op threads (index.onnx_encoder)
    import torch

    torch.set_num_threads(args.threads)
    started_load = os.getloadavg()

    articles = load_corpus(args.data / "corpus.jsonl")[: args.corpus]
    doc_ids, doc_texts = [a.id for a in articles], [a.text for a in articles]
    queries = load_queries(args.data)[: args.max_queries]
    timed_texts = doc_texts[: args.texts]

    with tempfile.TemporaryDirectory(prefix="newsqa-onnx-") as tmp:
        cache = args.cache or Path(tmp)
        embedders, load_s = {}, {}
        for name in backends:
            embedders[name] = SentenceEmbedder(batch_size=args.batch_size, backend=name, cache_dir=cache)
            load_s[name] = timed(embedders[name].load)[1]
            log.info("%s loaded in %.1f s", name, load_s[name])
        torch_embedder = embedders["torch"]
        tokens = [min(torch_embedder.count_tokens(t), torch_embedder.max_tokens - 2) + 2 for t in timed_texts]
        log.info("%d timed texts, %.0f tokens on average (truncated)", len(timed_texts), np.mean(tokens))
        for embedder in embedders.values():  # warm-up
            embedder.encode(timed_texts[:32])
        rate = encode_rate(embedders, timed_texts)
        log.info("encode rate: %s", {n: round(r, 1) for n, r in rate.items()})
        latency = query_latency(embedders, [q.text for q in queries])

        rows = []
        reference = None
        base_scores: list[float] = []
        for name, embedder in embedders.items():
            if args.speed_only:
                rows.append(speed_row(name, rate, latency, load_s))
                continue
            doc_vectors, seconds = timed(embedder.encode, doc_texts)
            log.info("%s: %d abstracts in %.0f s", name, len(doc_texts), seconds)
            query_vectors = embedder.encode([q.text for q in queries])
            ranked = rankings(doc_vectors, query_vectors, doc_ids)
            ndcg = [ndcg_at_k(r, q.qrels, 10) for r, q in zip(ranked, queries, strict=True)]
            recall = [recall_at_k(r, q.qrels, 100) for r, q in zip(ranked, queries, strict=True)]
            if reference is None:
                reference, base_scores = doc_vectors, ndcg
            cosines = (doc_vectors * reference).sum(axis=1)
            comparison = paired(base_scores, ndcg) if name != "torch" else None
            rows.append(
                {
                    "backend": name,
                    "rate": rate[name],
                    "speedup": rate[name] / rate["torch"],
                    "p50": percentile_ms(latency[name], 50),
                    "p95": percentile_ms(latency[name], 95),
                    "ndcg10": float(np.mean(ndcg)),
                    "delta": float(np.mean(ndcg) - np.mean(base_scores)),
                    "ci": comparison["ci95"] if comparison else None,
                    "recall100": float(np.mean(recall)),
                    "cos_min": float(cosines.min()),
                    "cos_mean": float(cosines.mean()),
                    "load_s": load_s[name],
                }
            )

    table = markdown(rows)
    machine = machine_info()
    verdicts = []
    for r in rows[1:]:
        fast = r["speedup"] >= MIN_SPEEDUP
        if args.speed_only:
            verdicts.append(f"- `{r['backend']}`: {r['speedup']:.2f}× torch (rule: ≥ {MIN_SPEEDUP:g}×).")
            continue
        ok = fast and r["delta"] > -MAX_NDCG_LOSS
        verdicts.append(
            f"- `{r['backend']}`: {r['speedup']:.2f}× torch, Δ nDCG@10 {r['delta']:+.4f}: "
            f"{'meets' if ok else 'does not meet'} the rule (≥ {MIN_SPEEDUP:g}× and < {MAX_NDCG_LOSS} loss)."
        )
    retrieval = (
        "no retrieval run (--speed-only)"
        if args.speed_only
        else f"dense-only SciFact retrieval over {len(doc_texts)} abstracts, {len(queries)} test queries"
    )
    report = (
        "# Encoder backends (bench/encoder.py)\n\n"
        f"all-MiniLM-L6-v2 on {args.threads} threads, batches of {args.batch_size}. Encode rate over "
        f"{len(timed_texts)} SciFact abstracts ({np.mean(tokens):.0f} tokens on average after truncation "
        f"to 256), backends taking turns on {BLOCKS} blocks; query latency over {len(queries)} single "
        f"queries; {retrieval}. First load includes the ONNX export (and quantisation) into an empty "
        "cache.\n\n"
        + table
        + "\n"
        + "\n".join(verdicts)
        + f"\n\nMachine: {machine['cpus']} CPUs, Python {machine['python']}, load average "
        f"{started_load[0]:.2f} at the start and {machine['load_average'][0]:.2f} at the end "
        "(other processes share these cores: rates move with the load, ratios much less).\n"
    )
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
