"""Calibrate ``min_evidence`` on SQuAD 2.0 dev: answerable vs unanswerable questions.

Run from the repository root::

    .venv/bin/python bench/calibrate_threshold.py [--articles 35] [--max-questions 3500] [--seed 13]

A seeded sample of SQuAD articles is indexed (each paragraph one article) in one temporary
home; every sampled question is retrieved and scored exactly as ``Assistant.ask`` does,
and its decision score is ``min(evidence, rank)`` of the top-ranked sentence (the answer
is "found" when that is at least ``min_evidence``). The sampled articles are split in two
halves: the threshold that maximises balanced accuracy on the calibration half is then
measured on the held-out half, and on the public seed questions.
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
import json  # noqa: E402
import logging  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

from assistant.build import build_assistant, build_library  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench import seed_eval  # noqa: E402
from bench.homes import save_figure  # noqa: E402
from index.embed import SentenceEmbedder  # noqa: E402
from index.library import Library  # noqa: E402
from index.types import Article  # noqa: E402

log = logging.getLogger("bench.calibrate")

SQUAD = REPO.parent / "shared" / "eval" / "external" / "squad_v2" / "dev-v2.0.rebuilt.json"
RESULTS = REPO / "bench" / "results" / "calibration.json"
SOURCE = "SQuAD 2.0 dev"


@dataclass
class Question:
    """One sampled SQuAD question and, once scored, what the assistant made of it."""

    id: str
    article: str
    paragraph: str
    question: str
    answerable: bool
    gold: list[str]
    score: float = 0.0  # min(evidence, rank) of the top-ranked sentence: the "found" decision
    evidence: float = 0.0
    gold_retrieved: bool = False  # the question's own paragraph is among the retrieved passages
    gold_in_top: bool = False  # a gold answer text occurs in the top-ranked sentence


class PrimedEmbedder(SentenceEmbedder):
    """The product's embedder with a memo of vectors, filled in large batches up front.

    Encoding every chunk, sentence and question in a few big batches instead of one call
    per article or question makes the run several times faster; the vectors match
    one-at-a-time encoding to ~1e-7, so every decision is the same.
    """

    def __init__(self, name_or_path: str, batch_size: int = 32) -> None:
        super().__init__(name_or_path, batch_size)
        self.memo: dict[str, np.ndarray] = {}
        self.misses = 0

    def prime(self, texts: Sequence[str]) -> None:
        new = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if new:
            self.memo.update(zip(new, super().encode(new), strict=True))

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        self.misses += len(missing)
        self.prime(missing)
        return np.stack([self.memo[t] for t in texts])


def prime_vectors(
    library: Library, embedder: PrimedEmbedder, articles: list[Article], questions: list[str]
) -> int:
    """Encode every chunk, sentence and question the run will need; returns how many texts."""
    texts = list(questions)
    for article in articles:
        for chunk in library.chunk(article):
            texts.append(chunk.text)
            texts += [article.text[s.start : s.end] for s in chunk.sentences]
    embedder.prime(texts)
    return len(embedder.memo)


ROW_FIELDS = ("id", "article", "answerable", "score", "evidence", "gold_retrieved", "gold_in_top")


def paragraph_id(title: str, n: int) -> str:
    return f"squad:{title}:{n:03d}"


def sample(
    data: list[dict], n_articles: int, max_questions: int, seed: int
) -> tuple[list[dict], list[Question]]:
    """Seeded articles and, per article, up to an equal share of answerable and unanswerable questions."""
    rng = random.Random(seed)
    articles = rng.sample(data, min(n_articles, len(data)))
    per_class = max(1, max_questions // (2 * len(articles)))
    questions: list[Question] = []
    for art in articles:
        pools: dict[bool, list[Question]] = {True: [], False: []}
        for n, para in enumerate(art["paragraphs"]):
            for qa in para["qas"]:
                ok = not qa["is_impossible"]
                gold = sorted({a["text"] for a in qa["answers"]})
                pools[ok].append(
                    Question(qa["id"], art["title"], paragraph_id(art["title"], n), qa["question"], ok, gold)
                )
        for pool in pools.values():
            questions += rng.sample(pool, min(per_class, len(pool)))
    return articles, questions


def squad_articles(articles: list[dict]) -> list[Article]:
    """Each paragraph of the sampled SQuAD articles as one indexable article."""
    return [
        Article(
            id=paragraph_id(art["title"], n),
            title=art["title"].replace("_", " "),
            source=SOURCE,
            text=para["context"],
        )
        for art in articles
        for n, para in enumerate(art["paragraphs"])
    ]


def score_questions(assistant: Assistant, questions: list[Question]) -> None:
    """Fill in each question's decision score exactly as ``ExtractiveAnswerer.answer`` decides."""
    start = time.perf_counter()
    for i, q in enumerate(questions, 1):
        passages = assistant.retrieve(q.question)
        ranked = assistant.answerer.score(q.question, passages)
        q.gold_retrieved = any(p.article_id == q.paragraph for p in passages)
        if ranked:
            best = ranked[0]
            q.score = round(min(best.evidence, best.rank), 6)
            q.evidence = round(best.evidence, 6)
            q.gold_in_top = any(g.lower() in best.text.lower() for g in q.gold)
        if vetoed(assistant, q.question):
            q.score = VETOED
        if i % 200 == 0:
            rate = i / (time.perf_counter() - start)
            log.info("scored %d/%d questions (%.1f q/s)", i, len(questions), rate)


