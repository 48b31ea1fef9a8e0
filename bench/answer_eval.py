"""Answer quality of ``Assistant.ask`` (shipped defaults, extractive) on public question sets.

Run from the repository root (data from ``../shared/eval/``)::

    .venv/bin/python bench/answer_eval.py                                 # every part
    .venv/bin/python bench/answer_eval.py --parts seed,news --limit 5     # quick run
    .venv/bin/python bench/answer_eval.py --code /tmp/answer-before --label before
    .venv/bin/python bench/answer_eval.py --report-only                   # redo table and plots

Parts (``--parts``; ``--limit N`` asks at most N questions per part):

- ``squad``: a seeded sample of SQuAD 2.0 dev titles, every paragraph of them ingested as an
  article in a temporary home, and a balanced sample of their questions
  (``bench.calibrate_threshold.sample``). Answer hit: the answer is found and its text
  contains a gold span (case/whitespace-normalised); also whether a cited sentence contains
  one; refusal balanced accuracy of found (answerable) vs not found (unanswerable).
- ``multihop``: MultiHop-RAG ``inference_query`` questions (gold answers are entities) and
  ``null_query`` ones over the 609-article library the MultiHop benches build
  (``bench.homes.indexed_library``, reused once built). Hit: the answer is found and its
  text names the gold entity; null queries pass when refused.
- ``seed`` and ``news``: ``../shared/eval/seed_dev.jsonl`` and ``bench/data/news_questions.jsonl``
  over the bundled sample corpus, judged by ``bench.seed_eval.judge``.
- ``news_dev``: ``../shared/eval/news_dev.jsonl`` over the MultiHop-RAG library, judged by
  the same rule (answer items: a citation holds an ``evidence`` phrase and the answer text a
  term of every ``answer_terms`` group; ``none`` items pass when not found), reported per
  kind and per note tag ([speaker], [number], ...).

``--code DIR`` answers with the ``assistant``/``index`` packages of another checkout (e.g. a
``git worktree`` of an older commit) while this file and the other benches stay this
checkout's; ``--label before`` writes ``bench/results/answer_eval_before.json``. A run
replaces the parts it ran in its label's JSON and per-question ``*_raw.jsonl`` and keeps the
others; then ``answer_eval.md`` and the plots compare "before" and "current" side by side
(``bench/answer_eval_report.py``); ``--rescore`` recomputes saved metrics from the raw rows.
A question that takes over ``--timeout`` seconds or raises is recorded as not found
(``error``, counted in the report) and the run goes on. ``--embedder-backend`` overrides the
shipped embedder runtime (recorded per part; e.g. ``onnx-int8`` to reuse that MultiHop home
while the torch one is built).

On 2 busy cores: squad (20 titles, 680 paragraphs, 800 questions) ~12 min, multihop (816
inference + 301 null) ~10 min once the library exists (building it: ~30 min), the rest ~1 min.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
import bench  # noqa: E402,F401  (bench.* resolve here even when --code puts another tree first)


def _code_dir(argv: list[str]) -> Path | None:
    """The ``--code`` argument, read before the project is imported."""
    for i, arg in enumerate(argv):
        if arg == "--code" and i + 1 < len(argv):
            return Path(argv[i + 1]).resolve()
        if arg.startswith("--code="):
            return Path(arg.split("=", 1)[1]).resolve()
    return None


CODE = _code_dir(sys.argv[1:]) if __name__ == "__main__" else None
if CODE is not None:
    sys.path.insert(0, str(CODE))
# Importing the project (its `index` package) switches hubs and telemetry off.

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from collections.abc import Callable, Iterable, Sequence  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402

from assistant.build import build_assistant, build_library, ensure_sample_corpus  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.types import Answer  # noqa: E402
from bench import answer_eval_report, seed_eval  # noqa: E402
from bench.calibrate_multihop import DATA, NULL_TYPE, article_id, load_corpus  # noqa: E402
from bench.calibrate_threshold import SQUAD, machine_info, sample, squad_articles  # noqa: E402
from bench.homes import CACHE, home_key, indexed_library, setup_run  # noqa: E402
from bench.retrieval_multihop import evenly  # noqa: E402
from index.embed import SentenceEmbedder  # noqa: E402

log = logging.getLogger("bench.answer_eval")

RESULTS = REPO / "bench" / "results"
NEWS_QUESTIONS = REPO / "bench" / "data" / "news_questions.jsonl"
NEWS_DEV = REPO.parent / "shared" / "eval" / "news_dev.jsonl"
PARTS = ("squad", "multihop", "seed", "news", "news_dev")
INFERENCE_TYPE = "inference_query"
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


@dataclass
class Row:
    """One asked question: what was asked, what came back, and how it was judged."""

    part: str
    id: str
    group: str  # answerable/unanswerable, inference/null, answer/none, a family...
    question: str
    answer: str
    found: bool
    passed: bool
    seconds: float
    checks: dict[str, bool] = field(default_factory=dict)  # further per-question verdicts
    tags: list[str] = field(default_factory=list)
    gold: list[str] = field(default_factory=list)
    conversation: list[str] | None = None
    cited: list[str] = field(default_factory=list)  # the cited sentences, in marker order
    error: str = ""  # e.g. the ask timed out: counted as not found and failed
    words: int | None = None  # length of the whole answer text (the saved text is capped)


# --- Scoring ----------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Text compared case- and whitespace-insensitively (typographic quotes made plain)."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(QUOTES).casefold().split())


def contains(text: str, spans: Iterable[str]) -> bool:
    """Whether the normalised ``text`` contains some normalised span."""
    low = normalise(text)
    return any(s and s in low for s in map(normalise, spans))


def balanced_accuracy(rows: Sequence[Row], answerable: Callable[[Row], bool]) -> float | None:
    """Mean of "found" on answerable rows and "not found" on the others."""
    pos = [r.found for r in rows if answerable(r)]
    neg = [not r.found for r in rows if not answerable(r)]
    if not pos or not neg:
        return None
    return (sum(pos) / len(pos) + sum(neg) / len(neg)) / 2


def share(rows: Sequence[Row], test: Callable[[Row], bool]) -> dict:
    """``{"value": share of rows passing test, "n": rows}`` (value None when there are none)."""
    return {"value": sum(map(test, rows)) / len(rows) if rows else None, "n": len(rows)}


def median_words(rows: Sequence[Row]) -> dict:
    """Median length in words of the found answers' text (markers included)."""
    words = [r.words if r.words is not None else len(r.answer.split()) for r in rows if r.found]
    return {"value": seed_eval.percentile(words, 50) if words else None, "n": len(words), "unit": "words"}


