"""``python -m index``: add, list, remove and count indexed articles."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from assistant.build import build_library
from assistant.settings import get_settings


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=None))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a summary")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="ingest files or folders (.txt .md .html .json .jsonl)")
    add.add_argument("paths", nargs="+", metavar="PATH")
    sub.add_parser("list", help="list indexed articles")
    remove = sub.add_parser("remove", help="remove an article and its chunks")
    remove.add_argument("article_id", metavar="ARTICLE_ID")
    sub.add_parser("stats", help="count articles and chunks")
    for p in sub.choices.values():
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="print JSON instead of a summary")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    library = build_library(get_settings())
    if args.command == "add":
        report = library.add_paths(args.paths)
        if args.json:
            _print_json(report.to_dict() | library.stats())
        else:
            print(
                f"added {len(report.added)}, updated {len(report.updated)}, "
                f"unchanged {len(report.unchanged)}, skipped {len(report.failed)}"
            )
            for failure in report.failed:
                print(f"  skipped {failure.path}: {failure.reason}", file=sys.stderr)
        return 1 if report.failed else 0
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
