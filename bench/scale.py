"""Scale benchmark: ingestion rate, query latency, memory and disk at 10k and 100k chunks.

Run from the repository root::

    .venv/bin/python bench/scale.py                    # 100,000 chunks (hours the first time)
    .venv/bin/python bench/scale.py --quick            # 80 chunks, 10 queries, a smoke run
    .venv/bin/python bench/scale.py --chunks 20000 --slice-chunks 1000

The corpus is assembled deterministically from ``../shared/eval/external``: the 609
MultiHop-RAG news articles first (cut to at most 1,200 words at a sentence), then, in a
seeded order, SQuAD 2.0 paragraphs and SciFact abstracts grouped into 600-1,200-word
articles mixed with synthetic articles made of runs of sentences of those texts (titles,
dates and sources drawn too). Articles are written as the JSONL the product ingests.
The number of articles for a chunk target is estimated from words per chunk measured with
the product's chunker on a sample; the stores report the exact chunk counts.

Two pipelines, run in the same invocation:

* **ours**: ``python -m index add`` (``Library.add_paths``) into a home built by
  ``assistant.build.build_library(Settings(home=...))``; queries through the product's
  hybrid ``NewsRetriever.passages`` (query embedding, dense + BM25, scoping, fusion).
* **naive**: ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` +
  ``HuggingFaceEmbeddings`` (the same local model, normalised) + one persistent Chroma
  collection filled by ``add_documents`` calls of 512 chunks (``Chroma.from_documents`` adds
  in batches too, of the client's maximum batch size); queries through
  ``similarity_search(q, k=8)``.

Figures: ingestion rate on a slice (default 3,000 chunks) ingested into a fresh home, next
to the raw encoder rate (``encode`` on exactly the chunk texts the pipeline produced,
measured before and after ingestion; the faster of the two is used, so the ratio is not
flattered by a slow moment); build time, peak RSS and size on disk of each store (built
once into ``bench/.cache/scale/stores/``, keyed by corpus, settings and pipeline, and
reused); p50/p95 query latency over MultiHop-RAG questions after a warm-up. Each build and
each query run is a child process (peak RSS per process; ``--inline`` or ``--quick`` run
everything in this process, with the peak reset between steps: only indicative).

Store builds resume: a run that is killed leaves its partial stores, and the next run
continues them instead of starting over (``--rebuild`` starts over). Ours calls
``add_paths`` again on the same home (committed articles are skipped as unchanged, a killed
batch is repaired by the library's reconciliation); naive skips the batches whose
deterministic ids (``article:chunk``) are all stored. ``progress.json`` in the store folder,
rewritten after every batch, accumulates the build over the runs ("segments"): the sum of
each segment's wall time from its model being loaded to its last finished batch, the
largest peak RSS, the chunks done. ``build.json`` is written when the store is complete.

Order (``scale.md``/``scale.json`` rewritten after each step): the ingestion-rate slices
(measured again by every run), then the 10k stores and their query latencies, then the
100k store of ours and its latencies, then the 100k store of naive.

Writes ``bench/results/scale.md`` and ``scale.json`` (``--quick``: into the cache folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import index  # noqa: E402,F401,I001  (switches model hubs and telemetry off before any ML import)

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from langchain_core.embeddings import Embeddings  # noqa: E402

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant.settings import Settings
    from index.library import Library

log = logging.getLogger("bench.scale")

EXTERNAL = REPO.parent / "shared" / "eval" / "external"
CACHE = Path(__file__).resolve().parent / ".cache" / "scale"
RESULTS = Path(__file__).resolve().parent / "results"

CORPUS_VERSION = 1  # bump when the corpus generator changes: new files, new store keys
SEED = 20240601
MIN_WORDS, MAX_WORDS = 600, 1200
REAL_SHARE = 0.1  # share of stream positions after the news taken by SQuAD/SciFact articles
SYNTHETIC_POOLS = (("news", 0.7), ("squad", 0.15), ("scifact", 0.15))
DATE_WINDOW = (dt.date(2023, 1, 1), dt.date(2024, 12, 31))
NAIVE_CHUNK_SIZE, NAIVE_OVERLAP, NAIVE_K = 1000, 200, 8
NAIVE_BATCH_CHUNKS = 512  # chunks per add_documents call of a naive build (a resumable unit)
QUICK_BATCH_CHUNKS = 8  # --quick: small batches of both pipelines, so a build has several
STOP_EXIT = 3  # exit status of a build stopped by --stop-after-batches (a simulated kill)
RATE_GOAL = 0.8

_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[\"“‘(]?[A-Z0-9])")


# --- corpus ---------------------------------------------------------------------------------


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


def reset_peak_rss() -> None:
    """Reset this process's peak RSS to its current RSS (Linux; elsewhere a no-op)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_rss_mib() -> float:
    """Peak resident set size of this process since start (or the last reset), MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_mib(path: Path) -> float:
    """Disk space used by the files under ``path`` (allocated blocks, like ``du``), MiB."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total / 2**20


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def percentile(values: Sequence[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q))


