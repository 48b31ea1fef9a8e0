"""Calibrate ``min_evidence`` on MultiHop-RAG: news questions the corpus answers vs ``null_query``.

Run from the repository root::

    .venv/bin/python bench/calibrate_multihop.py [--non-null balanced|all] [--seed 13]
    .venv/bin/python bench/calibrate_multihop.py --max-articles 60 --max-queries 120   # smoke run

All 609 MultiHop-RAG news articles are indexed in one temporary home, built exactly as the
product ingests a JSON record (``index.ingest.make_article``: id = sha1 of the URL, date
from ``published_at``). Each sampled query goes through ``Assistant.retrieve`` and
``ExtractiveAnswerer.score`` as ``Assistant.ask`` does; its decision score is
``min(evidence, rank)`` of the top-ranked sentence. The 301 ``null_query`` questions
("Insufficient information.") are the ones the product should refuse. Queries are split in
file order (first half calibrates, second half is held out, as the dataset's SOURCES.md
asks); the threshold with the best balanced accuracy on the first half is measured on the
second, next to 0.42 (old default) and 0.62 (SQuAD's choice), and compared with the SQuAD
calibration in ``bench/results/calibration.json`` and on the seed questions.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
# Importing the project (its `index` package) switches hubs and telemetry off.

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import numpy as np  # noqa: E402

from assistant.build import build_assistant, build_library  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench import seed_eval  # noqa: E402
from bench.calibrate_threshold import (  # noqa: E402
    RESULTS as SQUAD_RESULTS,
)
from bench.calibrate_threshold import (  # noqa: E402
    VETOED,
    PrimedEmbedder,
    Question,
    bootstrap_ci,
    check_decision_rule,
    choose,
    machine_info,
    metrics,
    plot_tradeoff,
    roc_auc,
    table,
    vetoed,
    write_results,
)
from index.ingest import make_article  # noqa: E402
from index.types import Article, Passage  # noqa: E402

log = logging.getLogger("bench.calibrate_multihop")

DATA = REPO.parent / "shared" / "eval" / "external" / "multihop_rag"
RESULTS = REPO / "bench" / "results" / "calibration_multihop.json"
OLD_DEFAULT = 0.42
SQUAD_CHOICE = 0.62
NULL_TYPE = "null_query"


@dataclass
class MultiHopQuery:
    """One MultiHop-RAG query and, once scored, what the assistant made of it.

    Has the fields ``calibrate_threshold.metrics`` and friends read: ``answerable`` is
    "not a null query", ``article`` is the query itself (so the bootstrap resamples
    queries), ``gold_in_top`` is "the top-ranked sentence overlaps an evidence fact".
    """

    index: int  # position in MultiHopRAG.json (file order)
    qtype: str
    question: str
    facts: list[tuple[str, str]]  # (article id, fact text)
    score: float = 0.0
    evidence: float = 0.0
    gold_in_top: bool = False
    fact_in_passage: bool = False  # a retrieved passage contains an evidence fact verbatim
    fact_overlap: bool = False  # a retrieved passage overlaps an evidence fact's span
    evidence_articles_hit: float = 0.0  # share of the query's evidence articles retrieved
    passages: list[Passage] = field(default_factory=list, repr=False)

    @property
    def answerable(self) -> bool:
        return self.qtype != NULL_TYPE

    @property
    def article(self) -> str:
        return f"q{self.index:04d}"

    @property
    def id(self) -> str:
        return self.article

    @property
    def words(self) -> int:
        return len(self.question.split())


ROW_FIELDS = (
    "index",
    "qtype",
    "words",
    "score",
    "evidence",
    "gold_in_top",
    "fact_in_passage",
    "fact_overlap",
)


def article_id(url: str) -> str:
    """The id the product gives a JSON record with a URL (``index.ingest._record_id``)."""
    return hashlib.sha1(url.encode()).hexdigest()[:16]


def load_corpus(path: Path) -> list[Article]:
    """The corpus articles, each built as the product builds an ingested JSON record."""
    return [
        make_article(
            a["body"],
            title=a["title"],
            date=a["published_at"],
            source=a["source"],
            url=a["url"],
            fallback_id=article_id(a["url"]),
        )
        for a in json.loads(path.read_text(encoding="utf-8"))
    ]


def sample_queries(
    raw: list[dict], indexed: set[str], mode: str, seed: int, max_queries: int | None
) -> tuple[list[MultiHopQuery], int]:
    """All null queries plus non-null ones (all, or per half as many as the nulls), file order.

    Non-null queries need every evidence article indexed (only matters with --max-articles).
    Returns the queries and the file-order index where the held-out half starts.
    """
    half = len(raw) // 2
    rng = random.Random(seed)
    cells: dict[tuple[bool, bool], list[MultiHopQuery]] = {}
    for i, r in enumerate(raw):
        facts = [(article_id(e["url"]), e["fact"]) for e in r["evidence_list"]]
        q = MultiHopQuery(i, r["question_type"], r["query"], facts)
        if q.answerable and not all(a in indexed for a, _ in facts):
            continue
        cells.setdefault((i < half, q.answerable), []).append(q)
    chosen: list[MultiHopQuery] = []
    for first in (True, False):
        nulls, others = cells.get((first, False), []), cells.get((first, True), [])
        if mode == "balanced":
            others = rng.sample(others, min(len(nulls), len(others)))
        if max_queries:
            cap = max(1, max_queries // 4)
            nulls, others = rng.sample(nulls, min(cap, len(nulls))), rng.sample(others, min(cap, len(others)))
        chosen += nulls + others
    return sorted(chosen, key=lambda q: q.index), half


def fact_spans(articles: dict[str, Article], queries: Sequence[MultiHopQuery]) -> dict[str, list]:
    """Character spans of every evidence fact in its (cleaned) article text."""
    spans: dict[str, list[tuple[int, int]]] = {}
    missing = 0
    for q in queries:
        for aid, fact in q.facts:
            text = articles[aid].text
            start = text.find(fact)
            if start < 0:
                missing += 1
            while start >= 0:
                spans.setdefault(aid, []).append((start, start + len(fact)))
                start = text.find(fact, start + 1)
    if missing:
        log.warning("%d evidence facts not found verbatim in the cleaned article text", missing)
    return spans


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def retrieve_all(assistant: Assistant, queries: Sequence[MultiHopQuery]) -> None:
    start = time.perf_counter()
    for i, q in enumerate(queries, 1):
        q.passages = assistant.retrieve(q.question)
        if i % 200 == 0:
            log.info("retrieved %d/%d (%.1f q/s)", i, len(queries), i / (time.perf_counter() - start))


def score_all(assistant: Assistant, queries: Sequence[MultiHopQuery], spans: dict[str, list]) -> None:
    """Decision score exactly as ``ExtractiveAnswerer.answer`` decides, plus retrieval checks."""
    start = time.perf_counter()
    for i, q in enumerate(queries, 1):
        ranked = assistant.answerer.score(q.question, q.passages)
        if ranked:
            best = ranked[0]
            q.score = round(min(best.evidence, best.rank), 6)
            q.evidence = round(best.evidence, 6)
            q.gold_in_top = _overlaps(
                spans.get(best.passage.article_id, []), best.sentence.start, best.sentence.end
            )
        if vetoed(assistant, q.question):
            q.score = VETOED
        if q.answerable:
            facts = [f for _, f in q.facts]
            q.fact_in_passage = any(f in p.chunk.text for p in q.passages for f in facts)
            q.fact_overlap = any(
                _overlaps(spans.get(p.article_id, []), p.chunk.start, p.chunk.end) for p in q.passages
            )
            wanted = {a for a, _ in q.facts}
            q.evidence_articles_hit = len(wanted & {p.article_id for p in q.passages}) / len(wanted)
        if i % 200 == 0:
            log.info("scored %d/%d (%.1f q/s)", i, len(queries), i / (time.perf_counter() - start))


def squad_questions() -> tuple[dict, list[Question], list[Question]] | None:
    """The stored SQuAD calibration run: its result dict and its calibration / held-out questions."""
    if not SQUAD_RESULTS.exists():
        return None
    data = json.loads(SQUAD_RESULTS.read_text(encoding="utf-8"))
    fields = data["question_fields"]
    calib_articles = set(data["config"]["calibration_articles"])
    calib, held = [], []
    for row in data["questions"]:
        r = dict(zip(fields, row, strict=True))
        q = Question(
            r["id"],
            r["article"],
            "",
            "",
            r["answerable"],
            [],
            score=r["score"],
            evidence=r["evidence"],
            gold_retrieved=r["gold_retrieved"],
            gold_in_top=r["gold_in_top"],
        )
        (calib if q.article in calib_articles else held).append(q)
    return data, calib, held


def _f(x: float) -> str:
    return "n/a" if x != x else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DATA, help="folder with corpus.json and MultiHopRAG.json"
    )
    parser.add_argument(
        "--non-null",
        choices=("balanced", "all"),
        default="balanced",
        help="non-null queries: as many as the null ones per half (seeded), or all",
    )
    parser.add_argument("--seed", type=int, default=13, help="sampling and bootstrap seed")
    parser.add_argument("--max-articles", type=int, default=None, help="index only the first N articles")
    parser.add_argument("--max-queries", type=int, default=None, help="cap on sampled queries (quick runs)")
    parser.add_argument("--step", type=float, default=0.005, help="threshold grid step")
    parser.add_argument("--seed-questions", type=Path, default=seed_eval.SEED_DEV, help="seed JSONL")
    parser.add_argument("--no-seed-eval", action="store_true", help="skip the seed-question runs")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "index", "assistant"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    timing: dict[str, float] = {}
    t_all = time.perf_counter()

    articles = load_corpus(args.data / "corpus.json")[: args.max_articles]
    by_id = {a.id: a for a in articles}
    raw = json.loads((args.data / "MultiHopRAG.json").read_text(encoding="utf-8"))
    queries, half = sample_queries(raw, set(by_id), args.non_null, args.seed, args.max_queries)
    calib = [q for q in queries if q.index < half]
    held = [q for q in queries if q.index >= half]
    spans = fact_spans(by_id, queries)
    log.info(
        "%d articles; %d queries (%d null)",
        len(articles),
        len(queries),
        sum(not q.answerable for q in queries),
    )

    with tempfile.TemporaryDirectory(prefix="newsqa-multihop-") as tmp:
        settings = Settings(home=Path(tmp))
        embedder = PrimedEmbedder(settings.embedder, batch_size=settings.embed_batch_size)
        library = build_library(settings, embedder)
        assistant = build_assistant(settings, library)

        # Chunking (tokenising, speaker attribution) is deterministic: do it once for
        # priming and indexing alike.
        t0 = time.perf_counter()
        chunked = {a.id: library.chunk(a) for a in articles}
        product_chunk = library.chunk
        library.chunk = lambda article: chunked.get(article.id) or product_chunk(article)  # type: ignore[method-assign]
        timing["chunk_s"] = time.perf_counter() - t0
        n_chunks = sum(map(len, chunked.values()))
        log.info("chunked %d articles into %d chunks in %.1f s", len(articles), n_chunks, timing["chunk_s"])

        t0 = time.perf_counter()
        embedder.prime([c.text for cs in chunked.values() for c in cs] + [q.question for q in queries])
        timing["encode_chunks_s"] = time.perf_counter() - t0
        log.info("encoded %d chunks and queries in %.1f s", len(embedder.memo), timing["encode_chunks_s"])

        t0 = time.perf_counter()
        report = library.add_articles(articles)
        timing["index_s"] = time.perf_counter() - t0
        stats = library.stats()
        log.info(
            "indexed %d articles as %d chunks in %.1f s",
            stats["articles"],
            stats["chunks"],
            timing["index_s"],
        )

        t0 = time.perf_counter()
        retrieve_all(assistant, queries)
        timing["retrieve_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        sentences = [p.sentence_text(s) for q in queries for p in q.passages for s in p.chunk.sentences]
        before = len(embedder.memo)
        embedder.prime(sentences)
        timing["encode_sentences_s"] = time.perf_counter() - t0
        log.info(
            "encoded %d retrieved sentences in %.1f s",
            len(embedder.memo) - before,
            timing["encode_sentences_s"],
        )
        # Size the answerer's sentence cache for the whole run so nothing is evicted and
        # re-encoded; scores do not change.
        assistant.answerer.embed.size = max(assistant.answerer.embed.size, len(embedder.memo) + 1)
        t0 = time.perf_counter()
        score_all(assistant, queries, spans)
        timing["score_s"] = time.perf_counter() - t0

        grid = np.round(np.arange(0.0, 1.0 + 1e-9, args.step), 4)
        chosen, calib_sweep = choose(calib, grid)
        reverse, _ = choose(held, grid)
        mismatches = check_decision_rule(assistant, queries[:: max(1, len(queries) // 100)], chosen)
        encoded_texts = len(embedder.memo)

    # --- MultiHop results -------------------------------------------------------------
    refs = [
        (chosen, "chosen on the first half"),
        (OLD_DEFAULT, "old default"),
        (SQUAD_CHOICE, "SQuAD's choice"),
    ]
    cis = {t: tuple(round(x, 4) for x in bootstrap_ci(held, t, args.seed)) for t, _ in refs}
    rows = [{"label": f"calibration @ {chosen} (chosen)", **metrics(calib, chosen)}]
    rows += [{"label": f"held-out @ {t} ({why})", **metrics(held, t)} for t, why in refs]
    rows += [
        {"label": f"held-out @ {reverse} (best on held-out itself)", **metrics(held, reverse)},
        {"label": f"all @ {chosen}", **metrics(queries, chosen)},
    ]
    auc = {"calibration": roc_auc(calib), "held_out": roc_auc(held), "all": roc_auc(queries)}
    positives = [q for q in queries if q.answerable]
    retrieval = {
        "non_null_queries": len(positives),
        "fact_verbatim_in_a_passage": float(np.mean([q.fact_in_passage for q in positives])),
        "fact_span_overlaps_a_passage": float(np.mean([q.fact_overlap for q in positives])),
        "an_evidence_article_retrieved": float(np.mean([q.evidence_articles_hit > 0 for q in positives])),
        "all_evidence_articles_retrieved": float(np.mean([q.evidence_articles_hit == 1 for q in positives])),
        "mean_share_of_evidence_articles": float(np.mean([q.evidence_articles_hit for q in positives])),
        "top_sentence_overlaps_a_fact": float(np.mean([q.gold_in_top for q in positives])),
    }
    retrieval = {k: round(v, 4) for k, v in retrieval.items()}
    words = {
        "null": float(np.median([q.words for q in queries if not q.answerable])),
        "non_null": float(np.median([q.words for q in queries if q.answerable])),
    }
    types = sorted({q.qtype for q in queries})
    by_type = {
        t: {
            "n_held_out": sum(q.qtype == t for q in held),
            "held_out_found_rate_at_chosen": round(
                float(np.mean([q.score >= chosen for q in held if q.qtype == t])), 4
            )
            if any(q.qtype == t for q in held)
            else float("nan"),
            "median_score": round(float(np.median([q.score for q in queries if q.qtype == t])), 4),
        }
        for t in types
    }

    # --- Combined with SQuAD ------------------------------------------------------------
    squad = squad_questions()
    combined: list[dict] = []
    joint = None
    if squad:
        squad_data, s_calib, s_held = squad
        _, s_sweep = choose(s_calib, grid)
        s_ba = {m["threshold"]: m["balanced_accuracy"] for m in s_sweep}
        m_ba = {m["threshold"]: m["balanced_accuracy"] for m in calib_sweep}
        mean_ba = {t: (s_ba[t] + m_ba[t]) / 2 for t in m_ba}
        best = max(mean_ba.values())
        tied = [t for t in mean_ba if mean_ba[t] >= best - 1e-12]
        joint = tied[len(tied) // 2]
        labels = {
            OLD_DEFAULT: "old default",
            squad_data["chosen_threshold"]: "SQuAD choice",
            chosen: "MultiHop choice",
            joint: "joint choice (max mean calib. bal. acc)",
        }
        candidates = sorted({OLD_DEFAULT, SQUAD_CHOICE, squad_data["chosen_threshold"], chosen, joint})
    else:
        labels, candidates = {OLD_DEFAULT: "old default", chosen: "MultiHop choice"}, [OLD_DEFAULT, chosen]

    seed_runs: dict[float, dict] = {}
    if not args.no_seed_eval:
        t0 = time.perf_counter()
        items = seed_eval.load_items(args.seed_questions)
        for t in candidates:
            run = seed_eval.evaluate(items, t, repeats=0)
            seed_runs[t] = {
                "passed": run["passed"],
                "total": run["total"],
                "failed": [r["id"] for r in run["results"] if not r["passed"]],
            }
        timing["seed_eval_s"] = time.perf_counter() - t0
    for t in candidates:
        mh = metrics(held, t)
        entry = {
            "threshold": t,
            "label": labels.get(t, ""),
            "multihop_held_out_balanced_accuracy": mh["balanced_accuracy"],
            "multihop_held_out_false_answer_rate": mh["false_answer_rate"],
            "multihop_held_out_found_recall": mh["found_recall"],
        }
        if squad:
            sq = metrics(s_held, t)
            entry |= {
                "squad_held_out_balanced_accuracy": sq["balanced_accuracy"],
                "squad_held_out_false_answer_rate": sq["false_answer_rate"],
                "squad_held_out_found_recall": sq["found_recall"],
            }
        if t in seed_runs:
            entry["seed"] = seed_runs[t]
        combined.append(entry)
    timing["total_s"] = time.perf_counter() - t_all

    # --- Report -------------------------------------------------------------------------
    n_null = lambda qs: sum(not q.answerable for q in qs)  # noqa: E731
    print(f"## min_evidence calibration on MultiHop-RAG (non-null: {args.non_null}, seed {args.seed})\n")
    print(
        f"Corpus: {stats['articles']} articles, {stats['chunks']} chunks. "
        f"Queries in file order, split at #{half}: calibration {len(calib)} ({n_null(calib)} null), "
        f"held-out {len(held)} ({n_null(held)} null).\n"
    )
    print(table(rows, "split @ threshold"))
    print(
        f"\nChosen threshold (max balanced accuracy on the first half): **{chosen}**. "
        "Held-out balanced accuracy, 95% query-bootstrap CI: "
        + "; ".join(
            f"{t}: {metrics(held, t)['balanced_accuracy']:.3f} ({cis[t][0]:.3f}–{cis[t][1]:.3f})"
            for t, _ in refs
        )
        + "."
    )
    print(
        f"Median query length: {words['non_null']:.0f} words (non-null), {words['null']:.0f} (null); "
        "the SQuAD and seed questions have a median of 9-10."
    )
    print(
        f"ROC AUC: calibration {auc['calibration']:.3f}, held-out {auc['held_out']:.3f}, "
        f"all {auc['all']:.3f}."
    )
    print(f"Decision-rule check: {mismatches} disagreements between answer().found and score >= threshold.\n")
    print(f"### Retrieval sanity (non-null queries, top-{settings.top_k})\n")
    print("| check | share |\n|---|---|")
    for k, v in retrieval.items():
        print(f"| {k.replace('_', ' ')} | {v if isinstance(v, int) else _f(v)} |")
    print("\n### By question type\n")
    print(f"| type | held-out n | held-out found rate @ {chosen} | median score (all) |\n|---|---|---|---|")
    for t, d in by_type.items():
        print(
            f"| {t} | {d['n_held_out']} | {_f(d['held_out_found_rate_at_chosen'])} "
            f"| {_f(d['median_score'])} |"
        )
    print("\n### Calibration-half sweep\n")
    coarse = [
        m for m in calib_sweep if round(m["threshold"] * 1000) % 50 == 0 and 0.2 <= m["threshold"] <= 0.85
    ]
    print(table([{"label": m["threshold"], **m} for m in coarse]))
    print("\n### Combined with SQuAD 2.0 (held-out halves) and the seed questions\n")
    print(
        "| threshold | | SQuAD bal. acc | SQuAD false-answer | MultiHop bal. acc | MultiHop false-answer "
        "| MultiHop found recall | seed |\n|---|---|---|---|---|---|---|---|"
    )
    for e in combined:
        seed = e.get("seed")
        seed_s = (
            f"{seed['passed']}/{seed['total']} (fail: {', '.join(seed['failed']) or 'none'})" if seed else "-"
        )
        print(
            f"| {e['threshold']} | {e['label']} "
            f"| {_f(e.get('squad_held_out_balanced_accuracy', float('nan')))} "
            f"| {_f(e.get('squad_held_out_false_answer_rate', float('nan')))} "
            f"| {_f(e['multihop_held_out_balanced_accuracy'])} "
            f"| {_f(e['multihop_held_out_false_answer_rate'])} "
            f"| {_f(e['multihop_held_out_found_recall'])} | {seed_s} |"
        )
    if joint is not None:
        print(
            f"\nSQuAD chose {squad[0]['chosen_threshold']}, MultiHop chose {chosen}; "
            f"the threshold with the best mean calibration-half balanced accuracy over both "
            f"is **{joint}** (current setting {settings.min_evidence})."
        )
    print(
        f"\nTiming: chunking {timing['chunk_s']:.0f} s, "
        f"encoding chunks+queries {timing['encode_chunks_s']:.0f} s (incl. model load), "
        f"indexing {timing['index_s']:.0f} s, retrieval {timing['retrieve_s']:.0f} s, "
        f"encoding retrieved sentences {timing['encode_sentences_s']:.0f} s, "
        f"scoring {timing['score_s']:.0f} s, "
        f"seed eval {timing.get('seed_eval_s', 0):.0f} s; total {timing['total_s']:.0f} s."
    )

    result = {
        "config": {
            "data": str(args.data.relative_to(REPO.parent))
            if args.data.is_relative_to(REPO.parent)
            else str(args.data),
            "non_null": args.non_null,
            "seed": args.seed,
            "max_articles": args.max_articles,
            "max_queries": args.max_queries,
            "split": f"file order: queries #0..#{half - 1} calibrate, #{half}.. held out",
            "grid_step": args.step,
            "top_k": settings.top_k,
            "embedder": settings.embedder,
            "current_min_evidence": settings.min_evidence,
            "selection": "max balanced accuracy on the calibration half (middle of a tied run)",
            "decision_score": "min(evidence, rank) of the top-ranked sentence, as ExtractiveAnswerer.answer",
            "bootstrap": "1000 resamples of queries",
            "gold_in_top": "the top-ranked sentence overlaps an evidence fact's span",
        },
        "index": {"articles": stats["articles"], "chunks": stats["chunks"], "failed": len(report.failed)},
        "queries": {
            "calibration": len(calib),
            "calibration_null": n_null(calib),
            "held_out": len(held),
            "held_out_null": n_null(held),
        },
        "chosen_threshold": chosen,
        "best_threshold_on_held_out": reverse,
        "held_out": {str(t): {**metrics(held, t), "balanced_accuracy_ci95": cis[t]} for t, _ in refs},
        "calibration": metrics(calib, chosen),
        "all": metrics(queries, chosen),
        "roc_auc": auc,
        "median_query_words": words,
        "retrieval": retrieval,
        "by_type": by_type,
        "combined": combined,
        "joint_threshold": joint,
        "decision_rule_mismatches": mismatches,
        "calibration_sweep": calib_sweep,
        "timing": timing,
        "encoded_texts": encoded_texts,
        "machine": machine_info(),
        "query_fields": list(ROW_FIELDS),
        "query_rows": [[getattr(q, f) for f in ROW_FIELDS] for q in queries],
    }
    write_results(args.out, result, rows=("calibration_sweep", "query_rows"))
    plot = args.out.with_name("calibration_multihop.png")
    plot_tradeoff(calib_sweep, chosen, plot, "MultiHop-RAG (first half)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
