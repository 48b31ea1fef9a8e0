"""``python -m index``: add, sync, re-embed, list, remove and count indexed articles."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from index.build import build_library
from index.embed import EmbedderError
from index.fields import FieldMap, FieldMapError
from index.identity import EmbedderMismatch
from index.ingest import SUPPORTED, ReadOptions
from index.library import IngestReport, Library, SyncReport
from index.lock import IndexBusy
from index.progress import ProgressBars, wanted
from index.settings import Settings, get_settings
from index.shared import StoreUnavailable

EXIT_FAILURES, EXIT_USAGE, EXIT_BUSY = 1, 2, 3


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=None))


def open_library(settings: Settings, check_embedder: bool = True) -> Library:
    """The library the settings describe (``check_embedder=False`` for ``reindex``)."""
    return build_library(settings, check_embedder=check_embedder)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a summary")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help=f"ingest files or folders ({' '.join(SUPPORTED)})")
    add.add_argument("paths", nargs="+", metavar="PATH")
    sync = sub.add_parser("sync", help="make the index match a folder: add new, update changed articles")
    sync.add_argument("folder", metavar="FOLDER")
    sync.add_argument("--prune", action="store_true",
                      help="also remove articles read from FOLDER whose file (or record) is gone")
    for p in (add, sync):
        p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                       help="read an article field from another record field / CSV column, "
                            "e.g. --map text=body --map date=published_at")
    reindex = sub.add_parser("reindex", help="re-embed every article with the configured embedder")
    for p in (add, sync, reindex):
        p.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    sub.add_parser("list", help="list indexed articles")
    remove = sub.add_parser("remove", help="remove an article and its chunks")
    remove.add_argument("article_id", metavar="ARTICLE_ID")
    sub.add_parser("stats", help="count articles and chunks")
    for p in sub.choices.values():
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="print JSON instead of a summary")
    return parser


def _report(library: Library, report: IngestReport, as_json: bool) -> int:
    if as_json:
        _print_json(report.to_dict() | library.stats())
    else:
        line = (f"added {len(report.added)}, updated {len(report.updated)}, "
                f"unchanged {len(report.unchanged)}, skipped {len(report.failed)}")
        if isinstance(report, SyncReport):
            line += f", removed {len(report.removed)}"
        print(line)
        for failure in report.failed:
            print(f"  skipped {failure.path}: {failure.reason}", file=sys.stderr)
    return EXIT_FAILURES if report.failed else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    try:
        library = open_library(settings, check_embedder=args.command != "reindex")
        return _run(library, settings, args)
    except (EmbedderMismatch, EmbedderError, FieldMapError, NotADirectoryError, StoreUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except IndexBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY


def _run(library: Library, settings: Settings, args: argparse.Namespace) -> int:
    if args.command in ("add", "sync", "reindex"):
        with ProgressBars(wanted(args.progress, args.json)) as progress:
            if args.command == "reindex":
                result = library.reindex(progress=progress)
                if args.json:
                    _print_json(result)
                else:
                    print(f"re-embedded {result['articles']} articles ({result['chunks']} chunks) "
                          f"with {result['embedder']}")
                return 0
            options = ReadOptions(
                fields=FieldMap.parse(args.map),
                fetch_urls=True,
                fetch_timeout=settings.fetch_timeout,
                fetch_max_bytes=settings.fetch_max_bytes,
            )
            if args.command == "add":
                report = library.add_paths(args.paths, options=options, progress=progress)
            else:
                report = library.sync(args.folder, prune=args.prune, options=options, progress=progress)
        return _report(library, report, args.json)
    if args.command == "list":
        articles = library.list()
        if args.json:
            _print_json(articles)
        else:
            for a in articles:
                fields = (a["id"], a["date"] or "-", a["source"] or "-", f"{a['chunks']} chunks", a["title"])
                print("\t".join(fields))
            print(f"{len(articles)} articles")
        return 0
    if args.command == "remove":
        removed = library.remove(args.article_id)
        if args.json:
            _print_json({"removed": removed, "article_id": args.article_id})
        else:
            print(f"removed {args.article_id}" if removed else f"no article {args.article_id!r}")
        return 0 if removed else 1
    stats = library.stats()
    if args.json:
        _print_json(stats)
    else:
        print(f"{stats['articles']} articles, {stats['chunks']} chunks in {stats['home']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