def note_tags(note: str) -> list[str]:
    """The leading ``[tag]`` labels of a news_dev note, e.g. ``["speaker", "title-only"]``."""
    head = re.match(r"\s*((?:\[[^\]]+\])+)", note or "")
    return re.findall(r"\[([^\]]+)\]", head.group(1)) if head else []


# --- Asking -----------------------------------------------------------------------------------


class QuestionTimeout(Exception):
    """An ask ran longer than ``TIMEOUT_S``."""


def _alarm(signum: int, frame: object) -> None:
    raise QuestionTimeout


TIMEOUT_S = 120.0  # one hung question must not stop the run (set by --timeout; 0: none)


def ask(
    assistant: Assistant, part: str, qid: str, question: str, conversation: list[str] | None = None
) -> tuple[Answer, Row]:
    """Ask once; the Row has the answer filled in and the verdicts left for the caller.

    An ask that runs over ``TIMEOUT_S`` (the main thread's alarm) or raises becomes a
    not-found answer with ``error`` set, so the rest of the run goes on.
    """
    error = ""
    start = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _alarm) if TIMEOUT_S else None
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT_S)
    try:
        answer = assistant.ask(question, conversation=conversation)
    except QuestionTimeout:
        error = f"timed out after {TIMEOUT_S:g} s"
    except Exception as exc:  # noqa: BLE001 - a crash is a failed question, not a failed run
        error = f"{type(exc).__name__}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if previous is not None:
            signal.signal(signal.SIGALRM, previous)
    if error:
        answer = Answer(question=question, text=f"({error})", found=False)
        log.warning("%s %s: %s: %s", part, qid, error, question)
    seconds = time.perf_counter() - start
    row = Row(
        part=part,
        id=qid,
        group="",
        question=question,
        answer=" ".join(answer.text.split()),
        found=answer.found,
        passed=False,
        seconds=round(seconds, 3),
        conversation=conversation,
        cited=[" ".join(c.sentence.split()) for c in answer.citations],
        error=error,
        words=len(answer.text.split()),
    )
    return answer, row


