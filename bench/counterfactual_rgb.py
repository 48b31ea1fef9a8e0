"""Counterfactual robustness on RGB ``en_fact``: what the assistant shows when passages are wrong.

Run from the repository root::

    .venv/bin/python bench/counterfactual_rgb.py
    .venv/bin/python bench/counterfactual_rgb.py --max-questions 10      # smoke run

RGB (Chen et al., AAAI 2024) pairs each of its 100 questions with passages stating the
true answer (``positive``), the same passages with the answer swapped for a counterfactual
one (``positive_wrong``) and noise passages (``negative``). The data stays in
``/work/shared/eval/external/rgb`` (CC BY-NC-SA 4.0, evaluation only): nothing of it is
copied into the repository, and the results JSON holds ids, flags and counts, no text.

Every passage becomes one ``Article`` (id ``rgb-<qid>-<pos|wrong|neg>-<i>``, title
"RGB <qid> passage <n>", source "RGB", no date) and three libraries are indexed once with
``bench.homes.indexed_library`` (cached under ``bench/.cache/homes``):

* ``wrong``: positive_wrong + negative (every supporting passage carries the fake answer);
* ``conflict``: positive + positive_wrong + negative (both versions side by side);
* ``true``: positive + negative (the control).

Each question goes through ``Assistant.ask`` with ``SearchFilter(article_ids=...)`` limited
to its own passages, as RGB gives each question only its own. What the user sees (the
answer text and the cited sentences) is matched against the true and the fake answer
(case-insensitive, whitespace and U+00A0 normalised, accents folded, whole words; a
list-valued answer matches when any of its forms does). Reported per scenario: answered,
contains the true / fake answer / both / neither, which passage kinds are cited and
retrieved, and in ``conflict`` why a version that was retrieved is not shown. An
extractive assistant cannot know that a passage is wrong; what matters is that a wrong fact
is quoted with its source and that conflicting sources are shown together.
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
import re  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

from assistant.build import build_assistant  # noqa: E402
from assistant.choose import ANSWER_MARGIN, repeats  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.types import Answer  # noqa: E402
from bench.calibrate_threshold import machine_info, write_results  # noqa: E402
from bench.homes import indexed_library, setup_run  # noqa: E402
from index.types import Article, Passage, SearchFilter  # noqa: E402

log = logging.getLogger("bench.counterfactual_rgb")

DATA = REPO.parent / "shared" / "eval" / "external" / "rgb" / "en_fact.json"
RESULTS = REPO / "bench" / "results" / "counterfactual_rgb.json"
SOURCE = "RGB"
# Passage kinds, as in the data file, and the scenarios built from them.
REDUNDANT = "dropped as redundant with a quoted sentence"
KINDS = {"pos": "positive", "wrong": "positive_wrong", "neg": "negative"}
SCENARIOS: dict[str, tuple[str, ...]] = {
    "wrong": ("wrong", "neg"),
    "conflict": ("pos", "wrong", "neg"),
    "true": ("pos", "neg"),
}

VERDICTS = ("true", "fake", "both", "neither", "refused")
VERSION = {"pos": "true (positive)", "wrong": "fake (positive_wrong)", "tie": "tie"}

Answers = str | Sequence["Answers"]


# --- Matching -----------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Case-folded, accents dropped, curly apostrophes straightened, whitespace (NBSP too) collapsed."""
    text = unicodedata.normalize("NFKD", text.replace("\u00a0", " "))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.casefold().split())


def answer_forms(answer: Answers) -> list[str]:
    """Every string form of an answer; RGB writes alternatives as a (nested) list."""
    if isinstance(answer, str):
        return [answer]
    return [form for item in answer for form in answer_forms(item)]


def contains_answer(text: str, answer: Answers) -> bool:
    """Whether ``text`` contains the answer (any form of a list) as whole words.

    "2010" does not match "2010s" nor "1939" "39"; "Facebook" matches "Facebook's".
    """
    haystack = normalise(text)
    for form in answer_forms(answer):
        needle = normalise(form)
        if needle and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack):
            return True
    return False


