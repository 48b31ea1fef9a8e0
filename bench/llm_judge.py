"""A second judge of generated sentences, independent of the verifier: the labelled set's kinds, by words.

The citation verifier decides by meaning (embedder similarity to a sentence of the cited
passage, roles from a parse). This judge reads only the words, one check per unfaithful
kind of the labelled set (``bench/verifier_set.py``), against the passages a sentence cites:

``actor``     every name of the claim (spaCy PERSON, ORG, GPE, NORP) is written in them
              (a person by any part of the name);
``number``    every number, ordinal and month of the claim is written in them;
``negation``  the passage sentence sharing most words with the claim is negated iff the claim is;
``added``     at most ``ALLOWED_NEW`` content terms (stems) of the claim are absent from them.

Names and numbers are what the verifier also checks (the same idea, other code); negation
and added words it judges by meaning and parse, this judge by words alone — stricter: a
paraphrase with new words counts as unsupported. How far the judge itself is right is
measured on the labelled set's held-out half, like the verifier::

    .venv/bin/python bench/llm_judge.py   # writes bench/results/llm_judge.json
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import json  # noqa: E402
import re  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from index.chunk import split_sentences  # noqa: E402
from index.nlp import SpacyPipeline  # noqa: E402
from index.terms import terms  # noqa: E402

RESULTS = REPO / "bench" / "results" / "llm_judge.json"
ALLOWED_NEW = 1  # content terms of the claim the cited passages may lack (chosen on the tune half)
NAMES = ("PERSON", "ORG", "GPE", "NORP")
MONTHS = "January February March April May June July August September October November December".split()
NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*(?:st|nd|rd|th)?\b|\b(?:" + "|".join(MONTHS) + r")\b", re.IGNORECASE)
WORD_NUMBERS = dict(
    zip("one two three four five six seven eight nine ten eleven twelve".split(), range(1, 13), strict=True)
)
NEGATION = re.compile(r"\b(?:not|never|no|nor|cannot|without|neither)\b|n[’']t\b", re.IGNORECASE)

_nlp = SpacyPipeline(exclude=("lemmatizer",))


@dataclass(frozen=True)
class Judgement:
    """``kinds``: the unfaithful kinds found (empty: supported); ``detail`` says what was missing."""

    kinds: tuple[str, ...]
    detail: str = ""

    @property
    def supported(self) -> bool:
        return not self.kinds


def _plain(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())


def _names(doc) -> list[tuple[str, str]]:
    out = []
    for e in doc.ents:
        if e.label_ in NAMES and len(e.text) > 1:
            name = re.sub(r"^the\s+|'s$|’s$", "", e.text, flags=re.IGNORECASE).strip()
            if name:
                out.append((name, e.label_))
    return out


def _name_written(name: str, label: str, text: str) -> bool:
    if _plain(name) in text:
        return True
    if label == "PERSON":  # "Xi" for "Xi Jinping", "Biden" for "Joe Biden"
        return any(len(w) > 1 and re.search(rf"\b{re.escape(w)}\b", text) for w in _plain(name).split())
    if label == "NORP":  # "Vietnamese" for "Viet Nam"/"Vietnam": the stem of the word
        return _plain(name)[:5] in text
    return False


def _numbers(text: str) -> set[str]:
    found = {m.replace(",", "").lower() for m in NUMBER.findall(text)}
    return {re.sub(r"(?:st|nd|rd|th)$", "", n) for n in found}


def _number_written(number: str, text: str, words: set[str]) -> bool:
    return number in _numbers(text) or any(str(v) == number for w, v in WORD_NUMBERS.items() if w in words)


def judge(claim: str, cited: Sequence[str], doc=None) -> Judgement:
    """What of ``claim`` the ``cited`` passage texts do not say, by the labelled set's kinds."""
    if not cited:
        return Judgement(("uncited",), "cites nothing")
    doc = doc if doc is not None else _nlp([claim])[0]
    text = _plain(" ".join(cited))
    words = set(re.findall(r"[a-z]+", text))
    kinds, detail = [], []
    missing = [n for n, label in _names(doc) if not _name_written(n, label, text)]
    if missing:
        kinds.append("actor")
        detail.append("names not in the passage: " + ", ".join(missing))
    numbers = [n for n in _numbers(claim) if not _number_written(n, text, words)]
    if numbers:
        kinds.append("number")
        detail.append("numbers not in the passage: " + ", ".join(numbers))
    wanted = set(terms(claim))
    sentences = [p[s:e] for p in cited for s, e in split_sentences(p)]
    closest = max(sentences, key=lambda s: len(wanted & set(terms(s))), default="")
    if bool(NEGATION.search(claim)) != bool(NEGATION.search(closest)):
        kinds.append("negation")
        detail.append(f"negated {'in the claim' if NEGATION.search(claim) else 'in the passage'} only")
    new = sorted(wanted - set(terms(" ".join(cited))))
    if len(new) > ALLOWED_NEW:
        kinds.append("added")
        detail.append("terms not in the passage: " + ", ".join(new))
    return Judgement(tuple(kinds), "; ".join(detail))


def judge_many(items: Sequence[tuple[str, Sequence[str]]]) -> list[Judgement]:
    """``judge`` for many (claim, cited texts) pairs, parsed in one batch."""
    docs = _nlp([c for c, _ in items])
    return [judge(c, cited, doc) for (c, cited), doc in zip(items, docs, strict=True)]


def evaluate_on_labelled_set() -> dict:
    """The judge as a classifier on ``bench/data/verifier_set.jsonl``, per kind and half, for
    each ``ALLOWED_NEW`` tried (the passage each claim cites found as bench/verifier_eval.py does)."""
    import tempfile

    from bench.verifier_eval import FAITHFUL, UNFAITHFUL, cited_passage, passages_by_article
    from bench.verifier_set import OUT

    global ALLOWED_NEW
    items = [json.loads(line) for line in OUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="newsqa-judge-") as tmp:
        passages, _ = passages_by_article(Path(tmp) / "home")
    pairs = [(i["claim"], [cited_passage(i, passages[i["article_id"]]).chunk.text]) for i in items]
    docs = _nlp([c for c, _ in pairs])
    out: dict = {"items": len(items), "by_allowed_new": {}}
    chosen = ALLOWED_NEW
    for allowed in (0, 1, 2, 3):
        ALLOWED_NEW = allowed
        cells: dict = {}
        for item, (claim, cited), doc in zip(items, pairs, docs, strict=True):
            verdict = judge(claim, cited, doc)
            right = verdict.supported if item["label"] == "faithful" else not verdict.supported
            for key in (item["kind"], "all " + item["label"]):
                cell = cells.setdefault(item["split"], {}).setdefault(key, [0, 0])
                cell[0] += right
                cell[1] += 1
        out["by_allowed_new"][allowed] = cells
    ALLOWED_NEW = chosen
    out["kinds"] = {"faithful": list(FAITHFUL), "unfaithful": list(UNFAITHFUL)}
    out["chosen"] = chosen
    return out


def main() -> None:
    result = evaluate_on_labelled_set()
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    for allowed, cells in result["by_allowed_new"].items():
        print(f"ALLOWED_NEW={allowed}")
        for key in [
            *result["kinds"]["faithful"],
            *result["kinds"]["unfaithful"],
            "all faithful",
            "all unfaithful",
        ]:
            row = [f"{half}: {c[0]}/{c[1]} = {c[0] / c[1]:.0%}" for half in ("tune", "heldout")
                   if (c := cells.get(half, {}).get(key))]  # fmt: skip
            print(f"  {key:16} " + " | ".join(row))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