class ProgressLog:
    """A ``Library`` progress callback that logs every ~5% (or minute) with the rate so far."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.perf_counter()
        self.last = (0.0, -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != "indexing" or total == 0:
            return
        now = time.perf_counter() - self.started
        step = max(1, total // 20)
        if done == total or done // step > self.last[1] // step or now - self.last[0] > 60:
            self.last = (now, done)
            log.info(
                "%s: %d/%d articles in %.0f s (%.2f articles/s)",
                self.label,
                done,
                total,
                now,
                done / max(now, 1e-9),
            )


def write_json(path: Path, data: dict) -> None:
    """Write JSON atomically: a temporary file beside it, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_progress(store: Path) -> dict | None:
    """A store's ``progress.json`` (None: absent or unreadable)."""
    try:
        return json.loads((store / "progress.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class BuildProgress:
    """``progress.json`` of a store build, accumulated over the segments (runs) that built it.

    A segment's clock starts once its model is loaded (an uninterrupted build's time never
    included loading either) and covers everything after: reading the corpus again, skipping
    what is stored, the batches. It is written after every batch, atomically, so a kill
    loses at most the unfinished batch, whose work is not counted (the next segment does it
    again and counts it). ``stop_after`` (``--stop-after-batches``) ends the process with
    status ``STOP_EXIT`` after that many batches of this segment, like a kill would.
    """

    def __init__(self, store: Path, name: str, stop_after: int = 0) -> None:
        self.path, self.name, self.stop_after = store / "progress.json", name, stop_after
        self.state = read_progress(store) or {
            "name": name,
            "segments": 0,
            "seconds": 0.0,
            "peak_rss_mib": 0.0,
            "chunks": 0,
            "batches": 0,
            "complete": False,
            "segment_log": [],
        }
        self.base = self.state["seconds"]
        self.started = time.perf_counter()
        self.batches = 0

    def start(self, load_seconds: float, **done: Any) -> None:
        """A new segment: its model loaded in ``load_seconds`` (not counted); its clock starts."""
        self.state["segments"] += 1
        self.state["segment_log"].append(
            {
                "started_at": dt.datetime.now().isoformat(timespec="seconds"),
                "load_seconds": load_seconds,
                "seconds": 0.0,
                "batches": 0,
                "chunks_at_start": done.get("chunks", self.state["chunks"]),
                "peak_rss_mib": peak_rss_mib(),
            }
        )
        self.base = self.state["seconds"]
        self.started = time.perf_counter()
        self.update(**done)

    def update(self, **done: Any) -> None:
        """Record the segment so far (its seconds, peak RSS, what is done) and write the file."""
        seconds = time.perf_counter() - self.started
        segment = self.state["segment_log"][-1]
        segment |= {
            "seconds": seconds,
            "batches": self.batches,
            "peak_rss_mib": max(segment["peak_rss_mib"], peak_rss_mib()),
        }
        self.state |= done | {
            "seconds": self.base + seconds,
            "peak_rss_mib": max(s["peak_rss_mib"] for s in self.state["segment_log"]),
            "batches": sum(s["batches"] for s in self.state["segment_log"]),
            "updated_at": dt.datetime.now().isoformat(timespec="seconds"),
        }
        write_json(self.path, self.state)

    def batch(self, **done: Any) -> None:
        """A batch is stored: record it; stop here if ``stop_after`` batches are done."""
        self.batches += 1
        self.update(**done)
        if self.stop_after and self.batches >= self.stop_after:
            log.warning("%s: stopping after %d batches (--stop-after-batches)", self.name, self.batches)
            logging.shutdown()
            os._exit(STOP_EXIT)  # no clean-up, as if the run were killed here

    def finish(self, **done: Any) -> dict:
        """The store is complete: the accumulated figures."""
        self.update(**done, complete=True)
        return dict(self.state)


# --- the pipelines -----------------------------------------------------------------------------

_EMBEDDERS: dict[str, Any] = {}  # in-process runs (--inline) share one loaded model per pipeline


def _settings(home: Path) -> Settings:
    from assistant.settings import Settings

    return Settings(home=home, llm="none")


def _embedder_settings(settings: Settings) -> dict:
    """The settings that decide what ours stores: embedder, its backend, batch, chunking."""
    dumped = settings.model_dump(mode="json")
    return {k: v for k, v in sorted(dumped.items()) if k.startswith(("embed", "chunk"))}


def ours_library(home: Path) -> Library:
    """A product library over ``home``; the embedder is the configured default (built by
    ``build_library``), loaded once per process."""
    from assistant.build import build_library

    settings = _settings(home)
    key = json.dumps(_embedder_settings(settings))
    if key in _EMBEDDERS:
        return build_library(settings, embedder=_EMBEDDERS[key])
    library = build_library(settings)
    library.embedder.load()
    _EMBEDDERS[key] = library.embedder
    return library


def backend_of(embedder: Embeddings, settings: Settings) -> str:
    """A description of the encoder that runs: the embedder's backend attribute, the
    backend setting, else sentence-transformers on torch."""
    for name in ("backend", "backend_name"):
        value = getattr(embedder, name, None)
        if isinstance(value, str) and value:
            return value
    for key, value in _embedder_settings(settings).items():
        if "backend" in key and value:
            return str(value)
    return "torch"


def naive_embeddings() -> HuggingFaceEmbeddings:
    """``HuggingFaceEmbeddings`` over the bundled model's local folder (nothing downloaded)."""
    if "naive" not in _EMBEDDERS:
        from langchain_huggingface import HuggingFaceEmbeddings

        from index.embed import BUNDLED_NAME, resolve_model_path

        _EMBEDDERS["naive"] = HuggingFaceEmbeddings(
            model_name=str(resolve_model_path(BUNDLED_NAME)),
            model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True},
        )
    return _EMBEDDERS["naive"]


def naive_split(path: Path) -> tuple[list[Document], list[str], int]:
    """The naive pipeline's chunks (LangChain documents) of a JSONL file, their ids
    (``article:chunk``, deterministic) and its articles. Each article is split on its own,
    as ``split_documents`` does over a list."""
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    with path.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    splitter = RecursiveCharacterTextSplitter(chunk_size=NAIVE_CHUNK_SIZE, chunk_overlap=NAIVE_OVERLAP)
    chunks: list[Document] = []
    ids: list[str] = []
    for n, r in enumerate(records):
        doc = Document(page_content=r["text"], metadata={k: r[k] for k in ("title", "date", "source", "url")})
        parts = splitter.split_documents([doc])
        chunks += parts
        ids += [f"{n}:{i}" for i in range(len(parts))]
    return chunks, ids, len(records)


def naive_build(
    path: Path,
    persist: Path,
    embeddings: Embeddings,
    batch_chunks: int = NAIVE_BATCH_CHUNKS,
    on_batch: Callable[[int, int], None] | None = None,
) -> tuple[Chroma, int, int]:
    """The whole naive ingestion (read, split, embed, store): the store, its chunks, its articles.

    The chunks go into one persistent Chroma collection (the default one, as
    ``Chroma.from_documents`` makes) by ``add_documents`` calls of ``batch_chunks`` chunks
    under deterministic ids; ``from_documents`` also adds in batches (of the client's maximum
    batch size, with random ids), so this is the same pipeline in resumable units. On a
    collection that already holds chunks (a killed build), batches whose ids are all stored
    are skipped (``add_documents`` upserts, so a half-stored batch is simply added again).
    ``on_batch(chunks stored, chunks in all)`` is called after each batch added.
    """
    from langchain_chroma import Chroma

    chunks, ids, articles = naive_split(path)
    store = Chroma(embedding_function=embeddings, persist_directory=str(persist))
    resuming = store._collection.count() > 0
    for start in range(0, len(chunks), batch_chunks):
        batch_ids = ids[start : start + batch_chunks]
        if resuming and len(store._collection.get(ids=batch_ids, include=[])["ids"]) == len(batch_ids):
            continue
        store.add_documents(chunks[start : start + batch_chunks], ids=batch_ids)
        if on_batch is not None:
            on_batch(store._collection.count(), len(chunks))
    return store, len(chunks), articles


def _raw_rate(encode: Callable[[list[str]], Any], texts: list[str]) -> float:
    """Chunks per second of one ``encode`` call over all ``texts``."""
    _, seconds = timed(lambda: encode(texts))
    return len(texts) / seconds


# --- tasks (run in a child process, or inline) -----------------------------------------------


def task_rate_ours(spec: dict) -> dict:
    """End-to-end ``add_paths`` on the slice into a fresh home, bracketed by raw ``encode``
    on the same chunk texts."""
    from index.chunk import chunk_text
    from index.ingest import load_file
    from index.types import Article

    work = Path(spec["work"])
    shutil.rmtree(work, ignore_errors=True)
    warm = ours_library(work / "warm")
    embedder = warm.embedder
    warm.add_paths([spec["warm"]])  # loads the sentence splitter, parser and Chroma
    embedder.encode(["warm-up sentence"] * 64)
    library = ours_library(work / "home")
    articles = [a for a in load_file(Path(spec["slice"])) if isinstance(a, Article)]
    limit = embedder.max_tokens - 2
    expected = [
        c.text
        for a in articles
        for c in chunk_text(
            a.id,
            a.text,
            embedder.count_tokens,
            min(library.chunk_tokens, limit),
            library.overlap_sentences,
            limit,
        )
    ]
    raw_before = _raw_rate(embedder.encode, expected)
    log.info("ours: raw encoder %.1f chunks/s on %d chunks", raw_before, len(expected))
    report, seconds = timed(lambda: library.add_paths([spec["slice"]], progress=ProgressLog("ours slice")))
    stored = library.chunks._chroma.get(include=["documents"])["documents"]
    if report.failed:
        raise RuntimeError(f"articles failed to index: {report.failed[:3]}")
    raw_after = _raw_rate(embedder.encode, stored)
    e2e = len(stored) / seconds
    log.info("ours: end-to-end %.1f chunks/s, raw encoder after %.1f chunks/s", e2e, raw_after)
    result = {
        "articles": len(articles),
        "chunks": len(stored),
        "chunks_match_chunker": sorted(stored) == sorted(expected),
        "seconds": seconds,
        "e2e_chunks_per_s": e2e,
        "e2e_articles_per_s": len(articles) / seconds,
        "raw_chunks_per_s_before": raw_before,
        "raw_chunks_per_s_after": raw_after,
        "raw_chunks_per_s": max(raw_before, raw_after),
        "backend": backend_of(embedder, _settings(library.home)),
        "embedder_settings": _embedder_settings(_settings(library.home)),
    }
    result["e2e_over_raw"] = result["e2e_chunks_per_s"] / result["raw_chunks_per_s"]
    shutil.rmtree(work, ignore_errors=True)
    return result


def task_rate_naive(spec: dict) -> dict:
    """End-to-end naive ingestion of the slice, bracketed by raw ``encode`` on its chunks."""
    work = Path(spec["work"])
    shutil.rmtree(work, ignore_errors=True)
    embeddings = naive_embeddings()
    batch = spec.get("batch_chunks") or NAIVE_BATCH_CHUNKS
    naive_build(Path(spec["warm"]), work / "warm", embeddings, batch)
    encode_kwargs = dict(embeddings.encode_kwargs)

    def encode(texts: list[str]) -> Any:
        # what HuggingFaceEmbeddings.embed_documents hands to SentenceTransformer.encode
        return embeddings._client.encode([t.replace("\n", " ") for t in texts], **encode_kwargs)

    expected = [d.page_content for d in naive_split(Path(spec["slice"]))[0]]
    raw_before = _raw_rate(encode, expected)
    log.info("naive: raw encoder %.1f chunks/s on %d chunks", raw_before, len(expected))
    (store, chunks, articles), seconds = timed(
        lambda: naive_build(Path(spec["slice"]), work / "home", embeddings, batch)
    )
    stored = store.get(include=["documents"])["documents"]
    raw_after = _raw_rate(encode, stored)
    e2e = chunks / seconds
    log.info("naive: end-to-end %.1f chunks/s, raw encoder after %.1f chunks/s", e2e, raw_after)
    result = {
        "articles": articles,
        "chunks": chunks,
        "chunks_match_chunker": sorted(stored) == sorted(expected),
        "seconds": seconds,
        "e2e_chunks_per_s": e2e,
        "e2e_articles_per_s": articles / seconds,
        "raw_chunks_per_s_before": raw_before,
        "raw_chunks_per_s_after": raw_after,
        "raw_chunks_per_s": max(raw_before, raw_after),
        "backend": "torch (HuggingFaceEmbeddings)",
    }
    result["e2e_over_raw"] = result["e2e_chunks_per_s"] / result["raw_chunks_per_s"]
    shutil.rmtree(work, ignore_errors=True)
    return result


@contextmanager
def ours_batches(chunks: int | None) -> Iterator[None]:
    """Ours commits ingested articles in batches of ``index.library.BATCH_CHUNKS`` chunks (or
    ``BATCH_ARTICLES`` articles); ``chunks`` (--batch-chunks, --quick) overrides the former."""
    import index.library as library_module

    saved = library_module.BATCH_CHUNKS
    library_module.BATCH_CHUNKS = chunks or saved
    try:
        yield
    finally:
        library_module.BATCH_CHUNKS = saved


def task_build(spec: dict) -> dict:
    """Build one store from a JSONL file, or resume its partial build (ours: then the BM25
    index, as the first query would). ``progress.json`` accumulates the segments."""
    path, store = Path(spec["corpus"]), Path(spec["store"])
    name = f"{spec['pipeline']}-{spec['size']}"
    progress = BuildProgress(store, name, spec.get("stop_after", 0))
    if spec["pipeline"] == "ours":
        library, load = timed(lambda: ours_library(store))
        progress.start(load, chunks=library.chunks.count(), articles=library.catalog.count())
        logger = ProgressLog(f"build {name}")
        committed = [library.catalog.count()]

        def on_progress(stage: str, done: int, total: int) -> None:
            logger(stage, done, total)
            # A batch commits catalogue rows; articles skipped as unchanged add none.
            if stage == "indexing" and (articles := library.catalog.count()) != committed[0]:
                committed[0] = articles
                progress.batch(chunks=library.chunks.count(), articles=articles, articles_total=total)

        with ours_batches(spec.get("batch_chunks")):
            report = library.add_paths([path], progress=on_progress)
        if report.failed:
            raise RuntimeError(f"articles failed to index: {report.failed[:3]}")
        _, bm25 = timed(library.lexical.count)
        record = progress.finish(chunks=library.chunks.count(), articles=library.catalog.count())
        return record | {
            # the segments' peak; run_task overwrites peak_rss_mib with this process's
            "peak_rss_mib_batches": record["peak_rss_mib"],
            "ingest_seconds": record["seconds"] - bm25,
            "bm25_seconds": bm25,
            "backend": backend_of(library.embedder, _settings(store)),
        }
    embeddings, load = timed(naive_embeddings)
    progress.start(load)
    started = time.perf_counter()

    def on_batch(done: int, total: int) -> None:
        progress.batch(chunks=done, chunks_total=total)
        seconds = time.perf_counter() - started
        log.info("build %s: %d/%d chunks (%.0f s in this run)", name, done, total, seconds)

    batch = spec.get("batch_chunks") or NAIVE_BATCH_CHUNKS
    vectorstore, chunks, articles = naive_build(path, store, embeddings, batch, on_batch)
    if (stored := vectorstore._collection.count()) != chunks:
        raise RuntimeError(f"{name}: {stored} chunks stored, {chunks} expected")
    record = progress.finish(chunks=chunks, articles=articles)
    return record | {"peak_rss_mib_batches": record["peak_rss_mib"], "backend": "torch"}


def task_query(spec: dict) -> dict:
    """Sequential query latency after a warm-up (ours: hybrid retrieval; naive: similarity_search)."""
    store = Path(spec["store"])
    if spec["pipeline"] == "ours":
        from assistant.build import build_assistant

        library = ours_library(store)
        retriever = build_assistant(_settings(store), library=library).retriever

        def search(q: str) -> int:
            return len(retriever.passages(q))
    else:
        from langchain_chroma import Chroma

        vectorstore = Chroma(embedding_function=naive_embeddings(), persist_directory=str(store))

        def search(q: str) -> int:
            return len(vectorstore.similarity_search(q, k=NAIVE_K))

    for q in spec["warm"]:
        search(q)
    latencies, found = [], []
    for q in spec["questions"]:
        n, seconds = timed(lambda q=q: search(q))
        latencies.append(seconds * 1000)
        found.append(n)
    return {
        "queries": len(latencies),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "mean_ms": sum(latencies) / len(latencies),
        "mean_passages": sum(found) / len(found),
    }


TASKS: dict[str, Callable[[dict], dict]] = {
    "rate-ours": task_rate_ours,
    "rate-naive": task_rate_naive,
    "build": task_build,
    "query": task_query,
}


def _apply_threads(spec: dict) -> None:
    if spec.get("threads", 0) > 0:
        import torch

        torch.set_num_threads(spec["threads"])


def run_task(spec: dict, inline: bool, cache: Path) -> dict:
    """Run a task in a child process (its peak RSS is its own) or in this one (peak reset)."""
    if inline:
        _apply_threads(spec)
        reset_peak_rss()
        result = TASKS[spec["task"]](spec)
        return result | {"peak_rss_mib": peak_rss_mib()}
    folder = cache / "tasks"
    folder.mkdir(parents=True, exist_ok=True)
    spec_path = folder / f"{spec['name']}-{os.getpid()}.json"
    out_path = spec_path.with_suffix(".out.json")
    out_path.unlink(missing_ok=True)
    spec_path.write_text(json.dumps(spec | {"out": str(out_path)}))
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", str(spec_path)])
    if done.returncode:
        log.error("%s ended with status %d", spec["name"], done.returncode)
        spec_path.unlink(missing_ok=True)
        raise SystemExit(done.returncode if done.returncode > 0 else 1)
    result = json.loads(out_path.read_text())
    spec_path.unlink(missing_ok=True)
    out_path.unlink(missing_ok=True)
    return result


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(cache: Path) -> None:
    """Remove the scratch folders and task files of runs that were killed (named ``…-<pid>``,
    the pid no longer running); a killed slice measurement is simply made again."""
    for path in [*(cache / "work").glob("*-*"), *(cache / "tasks").glob("*-*.json")]:
        pid = path.name.split(".")[0].rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def worker(spec_path: Path) -> None:
    """Child-process entry: run the task, write its result with this process's peak RSS."""
    spec = json.loads(spec_path.read_text())
    _apply_threads(spec)
    result = TASKS[spec["task"]](spec)
    Path(spec["out"]).write_text(json.dumps(result | {"peak_rss_mib": peak_rss_mib()}))


# --- stores, cached ----------------------------------------------------------------------------


def store_key(pipeline: str, corpus_file: Path) -> str:
    """What decides a store's content: the corpus file, the pipeline and its settings."""
    if pipeline == "ours":
        recipe: dict = _embedder_settings(_settings(Path("/nonexistent")))
    else:
        recipe = {"chunk_size": NAIVE_CHUNK_SIZE, "overlap": NAIVE_OVERLAP, "model": "bundled"}
    digest = hashlib.sha256(json.dumps([pipeline, corpus_file.name, recipe], sort_keys=True).encode())
    return digest.hexdigest()[:12]


def store_path(pipeline: str, size: str, corpus_file: Path, cache: Path) -> Path:
    return cache / "stores" / f"{pipeline}-{size}-{store_key(pipeline, corpus_file)}"


def cached_build(pipeline: str, size: str, corpus_file: Path, cache: Path, opts: dict) -> dict:
    """The build record of a store: read when the store is complete, else built now (a
    partial build with a ``progress.json`` is resumed)."""
    store = store_path(pipeline, size, corpus_file, cache)
    record_path = store / "build.json"
    if record_path.exists() and not opts["rebuild"]:
        record = json.loads(record_path.read_text())
        log.info("reusing %s (built in %.0f s)", store, record["seconds"])
        return record | {"cached": True}
    progress = read_progress(store)
    if opts["rebuild"] or progress is None:
        # --rebuild, or no record of the work in the folder (a run killed before its first
        # batch, or an older version of this script): its build time is unknown, start over
        shutil.rmtree(store, ignore_errors=True)
        log.info("building %s from %s", store, corpus_file.name)
    else:
        log.info(
            "resuming %s: %d chunks in %.0f s over %d segments so far",
            store,
            progress["chunks"],
            progress["seconds"],
            progress["segments"],
        )
    name = f"{pipeline}-{size}"
    spec = {
        "task": "build",
        "name": f"build-{name}",
        "pipeline": pipeline,
        "size": size,
        "corpus": str(corpus_file),
        "store": str(store),
        "threads": opts["threads"],
        "batch_chunks": opts["batch_chunks"],
        "stop_after": opts["stop_after"].get(name, opts["stop_after"].get("*", 0)),
    }
    result = run_task(spec, opts["inline"], cache)
    # the process's peak after the last batch (ours: BM25 built) counts too
    result["peak_rss_mib"] = max(result["peak_rss_mib"], result.pop("peak_rss_mib_batches", 0.0))
    result["segment_log"][-1]["peak_rss_mib"] = max(
        result["segment_log"][-1]["peak_rss_mib"], result["peak_rss_mib"]
    )
    result |= {
        "resumed": result["segments"] > 1,
        "store": str(store),
        "disk_mib": disk_mib(store),
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "isolated": not opts["inline"],
    }
    write_json(store / "progress.json", {k: v for k, v in result.items() if k != "disk_mib"})
    write_json(record_path, result)
    log.info(
        "built %s: %d chunks in %.0f s over %d segment(s), peak RSS %.0f MiB, %.0f MiB on disk",
        store.name,
        result["chunks"],
        result["seconds"],
        result["segments"],
        result["peak_rss_mib"],
        result["disk_mib"],
    )
    return result | {"cached": False}


# --- the run -----------------------------------------------------------------------------------


def size_label(n: int) -> str:
    return f"{n / 1000:g}k" if n >= 1000 else str(n)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def summarise(result: dict) -> dict:
    """Ours-vs-naive ratios of every figure (ours divided by naive)."""
    rate = result.get("ingestion", {})
    out: dict[str, float | None] = {}
    if "ours" in rate and "naive" in rate:
        out["e2e_chunks_per_s"] = ratio(rate["ours"]["e2e_chunks_per_s"], rate["naive"]["e2e_chunks_per_s"])
        out["e2e_articles_per_s"] = ratio(
            rate["ours"]["e2e_articles_per_s"], rate["naive"]["e2e_articles_per_s"]
        )
        out["e2e_over_raw"] = ratio(rate["ours"]["e2e_over_raw"], rate["naive"]["e2e_over_raw"])
    stores = result.get("stores", {})
    for size in ("small", "large"):
        ours, naive = stores.get(f"ours-{size}"), stores.get(f"naive-{size}")
        if not ours or not naive:
            continue
        for key in (
            "build_seconds",
            "build_peak_rss_mib",
            "disk_mib",
            "p50_ms",
            "p95_ms",
            "query_peak_rss_mib",
        ):
            if key in ours and key in naive:
                out[f"{size}_{key}"] = ratio(ours[key], naive[key])
    return out


def run(args: argparse.Namespace) -> dict:
    cache = Path(args.cache).resolve()
    settings = _settings(cache / "unused")
    small = args.small_chunks
    targets = {"slice": args.slice_chunks, "small": small, "large": args.chunks}
    corpus = build_corpus(cache, targets, settings.chunk_tokens, settings.chunk_overlap_sentences, args.quick)
    questions, warm = load_questions(args.queries, args.warm_queries)
    opts = {
        "inline": args.inline,
        "threads": args.threads,
        "rebuild": args.rebuild,
        "batch_chunks": args.batch_chunks,
        "stop_after": args.stop_after_batches,
    }
    clean_leftovers(cache)
    result: dict[str, Any] = {
        "config": {
            "chunks": args.chunks,
            "small_chunks": small,
            "slice_chunks": args.slice_chunks,
            "queries": len(questions),
            "warm_queries": len(warm),
            "quick": args.quick,
            "inline": args.inline,
            "threads": args.threads or "default",
            "batch_chunks": args.batch_chunks or {"naive": NAIVE_BATCH_CHUNKS, "ours": "the library's"},
            "seed": SEED,
            "corpus_version": CORPUS_VERSION,
            "embedder_settings": _embedder_settings(settings),
            "naive": {"chunk_size": NAIVE_CHUNK_SIZE, "chunk_overlap": NAIVE_OVERLAP, "k": NAIVE_K},
        },
        "machine": machine_info(),
        "corpus": {
            "files": {role: path.name for role, path in corpus.files.items()},
            "articles": corpus.articles,
            "estimated_chunks": corpus.estimated_chunks,
            "kinds": corpus.kinds,
            "words_per_chunk": corpus.words_per_chunk,
        },
        "sizes": {"small": small, "large": args.chunks},
        "ingestion": {},
        "stores": {},
        "partial": {},  # stores being built: their progress when this run started on them
    }
    started = time.perf_counter()
    for pipeline in ("ours", "naive"):
        spec = {
            "task": f"rate-{pipeline}",
            "name": f"rate-{pipeline}",
            "threads": args.threads,
            "slice": str(corpus.files["slice"]),
            "warm": str(corpus.files["warm"]),
            "work": str(cache / "work" / f"rate-{pipeline}-{os.getpid()}"),
            "batch_chunks": args.batch_chunks,
        }
        # The slices take ~20 min per pipeline at full size: a run that only continues the
        # store builds may reuse the last measurement of the same slice (--reuse-slices).
        record = cache / "slices" / f"{pipeline}-{corpus.files['slice'].stem}-{args.threads}.json"
        reuse = args.reuse_slices is not None and (not args.reuse_slices or pipeline in args.reuse_slices)
        if reuse and record.exists():
            measured = json.loads(record.read_text()) | {"reused": True}
            log.info("reusing the %s slice measured at %s", pipeline, measured.get("measured_at"))
        else:
            measured = run_task(spec, args.inline, cache)
            measured["measured_at"] = dt.datetime.now().isoformat(timespec="seconds")
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps(measured, indent=1))
        result["ingestion"][pipeline] = measured
        save(result, args)
    result["backend"] = result["ingestion"]["ours"]["backend"]
    for size in ("small", "large"):
        for pipeline in ("ours", "naive"):
            name = f"{pipeline}-{size}"
            progress = read_progress(store_path(pipeline, size, corpus.files[size], cache))
            if progress and not progress.get("complete") and not args.rebuild:
                result["partial"][name] = {
                    k: progress.get(k)
                    for k in ("seconds", "segments", "chunks", "chunks_total", "articles", "articles_total")
                }
                save(result, args)
            build = cached_build(pipeline, size, corpus.files[size], cache, opts)
            result["partial"].pop(name, None)
            spec = {
                "task": "query",
                "name": f"query-{pipeline}-{size}",
                "pipeline": pipeline,
                "store": build["store"],
                "questions": questions,
                "warm": warm,
                "threads": args.threads,
            }
            query = run_task(spec, args.inline, cache)
            result["stores"][name] = {
                "articles": build["articles"],
                "chunks": build["chunks"],
                "build_seconds": build["seconds"],
                "build_segments": build.get("segments", 1),
                "build_peak_rss_mib": build["peak_rss_mib"],
                "disk_mib": build["disk_mib"],
                "build_cached": build["cached"],
                "built_at": build.get("built_at"),
                "build_backend": build.get("backend"),
                "build": build,
                "p50_ms": query["p50_ms"],
                "p95_ms": query["p95_ms"],
                "mean_ms": query["mean_ms"],
                "queries": query["queries"],
                "mean_passages": query["mean_passages"],
                "query_peak_rss_mib": query["peak_rss_mib"],
            }
            save(result, args)
    result["ours_vs_naive"] = summarise(result)
    result["seconds"] = time.perf_counter() - started
    save(result, args)
    return result


