"""The citation verifier measured as a classifier on the labelled set (bench/data/verifier_set.jsonl).

Each claim is checked as a one-sentence answer citing ``[1]``, the passage (chunk, as the
product indexes it) of the cited article that holds its source sentence; for ``uncited``
claims, the cited article's chunk sharing most terms with the claim. A claim is accepted
when every sentence of it is verified. Reported per half (``tune``: thresholds chosen
there; ``heldout``: reported) and per kind: the share accepted (faithful kinds: should be
high) or rejected (unfaithful kinds: should be high).

    .venv/bin/python bench/verifier_eval.py [--label NAME] [--min-support 0.6] [--max-new-terms 2]
    .venv/bin/python bench/verifier_eval.py --rescore LABEL --max-new-terms 2 --label NAME

``--rescore`` re-decides the claims of a recorded run with another word check
(``--max-new-terms``, -1: none) without embedding or parsing them again: the word check is
the last condition of ``CitationVerifier.passes``, so a claim is accepted when the recorded
run accepted it and its words pass (exact while the rest of the verifier is unchanged).

Results are merged into bench/results/verifier.json under ``--label`` and the table of
every label is written to bench/results/verifier.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from assistant.verify import MAX_NEW_TERMS, CitationVerifier, new_words  # noqa: E402
from bench.verifier_set import OUT as SET  # noqa: E402
from bench.verifier_set import load_articles  # noqa: E402
from index.build import build_library  # noqa: E402
from index.settings import Settings  # noqa: E402
from index.terms import terms  # noqa: E402
from index.types import Passage  # noqa: E402

RESULTS = REPO / "bench" / "results" / "verifier.json"
TABLE = REPO / "bench" / "results" / "verifier.md"
FAITHFUL = ("verbatim", "shortened", "paraphrase", "merged")
UNFAITHFUL = ("actor", "number", "negation", "added", "uncited")


def norm(text: str) -> str:
    return " ".join(text.split())


def passages_by_article(home: Path) -> dict[str, list[Passage]]:
    library = build_library(Settings(home=home))
    out = {}
    for article, _ in load_articles():
        out[article.id] = [
            Passage(chunk=c, title=article.title, date=article.date, source=article.source, url=article.url)
            for c in library.chunk(article)
        ]
    return out, library.embedder


def cited_passage(item: dict, passages: list[Passage]) -> Passage:
    if item["kind"] != "uncited":
        head = norm(item["source"])[:60]
        found = [p for p in passages if head in norm(p.chunk.text)]
        if found:
            return found[0]
    wanted = set(terms(item["claim"]))
    return max(passages, key=lambda p: len(wanted & set(terms(p.chunk.text))))


def evaluate(verifier: CitationVerifier, items: list[dict], passages: dict[str, list[Passage]]) -> list[dict]:
    rows = []
    for item in items:
        passage = cited_passage(item, passages[item["article_id"]])
        statements = verifier.check(f"{item['claim'].rstrip()} [1]", [passage])
        accepted = bool(statements) and all(s.verified for s in statements)
        row = {
            "id": item["id"], "split": item["split"], "kind": item["kind"], "label": item["label"],
            "accepted": accepted, "problem": "; ".join(s.problem for s in statements if s.problem),
        }  # fmt: skip
        if hasattr(verifier, "passes"):  # the features behind the decision, for the threshold sweep
            sup = verifier.support(" ".join(s.text for s in statements), 1, passage)
            row.update(similarity=round(sup.similarity, 4), clause_similarity=round(sup.clause_similarity, 4),
                       missing=list(sup.missing), conflicts=list(sup.conflicts),
                       new_words=list(sup.new_words))  # fmt: skip
        rows.append(row)
    return rows


def decide(
    row: dict, min_similarity: float, min_clause: float, roles: bool, max_new: int | None = MAX_NEW_TERMS
) -> bool:
    """Would a verifier with these settings accept the claim (from its recorded features)?"""
    return (
        row["similarity"] >= min_similarity
        and not row["missing"]
        and not (roles and row["conflicts"])
        and row["clause_similarity"] >= min_clause
        and (max_new is None or len(row.get("new_words", ())) <= max_new)
    )


def rescore(recorded: dict, items: list[dict], max_new: int | None) -> list[dict]:
    """The rows of a recorded run decided again with the word check ``max_new``."""
    by_id = {i["id"]: i for i in items}
    with tempfile.TemporaryDirectory(prefix="newsqa-verifier-") as tmp:
        passages, _ = passages_by_article(Path(tmp) / "home")
    rows = []
    for row in recorded["rows"]:
        item = by_id[row["id"]]
        words = new_words(item["claim"], cited_passage(item, passages[item["article_id"]]))
        ok = max_new is None or len(words) <= max_new
        rows.append({**row, "new_words": list(words), "accepted": row["accepted"] and ok})
    return rows


def sweep(
    rows: list[dict], floor: float = 0.85, max_new: int | None = MAX_NEW_TERMS
) -> tuple[float, float, bool]:
    """Settings with the best detector F1 on the tune half that accept >= ``floor`` of the
    faithful claims (macro over faithful kinds)."""
    tune = [r for r in rows if r["split"] == "tune"]
    best, chosen = -1.0, (0.6, 0.0, True)
    for t in [x / 100 for x in range(40, 81, 2)]:
        for tc in [x / 100 for x in range(0, 71, 5)]:
            for roles in (True, False):
                marked = [{**r, "accepted": decide(r, t, tc, roles, max_new)} for r in tune]
                s = summary(marked)["tune"]
                faithful = [s["kinds"][k] for k in FAITHFUL if s["kinds"][k]["n"]]
                if min(c["correct"] / c["n"] for c in faithful) < floor:
                    continue
                if s["detector_f1"] > best:
                    best, chosen = s["detector_f1"], (t, tc, roles)
    return chosen


def summary(rows: list[dict]) -> dict:
    out: dict[str, dict] = {}
    for split in ("tune", "heldout"):
        mine = [r for r in rows if r["split"] == split]
        per = {}
        for kind in FAITHFUL + UNFAITHFUL:
            of = [r for r in mine if r["kind"] == kind]
            ok = sum(r["accepted"] == (kind in FAITHFUL) for r in of)
            per[kind] = {"n": len(of), "correct": ok}
        faithful = [r for r in mine if r["label"] == "faithful"]
        unfaithful = [r for r in mine if r["label"] == "unfaithful"]
        tp = sum(not r["accepted"] for r in unfaithful)  # "unfaithful" detected
        fp = sum(not r["accepted"] for r in faithful)
        fn = len(unfaithful) - tp
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        out[split] = {
            "kinds": per,
            "faithful_accepted": sum(r["accepted"] for r in faithful) / max(1, len(faithful)),
            "unfaithful_rejected": tp / max(1, len(unfaithful)),
            "detector_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        }
    return out


def table(results: dict) -> str:
    labels = list(results)
    lines = [
        "# The citation verifier as a classifier",
        "",
        "Labelled set: `bench/data/verifier_set.jsonl` (made by `bench/verifier_set.py`; kinds are",
        "described there). Cells: the share the verifier gets right — *accepted* for faithful kinds,",
        "*rejected* for unfaithful ones — on the **held-out** half (tune half in brackets).",
        'Detector F1 treats "unfaithful" as the positive class (RAGTruth reports 0.6–0.8 for the',
        "best response-level detectors).",
        "",
        "| kind | should be | n (held-out) | " + " | ".join(labels) + " |",
        "|---|---|---|" + "---|" * len(labels),
    ]
    any_result = results[labels[0]]["summary"]
    for kind in FAITHFUL + UNFAITHFUL:
        cells = []
        for label in labels:
            s = results[label]["summary"]
            h, t = s["heldout"]["kinds"][kind], s["tune"]["kinds"][kind]
            cells.append(f"{_pct(h)} ({_pct(t)})")
        should = "accepted" if kind in FAITHFUL else "rejected"
        lines.append(
            f"| {kind} | {should} | {any_result['heldout']['kinds'][kind]['n']} | " + " | ".join(cells) + " |"
        )
    totals = (
        ("faithful_accepted", "all faithful accepted"),
        ("unfaithful_rejected", "all unfaithful rejected"),
        ("detector_f1", "detector F1"),
    )
    for key, name in totals:
        cells = [
            " ".join(_total(results[x]["summary"], half, key) for half in ("heldout", "tune")) for x in labels
        ]
        lines.append(f"| **{name}** | | | " + " | ".join(cells) + " |")
    lines += ["", "Runs:", ""]
    for label in labels:
        r = results[label]
        lines.append(f"- `{label}`: {r['when']}, min_support {r['min_support']}, {r['note']}")
    return "\n".join(lines) + "\n"


def _total(summary: dict, half: str, key: str) -> str:
    """One total of one half; "–" for a half that was not run (``--split heldout``)."""
    value = summary[half][key]
    if not any(c["n"] for c in summary[half]["kinds"].values()):
        text = "–"
    else:
        text = f"{value:.2f}" if key == "detector_f1" else f"{value:.0%}"
    return text if half == "heldout" else f"({text})"


def _pct(cell: dict) -> str:
    return f"{cell['correct'] / cell['n']:.0%}" if cell["n"] else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="current", help="name of this verifier version in the results")
    parser.add_argument("--min-support", type=float, default=0.6)
    parser.add_argument("--min-clause", type=float, default=0.5)
    parser.add_argument("--split", choices=("both", "heldout"), default="both", help="heldout: no sweep")
    parser.add_argument("--no-roles", action="store_true", help="switch the role/polarity check off")
    parser.add_argument("--max-new-terms", type=int, default=MAX_NEW_TERMS, help="-1: no word check")
    parser.add_argument("--rescore", metavar="LABEL", help="re-decide a recorded run (see above)")
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    max_new = None if args.max_new_terms < 0 else args.max_new_terms
    items = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [i for i in items if args.split == "both" or i["split"] == args.split]
    if args.rescore:
        results = json.loads(RESULTS.read_text())
        rows = rescore(results[args.rescore], items, max_new)
        note = args.note or f"`{args.rescore}` re-decided with max_new_terms {max_new}"
        results[args.label] = run_entry(results[args.rescore]["min_support"], note, rows) | {"rows": rows}
        save(results)
        return
    with tempfile.TemporaryDirectory(prefix="newsqa-verifier-") as tmp:
        passages, embedder = passages_by_article(Path(tmp) / "home")
        try:
            verifier = CitationVerifier(
                embedder,
                args.min_support,
                min_clause_similarity=args.min_clause,
                check_roles=not args.no_roles,
                max_new_terms=max_new,
            )
        except TypeError:  # a verifier version without these settings
            verifier = CitationVerifier(embedder, min_similarity=args.min_support)
        started = time.perf_counter()
        rows = evaluate(verifier, items, passages)
        took = time.perf_counter() - started
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.split == "both" and rows and "similarity" in rows[0]:
        t, tc, roles = sweep(rows, max_new=max_new)
        swept = [{**r, "accepted": decide(r, t, tc, roles, max_new)} for r in rows]
        note = f"chosen on the tune half: min_support {t}, min_clause {tc}, roles {roles}"
        chosen = {"min_support": t, "min_clause": tc, "roles": roles}
        results[f"{args.label}, swept"] = run_entry(t, note, swept) | {"chosen": chosen}
    note = args.note or f"{len(rows)} claims in {took:.0f} s"
    results[args.label] = run_entry(args.min_support, note, rows) | {"rows": rows}
    save(results)


def run_entry(min_support: float, note: str, rows: list[dict]) -> dict:
    """One run's record in verifier.json: when, the threshold, a note and the rows' summary."""
    return {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "min_support": min_support,
        "note": note,
        "summary": summary(rows),
    }


def save(results: dict) -> None:
    """Write verifier.json and its table (and print the table)."""
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    TABLE.write_text(table(results))
    print(table(results))


if __name__ == "__main__":
    main()
