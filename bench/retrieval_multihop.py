"""Retrieval benchmark on MultiHop-RAG: does the right news evidence reach the top 10?

Run from the repository root::

    .venv/bin/python bench/retrieval_multihop.py
    .venv/bin/python bench/retrieval_multihop.py --max-queries 60            # smoke run
    .venv/bin/python bench/retrieval_multihop.py --configs dense,default --out /tmp/mh

The 609 MultiHop-RAG news articles are built exactly as the product ingests a JSON record
(``bench.calibrate_multihop.load_corpus``) and indexed once into a reusable home
(``bench.homes.indexed_library``; the first build embeds every chunk and takes minutes).
Each non-null query goes through ``NewsRetriever.passages`` with ``k=10`` for every
configuration in ``CONFIGS`` (one query at a time; the wall clock of that call is the
latency), and the top-10 passage texts are scored as the benchmark's own evaluator
(MultiHop-RAG ``retrieval_evaluate.py``) scores them: spaces and newlines are removed from
evidence facts and passages, and a passage is relevant when it contains any evidence fact.
Hits@10 / Hits@4: a relevant passage in the top 10 / 4; MRR@10: 1 / rank of the first
relevant one; MAP@10 as that script computes it. Evidence recall@10 is the share of a
query's facts contained in some top-10 passage, "all found" the share of queries with every
fact retrieved. A fact cut by a chunk boundary cannot be contained in any passage, so the
share of facts that some stored chunk contains at all is reported as the ceiling.

Results are given overall, per question type, and for the first and second half of the
2,556 queries in file order (the first half is for tuning, the second is held out, as the
dataset's SOURCES.md asks; halves are cut before the null queries are dropped). For the
product default only, ``Assistant.ask`` runs on the 301 ``null_query`` questions (they
should be refused) and on every k-th non-null question (they should not be). Tables go to
stdout, numbers to ``bench/results/multihop_retrieval.json``, a bar chart to
``bench/results/multihop_retrieval.png``. ``retriever.scope`` is checked against each
query's evidence sources and dates, with examples of hits and misses.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
# Importing the project (its `index` package) switches hubs and telemetry off.

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable, Iterable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import numpy as np  # noqa: E402

from assistant.build import build_assistant  # noqa: E402
from assistant.retrieve import NewsRetriever  # noqa: E402
from assistant.scope import Scope  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.calibrate_multihop import DATA, NULL_TYPE, article_id, load_corpus  # noqa: E402
from bench.calibrate_threshold import machine_info, write_results  # noqa: E402
from bench.homes import indexed_library, save_figure, setup_run  # noqa: E402
from index.library import Library  # noqa: E402

log = logging.getLogger("bench.retrieval_multihop")

RESULTS_DIR = REPO / "bench" / "results"
JSON_NAME = "multihop_retrieval.json"
PNG_NAME = "multihop_retrieval.png"
K = 10
GOALS = {"hits10": 0.92, "mrr10": 0.70, "recall10": 0.70}
TYPES = ("comparison_query", "inference_query", "temporal_query")

# Settings every explicit configuration starts from (so a change of the product default does
# not move them); ``None`` means "the product default, from assistant.build". Hybrid is
# reciprocal-rank fusion with equal weights unless a configuration says otherwise.
BASE = {"k": K, "candidates": 50, "fusion": "rrf", "rrf_k": 60, "dense_weight": 1.0, "bm25_weight": 1.0}
CONFIGS: dict[str, dict | None] = {
    "dense": {"mode": "dense", "use_scope": False, "max_per_article": 0},
    "bm25": {"mode": "bm25", "use_scope": False, "max_per_article": 0},
    "hybrid": {"mode": "hybrid", "use_scope": False, "max_per_article": 0},
    "hybrid-zscore": {"mode": "hybrid", "fusion": "zscore", "use_scope": False, "max_per_article": 0},
    "hybrid+scope": {"mode": "hybrid", "use_scope": True, "max_per_article": 0},
    "default": None,
}
RETRIEVER_FIELDS = (
    "k",
    "mode",
    "fusion",
    "candidates",
    "rrf_k",
    "dense_weight",
    "bm25_weight",
    "max_per_article",
    "use_scope",
)


# --- Metrics (as MultiHop-RAG's retrieval_evaluate.py) ----------------------------------------


def normalise(text: str) -> str:
    """Text as the official evaluator compares it: spaces and newlines removed."""
    return text.replace(" ", "").replace("\n", "")


@dataclass(frozen=True)
class QueryScore:
    """Retrieval metrics of one query's ranked passages against its evidence facts."""

    first_rank: int  # 1-based rank of the first relevant passage within the top k; 0 if none
    facts: int  # evidence facts of the query
    facts_found: int  # facts contained in some top-k passage
    ap10: float  # the evaluator's MAP@10 term

    @property
    def hits10(self) -> bool:
        return 0 < self.first_rank <= 10

    @property
    def hits4(self) -> bool:
        return 0 < self.first_rank <= 4

    @property
    def rr(self) -> float:
        return 1.0 / self.first_rank if self.first_rank else 0.0

    @property
    def recall(self) -> float:
        return self.facts_found / self.facts if self.facts else 0.0

    @property
    def all_found(self) -> bool:
        return self.facts > 0 and self.facts_found == self.facts


