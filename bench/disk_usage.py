"""What a library home holds on disk, part by part (catalogue, Chroma, BM25).

Run from the repository root::

    .venv/bin/python bench/disk_usage.py HOME [HOME ...] [--label NAME ...]
    .venv/bin/python bench/disk_usage.py --build-multihop /tmp/mh-home     # ingest, then measure

Sizes are allocated bytes of the files (as ``du``) and, inside the SQLite files, the pages
of each table and index (SQLite's ``dbstat``), grouped: the catalogue's article texts,
chunk rows, term counts (with their indexes) and the rest; Chroma's full-text index, its
metadata (documents are metadata there), vectors' queue and id tables, and its HNSW files.
``--build-multihop`` ingests the 609 MultiHop-RAG articles with the current code and the
configured embedder into an empty folder first. Prints a markdown table (MiB per part and
home) and appends it to ``--out`` when given.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import argparse  # noqa: E402
import sqlite3  # noqa: E402
import time  # noqa: E402

from bench.scale_measure import disk_mib  # noqa: E402

CATALOGUE = {
    "articles": "catalogue: articles (full texts)",
    "chunks": "catalogue: chunk rows",
    "sqlite_autoindex_chunks_1": "catalogue: chunk rows",
    "chunks_article": "catalogue: chunk rows",
    "chunk_terms": "catalogue: term counts",
    "sqlite_autoindex_chunk_terms_1": "catalogue: term counts",
    "chunk_terms_term": "catalogue: term counts",
}
CHROMA = {
    "embedding_fulltext_search": "Chroma: full-text index of documents",
    "embedding_metadata": "Chroma: metadata (incl. documents)",
    "embeddings_queue": "Chroma: write log",
    "embeddings": "Chroma: ids",
}


def _tables(db_path: Path) -> dict[str, float]:
    """MiB per table or index of a SQLite file (its WAL not included)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    finally:
        db.close()
    return {name: size / 2**20 for name, size in rows}


def _group(name: str, groups: dict[str, str], other: str) -> str:
    """The label of the longest key that ``name`` contains (tables, their indexes)."""
    for key, label in sorted(groups.items(), key=lambda kv: -len(kv[0])):
        if key in name:
            return label
    return other


def _file_mib(path: Path) -> float:
    return path.stat().st_blocks * 512 / 2**20 if path.exists() else 0.0


def parts(home: Path) -> dict[str, float]:
    """MiB of each part of the home."""
    out: dict[str, float] = {}

    def add(label: str, mib: float) -> None:
        out[label] = out.get(label, 0.0) + mib

    catalogue = home / "articles.sqlite3"
    if catalogue.exists():
        for name, mib in _tables(catalogue).items():
            add(CATALOGUE.get(name, "catalogue: other (signatures, copies, state)"), mib)
        add("catalogue: free pages and WAL", _file_mib(catalogue) - sum(_tables(catalogue).values()))
        for suffix in ("-wal", "-shm"):
            add("catalogue: free pages and WAL", _file_mib(catalogue.with_name(catalogue.name + suffix)))
    chroma = home / "chroma"
    sqlite_file = chroma / "chroma.sqlite3"
    if sqlite_file.exists():
        tables = _tables(sqlite_file)
        for name, mib in tables.items():
            add(_group(name, CHROMA, "Chroma: other tables"), mib)
        add("Chroma: free pages", _file_mib(sqlite_file) - sum(tables.values()))
        for folder in chroma.iterdir():
            if folder.is_dir():
                add("Chroma: HNSW index (vectors and graph)", disk_mib(folder))
    if (home / "bm25").exists():
        add("BM25 index", disk_mib(home / "bm25"))
    out["total"] = disk_mib(home)
    return out


def build_multihop(home: Path) -> float:
    """Ingest the MultiHop-RAG corpus into an empty ``home`` with the current code; seconds."""
    from assistant.build import build_library
    from assistant.settings import Settings
    from bench.calibrate_multihop import DATA, load_corpus

    articles = load_corpus(DATA / "corpus.json")
    library = build_library(Settings().model_copy(update={"home": home}))
    library.embedder.load()
    started = time.perf_counter()
    report = library.add_articles(articles)
    if report.failed:
        raise RuntimeError(f"{len(report.failed)} articles failed: {report.failed[:3]}")
    library.lexical.count()  # the BM25 snapshot, as the first search would
    return time.perf_counter() - started


def table(homes: dict[str, Path]) -> str:
    measured = {label: parts(home) for label, home in homes.items()}
    rows: list[str] = []
    for m in measured.values():
        rows += [k for k in m if k not in rows and k != "total"]
    lines = ["| part (MiB) | " + " | ".join(measured) + " |", "|---|" + "---:|" * len(measured)]
    for row in sorted(rows):
        lines.append(f"| {row} | " + " | ".join(f"{m.get(row, 0.0):.1f}" for m in measured.values()) + " |")
    lines.append("| **total** | " + " | ".join(f"**{m['total']:.1f}**" for m in measured.values()) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("homes", nargs="*", type=Path, help="library homes to measure")
    parser.add_argument("--label", action="append", default=[], help="column names, in order")
    parser.add_argument("--build-multihop", type=Path, help="ingest MultiHop-RAG into this empty folder")
    parser.add_argument("--out", type=Path, help="append the table to this markdown file")
    args = parser.parse_args(argv)
    homes = list(args.homes)
    if args.build_multihop:
        seconds = build_multihop(args.build_multihop)
        print(f"ingested MultiHop-RAG into {args.build_multihop} in {seconds:.0f} s")
        homes.append(args.build_multihop)
    labels = args.label + [h.name for h in homes[len(args.label) :]]
    text = table(dict(zip(labels, homes, strict=True)))
    print(text)
    if args.out:
        with args.out.open("a", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