def verdict(has_true: bool, has_fake: bool, found: bool) -> str:
    """One of: refused, both, true, fake, neither."""
    if not found:
        return "refused"
    if has_true and has_fake:
        return "both"
    return "true" if has_true else "fake" if has_fake else "neither"


# --- Data ---------------------------------------------------------------------------------


@dataclass
class RgbQuestion:
    id: int
    query: str
    answer: Answers
    fake: str
    passages: dict[str, list[str]]  # kind -> texts

    def number(self, kind: str, i: int) -> int:
        """Passage number within the question, the same in every scenario."""
        offset = {"pos": 0, "wrong": len(self.passages["pos"]), "neg": 2 * len(self.passages["pos"])}
        return offset[kind] + i


def load_questions(path: Path) -> list[RgbQuestion]:
    """The RGB questions (the file is JSON Lines despite its name)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        passages = {kind: list(r[key]) for kind, key in KINDS.items()}
        out.append(RgbQuestion(int(r["id"]), r["query"], r["answer"], r["fakeanswer"], passages))
    return out


def passage_id(qid: int, kind: str, i: int) -> str:
    return f"rgb-{qid}-{kind}-{i}"


def kind_of(article_id: str) -> str:
    return article_id.split("-")[2]


def scenario_articles(questions: Sequence[RgbQuestion], kinds: Sequence[str]) -> list[Article]:
    return [
        Article(
            id=passage_id(q.id, kind, i),
            title=f"RGB {q.id} passage {q.number(kind, i)}",
            source=SOURCE,
            text=text.strip(),
        )
        for q in questions
        for kind in kinds
        for i, text in enumerate(q.passages[kind])
        if text.strip()
    ]


# --- Asking -------------------------------------------------------------------------------


@dataclass
class Row:
    """One question in one scenario; only ids, flags and counts (no dataset text)."""

    scenario: str
    qid: int
    found: bool
    has_true: bool
    has_fake: bool
    verdict: str
    fake_cited: bool  # a cited sentence carries the fake answer
    unmentioned: bool  # refused because a question noun is in no article of the library
    first_quote_is_question: bool  # the top quoted sentence is itself a question
    cited: dict[str, int] = field(default_factory=dict)  # passage kind -> citations
    retrieved: dict[str, int] = field(default_factory=dict)  # passage kind -> retrieved passages
    passages_with_answer: dict[str, int] = field(default_factory=dict)  # kind -> own passages with it
    missing_version: str = ""  # conflict: why the version not shown was left out
    ranks_first: str = ""  # conflict: whose best sentence (with its answer) ranks higher: pos/wrong/tie
    seconds: float = 0.0

    def to_json(self) -> dict:
        return dict(self.__dict__)


def shown_text(answer: Answer) -> str:
    """What the user reads: the answer and the cited sentences."""
    return "\n".join([answer.text, *(c.sentence for c in answer.citations)])


def why_not_shown(
    assistant: Assistant, q: RgbQuestion, passages: Sequence[Passage], answer: Answer, kind: str
) -> str:
    """Why the ``kind`` version ("pos" or "wrong") of a conflict is not in the answer."""
    target = q.answer if kind == "pos" else q.fake
    if not any(kind_of(p.article_id) == kind for p in passages):
        return "not retrieved"
    ranked = assistant.answerer.score(q.query, passages)
    with_answer = [
        c for c in ranked if kind_of(c.passage.article_id) == kind and contains_answer(c.text, target)
    ]
    if not with_answer:
        return "retrieved, no sentence with the answer"
    best, cand = ranked[0], with_answer[0]
    if cand.evidence < assistant.answerer.min_evidence:
        return "below min_evidence"
    if cand.rank < best.rank - ANSWER_MARGIN:
        return "outside the answer margin"
    cited = {(c.passage.article_id, c.start) for c in answer.citations}
    position = ranked.index(cand)  # the answerer picks in rank order: only earlier picks count
    chosen = [c for c in ranked[:position] if (c.passage.article_id, c.sentence.start) in cited]
    if any(" ".join(cand.text.lower().split()) == " ".join(c.text.lower().split()) for c in chosen):
        return "same text as a quoted sentence"
    if any(repeats(cand, c) for c in chosen):
        return REDUNDANT
    if len(chosen) >= assistant.answerer.chooser.max_sentences:
        return "max sentences reached"
    return "other"


def first_version(assistant: Assistant, q: RgbQuestion, passages: Sequence[Passage]) -> str:
    """Which version's best sentence ranks higher: "pos", "wrong", "tie" or "" (neither retrieved)."""
    best: dict[str, float] = {}
    for c in assistant.answerer.score(q.query, passages):
        kind = kind_of(c.passage.article_id)
        if kind in ("pos", "wrong") and kind not in best:
            if contains_answer(c.text, q.answer if kind == "pos" else q.fake):
                best[kind] = c.rank
    if len(best) < 2:
        return next(iter(best), "")
    return "tie" if best["pos"] == best["wrong"] else max(best, key=best.__getitem__)


