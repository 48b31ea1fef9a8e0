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
    .venv/bin/python bench/llm_answers.py --base-url http://127.0.0.1:11434/v1 --model-name qwen2.5:7b

Reported per set, generated vs extractive: answerable questions answered with at least one
verified generated sentence; shown sentences flagged as unsupported; whether the sentences
shown as verified are supported, judged without the verifier — by ``bench/llm_judge.py``
(the labelled set's kinds checked by words against the cited passages) and by hand labels
of the labelled set's kinds (``bench/data/llm_answers_labels.jsonl``, for the sentences of
the committed run; a new sentence counts as unlabelled); answers holding the gold answer
(MultiHop-RAG's answer when it is a name, not yes/no; the seed and news sets' answer terms);
shown citations whose passage holds the gold evidence; unanswerable questions refused;
time to first token and total time (median), generation speed, and the machine's load
average while it ran (other processes share the 2 cores). Raw answers go to
bench/results/llm_answers.json; ``--report`` renders the table again from them.

``--rescore`` checks the saved verified sentences again with the current verifier, without
the model, with and without its word check (``MAX_NEW_TERMS``), and counts them against the
hand labels (bench/results/llm_rescore.md). The cited passages are found again by chunking
their articles as the product does (else rebuilt from the saved text), so "before" is the
current verifier without the word check, not the saved verdict.
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
LABELS = REPO / "bench" / "data" / "llm_answers_labels.jsonl"
FAITHFUL = ("verbatim", "shortened", "paraphrase", "merged")


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
                      "type": r["question_type"], "gold": r["answer"]})  # fmt: skip
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
                        "similarity": s.similarity, "markers": list(s.markers)} for s in shown],
        "cited": [{"n": c.n, "sentence": c.sentence, "article": c.passage.chunk.article_id,
                   "title": c.passage.title, "passage": c.passage.chunk.text} for c in answer.citations],
        "gold": item.get("gold"), "evidence": evidence, "answer_terms": item.get("answer_terms"),
    }  # fmt: skip


def holds_gold(row: dict) -> bool | None:
    """Does the answer name the gold answer? None where the set has no usable gold (yes/no)."""
    text = " ".join(row["answer"].lower().replace("’", "'").split())
    gold = (row.get("gold") or "").strip().rstrip(".").lower()
    if gold:
        return None if gold in ("yes", "no", "insufficient information") else gold in text
    groups = row.get("answer_terms") or []
    return all(any(t.lower() in text for t in group) for group in groups) if groups else None


def judge_rows(result: dict) -> None:
    """Each verified generated sentence judged without the verifier: by bench/llm_judge.py
    against the passages it cites, and by its hand label where the labels file has one."""
    from bench.llm_judge import judge_many

    labels = {}
    if LABELS.is_file():
        for label in jsonl(LABELS):
            labels[(label["id"], " ".join(label["sentence"].split()))] = label
    pending = []
    for rows in result["sets"].values():
        for row in rows["generated"]:
            cited = {c["n"]: c["passage"] for c in row.get("cited", [])}
            for s in row["statements"]:
                label = labels.get((row["id"], " ".join(s["text"].split())))
                s["label"] = label["label"] if label else None
                s["answers"] = label.get("answers") if label else None
                if s["verified"]:
                    markers = [m for m in s.get("markers", []) if m in cited]
                    pending.append((s, None, (s["text"], [cited[m] for m in markers])))
                    pending += [(s, m, (s["text"], [cited[m]])) for m in markers]
    verdicts = judge_many([p for _, _, p in pending])
    for (s, marker, _), verdict in zip(pending, verdicts, strict=True):
        seen = {"supported": verdict.supported, "kinds": list(verdict.kinds), "detail": verdict.detail}
        if marker is None:
            s["judge"] = seen
        else:  # each citation on its own: does the passage of [n] alone support the sentence?
            s.setdefault("judge_by_marker", {})[str(marker)] = seen


def share(a: int, b: int) -> str:
    return f"{a / b:.0%} ({a}/{b})" if b else "–"


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "–"