def score_query(retrieved: Sequence[str], gold: Sequence[str], k: int = K) -> QueryScore:
    """Score ranked passage texts (best first) against evidence fact texts."""
    facts = [normalise(g) for g in gold]
    texts = [normalise(t) for t in retrieved[:k]]
    first = 0
    found: list[str] = []
    ap = 0.0
    for rank, text in enumerate(texts, start=1):
        inside = [f for f in facts if f in text]
        if not inside:
            continue
        first = first or rank
        new = [f for f in dict.fromkeys(inside) if f not in found]
        found += new
        ap += len(new) / rank
    return QueryScore(first, len(facts), len(found), ap / min(len(facts), 10) if facts else 0.0)


def summarise(scores: Sequence[QueryScore], latencies: Sequence[float] = ()) -> dict:
    """Mean metrics over queries (and latency percentiles in ms when given)."""
    if not scores:
        return {"n": 0}
    out = {
        "n": len(scores),
        "hits10": float(np.mean([s.hits10 for s in scores])),
        "hits4": float(np.mean([s.hits4 for s in scores])),
        "mrr10": float(np.mean([s.rr for s in scores])),
        "map10": float(np.mean([s.ap10 for s in scores])),
        "recall10": float(np.mean([s.recall for s in scores])),
        "all_found": float(np.mean([s.all_found for s in scores])),
    }
    out = {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}
    if latencies:
        out["p50_ms"] = round(float(np.percentile(latencies, 50)) * 1000, 1)
        out["p95_ms"] = round(float(np.percentile(latencies, 95)) * 1000, 1)
    return out


def contained(facts: Iterable[str], texts: Iterable[str]) -> list[bool]:
    """For each fact: is it (normalised) inside some of ``texts``?"""
    norm = [normalise(t) for t in texts]
    return [any(normalise(f) in t for t in norm) for f in facts]


# --- Data -------------------------------------------------------------------------------------


@dataclass
class Query:
    index: int  # position in MultiHopRAG.json (file order)
    qtype: str
    question: str
    facts: list[str]
    sources: list[str]  # evidence sources (one per fact)
    dates: list[dt.date | None]  # evidence publication dates (one per fact)
    articles: list[str]  # evidence article ids (one per fact)
    held_out: bool  # second half of the file
    scores: dict[str, QueryScore] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)

    @property
    def null(self) -> bool:
        return self.qtype == NULL_TYPE