def progress(part: str, i: int, total: int, started: float) -> None:
    if i % 50 == 0 or i == total:
        log.info("%s: %d/%d asked (%.2f s/question)", part, i, total, (time.perf_counter() - started) / i)


def limited(items: list, limit: int | None, seed: int) -> list:
    """All items, or ``limit`` of them drawn with ``seed`` (kept in their original order)."""
    if limit is None or limit >= len(items):
        return items
    keep = set(random.Random(seed).sample(range(len(items)), limit))
    return [x for i, x in enumerate(items) if i in keep]


# --- Parts ------------------------------------------------------------------------------------


def run_squad(
    titles: int,
    questions: int,
    seed: int,
    limit: int | None,
    embedder: SentenceEmbedder | None = None,
    overrides: dict | None = None,
) -> tuple[list[Row], dict]:
    """SQuAD 2.0 dev: ingest every paragraph of ``titles`` seeded titles, ask their questions.

    ``embedder``: an already loaded one to share (tests); by default the settings' own.
    """
    data = json.loads(SQUAD.read_text(encoding="utf-8"))["data"]
    articles, sampled = sample(data, titles, questions, seed)
    if limit is not None:  # half of each class, so a quick run still measures both
        answerable = [q for q in sampled if q.answerable]
        others = [q for q in sampled if not q.answerable]
        sampled = limited(answerable, (limit + 1) // 2, seed) + limited(others, limit // 2, seed)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="newsqa-answer-squad-") as tmp:
        settings = Settings(home=Path(tmp), **(overrides or {}))
        assistant = build_assistant(settings, build_library(settings, embedder))
        assistant.warm_up()
        t0 = time.perf_counter()
        report = assistant.library.add_articles(squad_articles(articles))
        index_s = time.perf_counter() - t0
        log.info(
            "squad: indexed %d paragraphs of %d titles in %.0f s", len(report.added), len(articles), index_s
        )
        started = time.perf_counter()
        for i, q in enumerate(sampled, 1):
            answer, row = ask(assistant, "squad", q.id, q.question)
            row.group = "answerable" if q.answerable else "unanswerable"
            row.gold = q.gold
            row.checks = {
                "answer_has_gold": q.answerable and answer.found and contains(answer.text, q.gold),
                "cited_sentence_has_gold": q.answerable
                and answer.found
                and any(contains(c.sentence, q.gold) for c in answer.citations),
                "own_paragraph_cited": any(c.passage.article_id == q.paragraph for c in answer.citations),
            }
            row.passed = row.checks["answer_has_gold"] if q.answerable else not answer.found
            rows.append(row)
            progress("squad", i, len(sampled), started)
    info = {
        "titles": [a["title"] for a in articles],
        "paragraphs": len(report.added),
        "index_s": round(index_s, 1),
    }
    return rows, info


def squad_metrics(rows: Sequence[Row]) -> dict:
    ans = [r for r in rows if r.group == "answerable"]
    una = [r for r in rows if r.group == "unanswerable"]
    bacc = balanced_accuracy(rows, lambda r: r.group == "answerable")
    return {
        "answer_has_gold": share(ans, lambda r: r.checks["answer_has_gold"]),
        "cited_sentence_has_gold": share(ans, lambda r: r.checks["cited_sentence_has_gold"]),
        "own_paragraph_cited": share(ans, lambda r: r.checks["own_paragraph_cited"]),
        "answerable_found": share(ans, lambda r: r.found),
        "unanswerable_refused": share(una, lambda r: not r.found),
        "refusal_balanced_accuracy": {"value": bacc, "n": len(rows), "balanced": True},
        "answer_words_median": median_words(rows),
    }


def wait_for_other_build(home: Path, max_wait_s: float = 3600) -> None:
    """Wait while another live process is still building ``home`` (never start it over)."""
    owner = home / "write.lock.owner"
    waited = 0.0
    while home.exists() and not (home / "complete.json").exists() and owner.exists():
        try:
            pid = json.loads(owner.read_text())["pid"]
            os.kill(pid, 0)
        except (OSError, ValueError, KeyError):
            return  # no live builder: indexed_library starts it over
        if pid == os.getpid() or waited > max_wait_s:
            return
        log.info("waiting for process %d to finish building %s", pid, home)
        time.sleep(30)
        waited += 30


def multihop_assistant(settings: Settings) -> tuple[Assistant, list]:
    """The assistant over the 609 MultiHop-RAG articles (the cached home of the MultiHop benches)."""
    articles = load_corpus(DATA / "corpus.json")
    wait_for_other_build(CACHE / f"multihop-{home_key(articles, settings)}")
    library, built_s = indexed_library("multihop", articles, settings)
    if built_s is not None:
        log.info("multihop: indexed %d articles in %.0f s", len(articles), built_s)
    assistant = build_assistant(settings.model_copy(update={"home": library.home}), library)
    assistant.warm_up()
    return assistant, articles


def run_multihop(
    assistant: Assistant, inference: int | None, nulls: int | None, limit: int | None, seed: int
) -> tuple[list[Row], dict]:
    """Inference queries (answer names the gold entity) and null queries (refused)."""
    raw = json.loads((DATA / "MultiHopRAG.json").read_text(encoding="utf-8"))
    half = len(raw) // 2
    pool = [(i, r) for i, r in enumerate(raw) if r["question_type"] in (INFERENCE_TYPE, NULL_TYPE)]
    chosen = evenly([p for p in pool if p[1]["question_type"] == INFERENCE_TYPE], inference)
    chosen += evenly([p for p in pool if p[1]["question_type"] == NULL_TYPE], nulls)
    chosen = limited(sorted(chosen, key=lambda p: p[0]), limit, seed)
    rows: list[Row] = []
    started = time.perf_counter()
    for n, (i, r) in enumerate(chosen, 1):
        answer, row = ask(assistant, "multihop", f"q{i:04d}", r["query"])
        null = r["question_type"] == NULL_TYPE
        row.group = "null" if null else "inference"
        row.tags = ["held_out" if i >= half else "first_half"]
        row.gold = [] if null else [r["answer"]]
        if null:
            row.passed = not answer.found
        else:
            row.checks = {
                "cited_sentence_has_gold": answer.found
                and any(contains(c.sentence, row.gold) for c in answer.citations),
                "evidence_article_cited": bool(
                    {c.passage.article_id for c in answer.citations}
                    & {article_id(e["url"]) for e in r["evidence_list"]}
                ),
            }
            row.passed = answer.found and contains(answer.text, row.gold)
        rows.append(row)
        progress("multihop", n, len(chosen), started)
    return rows, {"first_held_out_index": half}


def multihop_metrics(rows: Sequence[Row]) -> dict:
    inf = [r for r in rows if r.group == "inference"]
    out = {
        "inference_answer_has_gold": share(inf, lambda r: r.passed),
        "inference_cited_sentence_has_gold": share(inf, lambda r: r.checks["cited_sentence_has_gold"]),
        "inference_evidence_article_cited": share(inf, lambda r: r.checks["evidence_article_cited"]),
        "inference_found": share(inf, lambda r: r.found),
        "null_refused": share([r for r in rows if r.group == "null"], lambda r: r.passed),
        "refusal_balanced_accuracy": {
            "value": balanced_accuracy(rows, lambda r: r.group == "inference"),
            "n": len(rows),
            "balanced": True,
        },
        "answer_words_median": median_words(rows),
    }
    for half in ("first_half", "held_out"):
        out[f"inference_answer_has_gold/{half}"] = share(
            [r for r in inf if half in r.tags], lambda r: r.passed
        )
    return out


def run_judged(
    assistant: Assistant,
    part: str,
    items: list[dict],
    group: Callable[[dict], str],
    articles: dict | None = None,
) -> list[Row]:
    """Items judged by ``bench.seed_eval.judge`` (seed, news and news_dev questions)."""
    rows = []
    started = time.perf_counter()
    for n, item in enumerate(items, 1):
        answer, row = ask(assistant, part, item["id"], item["question"], item.get("conversation"))
        row.group = group(item)
        row.tags = note_tags(item.get("note", ""))
        row.gold = item.get("answer_terms") and [" | ".join(g) for g in item["answer_terms"]] or []
        row.passed = seed_eval.judge(item, answer)
        if item["kind"] == "answer":
            row.checks["cited_sentence_has_evidence"] = answer.found and any(
                contains(c.sentence, item["evidence"]) for c in answer.citations
            )
            if articles and item.get("article_id"):
                want = articles.get(item["article_id"])
                row.checks["right_article_cited"] = any(
                    c.passage.article_id == want for c in answer.citations
                )
        rows.append(row)
        progress(part, n, len(items), started)
    return rows


def judged_metrics(rows: Sequence[Row], by_tag: bool = False) -> dict:
    """Pass rate overall, per group (kind or family) and, for news_dev, per note tag."""
    out = {"passed": share(rows, lambda r: r.passed), "answer_words_median": median_words(rows)}
    for group in sorted({r.group for r in rows}):
        out[f"passed/{group}"] = share([r for r in rows if r.group == group], lambda r: r.passed)
    answers = [r for r in rows if "cited_sentence_has_evidence" in r.checks]
    if by_tag and answers:
        out["cited_sentence_has_evidence"] = share(answers, lambda r: r.checks["cited_sentence_has_evidence"])
    if by_tag and any("right_article_cited" in r.checks for r in answers):
        out["right_article_cited"] = share(answers, lambda r: r.checks.get("right_article_cited", False))
    if by_tag:
        for tag in sorted({t for r in rows for t in r.tags}):
            out[f"passed/[{tag}]"] = share([r for r in rows if tag in r.tags], lambda r: r.passed)
    return out


# --- Orchestration ----------------------------------------------------------------------------


def git_state(tree: Path) -> dict:
    """The commit of ``tree`` and whether its answering code has uncommitted changes."""

    def git(*args: str) -> str:
        out = subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True, check=False)
        return out.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_answer_code": bool(git("status", "--porcelain", "--", "assistant", "index")),
    }