def capture_passages(assistant: Assistant) -> list[Passage]:
    """A list that always holds the passages ``ask`` last gave the answerer (no second retrieval)."""
    seen: list[Passage] = []
    answer = assistant.answerer.answer

    def capturing(question: str, passages: Sequence[Passage], query: str | None = None) -> Answer:
        seen[:] = passages
        return answer(question, passages, query=query)

    assistant.answerer.answer = capturing  # type: ignore[method-assign]
    return seen


def ask_all(assistant: Assistant, scenario: str, questions: Sequence[RgbQuestion]) -> list[Row]:
    kinds = SCENARIOS[scenario]
    passages = capture_passages(assistant)
    rows = []
    start = time.perf_counter()
    for n, q in enumerate(questions, 1):
        ids = tuple(passage_id(q.id, k, i) for k in kinds for i, t in enumerate(q.passages[k]) if t.strip())
        t0 = time.perf_counter()
        answer = assistant.ask(q.query, where=SearchFilter(article_ids=ids))
        seconds = time.perf_counter() - t0
        shown = shown_text(answer) if answer.found else ""
        has_true, has_fake = contains_answer(shown, q.answer), contains_answer(shown, q.fake)
        unmentioned = bool(
            not answer.found
            and assistant.answerer.reader.unmentioned
            and assistant.answerer.reader.unmentioned(q.query)
        )
        row = Row(
            scenario=scenario,
            qid=q.id,
            found=answer.found,
            has_true=has_true,
            has_fake=has_fake,
            verdict=verdict(has_true, has_fake, answer.found),
            fake_cited=any(contains_answer(c.sentence, q.fake) for c in answer.citations),
            unmentioned=unmentioned,
            first_quote_is_question=bool(
                answer.citations and answer.citations[0].sentence.rstrip(" .\u2026\u00a0").endswith("?")
            ),
            cited=dict(Counter(kind_of(c.passage.article_id) for c in answer.citations)),
            retrieved=dict(Counter(kind_of(p.article_id) for p in passages)),
            passages_with_answer={
                k: sum(contains_answer(t, q.answer) or contains_answer(t, q.fake) for t in q.passages[k])
                for k in kinds
            },
            seconds=round(seconds, 3),
        )
        if scenario == "conflict":
            row.ranks_first = first_version(assistant, q, passages)
            if not (has_true and has_fake):
                if has_true or has_fake:
                    missing = "pos" if not has_true else "wrong"
                    row.missing_version = why_not_shown(assistant, q, passages, answer, missing)
                else:
                    row.missing_version = "refused" if not answer.found else "neither version shown"
        rows.append(row)
        if n % 25 == 0:
            rate = n / (time.perf_counter() - start)
            log.info("%s: asked %d/%d (%.1f q/s)", scenario, n, len(questions), rate)
    return rows


