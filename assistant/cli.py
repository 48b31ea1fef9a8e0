"""``python -m assistant``: ask questions and search passages from the command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from assistant.build import build_assistant
from assistant.llm import LLMError
from assistant.pipeline import Assistant, QuestionError
from assistant.rerank import RerankerError
from assistant.retrieve import intersect
from assistant.scope import FilterError
from assistant.settings import get_settings
from assistant.types import Answer
from index.identity import EmbedderMismatch
from index.shared import StoreUnavailable
from index.types import Passage, SearchFilter


def passage_json(rank: int, p: Passage) -> dict:
    return {
        "rank": rank,
        "article_id": p.article_id,
        "title": p.title,
        "date": p.date.isoformat() if p.date else None,
        "source": p.source,
        "text": p.chunk.text,
        "start": p.chunk.start,
        "end": p.chunk.end,
        "score": round(p.score, 4),
    }


def format_answer(answer: Answer) -> str:
    """Answer and sources as plain text for a terminal."""
    lines = [f"({answer.notice})", ""] if answer.notice else []
    lines += [answer.text, ""]
    if answer.citations:
        lines.append("Sources:")
    elif answer.closest:
        lines.append("Closest sources (not evidence):")
    for c in answer.citations or answer.closest:
        p = c.passage
        meta = ", ".join(x for x in (p.date.isoformat() if p.date else "", p.source) if x)
        lines.append(f"[{c.n}] {p.title} ({meta}) [{p.article_id} {c.start}-{c.end}]")
        lines.append(f"    “{c.sentence}”")
        if c.also_published_by:
            lines.append(f"    also published by {', '.join(c.also_published_by)}")
    return "\n".join(lines)


def _read_jsonl(path: Path, required: str) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SystemExit(f"error: {path}:{n}: not valid JSON ({exc})") from None
            if not isinstance(record, dict) or not isinstance(record.get(required), str):
                raise SystemExit(f"error: {path}:{n}: each line needs a string field {required!r}")
            yield n, record


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]  # type: ignore[union-attr]


def _record_filter(assistant: Assistant, record: dict, where: SearchFilter) -> SearchFilter:
    """The command line's filter, narrowed by a batch record's own since/until/source/article_ids."""
    if not any(record.get(key) for key in ("since", "until", "source", "article_ids")):
        return where
    own = assistant.make_filter(
        record.get("since"),
        record.get("until"),
        _as_list(record.get("source")),
        _as_list(record.get("article_ids")),
    )
    both = intersect(where, own)
    if both is None:
        raise FilterError("this record's filter and the command line's filter exclude each other")
    return both


def _ask_batch(assistant: Assistant, src: Path, out: Path, where: SearchFilter) -> int:
    failures = 0
    with out.open("w", encoding="utf-8") as f:
        for _, record in _read_jsonl(src, "question"):
            try:
                narrowed = _record_filter(assistant, record, where)
                result = assistant.ask(record["question"], record.get("conversation"), narrowed).to_json()
            except (QuestionError, FilterError) as exc:
                failures += 1
                result = {"question": record["question"], "error": str(exc)}
            f.write(json.dumps({"id": record.get("id")} | result, ensure_ascii=False) + "\n")
    return 1 if failures else 0


def _search_batch(assistant: Assistant, src: Path, out: Path, where: SearchFilter, k: int) -> int:
    failures = 0
    with out.open("w", encoding="utf-8") as f:
        for _, record in _read_jsonl(src, "query"):
            line: dict = {"id": record.get("id"), "query": record["query"]}
            try:
                hits = assistant.search(record["query"], k, _record_filter(assistant, record, where))
                line["results"] = [passage_json(i, p) for i, p in enumerate(hits, 1)]
            except (QuestionError, FilterError) as exc:
                failures += 1
                line |= {"results": [], "error": str(exc)}
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 1 if failures else 0


def _print_stream(
    assistant: Assistant, question: str, conversation: list[str] | None, where: SearchFilter, as_json: bool
) -> None:
    """Tokens as they arrive (status lines on stderr), then the verified answer and its sources.

    With ``as_json``, every event is one JSON line: ``{"kind": "status"|"token", "text"}``
    and finally ``{"kind": "answer", "answer": {...}}`` (the ``--json`` answer object).
    """
    streamed = False
    for event in assistant.stream(question, conversation, where):
        if as_json:
            print(json.dumps(event.to_json(), ensure_ascii=False), flush=True)
        elif event.kind == "status":
            print(event.text, file=sys.stderr, flush=True)
        elif event.kind == "token":
            streamed = True
            print(event.text, end="", flush=True)
        elif event.answer is not None:
            if streamed:  # the draft above is replaced by what survived verification
                print("\n\n--- verified answer ---")
            print(format_answer(event.answer))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer a question with cited passages")
    ask.add_argument("question", nargs="?", help="the question (or use --batch)")
    ask.add_argument("--conversation", action="append", default=None, metavar="TURN",
                     help="an earlier user turn (repeat, oldest first)")
    ask.add_argument("--stream", action="store_true",
                     help="print the answer as it is generated (with --json: one JSON event per line)")
    search = sub.add_parser("search", help="show the ranked passages for a query")
    search.add_argument("query", nargs="?", help="the query (or use --batch)")
    search.add_argument("-k", type=int, default=10, help="number of passages (default 10)")
    for p in (ask, search):
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument("--batch", type=Path, metavar="IN.jsonl", help="read many from a JSONL file")
        p.add_argument("--out", type=Path, metavar="OUT.jsonl", help="where --batch writes results")
        p.add_argument("--since", metavar="DATE",
                       help="only articles dated on or after (YYYY-MM-DD, YYYY-MM, YYYY)")
        p.add_argument("--until", metavar="DATE", help="only articles dated on or before (same forms)")
        p.add_argument("--source", action="append", default=[], metavar="NAME",
                       help="only articles from this source (repeat for several)")
        p.add_argument("--article", action="append", default=[], metavar="ID",
                       help="only this article (repeat for several)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    text = args.question if args.command == "ask" else args.query
    if args.batch and not args.out:
        parser.error("--batch needs --out")
    if not args.batch and text is None:
        parser.error(f"give a {'question' if args.command == 'ask' else 'query'} or --batch FILE")
    if args.batch and not args.batch.is_file():
        parser.error(f"no such file: {args.batch}")

    if args.command == "search" and args.k < 1:
        parser.error("-k must be at least 1")
    try:
        assistant = build_assistant(get_settings())
    except (RerankerError, LLMError, EmbedderMismatch, StoreUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        where = assistant.make_filter(args.since, args.until, args.source, args.article)
    except FilterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.batch:
        run = _ask_batch if args.command == "ask" else _search_batch
        extra = () if args.command == "ask" else (args.k,)
        return run(assistant, args.batch, args.out, where, *extra)
    try:
        if args.command == "ask" and args.stream:
            _print_stream(assistant, text, args.conversation, where, args.json)
        elif args.command == "ask":
            answer = assistant.ask(text, args.conversation, where)
            print(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else format_answer(answer))
        else:
            hits = assistant.search(text, args.k, where)
            if args.json:
                print(json.dumps([passage_json(i, p) for i, p in enumerate(hits, 1)], ensure_ascii=False))
            else:
                for i, p in enumerate(hits, 1):
                    print(f"{i}. {p.score:.3f} {p.title} ({p.date or '-'}) [{p.article_id}]")
                    print(f"   {p.chunk.text[:200]}")
    except QuestionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