def evaluate(args: argparse.Namespace) -> tuple[dict, list[Row]]:
    """Run the selected parts; returns the result document and every question's row."""
    parts = args.parts
    result: dict = {"label": args.label, "parts": {}, "config": {}}
    rows: list[Row] = []
    state = git_state(CODE or REPO)
    overrides = {"embedder_backend": args.embedder_backend} if args.embedder_backend else {}
    backend = Settings(home=Path(tempfile.gettempdir()), **overrides).embedder_backend

    def record(part: str, part_rows: list[Row], metrics: dict, started: float, **extra) -> None:
        seconds = time.perf_counter() - started
        per_q = [r.seconds for r in part_rows]
        result["parts"][part] = {
            "metrics": metrics,
            "limit": args.limit,
            "commit": state["commit"],
            "uncommitted_answer_code": state["uncommitted_answer_code"],
            "embedder_backend": backend,
            "finished": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "questions": len(part_rows),
            "errors": sum(bool(r.error) for r in part_rows),
            "seconds": round(seconds, 1),
            "p50_ask_s": round(seed_eval.percentile(per_q, 50), 3) if per_q else None,
            **extra,
        }
        rows.extend(part_rows)
        log.info("%s: %d questions in %.0f s", part, len(part_rows), seconds)

    if "squad" in parts:
        t0 = time.perf_counter()
        part_rows, info = run_squad(
            args.squad_titles, args.squad_questions, args.seed, args.limit, overrides=overrides
        )
        record("squad", part_rows, squad_metrics(part_rows), t0, **info)
    if "seed" in parts or "news" in parts:
        with tempfile.TemporaryDirectory(prefix="newsqa-answer-sample-") as tmp:
            assistant = build_assistant(Settings(home=Path(tmp), **overrides))
            ensure_sample_corpus(assistant.library)
            assistant.warm_up()
            for part, path, group in (
                ("seed", seed_eval.SEED_DEV, lambda i: i["kind"]),
                ("news", NEWS_QUESTIONS, lambda i: i.get("family", i["kind"])),
            ):
                if part in parts:
                    t0 = time.perf_counter()
                    items = limited(seed_eval.load_items(path), args.limit, args.seed)
                    part_rows = run_judged(assistant, part, items, group)
                    record(part, part_rows, judged_metrics(part_rows), t0)
    if "multihop" in parts or "news_dev" in parts:
        t0 = time.perf_counter()
        assistant, articles = multihop_assistant(Settings(home=Path(tempfile.gettempdir()), **overrides))
        log.info("multihop library ready in %.0f s", time.perf_counter() - t0)
        if "news_dev" in parts:
            t1 = time.perf_counter()
            mh_ids = {f"mh{i:04d}": a.id for i, a in enumerate(articles)}
            items = limited(seed_eval.load_items(args.news_dev), args.limit, args.seed)
            part_rows = run_judged(assistant, "news_dev", items, lambda i: i["kind"], mh_ids)
            record("news_dev", part_rows, judged_metrics(part_rows, by_tag=True), t1)
        if "multihop" in parts:
            t1 = time.perf_counter()
            part_rows, info = run_multihop(assistant, args.inference, args.nulls, args.limit, args.seed)
            record("multihop", part_rows, multihop_metrics(part_rows), t1, **info)
    result["config"] = {
        "parts": list(parts),
        "limit": args.limit,
        "seed": args.seed,
        "squad_titles": args.squad_titles,
        "squad_questions": args.squad_questions,
        "multihop_inference": args.inference,
        "multihop_nulls": args.nulls,
        "code": str(CODE or REPO),
        **state,
        "settings": Settings(home=Path(tempfile.gettempdir()), **overrides).model_dump(
            include={"embedder", "embedder_backend", "top_k", "retrieval", "min_evidence", "llm"}
        ),
    }
    result["machine"] = machine_info()
    return result, rows