# Score of a question refused because a noun of it is in no article: below every threshold.
VETOED = -1.0


def vetoed(assistant: Assistant, question: str) -> bool:
    """Whether ``answer`` refuses ``question`` outright (a noun no article mentions)."""
    check = assistant.answerer.reader.unmentioned
    return bool(check and check(question))


def plot_tradeoff(sweep: Sequence[dict], chosen: float, path: Path, title: str) -> None:
    """The refusal trade-off over thresholds: answered answerable, refused unanswerable, balance."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [m["threshold"] for m in sweep]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(x, [m["found_recall"] for m in sweep], label="answerable questions answered")
    ax.plot(x, [1 - m["false_answer_rate"] for m in sweep], label="unanswerable questions refused")
    ax.plot(x, [m["balanced_accuracy"] for m in sweep], label="balanced accuracy", linewidth=2.5)
    ax.axvline(chosen, color="grey", linestyle="--", label=f"chosen {chosen}")
    ax.set_xlabel("min_evidence")
    ax.set_ylabel("share of questions")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    save_figure(fig, path)


def check_decision_rule(assistant: Assistant, questions: list[Question], threshold: float) -> int:
    """Questions whose real ``answer().found`` disagrees with ``score >= threshold`` (should be 0)."""
    saved = assistant.answerer.min_evidence
    assistant.answerer.min_evidence = threshold
    try:
        answers = [assistant.answerer.answer(q.question, assistant.retrieve(q.question)) for q in questions]
        return sum(a.found != (q.score >= threshold) for a, q in zip(answers, questions, strict=True))
    finally:
        assistant.answerer.min_evidence = saved


def metrics(questions: Sequence[Question], threshold: float) -> dict[str, float]:
    """Confusion counts and rates of "found" (positive) against answerability."""
    tp = sum(q.answerable and q.score >= threshold for q in questions)
    fn = sum(q.answerable and q.score < threshold for q in questions)
    fp = sum(not q.answerable and q.score >= threshold for q in questions)
    tn = sum(not q.answerable and q.score < threshold for q in questions)
    hits = sum(q.answerable and q.score >= threshold and q.gold_in_top for q in questions)

    def ratio(a: float, b: float) -> float:
        return a / b if b else float("nan")

    recall, specificity = ratio(tp, tp + fn), ratio(tn, tn + fp)
    abstain_p, abstain_r = ratio(tn, tn + fn), specificity
    out = {
        "threshold": round(threshold, 4),
        "n": len(questions),
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "tn": tn,
        "accuracy": ratio(tp + tn, len(questions)),
        "found_precision": ratio(tp, tp + fp),
        "found_recall": recall,
        "false_answer_rate": ratio(fp, fp + tn),
        "balanced_accuracy": (recall + specificity) / 2,
        "abstain_f1": ratio(2 * abstain_p * abstain_r, abstain_p + abstain_r),
        "found_with_gold_in_top": ratio(hits, tp + fn),  # found AND the top sentence holds a gold answer
    }
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in out.items()}


def roc_auc(questions: Sequence[Question]) -> float:
    """Probability that an answerable question outscores an unanswerable one (ties count half)."""
    pos = np.array([q.score for q in questions if q.answerable])
    neg = np.array([q.score for q in questions if not q.answerable])
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def choose(questions: Sequence[Question], grid: np.ndarray) -> tuple[float, list[dict]]:
    """The grid threshold with the best balanced accuracy (middle of a tied run) and the sweep."""
    sweep = [metrics(questions, float(t)) for t in grid]
    best = max(m["balanced_accuracy"] for m in sweep)
    tied = [m["threshold"] for m in sweep if m["balanced_accuracy"] >= best - 1e-12]
    return tied[len(tied) // 2], sweep


def bootstrap_ci(
    questions: Sequence[Question], threshold: float, seed: int, rounds: int = 1000
) -> tuple[float, float]:
    """95% bootstrap interval of balanced accuracy, resampling whole articles."""
    rng = random.Random(seed)
    by_article: dict[str, list[Question]] = {}
    for q in questions:
        by_article.setdefault(q.article, []).append(q)
    groups = list(by_article.values())
    values = []
    for _ in range(rounds):
        drawn = [q for _ in groups for q in rng.choice(groups)]
        if any(q.answerable for q in drawn) and not all(q.answerable for q in drawn):
            values.append(metrics(drawn, threshold)["balanced_accuracy"])
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


def write_results(path: Path, result: dict, rows: Sequence[str]) -> None:
    """Write ``result`` as JSON (``rows`` keys one item per line) and log where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_json(result, rows=rows), encoding="utf-8")
    log.info("wrote %s", path)


