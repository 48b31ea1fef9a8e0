"""Generated answers from a real local model vs the extractive default, on the same questions.

The model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M (``scripts/fetch_model.py`` fetches it)
run in-process by llama.cpp (``NEWSQA_LLM=llamacpp``) — or any OpenAI-compatible endpoint
with ``--base-url``. Question sets:

- ``seed``: ../shared/eval/seed_dev.jsonl (7 answerable, 2 not, 1 follow-up), sample articles;
- ``news``: bench/data/news_questions.jsonl (attribution, timeline, comparison), sample articles;
- ``multihop``: the first ``--multihop`` MultiHop-RAG questions of a fixed draw (null queries
  are the unanswerable ones), over the 609 MultiHop-RAG articles (``bench/homes.py`` cache).

Run from the repository root (one command after ``scripts/fetch_model.py``)::

    .venv/bin/python bench/llm_answers.py [--sets seed,news,multihop] [--multihop 100] [--threads 1]

Reported per set, generated vs extractive: answerable questions answered with at least one
verified generated sentence; shown sentences flagged as unsupported; shown citations whose
passage holds the gold evidence; unanswerable questions refused; time to first token and
total time (median), generation speed, and the machine's load average while it ran (other
processes share the 2 cores). Raw answers go to bench/results/llm_answers.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from fetch_model import NAME, default_dir  # noqa: E402

from assistant.build import build_assistant, ensure_sample_corpus  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.types import Answer  # noqa: E402
from bench.homes import setup_run  # noqa: E402

SHARED = REPO.parent / "shared" / "eval"
SEED_DEV = SHARED / "seed_dev.jsonl"
NEWS = REPO / "bench" / "data" / "news_questions.jsonl"
MULTIHOP = SHARED / "external" / "multihop_rag"
RESULTS = REPO / "bench" / "results" / "llm_answers.json"


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def seed_items() -> list[dict]:
    return [i for i in jsonl(SEED_DEV) if "question" in i]


def multihop_items(n: int) -> list[dict]:
    """A fixed draw of MultiHop-RAG questions, about one in eight unanswerable (as in the file)."""
    raw = json.loads((MULTIHOP / "MultiHopRAG.json").read_text(encoding="utf-8"))
    order = list(range(len(raw)))
    random.Random(22).shuffle(order)
    items = []
    for i in order[:n]:
        r = raw[i]
        facts = [e["fact"] for e in r["evidence_list"]]
        kind = "none" if r["question_type"] == "null_query" else "answer"
        items.append({"id": f"mh{i:04d}", "question": r["query"], "kind": kind, "evidence": facts,
                      "type": r["question_type"]})  # fmt: skip
    return items


def holds(text: str, evidence: list[str]) -> bool:
    low = " ".join(text.lower().split())
    return any(" ".join(e.lower().split())[:80] in low for e in evidence)


def load() -> float:
    return round(os.getloadavg()[0], 1)


def ask(assistant: Assistant, item: dict) -> dict:
    """One question through ``assistant.stream``: the answer, timings and what was shown."""
    started, first, tokens, draft, answer = time.perf_counter(), None, 0, "", None
    load_before = load()
    for event in assistant.stream(item["question"], item.get("conversation")):
        if event.kind == "token":
            first = first or time.perf_counter()
            tokens += 1
            draft += event.text
        elif event.answer is not None:
            answer = event.answer
    ended = time.perf_counter()
    assert isinstance(answer, Answer)
    evidence = item.get("evidence") or []
    shown = [s for s in answer.statements] if answer.mode == "generated" else []
    return {
        "id": item["id"], "kind": item["kind"], "question": item["question"], "mode": answer.mode,
        "found": answer.found, "notice": answer.notice, "called_model": first is not None,
        "ttft_s": round(first - started, 2) if first else None, "total_s": round(ended - started, 2),
        "tokens": tokens,
        "tokens_per_s": round((tokens - 1) / (ended - first), 2) if first and tokens > 1 else None,
        "load": [load_before, load()],
        "verified_sentences": sum(s.verified for s in shown),
        "flagged_sentences": sum(not s.verified for s in shown),
        "citations": len(answer.citations),
        "citations_with_evidence": sum(holds(c.passage.chunk.text, evidence) for c in answer.citations),
        "draft": draft, "answer": answer.text,
        "statements": [{"text": s.text, "verified": s.verified, "problem": s.problem, "support": s.support,
                        "similarity": s.similarity} for s in shown],
    }  # fmt: skip


def share(a: int, b: int) -> str:
    return f"{a / b:.0%} ({a}/{b})" if b else "–"


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "–"


def summarise(rows: list[dict], generated: bool) -> dict[str, str]:
    answerable = [r for r in rows if r["kind"] == "answer"]
    none = [r for r in rows if r["kind"] == "none"]
    cited = sum(r["citations"] for r in answerable)
    out = {
        "questions (answerable / not)": f"{len(answerable)} / {len(none)}",
        "answerable answered": share(sum(r["found"] for r in answerable), len(answerable)),
        "citations shown holding the gold evidence": share(
            sum(r["citations_with_evidence"] for r in answerable), cited),
        "unanswerable refused": share(sum(not r["found"] for r in none), len(none)),
        "total time, median (s)": median([r["total_s"] for r in rows]),
    }  # fmt: skip
    if generated:
        shown = sum(r["verified_sentences"] + r["flagged_sentences"] for r in rows)
        out |= {
            "answerable with ≥1 verified generated sentence": share(
                sum(r["mode"] == "generated" and r["verified_sentences"] > 0 for r in answerable),
                len(answerable),
            ),
            "fell back to extractive": share(
                sum(r["mode"] == "fallback" for r in answerable), len(answerable)
            ),
            "shown generated sentences flagged unsupported": share(
                sum(r["flagged_sentences"] for r in rows), shown
            ),
            "unanswerable given a generated answer": share(
                sum(r["mode"] == "generated" for r in none), len(none)
            ),
            "time to first token, median (s)": median([r["ttft_s"] for r in rows if r["ttft_s"]]),
            "generation speed, median (tokens/s)": median(
                [r["tokens_per_s"] for r in rows if r["tokens_per_s"]]
            ),
            "load average while answering, median": median([r["load"][1] for r in rows]),
        }
    return out


def table(result: dict) -> str:
    lines = [
        f"# Generated answers ({result['model']}) vs extractive",
        "",
        f"{result['when']}; {result['machine']}; llama.cpp threads {result['threads']}; "
        f"output {result['output']}. Other processes shared the CPU: see the load averages.",
        "",
    ]
    for name, sets in result["sets"].items():
        gen, ext = summarise(sets["generated"], True), summarise(sets["extractive"], False)
        lines += [f"## {name}", "", "| measure | generated | extractive |", "|---|---|---|"]
        lines += [f"| {k} | {v} | {ext.get(k, '')} |" for k, v in gen.items()]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=default_dir() / NAME, help="the GGUF file")
    parser.add_argument("--base-url", help="an OpenAI-compatible endpoint instead of llama.cpp in-process")
    parser.add_argument("--threads", type=int, default=1, help="llama.cpp threads (default 1: see README)")
    parser.add_argument("--sets", default="seed,news,multihop")
    parser.add_argument("--multihop", type=int, default=100, help="MultiHop-RAG questions")
    parser.add_argument("--limit", type=int, default=0, help="at most this many questions per set (0: all)")
    parser.add_argument(
        "--output", default="auto", choices=("auto", "text"), help="JSON-constrained or free text"
    )
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help="raw answers (the table goes beside it, .md)"
    )
    args = parser.parse_args()
    setup_run(1)
    if not args.base_url and not args.model.is_file():
        raise SystemExit(
            f"error: no model at {args.model}; run .venv/bin/python scripts/fetch_model.py first"
        )
    llm = {"llm": "openai", "llm_base_url": args.base_url} if args.base_url else {
        "llm": "llamacpp", "llm_model_path": args.model, "llm_threads": args.threads}  # fmt: skip
    result = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "model": args.base_url or args.model.name, "threads": args.threads, "output": args.output,
        "sets": {},
    }  # fmt: skip
    chosen = args.sets.split(",")
    with tempfile.TemporaryDirectory(prefix="newsqa-llm-bench-") as tmp:
        settings = Settings(home=Path(tmp) / "home", llm_timeout=600, llm_max_tokens=args.max_tokens, **llm)
        jobs: list[tuple[str, list[dict], Assistant]] = []
        if {"seed", "news"} & set(chosen):
            sample = build_assistant(settings)
            ensure_sample_corpus(sample.library)
            if "seed" in chosen:
                jobs.append(("seed", seed_items(), sample))
            if "news" in chosen:
                jobs.append(("news", jsonl(NEWS), sample))
        if "multihop" in chosen:
            from bench.calibrate_multihop import load_corpus
            from bench.homes import indexed_library

            library, _ = indexed_library("multihop", load_corpus(MULTIHOP / "corpus.json"))
            jobs.append(
                ("multihop", multihop_items(args.multihop), build_assistant(settings, library=library))
            )
        for name, items, assistant in jobs:
            assistant.generator.output = args.output
            assistant.warm_up()
            extractive = Assistant(assistant.library, assistant.retriever, assistant.answerer, generator=None)
            items = items[: args.limit] if args.limit else items
            rows = {"generated": [], "extractive": []}
            for i, item in enumerate(items, 1):
                rows["extractive"].append(ask(extractive, item))
                rows["generated"].append(row := ask(assistant, item))
                print(f"{name} {i}/{len(items)} {item['id']}: {row['mode']} in {row['total_s']} s "
                      f"(load {row['load'][1]})", flush=True)  # fmt: skip
                result["sets"][name] = rows
                args.out.write_text(
                    json.dumps(result, indent=1, ensure_ascii=False)
                )  # partial results survive
    args.out.with_suffix(".md").write_text(table(result) + "\n")
    print(table(result))
    print(f"\nwrote {args.out} and {args.out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