ANSWER_CHARS, CITED_CHARS = 1200, 300  # enough to read a miss; keeps the raw file small


def capped(row: dict) -> dict:
    """A raw row with its answer and cited sentences cut for saving (``words`` keeps the length)."""
    if row.get("words") is None:
        row["words"] = len(row["answer"].split())
    cut = row["answer"][:ANSWER_CHARS]
    row["answer"] = cut + ("…" if len(cut) < len(row["answer"]) else "")
    row["cited"] = [c[:CITED_CHARS] + ("…" if len(c) > CITED_CHARS else "") for c in row["cited"]]
    return row


def write_run(result: dict, rows: Sequence[Row], results: Path) -> tuple[Path, Path]:
    """Write the run's JSON and per-question JSONL, keeping the saved parts it did not run."""
    stem = answer_eval_report.stem(result["label"])
    results.mkdir(parents=True, exist_ok=True)
    json_path, raw_path = results / f"{stem}.json", results / f"{stem}_raw.jsonl"
    ran = set(result["parts"])
    if json_path.exists():
        saved = json.loads(json_path.read_text(encoding="utf-8"))
        result["parts"] = {p: v for p, v in saved.get("parts", {}).items() if p not in ran} | result["parts"]
    kept = []
    if raw_path.exists():
        lines = raw_path.read_text(encoding="utf-8").splitlines()
        kept = [json.loads(line) for line in lines if line.strip()]
        kept = [json.dumps(capped(r), ensure_ascii=False) for r in kept if r["part"] not in ran]
    json_path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    with raw_path.open("w", encoding="utf-8") as f:
        for line in kept:
            f.write(line + "\n")
        for row in rows:
            f.write(json.dumps(capped(asdict(row)), ensure_ascii=False) + "\n")
    log.info("wrote %s and %s", json_path, raw_path)
    return json_path, raw_path