# --- Summaries ----------------------------------------------------------------------------


def summarise(rows: Sequence[Row]) -> dict[str, Any]:
    """Shares over all questions of a scenario."""
    n = len(rows)

    def share(pred) -> float:  # noqa: ANN001
        return round(sum(bool(pred(r)) for r in rows) / n, 4) if n else float("nan")

    found = [r for r in rows if r.found]
    out: dict[str, Any] = {
        "n": n,
        "answered": share(lambda r: r.found),
        "contains_true": share(lambda r: r.has_true),
        "contains_fake": share(lambda r: r.has_fake),
        "both": share(lambda r: r.verdict == "both"),
        "true_only": share(lambda r: r.verdict == "true"),
        "fake_only": share(lambda r: r.verdict == "fake"),
        "neither": share(lambda r: r.verdict == "neither"),
        "refused": share(lambda r: r.verdict == "refused"),
        "refused_unmentioned": share(lambda r: r.unmentioned),
        "cites_true_passage": share(lambda r: r.cited.get("pos")),
        "cites_fake_passage": share(lambda r: r.cited.get("wrong")),
        "cites_both_versions": share(lambda r: r.cited.get("pos") and r.cited.get("wrong")),
        "cites_noise_only": share(lambda r: r.found and set(r.cited) == {"neg"}),
        "retrieved_true_passage": share(lambda r: r.retrieved.get("pos")),
        "retrieved_fake_passage": share(lambda r: r.retrieved.get("wrong")),
        "retrieved_both_versions": share(lambda r: r.retrieved.get("pos") and r.retrieved.get("wrong")),
        "fake_shown_and_cited": (
            round(sum(r.fake_cited for r in rows if r.has_fake) / max(1, sum(r.has_fake for r in rows)), 4)
        ),
        "first_quote_is_question": share(lambda r: r.first_quote_is_question),
        "mean_citations": round(sum(sum(r.cited.values()) for r in found) / max(1, len(found)), 3),
        "median_ask_s": sorted(r.seconds for r in rows)[n // 2] if n else float("nan"),
    }
    reasons = Counter(r.missing_version for r in rows if r.missing_version)
    if reasons:
        out["missing_version_reasons"] = dict(reasons.most_common())
    first = Counter(r.ranks_first for r in rows if r.ranks_first)
    if first:
        out["version_ranked_first"] = dict(first.most_common())
    return out


def follows_passages(by_scenario: dict[str, list[Row]]) -> dict[str, Any]:
    """The questions the control answers truly: what the same questions show in the other scenarios."""
    control = {r.qid for r in by_scenario.get("true", []) if r.verdict == "true"}
    out: dict[str, Any] = {"n": len(control)}
    for name in ("wrong", "conflict"):
        if name in by_scenario:
            verdicts = Counter(r.verdict for r in by_scenario[name] if r.qid in control)
            out[name] = {v: verdicts.get(v, 0) for v in VERDICTS}
    return out


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.0f}%"