def load_queries(path: Path) -> tuple[list[Query], int]:
    """Every query in file order, and the index where the held-out half starts."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    half = len(raw) // 2
    queries = []
    for i, r in enumerate(raw):
        ev = r["evidence_list"]
        queries.append(
            Query(
                index=i,
                qtype=r["question_type"],
                question=r["query"],
                facts=[e["fact"] for e in ev],
                sources=[e["source"] for e in ev],
                dates=[
                    dt.date.fromisoformat(e["published_at"][:10]) if e.get("published_at") else None
                    for e in ev
                ],
                articles=[article_id(e["url"]) for e in ev],
                held_out=i >= half,
            )
        )
    return queries, half


def evenly(items: Sequence, n: int | None) -> list:
    """At most ``n`` items spread evenly over ``items`` (all of them when n is None), in order."""
    if n is None or n >= len(items):
        return list(items)
    if n <= 0:
        return []
    return [items[int(i * len(items) / n)] for i in range(n)]


# --- Runs -------------------------------------------------------------------------------------


def make_retriever(name: str, library: Library, settings: Settings) -> NewsRetriever:
    """The retriever a configuration names (``None``: the product default with k=10)."""
    kwargs = CONFIGS[name]
    if kwargs is None:
        return build_assistant(settings, library).retriever.model_copy(update={"k": K})
    return NewsRetriever(library=library, **(BASE | kwargs))


def describe(retriever: NewsRetriever) -> dict:
    out = {f: getattr(retriever, f, None) for f in RETRIEVER_FIELDS}
    out["reranker"] = type(retriever.reranker).__name__ if retriever.reranker is not None else None
    return out


def run_config(name: str, retriever: NewsRetriever, queries: Sequence[Query], warmup: Sequence[str]) -> None:
    """Retrieve every query once, timing each ``passages`` call."""
    for q in warmup:  # loads the embedder, the BM25 index, SQLite pages
        retriever.passages(q)
    started = time.perf_counter()
    for i, q in enumerate(queries, 1):
        t0 = time.perf_counter()
        passages = retriever.passages(q.question)
        q.latency[name] = time.perf_counter() - t0
        q.scores[name] = score_query([p.chunk.text for p in passages], q.facts)
        if i % 500 == 0:
            log.info("%s: %d/%d (%.1f q/s)", name, i, len(queries), i / (time.perf_counter() - started))


def breakdown(queries: Sequence[Query], names: Sequence[str]) -> dict:
    """Per configuration: overall, per type, per half, per type and half."""
    groups: dict[str, Callable[[Query], bool]] = {"all": lambda q: True}
    groups |= {t: (lambda q, t=t: q.qtype == t) for t in TYPES}
    groups |= {"first_half": lambda q: not q.held_out, "second_half": lambda q: q.held_out}
    for t in TYPES:
        groups[f"{t}/first_half"] = lambda q, t=t: q.qtype == t and not q.held_out
        groups[f"{t}/second_half"] = lambda q, t=t: q.qtype == t and q.held_out
    out: dict[str, dict] = {}
    for name in names:
        out[name] = {}
        for group, keep in groups.items():
            qs = [q for q in queries if keep(q)]
            lat = [q.latency[name] for q in qs] if group == "all" else ()
            out[name][group] = summarise([q.scores[name] for q in qs], lat)
    return out


def fact_ceiling(library: Library, queries: Sequence[Query], texts: dict[str, str]) -> dict:
    """How many evidence facts a stored chunk (or the cleaned article) contains at all."""
    chunks: dict[str, list[str]] = defaultdict(list)
    for row in library.catalog.chunk_rows():
        chunks[row.chunk.article_id].append(normalise(row.chunk.text))
    in_chunk, in_article, any_q, all_q = [], [], [], []
    for q in queries:
        pairs = list(zip(q.facts, q.articles, strict=True))
        got = [any(normalise(f) in c for c in chunks.get(a, [])) for f, a in pairs]
        in_chunk += got
        in_article += [normalise(f) in normalise(texts.get(a, "")) for f, a in pairs]
        any_q.append(any(got))
        all_q.append(all(got))
    return {
        "facts": len(in_chunk),
        "fact_in_a_chunk": round(float(np.mean(in_chunk)), 4),
        "fact_in_cleaned_article": round(float(np.mean(in_article)), 4),
        "queries_with_a_fact_in_a_chunk": round(float(np.mean(any_q)), 4),
        "queries_with_every_fact_in_a_chunk": round(float(np.mean(all_q)), 4),
    }


def ask_nulls(library: Library, settings: Settings, nulls: Sequence[Query], others: Sequence[Query]) -> dict:
    """The product's ``ask``: how often it refuses the null queries, and the answerable ones.

    A refusal counts as "unmentioned" when the answerer's check for question nouns that no
    article mentions (where the product has one) names some; otherwise as "low evidence".
    """
    assistant = build_assistant(settings, library)
    answerer = assistant.answerer
    check = getattr(answerer, "unmentioned", None)
    out: dict = {"top_k": assistant.retriever.k, "min_evidence": getattr(answerer, "min_evidence", None)}
    for label, qs in (("null", nulls), ("non_null_sample", others)):
        started = time.perf_counter()
        refused, reasons, examples = [], defaultdict(int), []
        for q in qs:
            answer = assistant.ask(q.question)
            refused.append(not answer.found)
            if answer.found:
                continue
            missing = check(q.question.strip()) if check else []
            reasons["unmentioned" if missing else "low_evidence"] += 1
            if missing and len(examples) < 10:
                examples.append({"index": q.index, "question": q.question, "unmentioned": missing})
        seconds = time.perf_counter() - started
        halves = {
            h: round(float(np.mean([r for r, q in zip(refused, qs, strict=True) if q.held_out == held])), 4)
            for h, held in (("first_half", False), ("second_half", True))
            if any(q.held_out == held for q in qs)
        }
        out[label] = {
            "n": len(qs),
            "refusal_rate": round(float(np.mean(refused)), 4) if qs else float("nan"),
            "refusal_rate_by_half": halves,
            "refusals_by_reason": dict(reasons),
            "unmentioned_examples": examples,
            "seconds_per_question": round(seconds / max(1, len(qs)), 3),
        }
        log.info("ask on %d %s queries: %.1f s", len(qs), label, seconds)
    return out


# --- Scope diagnostics ------------------------------------------------------------------------

_NAME_SPLIT = re.compile(r"\s*[-|:–]\s+|\s+[-|:–]\s*|:\s*")


def loose_names(source: str) -> set[str]:
    """Squashed lower-case forms a question may use for ``source`` ('CBSSports.com' -> 'cbssports')."""
    head = _NAME_SPLIT.split(source, maxsplit=1)[0].strip()
    head = re.sub(r"\.com$", "", head, flags=re.IGNORECASE)
    squashed = re.sub(r"[^a-z0-9]", "", head.lower())
    names = {squashed, squashed[3:] if head.lower().startswith("the ") else squashed}
    return {n for n in names if len(n) >= 3}


def names_source(question: str, source: str) -> bool:
    """Whether whole words of the question spell ``source`` loosely (spaces, case, quotes, 'The')."""
    words = re.findall(r"[a-z0-9]+", question.lower())
    names = loose_names(source)
    return any(
        "".join(words[i:j]) in names
        for i in range(len(words))
        for j in range(i + 1, min(i + 6, len(words) + 1))
    )


def scope_check(retriever: NewsRetriever, queries: Sequence[Query], examples: int = 10) -> dict:
    """What ``retriever.scope`` reads from each question, against the query's evidence."""
    counts: dict[str, int] = defaultdict(int)
    hit_examples, miss_examples, wrong_examples, date_examples = [], [], [], []
    for q in queries:
        scope: Scope = retriever.scope(q.question)
        found = {s for m in scope.sources for s in m.sources}
        named = sorted({s for s in q.sources if names_source(q.question, s)})
        counts["queries"] += 1
        counts["null"] += q.null
        counts["with_sources"] += bool(found)
        counts["with_dates"] += bool(scope.dates)
        counts["with_date_filter"] += bool(scope.where.since or scope.where.until)
        counts["evidence_outlet_named"] += bool(named)
        counts["evidence_outlet_named_but_no_source_found"] += bool(named) and not found
        missed = [s for s in named if s not in found]
        counts["named_evidence_outlet_missed"] += bool(missed)
        foreign = sorted(found - set(q.sources)) if not q.null else []
        counts["source_found_not_in_evidence"] += bool(foreign)
        # Evidence the date filter shuts out of the main ranking (lookups only add sources).
        shut = [
            d
            for d in q.dates
            if d and (scope.where.since or scope.where.until) and not scope.where.matches(d, "", "")
        ]
        counts["date_filter_excludes_evidence"] += bool(shut)
        entry = {
            "index": q.index,
            "type": q.qtype,
            "question": q.question,
            "sources_found": sorted(found),
            "dates_found": [q.question[d.start : d.end] for d in scope.dates],
            "date_filter": scope.where.describe(),
            "evidence_sources": sorted(set(q.sources)),
            "evidence_dates": sorted({d.isoformat() for d in q.dates if d}),
        }
        if (found or scope.dates) and len(hit_examples) < examples:
            hit_examples.append(entry)
        if named and not found and len(miss_examples) < examples:
            miss_examples.append(entry | {"named_outlets": named})
        if foreign and len(wrong_examples) < examples:
            wrong_examples.append(entry | {"not_in_evidence": foreign})
        if shut and len(date_examples) < examples:
            date_examples.append(entry)
    return {
        "counts": dict(counts),
        "examples_found": hit_examples,
        "examples_outlet_named_nothing_found": miss_examples,
        "examples_source_not_in_evidence": wrong_examples,
        "examples_date_filter_excludes_evidence": date_examples,
    }