def machine_info() -> dict:
    """What the figures were measured on."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in (
        "torch",
        "sentence-transformers",
        "onnxruntime",
        "chromadb",
        "langchain-chroma",
        "langchain-huggingface",
        "langchain-text-splitters",
    ):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "nice": os.nice(0),
        "versions": versions,
        "date": dt.date.today().isoformat(),
    }


def save(result: dict, args: argparse.Namespace) -> None:
    """Write the JSON and the markdown table (also after each step of a long run)."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8")
    (out / "scale.md").write_text(markdown(result), encoding="utf-8")


def _f(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _build_time(store: dict) -> str:
    """Build seconds, with the number of segments of a build resumed across runs."""
    cell = _f(store.get("build_seconds"), 0)
    segments = store.get("build_segments", 1)
    return f"{cell} ({segments} segments)" if store and segments > 1 else cell


def markdown(result: dict) -> str:
    """The figures as a markdown table: ours, naive, ours ÷ naive."""
    rate, stores, sizes = result.get("ingestion", {}), result.get("stores", {}), result["sizes"]
    ours, naive = rate.get("ours", {}), rate.get("naive", {})
    rows: list[tuple[str, str, str, str]] = []

    def row(label: str, a: float | None, b: float | None, digits: int = 1) -> None:
        rows.append((label, _f(a, digits), _f(b, digits), _f(ratio(a, b), 2)))

    n_slice = ours.get("chunks")
    rows.append(
        (
            f"ingestion slice (chunks; ours ≈ {result['config']['slice_chunks']:,})",
            _f(ours.get("chunks"), 0),
            _f(naive.get("chunks"), 0),
            "",
        )
    )
    row("raw encoder, `encode` (chunks/s)", ours.get("raw_chunks_per_s"), naive.get("raw_chunks_per_s"))
    row("end-to-end ingestion (chunks/s)", ours.get("e2e_chunks_per_s"), naive.get("e2e_chunks_per_s"))
    row(
        "end-to-end ingestion (articles/s)",
        ours.get("e2e_articles_per_s"),
        naive.get("e2e_articles_per_s"),
        2,
    )
    row(
        f"end-to-end ÷ raw encoder (goal ≥ {RATE_GOAL})",
        ours.get("e2e_over_raw"),
        naive.get("e2e_over_raw"),
        2,
    )
    for size in ("small", "large"):
        label = size_label(sizes[size])
        o, n = stores.get(f"ours-{size}", {}), stores.get(f"naive-{size}", {})
        if not o and not n:
            continue
        rows.append(
            (
                f"**{label}** store: articles / chunks",
                f"{o.get('articles', 0):,} / {o.get('chunks', 0):,}" if o else "–",
                f"{n.get('articles', 0):,} / {n.get('chunks', 0):,}" if n else "–",
                "",
            )
        )
        rows.append(
            (
                f"{label}: build time (s)",
                _build_time(o),
                _build_time(n),
                _f(ratio(o.get("build_seconds"), n.get("build_seconds")), 2),
            )
        )
        row(
            f"{label}: peak RSS while building (MiB)",
            o.get("build_peak_rss_mib"),
            n.get("build_peak_rss_mib"),
            0,
        )
        row(f"{label}: store on disk (MiB)", o.get("disk_mib"), n.get("disk_mib"))
        row(f"{label}: query latency p50 (ms)", o.get("p50_ms"), n.get("p50_ms"))
        row(f"{label}: query latency p95 (ms)", o.get("p95_ms"), n.get("p95_ms"))
        row(
            f"{label}: peak RSS while querying (MiB)",
            o.get("query_peak_rss_mib"),
            n.get("query_peak_rss_mib"),
            0,
        )
    lines = ["| figure | ours | naive LangChain | ours ÷ naive |", "|---|---:|---:|---:|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    cfg, machine = result["config"], result["machine"]
    load = ", ".join(f"{x:.2f}" for x in machine["load_average"])
    notes = [
        "",
        f"Encoder (ours): {result.get('backend', ours.get('backend', '?'))}; naive: sentence-transformers "
        f"on torch. Queries: {cfg['queries']} MultiHop-RAG questions, sequential, after "
        f"{cfg['warm_queries']} warm-up ones; ours `NewsRetriever.passages` (hybrid, k=8), naive "
        f"`similarity_search(k={NAIVE_K})`.",
        f"Machine: {machine['cpus']} CPUs, load {load} at start, nice {machine['nice']}, "
        f"torch threads {cfg['threads']}."
        + (
            " Run in one process (--inline/--quick): RSS figures are indicative only."
            if cfg["inline"]
            else ""
        ),
    ]
    if n_slice and ours.get("chunks_match_chunker") is False:
        notes.append("Warning: the stored chunk texts differ from what `index.chunk.chunk_text` predicted.")
    if any(v.get("build_segments", 1) > 1 for v in stores.values()):
        notes.append(
            "Build time with segments: the store was built by several runs, each stopped (killed) "
            "before it was complete and resumed by the next; the time is the sum of their build "
            "work, model loading excluded, and a batch cut off by a kill is counted once, when redone."
        )
    for name, p in result.get("partial", {}).items():
        done = (
            f"{p['chunks']:,}" + (f" of {p['chunks_total']:,}" if p.get("chunks_total") else "") + " chunks"
        )
        if p.get("articles_total"):
            done += f" ({p['articles']:,} of {p['articles_total']:,} articles)"
        notes.append(
            f"Being built: {name}, {done} in {p['seconds']:,.0f} s over {p['segments']} segment(s) "
            "when this run took it up (a run stopped before it completes is resumed by the next)."
        )
    reused = [k for k, v in rate.items() if v.get("reused")]
    if reused:
        notes.append(
            "Ingestion rates reused from an earlier run (--reuse-slices): "
            + ", ".join(f"{k} (measured {rate[k].get('measured_at')})" for k in reused)
            + "."
        )
    cached = [k for k, v in stores.items() if v.get("build_cached")]
    if cached:
        notes.append(
            "Stores reused from the cache (build figures recorded when built): "
            + ", ".join(f"{k} ({stores[k]['built_at']})" for k in cached)
            + "."
        )
    return "\n".join(lines + notes) + "\n"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chunks", type=int, default=None, help="chunks of the large store (default 100000)")
    p.add_argument(
        "--small-chunks", type=int, default=0, help="chunks of the small store (default chunks/10)"
    )
    p.add_argument("--slice-chunks", type=int, default=None, help="chunks of the ingestion-rate slice (3000)")
    p.add_argument("--queries", type=int, default=None, help="timed questions per store (100)")
    p.add_argument("--warm-queries", type=int, default=None, help="untimed warm-up questions (5)")
    p.add_argument("--quick", action="store_true", help="smoke run: 80 chunks, 10 queries, in one process")
    p.add_argument(
        "--inline", action="store_true", help="run every step in this process (no child processes)"
    )
    p.add_argument("--cache", default=str(CACHE), help=f"corpus and store cache (default {CACHE})")
    p.add_argument(
        "--out",
        default=None,
        help="folder of scale.md/scale.json (default bench/results; --quick: the cache folder)",
    )
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument(
        "--reuse-slices",
        nargs="*",
        choices=("ours", "naive"),
        default=None,
        metavar="PIPELINE",
        help="reuse the last ingestion-rate measurement of the same slice instead of measuring again "
        "(of the pipelines named, else of both)",
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="build the stores again, even when complete or partly built (else a partial build resumes)",
    )
    p.add_argument(
        "--batch-chunks",
        type=int,
        default=0,
        help=f"chunks per batch of a store build: naive per add_documents call (default "
        f"{NAIVE_BATCH_CHUNKS}), ours the library's BATCH_CHUNKS (default its own); --quick: "
        f"{QUICK_BATCH_CHUNKS}",
    )
    p.add_argument(
        "--stop-after-batches",
        action="append",
        default=[],
        metavar="[STORE=]N",
        help=f"for tests: end the run with status {STOP_EXIT} after N batches of a store build "
        "(of STORE, e.g. naive-small, else of any), as if it were killed",
    )
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    quick = args.quick
    args.chunks = args.chunks or (80 if quick else 100_000)
    args.small_chunks = args.small_chunks or (20 if quick else max(args.chunks // 10, 1))
    args.slice_chunks = args.slice_chunks or (20 if quick else 3000)
    args.queries = args.queries or (10 if quick else 100)
    args.warm_queries = args.warm_queries or (2 if quick else 5)
    args.inline = args.inline or quick
    args.batch_chunks = args.batch_chunks or (QUICK_BATCH_CHUNKS if quick else None)
    stops: dict[str, int] = {}
    for item in args.stop_after_batches:
        store, _, n = item.rpartition("=")
        stops[store or "*"] = int(n)
    args.stop_after_batches = stops
    args.out = args.out or (args.cache if quick else str(RESULTS))
    return args


def setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    for noisy in (
        "httpx",
        "chromadb",
        "sentence_transformers",
        "index",
        "assistant",
        "bm25s",
        "transformers",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    setup_logging()
    if args.worker:
        worker(args.worker)
        return 0
    result = run(args)
    print(markdown(result))
    log.info(
        "wrote %s and %s in %.0f s",
        Path(args.out) / "scale.md",
        Path(args.out) / "scale.json",
        result["seconds"],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
