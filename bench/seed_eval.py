"""Seed evaluation: the public seed questions over the bundled sample corpus, with timings.

Run from the repository root::

    .venv/bin/python bench/seed_eval.py [--min-evidence X] [--repeats N]

Scoring per item: ``kind: answer`` passes when the answer text contains one term of every
``answer_terms`` group and some citation (its passage text or its sentence) contains one
of the ``evidence`` phrases; ``kind: none`` passes when the answer is not found. All
matching is case-insensitive substring matching.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
# Importing the project (its `index` package) switches hubs and telemetry off.

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402

from assistant.build import build_assistant, ensure_sample_corpus  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.types import Answer  # noqa: E402

log = logging.getLogger("bench.seed_eval")

SEED_DEV = REPO.parent / "shared" / "eval" / "seed_dev.jsonl"


@dataclass
class SeedResult:
    """The outcome of one seed item."""

    id: str
    kind: str
    passed: bool
    found: bool
    best_score: float
    answer: str


def load_items(path: Path) -> list[dict]:
    """The seed items of a JSONL file, in file order."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _contains(text: str, phrases: list[str]) -> bool:
    low = text.lower()
    return any(p.lower() in low for p in phrases)


def judge(item: dict, answer: Answer) -> bool:
    """Whether ``answer`` passes ``item`` under the seed scoring rule.

    Beyond the seed file's fields, items of ``bench/data/news_questions.jsonl`` may ask for:
    ``speaker`` (no citation is attributed to another person), ``evidence_all`` (each
    group of phrases is in some cited sentence: every article of a timeline/comparison),
    ``order: "date"`` (citations appear oldest first), ``first: true`` (the first citation
    holds the evidence: the answer leads with it) and ``kind: "not_attributed"`` (the answer
    says the person did not say it, or that the articles don't say).
    """
    if item["kind"] == "none":
        return not answer.found
    if item["kind"] == "not_attributed":
        return not answer.found or "do not attribute" in answer.text
    if not answer.found:
        return False
    terms_ok = all(_contains(answer.text, group) for group in item["answer_terms"])
    evidence_ok = any(
        _contains(c.passage.chunk.text, item["evidence"]) or _contains(c.sentence, item["evidence"])
        for c in answer.citations
    )
    if "speaker" in item:
        said = {c.speaker for c in answer.citations if c.speaker and c.speaker != "both sides"}
        evidence_ok = evidence_ok and said <= {item["speaker"]}
    for group in item.get("evidence_all", []):
        evidence_ok = evidence_ok and any(_contains(c.sentence, group) for c in answer.citations)
    if item.get("first"):
        lead = answer.citations[0] if answer.citations else None
        evidence_ok = evidence_ok and lead is not None and _contains(lead.sentence, item["evidence"])
    if item.get("order") == "date":
        dates = [c.passage.date for c in answer.citations if c.passage.date]
        evidence_ok = evidence_ok and dates == sorted(dates)
    return terms_ok and evidence_ok


def best_score(answer: Answer) -> float:
    """Evidence of the top-ranked sentence (first citation, or first closest passage)."""
    shown = answer.citations or answer.closest
    return shown[0].score if shown else 0.0


def ask_item(assistant: Assistant, item: dict) -> Answer:
    return assistant.ask(item["question"], conversation=item.get("conversation"))


def run_items(assistant: Assistant, items: list[dict]) -> tuple[list[SeedResult], list[float]]:
    """Ask every item once and judge it; also returns each ask's latency in ms."""
    results, latencies = [], []
    for item in items:
        start = time.perf_counter()
        answer = ask_item(assistant, item)
        latencies.append((time.perf_counter() - start) * 1000)
        results.append(
            SeedResult(
                id=item["id"],
                kind=item["kind"],
                passed=judge(item, answer),
                found=answer.found,
                best_score=round(best_score(answer), 4),
                answer=" ".join(answer.text.split()),
            )
        )
    return results, latencies