# --- Report -----------------------------------------------------------------------------------

COLUMNS = (
    ("hits10", "Hits@10"),
    ("hits4", "Hits@4"),
    ("mrr10", "MRR@10"),
    ("map10", "MAP@10"),
    ("recall10", "evidence recall@10"),
    ("all_found", "all facts found"),
)


def metrics_table(rows: list[tuple[str, dict]], label: str, latency: bool = False) -> str:
    cols = list(COLUMNS) + ([("p50_ms", "p50 ms"), ("p95_ms", "p95 ms")] if latency else [])
    out = [f"| {label} | n | " + " | ".join(c[1] for c in cols) + " |", "|---" * (len(cols) + 2) + "|"]
    for name, m in rows:
        cells = [f"{m[c]:.1f}" if c.endswith("_ms") else f"{m[c]:.3f}" for c, _ in cols]
        out.append(f"| {name} | {m['n']} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def plot(path: Path, results: dict[str, dict], names: Sequence[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [("hits10", "Hits@10"), ("mrr10", "MRR@10"), ("recall10", "evidence recall@10")]
    colors = ["#4C72B0", "#DD8452", "#55A868"]
    x = np.arange(len(names))
    width = 0.8 / len(metrics)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(names) + 2), 4.5))
    for i, ((key, label), color) in enumerate(zip(metrics, colors, strict=True)):
        values = [results[n]["all"][key] for n in names]
        bars = ax.bar(x + (i - 1) * width, values, width, label=label, color=color)
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    # One dashed line per goal value (MRR@10 and recall share 0.70), coloured as its metric.
    by_value: dict[float, list[int]] = defaultdict(list)
    for i, (key, _) in enumerate(metrics):
        by_value[GOALS[key]].append(i)
    for value, which in by_value.items():
        color = colors[which[0]] if len(which) == 1 else "#333333"
        label = "goal " + " and ".join(metrics[i][1] for i in which) + f" {value:.2f}"
        ax.axhline(value, color=color, linestyle="--", linewidth=1.2, label=label)
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of non-null queries")
    n = results[names[0]]["all"]["n"]
    ax.set_title(f"MultiHop-RAG retrieval, top {K}, {n} non-null queries")
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
    save_figure(fig, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DATA, help="folder with corpus.json and MultiHopRAG.json"
    )
    parser.add_argument(
        "--max-queries", type=int, default=None, help="use N queries spread over the file (smoke run)"
    )
    parser.add_argument(
        "--configs", default=",".join(CONFIGS), help=f"comma-separated, from: {', '.join(CONFIGS)}"
    )
    parser.add_argument("--ask-sample", type=int, default=300, help="non-null questions sent to ask")
    parser.add_argument("--no-ask", action="store_true", help="skip the ask runs (null-query refusal)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads for the embedder (0: torch's default); two threads on a shared 2-core "
        "machine made one query embedding ~10x slower",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for the JSON and PNG")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown or not names:
        parser.error(f"unknown configs {unknown}; choose from {', '.join(CONFIGS)}")
    setup_run(args.threads)
    timing: dict[str, float] = {}
    t_all = time.perf_counter()

    settings = Settings()
    articles = load_corpus(args.data / "corpus.json")
    library, built_s = indexed_library("multihop", articles, settings)
    if built_s is not None:
        timing["index_s"] = round(built_s, 1)
    stats = library.stats()
    all_queries, half = load_queries(args.data / "MultiHopRAG.json")
    chosen = evenly(all_queries, args.max_queries)
    queries = [q for q in chosen if not q.null]
    nulls = [q for q in chosen if q.null]
    log.info(
        "%d articles, %d chunks; %d non-null queries, %d null",
        len(articles),
        stats["chunks"],
        len(queries),
        len(nulls),
    )

    t0 = time.perf_counter()
    ceiling = fact_ceiling(library, queries, {a.id: a.text for a in articles})
    timing["ceiling_s"] = round(time.perf_counter() - t0, 1)

    machine_at_start = machine_info()
    configs: dict[str, dict] = {}
    warmup = [q.question for q in all_queries[:3]]
    for name in names:
        retriever = make_retriever(name, library, settings)
        configs[name] = describe(retriever)
        t0 = time.perf_counter()
        run_config(name, retriever, queries, warmup)
        timing[f"retrieve_{name}_s"] = round(time.perf_counter() - t0, 1)
        log.info("%s: %.0f s", name, timing[f"retrieve_{name}_s"])
    results = breakdown(queries, names)

    t0 = time.perf_counter()
    scope_retriever = NewsRetriever(library=library, k=K, use_scope=True)
    scope = scope_check(scope_retriever, chosen)
    timing["scope_check_s"] = round(time.perf_counter() - t0, 1)

    refusal = None
    if "default" in names and not args.no_ask:
        step = max(1, len(queries) // max(1, args.ask_sample))
        sample = queries[::step][: args.ask_sample]
        t0 = time.perf_counter()
        refusal = ask_nulls(library, settings, nulls, sample) | {"non_null_sample_every": step}
        timing["ask_s"] = round(time.perf_counter() - t0, 1)
    timing["total_s"] = round(time.perf_counter() - t_all, 1)

    # --- Print ------------------------------------------------------------------------------
    first = sum(not q.held_out for q in queries)
    print(f"## MultiHop-RAG retrieval (top {K})\n")
    print(
        f"Corpus: {stats['articles']} articles, {stats['chunks']} chunks (embedder {settings.embedder}, "
        f"{settings.chunk_tokens} tokens). Queries: {len(queries)} non-null "
        f"({first} in the first half of the file, split at #{half}; {len(queries) - first} held out), "
        f"{len(nulls)} null. Latency: one query at a time, torch threads {args.threads or 'default'}, "
        f"load average at start {machine_at_start['load_average'][0]:.1f}.\n"
    )
    print(metrics_table([(n, results[n]["all"]) for n in names], "config", latency=True))
    print(
        f"\nCeiling: {ceiling['fact_in_a_chunk']:.3f} of {ceiling['facts']} evidence facts lie whole in some "
        f"stored chunk ({ceiling['fact_in_cleaned_article']:.3f} in the cleaned article text); "
        f"{ceiling['queries_with_a_fact_in_a_chunk']:.3f} of queries have at least one such fact "
        f"(bounds Hits@10), {ceiling['queries_with_every_fact_in_a_chunk']:.3f} have all (bounds all-found)."
    )
    print("\n### Per question type\n")
    print(
        metrics_table(
            [(f"{n} / {t.split('_')[0]}", results[n][t]) for t in TYPES for n in names], "config / type"
        )
    )
    print("\n### Halves (file order; first = tuning, second = held out)\n")
    print(
        metrics_table(
            [
                (f"{n} / {h.split('_')[0]}", results[n][h])
                for h in ("first_half", "second_half")
                for n in names
            ],
            "config / half",
        )
    )
    if refusal:
        print(
            f"\n### Refusals by `ask` (product default: top_k {refusal['top_k']}, "
            f"min_evidence {refusal['min_evidence']})\n"
        )
        print(
            "| questions | n | refused | first half | second half | refused: unmentioned / low evidence "
            "| s/question |\n|---|---|---|---|---|---|---|"
        )
        for label, why in (
            ("null", "null_query (should refuse)"),
            ("non_null_sample", f"non-null, every {refusal['non_null_sample_every']}-th"),
        ):
            r = refusal[label]
            by, why_refused = r["refusal_rate_by_half"], r["refusals_by_reason"]
            print(
                f"| {why} | {r['n']} | {r['refusal_rate']:.3f} | {by.get('first_half', float('nan')):.3f} "
                f"| {by.get('second_half', float('nan')):.3f} "
                f"| {why_refused.get('unmentioned', 0)} / {why_refused.get('low_evidence', 0)} "
                f"| {r['seconds_per_question']:.2f} |"
            )
        for label in ("non_null_sample", "null"):
            if refusal[label]["unmentioned_examples"]:
                print(f"\n{label} questions refused as unmentioned (nouns no article has):\n")
                for e in refusal[label]["unmentioned_examples"]:
                    print(f"- #{e['index']} {e['question']}\n  -> {e['unmentioned']}")
    c = scope["counts"]
    print(f"\n### Scope parsing (`retriever.scope`, {c['queries']} queries)\n")
    for key, value in c.items():
        print(f"- {key.replace('_', ' ')}: {value}")
    for key, title in (
        ("examples_found", "Scope found sources or dates"),
        ("examples_outlet_named_nothing_found", "An evidence outlet is named, no source found"),
        ("examples_source_not_in_evidence", "A source found that is not an evidence source"),
        ("examples_date_filter_excludes_evidence", "The date filter shuts out evidence"),
    ):
        print(f"\n#### {title}\n")
        for e in scope[key]:
            extra = f"; named: {e['named_outlets']}" if "named_outlets" in e else ""
            print(
                f"- #{e['index']} ({e['type']}) {e['question']}\n  -> sources {e['sources_found']}, "
                f"dates {e['dates_found']} [{e['date_filter'] or 'no date filter'}]; evidence "
                f"{e['evidence_sources']} {e['evidence_dates']}{extra}"
            )
    print("\nTiming (s): " + ", ".join(f"{k[:-2]} {v:.0f}" for k, v in timing.items()))

    # --- Write ------------------------------------------------------------------------------
    result = {
        "config": {
            "data": str(args.data.relative_to(REPO.parent))
            if args.data.is_relative_to(REPO.parent)
            else str(args.data),
            "k": K,
            "max_queries": args.max_queries,
            "split": f"file order: queries #0..#{half - 1} first half (tuning), #{half}.. held out",
            "embedder": settings.embedder,
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap_sentences": settings.chunk_overlap_sentences,
            "relevance": "a top-10 passage contains an evidence fact, spaces and newlines removed "
            "(MultiHop-RAG retrieval_evaluate.py)",
            "latency": "wall clock of one NewsRetriever.passages call, after 3 warm-up queries",
            "torch_threads": args.threads or "default",
            "settings": settings.model_dump(mode="json", exclude={"home"}),
            "goals": GOALS,
            "retrievers": configs,
        },
        "index": {"articles": stats["articles"], "chunks": stats["chunks"], "home": stats["home"]},
        "queries": {"non_null": len(queries), "null": len(nulls), "first_half_non_null": first},
        "ceiling": ceiling,
        "results": results,
        "refusal": refusal,
        "scope": scope,
        "timing": timing,
        "machine": machine_info() | {"load_average_at_start": machine_at_start["load_average"]},
        "query_fields": ["index", "type", "held_out"]
        + [f"{n}:{f}" for n in names for f in ("first_rank", "facts_found", "ms")],
        "query_rows": [
            [q.index, q.qtype, q.held_out]
            + [
                v
                for n in names
                for v in (q.scores[n].first_rank, q.scores[n].facts_found, round(q.latency[n] * 1000, 1))
            ]
            for q in queries
        ],
    }
    write_results(args.out / JSON_NAME, result, rows=("query_rows",))
    plot(args.out / PNG_NAME, results, names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