def summarise(rows: list[dict], generated: bool) -> dict[str, str]:
    answerable = [r for r in rows if r["kind"] == "answer"]
    none = [r for r in rows if r["kind"] == "none"]
    cited = sum(r["citations"] for r in answerable)
    gold = [holds_gold(r) for r in answerable]
    out = {
        "questions (answerable / not)": f"{len(answerable)} / {len(none)}",
        "answerable answered": share(sum(r["found"] for r in answerable), len(answerable)),
        "citations shown holding the gold evidence": share(
            sum(r["citations_with_evidence"] for r in answerable), cited),
        "answer holds the gold answer (names / answer terms)": share(
            sum(g is True for g in gold), sum(g is not None for g in gold)),
        "unanswerable refused": share(sum(not r["found"] for r in none), len(none)),
        "total time, median (s)": median([r["total_s"] for r in rows]),
    }  # fmt: skip
    if generated:
        verified = [s for r in rows for s in r["statements"] if s["verified"]]
        labelled = [s for s in verified if s.get("label")]
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
            "verified sentences supported by the word judge (bench/llm_judge.py)": share(
                sum(s.get("judge", {}).get("supported", False) for s in verified), len(verified)
            ),
            "their citations whose own passage supports the sentence (word judge)": share(
                sum(j["supported"] for s in verified for j in s.get("judge_by_marker", {}).values()),
                sum(len(s.get("judge_by_marker", {})) for s in verified),
            ),
            "verified sentences hand-labelled supported": share(
                sum(s.get("label") in FAITHFUL for s in labelled), len(labelled)
            )
            + (f", {len(verified) - len(labelled)} unlabelled" if len(labelled) < len(verified) else ""),
            "hand-labelled verified sentences that answer the question (partly)": share(
                sum(s.get("answers") == "yes" for s in labelled), len(labelled)
            )
            + f" ({sum(s.get('answers') == 'partly' for s in labelled)})",
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


def judge_accuracy() -> str:
    """The word judge's held-out accuracy from bench/results/llm_judge.json, in words."""
    from bench.llm_judge import RESULTS as JUDGE

    if not JUDGE.is_file():
        return "has not been measured (run bench/llm_judge.py)"
    measured = json.loads(JUDGE.read_text(encoding="utf-8"))
    cells = measured["by_allowed_new"][str(measured["chosen"])]["heldout"]
    (fa, fn), (ua, un) = cells["all faithful"], cells["all unfaithful"]
    return f"accepts {fa / fn:.0%} of the faithful claims and rejects {ua / un:.0%} of the unfaithful"


def table(result: dict) -> str:
    lines = [
        f"# Generated answers ({result['model']}) vs extractive",
        "",
        f"{result['when']}; {result['machine']}; llama.cpp threads {result['threads']}; "
        f"output {result['output']}. Other processes shared the CPU: see the load averages.",
        "",
        "*Supported* is judged without the verifier: by `bench/llm_judge.py` (each unfaithful kind of",
        "the verifier's labelled set checked by words against the cited passages; on the labelled",
        f"set's held-out half it {judge_accuracy()})",
        "and by hand labels of the same kinds (`bench/data/llm_answers_labels.jsonl`, written for",
        "this run after reading the passages, with the word judge's verdict in view). *Answer the",
        "question*: a supported sentence that gives what was asked (hand label). Gold answer:",
        "MultiHop-RAG's answer where it is a name (not yes/no), the other sets' answer terms; the",
        "generated column counts what was shown, the fallback's quotes included.",
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
    parser.add_argument(
        "--model-name", default="", help="the model the endpoint serves (vLLM, Ollama, OpenAI)"
    )
    parser.add_argument("--threads", type=int, default=1, help="llama.cpp threads (default 1: see README)")
    parser.add_argument("--sets", default="seed,news,multihop")
    parser.add_argument("--multihop", type=int, default=100, help="MultiHop-RAG questions")
    parser.add_argument("--limit", type=int, default=0, help="at most this many questions per set (0: all)")
    parser.add_argument(
        "--output", default="auto", choices=("auto", "json", "text"), help="JSON-constrained or free text"
    )
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help="raw answers (the table goes beside it, .md)"
    )
    parser.add_argument("--report", action="store_true", help="only judge and tabulate the answers in --out")
    parser.add_argument("--rescore", action="store_true", help="re-verify the saved sentences (see above)")
    args = parser.parse_args()
    if args.rescore:
        rescore(json.loads(args.out.read_text(encoding="utf-8")), args.out.with_name("llm_rescore.md"))
        return
    if args.report:
        report(json.loads(args.out.read_text(encoding="utf-8")), args.out)
        return
    setup_run(1)
    if not args.base_url and not args.model.is_file():
        raise SystemExit(
            f"error: no model at {args.model}; run .venv/bin/python scripts/fetch_model.py first"
        )
    if args.base_url:
        llm = {"llm": "openai", "llm_base_url": args.base_url, "llm_model": args.model_name}
        name = f"{args.model_name or 'the model'} at {args.base_url}"
    else:
        llm = {"llm": "llamacpp", "llm_model_path": args.model, "llm_threads": args.threads}
        name = args.model.name
    result = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "model": name, "threads": args.threads, "output": args.output,
        "sets": {},
    }  # fmt: skip
    chosen = args.sets.split(",")
    with tempfile.TemporaryDirectory(prefix="newsqa-llm-bench-") as tmp:
        settings = Settings(
            home=Path(tmp) / "home",
            llm_timeout=600,
            llm_max_tokens=args.max_tokens,
            llm_output=args.output,
            **llm,
        )
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
    report(result, args.out)