def machine_info() -> dict:
    """What the timings were measured on."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


def dump_json(result: dict, rows: Sequence[str]) -> str:
    """Indented JSON with the long lists under ``rows`` written one compact item per line."""
    head = json.dumps({k: v for k, v in result.items() if k not in rows}, indent=1)
    parts = [head[: -len("\n}")]]
    for key in rows:
        items = ",\n".join("  " + json.dumps(item, separators=(",", ":")) for item in result[key])
        parts.append(f',\n "{key}": [\n{items}\n ]')
    return "".join(parts) + "\n}\n"


def _fmt(x: float) -> str:
    return "n/a" if x != x else f"{x:.3f}"


def table(rows: list[dict], label: str = "threshold") -> str:
    """Metrics rows as a markdown table."""
    cols = [
        ("accuracy", "acc"),
        ("found_precision", "found prec"),
        ("found_recall", "found recall"),
        ("false_answer_rate", "false-answer rate"),
        ("balanced_accuracy", "bal. acc"),
        ("abstain_f1", "abstain F1"),
        ("found_with_gold_in_top", "found+gold in top"),
    ]
    out = [
        f"| {label} | n | " + " | ".join(c[1] for c in cols) + " |",
        "|---" * (len(cols) + 2) + "|",
    ]
    for r in rows:
        out.append(f"| {r['label']} | {r['n']} | " + " | ".join(_fmt(r[c[0]]) for c in cols) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=SQUAD, help="SQuAD 2.0 dev JSON")
    parser.add_argument("--articles", type=int, default=35, help="SQuAD articles to sample (dev has 35)")
    parser.add_argument("--max-questions", type=int, default=3500, help="cap on sampled questions")
    parser.add_argument("--seed", type=int, default=13, help="sampling seed")
    parser.add_argument("--step", type=float, default=0.005, help="threshold grid step")
    parser.add_argument("--seed-questions", type=Path, default=seed_eval.SEED_DEV, help="seed JSONL")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "index", "assistant"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    data = json.loads(args.squad.read_text(encoding="utf-8"))["data"]
    articles, questions = sample(data, args.articles, args.max_questions, args.seed)
    titles = [a["title"] for a in articles]
    calib_titles = set(titles[: len(titles) // 2])
    calib = [q for q in questions if q.article in calib_titles]
    held = [q for q in questions if q.article not in calib_titles]
    log.info(
        "sampled %d articles, %d questions (%d answerable)",
        len(titles),
        len(questions),
        sum(q.answerable for q in questions),
    )

    timing: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="newsqa-squad-") as tmp:
        settings = Settings(home=Path(tmp))
        embedder = PrimedEmbedder(settings.embedder, batch_size=settings.embed_batch_size)
        assistant = build_assistant(settings, build_library(settings, embedder))
        paragraphs = squad_articles(articles)
        t0 = time.perf_counter()
        primed = prime_vectors(assistant.library, embedder, paragraphs, [q.question for q in questions])
        timing["encode_s"] = time.perf_counter() - t0
        log.info("encoded %d texts in %.1f s (incl. model load)", primed, timing["encode_s"])
        t0 = time.perf_counter()
        report = assistant.library.add_articles(paragraphs)
        timing["index_s"] = time.perf_counter() - t0
        stats = assistant.library.stats()
        log.info(
            "indexed %d paragraphs as %d chunks in %.1f s",
            stats["articles"],
            stats["chunks"],
            timing["index_s"],
        )
        t0 = time.perf_counter()
        score_questions(assistant, questions)
        timing["score_s"] = time.perf_counter() - t0
        log.info("texts encoded outside the primed batches: %d", embedder.misses)

        grid = np.round(np.arange(0.0, 1.0 + 1e-9, args.step), 4)
        chosen, calib_sweep = choose(calib, grid)
        reverse, _ = choose(held, grid)  # the other direction, as a stability check
        mismatches = check_decision_rule(assistant, questions[:: max(1, len(questions) // 100)], chosen)

    t0 = time.perf_counter()
    seed_runs = {
        label: seed_eval.evaluate(seed_eval.load_items(args.seed_questions), value, repeats=0)
        for label, value in (("chosen", chosen), ("current", settings.min_evidence))
    }
    timing["seed_eval_s"] = time.perf_counter() - t0

    default = settings.min_evidence
    rows = [
        {"label": f"calibration @ {chosen} (chosen)", **metrics(calib, chosen)},
        {"label": f"**held-out @ {chosen} (chosen)**", **metrics(held, chosen)},
        {"label": f"held-out @ {default} (current setting)", **metrics(held, default)},
        {"label": f"held-out @ {reverse} (best on held-out itself)", **metrics(held, reverse)},
        {"label": f"all @ {chosen}", **metrics(questions, chosen)},
    ]
    coarse = [
        m for m in calib_sweep if round(m["threshold"] * 1000) % 50 == 0 and 0.2 <= m["threshold"] <= 0.85
    ]
    ci = bootstrap_ci(held, chosen, args.seed)
    auc = {"calibration": roc_auc(calib), "held_out": roc_auc(held), "all": roc_auc(questions)}

    print(f"## min_evidence calibration on {SOURCE} (seed {args.seed})\n")
    print(f"Calibration articles: {', '.join(sorted(calib_titles))}")
    print(f"Held-out articles: {', '.join(sorted(set(titles) - calib_titles))}\n")
    print(
        f"Questions: calibration {len(calib)} ({sum(q.answerable for q in calib)} answerable), "
        f"held-out {len(held)} ({sum(q.answerable for q in held)} answerable).\n"
    )
    print(table(rows, "split @ threshold"))
    print(
        f"\nChosen threshold (max balanced accuracy on the calibration half): **{chosen}**; "
        f"held-out balanced accuracy {metrics(held, chosen)['balanced_accuracy']:.3f} "
        f"(95% article-bootstrap CI {ci[0]:.3f} to {ci[1]:.3f})."
    )
    print(
        f"ROC AUC of the decision score: calibration {auc['calibration']:.3f}, "
        f"held-out {auc['held_out']:.3f}, all {auc['all']:.3f}."
    )
    print(
        f"Own paragraph retrieved (top-{settings.top_k}): answerable "
        f"{np.mean([q.gold_retrieved for q in questions if q.answerable]):.3f}, unanswerable "
        f"{np.mean([q.gold_retrieved for q in questions if not q.answerable]):.3f}."
    )
    print(f"Decision-rule check: {mismatches} disagreements between answer().found and score >= threshold.\n")
    print("### Calibration-half sweep\n")
    print(table([{"label": m["threshold"], **m} for m in coarse]))
    print("\n### Seed questions\n")
    for label, run in seed_runs.items():
        print(
            f"- {label} (min_evidence {run['min_evidence']}): {run['passed']}/{run['total']} passed; "
            f"failed: {', '.join(r['id'] for r in run['results'] if not r['passed']) or 'none'}"
        )
    print(
        f"\nTiming: encoding {primed} texts {timing['encode_s']:.1f} s (incl. model load), "
        f"indexing {stats['chunks']} chunks {timing['index_s']:.1f} s, "
        f"scoring {len(questions)} questions {timing['score_s']:.1f} s, "
        f"seed eval {timing['seed_eval_s']:.1f} s."
    )

    result = {
        "config": {
            "source": str(args.squad.relative_to(REPO.parent))
            if args.squad.is_relative_to(REPO.parent)
            else str(args.squad),
            "seed": args.seed,
            "articles": titles,
            "calibration_articles": sorted(calib_titles),
            "max_questions": args.max_questions,
            "grid_step": args.step,
            "top_k": settings.top_k,
            "embedder": settings.embedder,
            "current_min_evidence": default,
            "selection": "max balanced accuracy on the calibration half (middle of a tied run)",
            "decision_score": "min(evidence, rank) of the top-ranked sentence, as ExtractiveAnswerer.answer",
        },
        "index": {"paragraphs": stats["articles"], "chunks": stats["chunks"], "failed": len(report.failed)},
        "chosen_threshold": chosen,
        "best_threshold_on_held_out": reverse,
        "held_out": metrics(held, chosen),
        "held_out_balanced_accuracy_ci95": ci,
        "held_out_at_current": metrics(held, default),
        "calibration": metrics(calib, chosen),
        "all": metrics(questions, chosen),
        "roc_auc": auc,
        "gold_paragraph_retrieved": {
            "answerable": float(np.mean([q.gold_retrieved for q in questions if q.answerable])),
            "unanswerable": float(np.mean([q.gold_retrieved for q in questions if not q.answerable])),
        },
        "decision_rule_mismatches": mismatches,
        "unprimed_encodes": embedder.misses,
        "calibration_sweep": calib_sweep,
        "seed_eval": {
            k: {key: v[key] for key in ("min_evidence", "passed", "total", "results")}
            for k, v in seed_runs.items()
        },
        "timing": timing,
        "machine": machine_info(),
        "question_fields": list(ROW_FIELDS),
        "questions": [[getattr(q, f) for f in ROW_FIELDS] for q in questions],
    }
    write_results(args.out, result, rows=("calibration_sweep", "questions"))
    plot = args.out.with_name("calibration_squad.png")
    plot_tradeoff(calib_sweep, chosen, plot, "SQuAD 2.0 (calibration half)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
