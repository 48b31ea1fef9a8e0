"""The scale benchmark's corpus: news, SQuAD and SciFact texts assembled into JSONL prefixes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import random
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("bench.scale")

EXTERNAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "external"
CORPUS_VERSION = 1  # bump when the corpus generator changes: new files, new store keys
SEED = 20240601
MIN_WORDS, MAX_WORDS = 600, 1200
REAL_SHARE = 0.1  # share of stream positions after the news taken by SQuAD/SciFact articles
SYNTHETIC_POOLS = (("news", 0.7), ("squad", 0.15), ("scifact", 0.15))
DATE_WINDOW = (dt.date(2023, 1, 1), dt.date(2024, 12, 31))

_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[\"“‘(]?[A-Z0-9])")


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph (a light regex; the product re-segments with pysbd)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def n_words(text: str) -> int:
    return len(text.split())


def cap_words(paras: Sequence[str], max_words: int = MAX_WORDS) -> str:
    """The leading paragraphs within ``max_words``; the overflowing one cut at a sentence."""
    kept: list[str] = []
    total = 0
    for para in paras:
        words = n_words(para)
        if total + words <= max_words:
            kept.append(para)
            total += words
            continue
        head: list[str] = []
        for sentence in sentences(para):
            if total + n_words(sentence) > max_words:
                break
            head.append(sentence)
            total += n_words(sentence)
        if head:
            kept.append(" ".join(head))
        break
    return "\n\n".join(kept)


@dataclass
class Sources:
    """The real texts the corpus is assembled from."""

    news: list[dict]  # MultiHop-RAG records
    squad: list[tuple[str, list[str]]]  # (title, paragraphs)
    scifact: list[tuple[str, str]]  # (title, abstract)
    pools: dict[str, list[list[str]]] = field(default_factory=dict)  # kind -> texts as sentences

    @classmethod
    def load(cls, root: Path = EXTERNAL) -> Sources:
        news = json.loads((root / "multihop_rag" / "corpus.json").read_text(encoding="utf-8"))
        squad_raw = json.loads((root / "squad_v2" / "dev-v2.0.rebuilt.json").read_text(encoding="utf-8"))
        squad = [
            (a["title"].replace("_", " "), [p["context"] for p in a["paragraphs"]]) for a in squad_raw["data"]
        ]
        with (root / "scifact" / "corpus.jsonl").open(encoding="utf-8") as f:
            scifact = [(d["title"].strip(), d["text"]) for d in map(json.loads, f)]
        pools = {
            "news": [[s for p in paragraphs(a["body"]) for s in sentences(p)] for a in news],
            "squad": [[s for p in ps for s in sentences(p)] for _, ps in squad],
            "scifact": [sentences(text) for _, text in scifact],
        }
        pools = {k: [doc for doc in v if doc] for k, v in pools.items()}
        return cls(news, squad, scifact, pools)


def _draw_date(rng: random.Random) -> str:
    start, end = DATE_WINDOW
    return (start + dt.timedelta(days=rng.randrange((end - start).days + 1))).isoformat()


def _grouped(items: Sequence[str], rng: random.Random) -> Iterator[list[str]]:
    """Consecutive texts grouped into articles of a drawn length in [MIN_WORDS, MAX_WORDS]."""
    group: list[str] = []
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    for item in items:
        if group and sum(map(n_words, group)) + n_words(item) > target:
            yield group
            group, target = [], rng.randint(MIN_WORDS, MAX_WORDS)
        group.append(item)
    if group and sum(map(n_words, group)) >= MIN_WORDS // 2:
        yield group


def real_rest(src: Sources, rng: random.Random) -> list[dict]:
    """SQuAD 2.0 paragraphs and SciFact abstracts grouped into articles, in a seeded order."""
    out: list[dict] = []
    for title, paras in src.squad:
        for part, group in enumerate(_grouped(paras, rng), 1):
            out.append(
                {
                    "kind": "squad",
                    "title": f"{title} (part {part})",
                    "date": _draw_date(rng),
                    "source": "Wikipedia",
                    "url": f"https://en.wikipedia.org/wiki/{title.replace(' ', '_')}#part-{part}",
                    "text": "\n\n".join(group),
                }
            )
    by_text = dict((text, title) for title, text in src.scifact)
    for n, group in enumerate(_grouped([text for _, text in src.scifact], rng), 1):
        out.append(
            {
                "kind": "scifact",
                "title": f"Research roundup: {by_text[group[0]]}",
                "date": _draw_date(rng),
                "source": "SciFact",
                "url": f"https://scifact.example/roundup/{n}",
                "text": "\n\n".join(group),
            }
        )
    rng.shuffle(out)
    return out


def synthetic(src: Sources, rng: random.Random, sources: Sequence[str]) -> dict:
    """An article of runs of 2-6 consecutive sentences of random real texts (mostly news)."""
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    kinds, weights = zip(*SYNTHETIC_POOLS, strict=True)
    paras: list[str] = []
    total = 0
    while total < target:
        kind = rng.choices(kinds, weights)[0] if paras else "news"  # the lede (and title) is news
        doc = rng.choice(src.pools[kind])
        run = rng.randint(2, 6)
        start = rng.randrange(max(1, len(doc) - run + 1))
        para = " ".join(doc[start : start + run])
        if total >= MIN_WORDS and total + n_words(para) > MAX_WORDS + 50:
            break
        paras.append(para)
        total += n_words(para)
    first = re.sub(r"[\s.,;:!?\"“”]+$", "", " ".join(paras[0].split()[:14]))
    return {
        "kind": "synthetic",
        "title": first,
        "date": _draw_date(rng),
        "source": rng.choice(sources),
        "url": "",
        "text": "\n\n".join(paras),
    }


def article_stream(src: Sources, seed: int = SEED) -> Iterator[dict]:
    """Every corpus article in order: the news, then real and synthetic ones mixed.

    The stream does not depend on the chunk target, so a smaller corpus is a prefix of a
    larger one (the 10k store holds the first articles of the 100k store).
    """
    rng = random.Random(seed)
    for a in src.news:
        yield {
            "kind": "news",
            "title": a["title"],
            "date": a["published_at"][:10],
            "source": a["source"],
            "url": a["url"],
            "text": cap_words(paragraphs(a["body"])),
        }
    rest = real_rest(src, random.Random(seed + 1))
    outlets = sorted({a["source"] for a in src.news})
    while True:
        if rest and rng.random() < REAL_SHARE:
            yield rest.pop()
        else:
            yield synthetic(src, rng, outlets)


def words_per_chunk(src: Sources, chunk_tokens: int, overlap: int, per_kind: int) -> dict[str, float]:
    """Words per chunk of each kind of article, from the product's chunker on a sample."""
    from tokenizers import Tokenizer

    from index.chunk import chunk_text
    from index.embed import BUNDLED_NAME, resolve_model_path

    tok = Tokenizer.from_file(str(resolve_model_path(BUNDLED_NAME) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()

    def count(text: str) -> int:
        return len(tok.encode(text, add_special_tokens=False).ids)

    samples: dict[str, list[dict]] = {}
    for article in article_stream(src, SEED + 99):  # its own seed: not the measured articles
        kind_samples = samples.setdefault(article["kind"], [])
        if len(kind_samples) < per_kind:
            kind_samples.append(article)
        if len(samples) == 4 and all(len(v) >= per_kind for v in samples.values()):
            break
    ratios = {}
    for kind, articles in samples.items():
        chunks = sum(
            len(
                chunk_text(
                    "x", a["text"], count, max_tokens=min(chunk_tokens, 254), overlap_sentences=overlap
                )
            )
            for a in articles
        )
        ratios[kind] = sum(n_words(a["text"]) for a in articles) / max(chunks, 1)
    return ratios


@dataclass
class Corpus:
    """JSONL files of the corpus prefixes each measurement uses, with estimated chunk counts."""

    files: dict[str, Path]  # role -> file: slice, warm, small, large
    articles: dict[str, int]
    estimated_chunks: dict[str, int]
    kinds: dict[str, dict[str, int]]
    words_per_chunk: dict[str, float]


def _write_jsonl(folder: Path, role: str, records: list[dict]) -> Path:
    """Write records as JSONL named by their content hash (concurrent runs never clash)."""
    lines = "".join(
        json.dumps({k: r[k] for k in ("id", "title", "date", "source", "url", "text")}, ensure_ascii=False)
        + "\n"
        for r in records
    )
    digest = hashlib.sha256(lines.encode()).hexdigest()[:12]
    path = folder / f"{role}-{len(records)}-{digest}.jsonl"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(lines, encoding="utf-8")
        os.replace(tmp, path)
    return path


def build_corpus(
    cache: Path, targets: dict[str, int], chunk_tokens: int, overlap: int, quick: bool
) -> Corpus:
    """Articles up to each chunk target (slice, small, large) and a warm-up article."""
    started = time.perf_counter()
    src = Sources.load()
    ratios = words_per_chunk(src, chunk_tokens, overlap, per_kind=6 if quick else 20)
    records: list[dict] = []
    cumulative: list[float] = []
    total = 0.0
    stop = max(targets.values())
    for n, article in enumerate(article_stream(src)):
        article["id"] = f"scale-{n:06d}"
        records.append(article)
        total += n_words(article["text"]) / ratios[article["kind"]]
        cumulative.append(total)
        if total >= stop and len(records) > _prefix(cumulative, targets["slice"]) + 1:
            break
    counts = {role: _prefix(cumulative, target) for role, target in targets.items()}
    subsets = {role: records[:n] for role, n in counts.items()}
    subsets["warm"] = records[counts["slice"] : counts["slice"] + 1]
    folder = cache / "corpus" / f"v{CORPUS_VERSION}-{SEED}"
    files = {role: _write_jsonl(folder, role, recs) for role, recs in subsets.items()}
    kinds = {role: _count_kinds(recs) for role, recs in subsets.items()}
    log.info(
        "corpus ready in %.0f s: %s",
        time.perf_counter() - started,
        ", ".join(f"{r} {len(v)} articles" for r, v in subsets.items()),
    )
    return Corpus(
        files=files,
        articles={role: len(recs) for role, recs in subsets.items()},
        estimated_chunks={role: round(cumulative[n - 1]) for role, n in counts.items()},
        kinds=kinds,
        words_per_chunk={k: round(v, 1) for k, v in ratios.items()},
    )


def _prefix(cumulative: Sequence[float], target: int) -> int:
    """Fewest leading articles whose estimated chunks reach ``target``."""
    for n, total in enumerate(cumulative, 1):
        if total >= target:
            return n
    return len(cumulative)


def _count_kinds(records: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in records:
        out[r["kind"]] = out.get(r["kind"], 0) + 1
    return out


def load_questions(n: int, warm: int) -> tuple[list[str], list[str]]:
    """``n`` MultiHop-RAG questions spread over the file, and ``warm`` others for warm-up."""
    raw = json.loads((EXTERNAL / "multihop_rag" / "MultiHopRAG.json").read_text(encoding="utf-8"))
    step = max(1, len(raw) // max(n, 1))
    picked = list(range(0, len(raw), step))[:n]
    taken = set(picked)
    others = [i for i in range(len(raw) - 1, -1, -1) if i not in taken][:warm]
    return [raw[i]["query"] for i in picked], [raw[i]["query"] for i in others]


# --- measurement helpers ---------------------------------------------------------------------