def percentile(values: list[float], q: float) -> float:
    """The ``q`` percentile (0..100) with linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def warm_up(assistant: Assistant) -> None:
    """Run the model and the store once without filling the answerer's sentence cache."""
    assistant.retrieve("warm-up query")
    assistant.library.embedder.encode(["warm-up sentence"])


def time_repeats(assistant: Assistant, items: list[dict], repeats: int) -> list[float]:
    """Latency in ms of ``repeats`` further asks of every item (sentence vectors now cached)."""
    latencies = []
    for _ in range(repeats):
        for item in items:
            start = time.perf_counter()
            ask_item(assistant, item)
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def markdown_table(results: list[SeedResult]) -> str:
    """The per-item results as a markdown table."""
    rows = [
        "| id | kind | pass | found | best score | answer (first 80 chars) |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        text = r.answer[:80].replace("|", "\\|")
        verdict = "PASS" if r.passed else "FAIL"
        rows.append(f"| {r.id} | {r.kind} | {verdict} | {r.found} | {r.best_score:.3f} | {text} |")
    return "\n".join(rows)


def evaluate(items: list[dict], min_evidence: float | None = None, repeats: int = 5) -> dict:
    """Index the sample corpus in a fresh home, answer every item and time it all."""
    with tempfile.TemporaryDirectory(prefix="newsqa-seed-") as tmp:
        overrides = {} if min_evidence is None else {"min_evidence": min_evidence}
        settings = Settings(home=Path(tmp), **overrides)
        start = time.perf_counter()
        assistant = build_assistant(settings)
        assistant.library.embedder.model  # noqa: B018 - load the model now, to time it apart
        loaded = time.perf_counter()
        ensure_sample_corpus(assistant.library)
        indexed = time.perf_counter()
        warm_up(assistant)
        results, first = run_items(assistant, items)
        again = time_repeats(assistant, items, repeats)
        stats = assistant.library.stats()
    return {
        "min_evidence": settings.min_evidence,
        "passed": sum(r.passed for r in results),
        "total": len(results),
        "results": [asdict(r) for r in results],
        "timing": {
            "model_load_s": loaded - start,
            "ingest_s": indexed - loaded,
            "ingest_with_model_load_s": indexed - start,
            "articles": stats["articles"],
            "chunks": stats["chunks"],
            "first_p50_ms": percentile(first, 50),
            "first_p95_ms": percentile(first, 95),
            "repeat_p50_ms": percentile(again, 50),
            "repeat_p95_ms": percentile(again, 95),
            "asks_timed": len(first) + len(again),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=SEED_DEV, help="seed JSONL file")
    parser.add_argument("--min-evidence", type=float, default=None, help="override the threshold")
    parser.add_argument("--repeats", type=int, default=5, help="timed asks per item after the first")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "index", "assistant"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    report = evaluate(load_items(args.questions), args.min_evidence, args.repeats)
    t = report["timing"]
    print(markdown_table([SeedResult(**r) for r in report["results"]]))
    print()
    print(f"**{report['passed']}/{report['total']} passed** at min_evidence = {report['min_evidence']}")
    print()
    print(
        f"Ingest of the sample corpus ({t['articles']} articles, {t['chunks']} chunks): "
        f"{t['ingest_with_model_load_s']:.2f} s including model load "
        f"({t['model_load_s']:.2f} s start-up and model load, {t['ingest_s']:.2f} s indexing)."
    )
    print(
        f"Answer latency over {t['asks_timed']} asks after a warm-up: first ask of each question "
        f"p50 {t['first_p50_ms']:.1f} ms / p95 {t['first_p95_ms']:.1f} ms; "
        f"{args.repeats} repeats each p50 {t['repeat_p50_ms']:.1f} ms / p95 {t['repeat_p95_ms']:.1f} ms."
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log.info("wrote %s", args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