def markdown(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def interpretation(summary: dict[str, dict], follow: dict[str, Any]) -> str:
    """The printed reading of the numbers (the numbers are filled in, the reading is fixed)."""
    w, c, t = (summary.get(s, {}) for s in ("wrong", "conflict", "true"))
    parts = [
        "An extractive assistant cannot know that a passage is wrong: it quotes sentences and cites "
        "them, so what matters is not whether it repeats the fake answer (with only wrong passages "
        "it has nothing else to quote) but whether the wrong fact is attributed to its source and "
        "whether conflicting sources are shown side by side."
    ]
    if t:
        parts.append(
            f"In the control it shows the true answer for {_pct(t['contains_true'])} of the questions; "
            f"for {_pct(t['neither'])} it quotes on-topic sentences without the answer "
            f"({_pct(t['cites_noise_only'])} cite only noise passages; "
            "RGB's noise is hard: same entities, other years or events). "
            f"A true passage is retrieved for {_pct(t['retrieved_true_passage'])}, so this is mostly the "
            "answerer's sentence ranking (sentences that restate the question outrank the one that "
            "answers it), and it is the same in every scenario."
        )
    if w and "wrong" in follow:
        parts.append(
            f"With only wrong passages it shows the fake answer for {_pct(w['contains_fake'])} and "
            f"every fake answer shown is in a cited sentence ({_pct(w['fake_shown_and_cited'])}), so "
            "the user can see which passage claims it; of the "
            f"{follow['n']} questions the control gets right, {follow['wrong']['fake']} switch to "
            "the fake answer: it follows its sources, as it is built to."
        )
    if c:
        parts.append(
            f"With both versions available it shows both for {_pct(c['both'])} of the questions (the "
            f"user sees the disagreement), only the true one for {_pct(c['true_only'])} and only the "
            f"fake one for {_pct(c['fake_only'])}; both versions are retrieved for "
            f"{_pct(c['retrieved_both_versions'])} but cited together for {_pct(c['cites_both_versions'])}."
        )
        first = c.get("version_ranked_first", {})
        if first:
            pos, wrong = first.get("pos", 0), first.get("wrong", 0)
            even = abs(pos - wrong) <= max(2, 0.2 * (pos + wrong))
            parts.append(
                f"The true version's best sentence ranks above the fake one's for {pos} questions and "
                f"below it for {wrong}"
                + (": the answerer prefers neither." if even else " (too uneven to call a coin toss).")
            )
        reasons = c.get("missing_version_reasons", {})
        redundant = reasons.get(REDUNDANT, 0)
        if redundant:
            parts.append(
                f"For {redundant} questions the other version was retrieved and ranked within the "
                "answer margin but dropped as redundant: the two versions share all their words but "
                "the answer, so the near-duplicate filter (meant for captions and syndicated copies) "
                "hides exactly the disagreement a reader should see."
            )
    return " ".join(parts)


# --- Main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="RGB en_fact.json (JSON Lines)")
    parser.add_argument("--max-questions", type=int, default=None, help="only the first N questions")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, from: {', '.join(SCENARIOS)}"
    )
    parser.add_argument("--fresh", action="store_true", help="re-index the cached homes")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads for the embedder (0: torch's default)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON")
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if not names or any(s not in SCENARIOS for s in names):
        parser.error(f"choose scenarios from {', '.join(SCENARIOS)}")
    setup_run(args.threads)
    t_all = time.perf_counter()
    timing: dict[str, float] = {}

    questions = load_questions(args.data)[: args.max_questions]
    log.info("%d RGB questions", len(questions))
    settings = Settings()
    by_scenario: dict[str, list[Row]] = {}
    index_info: dict[str, dict] = {}
    for name in names:
        articles = scenario_articles(questions, SCENARIOS[name])
        t0 = time.perf_counter()
        library, built_s = indexed_library(f"rgb-{name}", articles, settings, fresh=args.fresh)
        timing[f"{name}_open_s"] = round(time.perf_counter() - t0, 1)
        if built_s is not None:
            timing[f"{name}_index_s"] = round(built_s, 1)
        stats = library.stats()
        index_info[name] = {"articles": stats["articles"], "chunks": stats["chunks"]}
        assistant = build_assistant(settings, library)
        t0 = time.perf_counter()
        by_scenario[name] = ask_all(assistant, name, questions)
        timing[f"{name}_ask_s"] = round(time.perf_counter() - t0, 1)
        log.info("%s: %d articles, asked in %.0f s", name, stats["articles"], timing[f"{name}_ask_s"])
    timing["total_s"] = round(time.perf_counter() - t_all, 1)

    summary = {name: summarise(rows) for name, rows in by_scenario.items()}
    follow = follows_passages(by_scenario)
    data_notes = {
        "wrong_passages_still_with_true_answer": sorted(
            q.id for q in questions if any(contains_answer(t, q.answer) for t in q.passages["wrong"])
        ),
        "noise_passages_with_true_answer": sorted(
            q.id for q in questions if any(contains_answer(t, q.answer) for t in q.passages["neg"])
        ),
        "noise_passages_with_fake_answer": sorted(
            q.id for q in questions if any(contains_answer(t, q.fake) for t in q.passages["neg"])
        ),
        "list_valued_answers": sum(not isinstance(q.answer, str) for q in questions),
    }

    # --- Print ------------------------------------------------------------------------------
    print(f"## RGB counterfactual robustness ({len(questions)} questions)\n")
    print("What the user sees (answer text and cited sentences), share of questions:\n")
    print(
        markdown(
            [
                "scenario",
                "n",
                "answered",
                "has true",
                "has fake",
                "both",
                "true only",
                "fake only",
                "neither",
                "refused",
            ],
            [
                [
                    name,
                    s["n"],
                    *(
                        _pct(s[k])
                        for k in (
                            "answered",
                            "contains_true",
                            "contains_fake",
                            "both",
                            "true_only",
                            "fake_only",
                            "neither",
                            "refused",
                        )
                    ),
                ]
                for name, s in summary.items()
            ],
        )
    )
    print(f"\nWhich passages are retrieved (top {settings.top_k}) and cited:\n")
    print(
        markdown(
            [
                "scenario",
                "retr. true",
                "retr. fake",
                "retr. both",
                "cites true",
                "cites fake",
                "cites both",
                "cites noise only",
                "fake shown & cited",
                "1st quote is a question",
                "citations/answer",
                "median ask",
            ],
            [
                [
                    name,
                    *(
                        _pct(s[k])
                        for k in (
                            "retrieved_true_passage",
                            "retrieved_fake_passage",
                            "retrieved_both_versions",
                            "cites_true_passage",
                            "cites_fake_passage",
                            "cites_both_versions",
                            "cites_noise_only",
                            "fake_shown_and_cited",
                            "first_quote_is_question",
                        )
                    ),
                    s["mean_citations"],
                    f"{s['median_ask_s']:.2f} s",
                ]
                for name, s in summary.items()
            ],
        )
    )
    reasons = summary.get("conflict", {}).get("missing_version_reasons")
    if reasons:
        print("\n`conflict`: why the answer does not show both versions:\n")
        print(markdown(["reason", "questions"], list(reasons.items())))
    first = summary.get("conflict", {}).get("version_ranked_first")
    if first:
        print("\n`conflict`: whose best sentence (carrying its answer) the answerer ranks higher:\n")
        print(markdown(["version", "questions"], [[VERSION.get(k, k), v] for k, v in first.items()]))
    others = [name for name in ("wrong", "conflict") if name in follow]
    if follow["n"] and others:
        print(
            f"\nThe {follow['n']} questions the control (`true`) answers with the true answer, elsewhere:\n"
        )
        print(markdown(["shows", *others], [[v, *(follow[o][v] for o in others)] for v in VERDICTS]))
    print("\n" + interpretation(summary, follow))
    print(f"\nData notes: {data_notes}")
    print(f"Timing: {timing}")

    result = {
        "config": {
            "data": str(args.data),
            "questions": len(questions),
            "scenarios": {name: list(SCENARIOS[name]) for name in names},
            "top_k": settings.top_k,
            "min_evidence": settings.min_evidence,
            "max_answer_sentences": settings.max_answer_sentences,
            "embedder": settings.embedder,
            "matching": "case-folded, accents folded, whitespace/NBSP collapsed, whole words, any form",
            "shown": "answer text + cited sentences (refusals show nothing)",
        },
        "index": index_info,
        "summary": summary,
        "control_true_elsewhere": follow,
        "data_notes": data_notes,
        "timing": timing,
        "machine": machine_info(),
        "rows": [r.to_json() for rows in by_scenario.values() for r in rows],
    }
    write_results(args.out, result, rows=("rows",))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