def report(result: dict, out: Path) -> None:
    """Judge the verified sentences, store them with the raw answers, write the table beside."""
    judge_rows(result)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    out.with_suffix(".md").write_text(table(result) + "\n")
    print(table(result))
    print(f"\nwrote {out} and {out.with_suffix('.md')}")


def rescore(result: dict, out: Path) -> None:
    """The saved verified sentences verified again, without and with the word check, per hand label."""
    from assistant.verify import MAX_NEW_TERMS, CitationVerifier
    from bench.calibrate_multihop import load_corpus
    from bench.verifier_set import load_articles
    from index.build import build_library
    from index.chunk import split_sentences
    from index.types import Chunk, Passage, Sentence

    labels = (
        {(x["id"], " ".join(x["sentence"].split())): x for x in jsonl(LABELS)} if LABELS.is_file() else {}
    )
    articles = {a.id: a for a, _ in load_articles()}
    articles.update({a.id: a for a in load_corpus(MULTIHOP / "corpus.json")})
    with tempfile.TemporaryDirectory(prefix="newsqa-rescore-") as tmp:
        library = build_library(Settings(home=Path(tmp) / "home"))
        before = CitationVerifier(library.embedder, max_new_terms=None)
        after = CitationVerifier(library.embedder, max_new_terms=MAX_NEW_TERMS)
        chunks: dict[str, list[Chunk]] = {}

        def passage(cited: dict) -> tuple[Passage, bool]:
            """The cited passage as the product indexed it (sentences, speakers, source, date);
            rebuilt from the saved text (no speakers, source or date) if its article is not found."""
            article = articles.get(cited["article"])
            if article is not None:
                if article.id not in chunks:
                    chunks[article.id] = library.chunk(article)
                for chunk in chunks[article.id]:
                    if " ".join(chunk.text.split()) == " ".join(cited["passage"].split()):
                        return Passage(chunk=chunk, title=article.title, date=article.date,
                                       source=article.source, url=article.url), True  # fmt: skip
            text = cited["passage"]
            spans = tuple(Sentence(start=a, end=b) for a, b in split_sentences(text))
            chunk = Chunk(
                article_id=cited["article"], position=0, start=0, end=len(text), text=text, sentences=spans
            )
            return Passage(chunk=chunk, title=cited["title"]), False

        rows = []
        for set_name, runs in result["sets"].items():
            for row in runs["generated"]:
                passages = {c["n"]: passage(c) for c in row.get("cited", [])}
                for s in row["statements"]:
                    markers = [m for m in s.get("markers", []) if m in passages]
                    if not s["verified"] or not markers:
                        continue
                    cited = [passages[m][0] for m in markers]
                    text = f"{s['text'].rstrip()} " + "".join(f"[{i}]" for i in range(1, len(cited) + 1))
                    label = labels.get((row["id"], " ".join(s["text"].split())))
                    was, now = before.check(text, cited)[0], after.check(text, cited)[0]
                    rows.append({
                        "set": set_name, "id": row["id"], "text": s["text"],
                        "label": label["label"] if label else None,
                        "indexed": all(passages[m][1] for m in markers),
                        "before": was.verified, "after": now.verified, "problem": now.problem,
                        "markers": [len(was.markers), len(now.markers)],
                    })  # fmt: skip
    supported = [r for r in rows if r["label"] in FAITHFUL]
    unsupported = [r for r in rows if r["label"] and r["label"] not in FAITHFUL]
    lines = [
        "# Saved verified sentences of the 1.5B model, verified again (`bench/llm_answers.py --rescore`)",
        "",
        f"The {len(rows)} sentences shown as verified in {result['when']}'s run "
        "(bench/results/llm_answers.json), checked again against the passages they cited, found again",
        f"by chunking their articles as the product does ({sum(r['indexed'] for r in rows)} of {len(rows)}; "
        "the others rebuilt from the saved text, without speakers, source or date); hand labels from",
        "bench/data/llm_answers_labels.jsonl. *Before*: the",
        f"current verifier without the word check; *after*: at most {MAX_NEW_TERMS} content terms of the",
        "sentence absent from the cited passage.",
        "",
        "| hand label | n | verified before | verified after |",
        "|---|---|---|---|",
    ]
    for name, group in (("supported (faithful kinds)", supported), ("unsupported", unsupported)):
        was, now = sum(r["before"] for r in group), sum(r["after"] for r in group)
        lines.append(f"| {name} | {len(group)} | {was} | {now} |")
    kept = sum(r["markers"][0] for r in rows)
    lines += [
        "",
        f"Citations of these sentences kept: {kept} before, {sum(r['markers'][1] for r in rows)} after.",
        "",
        "Sentences the word check rejects:",
        "",
    ]
    lines += [
        f"- {r['set']} {r['id']} ({r['label']}): {r['text']} — {r['problem']}"
        for r in rows
        if r["before"] and not r["after"]
    ]
    out.write_text("\n".join(lines) + "\n")
    out.with_suffix(".json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