METRICS: dict[str, Callable[[Sequence[Row]], dict]] = {
    "squad": squad_metrics,
    "multihop": multihop_metrics,
    "seed": judged_metrics,
    "news": judged_metrics,
    "news_dev": lambda rows: judged_metrics(rows, by_tag=True),
}


def rescore(results: Path) -> None:
    """Recompute the metrics of every saved run from its per-question rows (saved capped)."""
    for label in answer_eval_report.LABELS:
        stem = answer_eval_report.stem(label)
        json_path, raw_path = results / f"{stem}.json", results / f"{stem}_raw.jsonl"
        if not json_path.exists() or not raw_path.exists():
            continue
        result = json.loads(json_path.read_text(encoding="utf-8"))
        lines = raw_path.read_text(encoding="utf-8").splitlines()
        rows = [Row(**capped(json.loads(line))) for line in lines if line.strip()]
        raw_path.write_text("".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows), "utf-8")
        for part, entry in result["parts"].items():
            entry["metrics"] = METRICS[part]([r for r in rows if r.part == part])
        json_path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        log.info("rescored %s", json_path)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--limit", type=int, default=None, help="ask at most this many questions per part")
    parser.add_argument("--seed", type=int, default=13, help="sampling seed")
    parser.add_argument("--squad-titles", type=int, default=20, help="SQuAD dev titles ingested")
    parser.add_argument("--squad-questions", type=int, default=800, help="SQuAD questions (half answerable)")
    parser.add_argument("--inference", type=int, default=None, help="MultiHop inference queries (all 816)")
    parser.add_argument("--nulls", type=int, default=None, help="MultiHop null queries (default all 301)")
    parser.add_argument("--news-dev", type=Path, default=NEWS_DEV, help="news_dev JSONL")
    parser.add_argument("--label", default="current", help="'current' or 'before' (selects the file names)")
    parser.add_argument("--code", type=Path, default=None, help="answer with this checkout's assistant/index")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder of the results")
    parser.add_argument(
        "--embedder-backend",
        choices=("torch", "onnx", "onnx-int8"),
        default=None,
        help="override the shipped embedder runtime (recorded per part)",
    )
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds per question (0: none)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: its default)")
    parser.add_argument("--report-only", action="store_true", help="only redo the report from saved runs")
    parser.add_argument("--rescore", action="store_true", help="recompute saved runs' metrics (no asking)")
    args = parser.parse_args(argv)
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(args.parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for name in [n for n in os.environ if n.startswith("NEWSQA_")]:
        del os.environ[name]  # the shipped defaults, not this shell's configuration
    setup_run(args.threads)
    global TIMEOUT_S
    TIMEOUT_S = args.timeout
    if args.rescore:
        rescore(args.results)
    elif not args.report_only:
        import assistant

        log.info("answering code: %s", Path(assistant.__file__).parent)
        started = time.perf_counter()
        result, rows = evaluate(args)
        result["seconds"] = round(time.perf_counter() - started, 1)
        write_run(result, rows, args.results)
    print(answer_eval_report.write_report(args.results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
