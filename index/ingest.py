"""Read article files into ``Article`` objects.

Formats: .txt, .md/.markdown, .html/.htm, .json, .jsonl, .csv/.tsv, .pdf, .docx and
.urls (a list of web pages to fetch). A file, record or URL that cannot be read becomes
a ``Failure`` with a reason naming it; it never stops the rest of a batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from index.clean import date_in_opening, normalise, parse_date, split_header
from index.decode import DecodeError, decode_text
from index.documents import DocumentError, docx_text, pdf_text
from index.fetch import FetchError, Page, fetch, url_lines
from index.fields import FieldMap
from index.streaming import StreamError, bounded_lines, open_text, undecodable
from index.tabular import TableError, table_rows
from index.types import Article

log = logging.getLogger(__name__)

TEXT_TYPES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".csv", ".tsv", ".urls")
BINARY_TYPES = (".pdf", ".docx")
SUPPORTED = TEXT_TYPES + BINARY_TYPES
MAX_FILE_BYTES = 50 * 1024 * 1024  # one document; record files (JSONL, CSV) are streamed
MAX_RECORD_CHARS = 50_000_000  # one JSONL line or CSV record
RECORD_TYPES = (".jsonl", ".csv", ".tsv")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"\A#\s+(.+?)\s*(?:\n|\Z)")
_FILE_LIKE_TITLE = re.compile(r"\.(docx?|pdf|odt|rtf|txt)$|^Microsoft Word - ", re.IGNORECASE)


class IngestError(ValueError):
    """A file or record that cannot become an article; the message says why."""


@dataclass(frozen=True)
class Failure:
    """A file, record or URL that was skipped, and why (``file``: the file it came from)."""

    path: str
    reason: str
    file: str = ""


@dataclass(frozen=True)
class ReadOptions:
    """How files are read: field mapping of records, and whether URL lists are fetched."""

    fields: FieldMap = field(default_factory=FieldMap)
    fetch_urls: bool = False
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 10 * 1024 * 1024


def slugify(value: str) -> str:
    """A safe article id: letters, digits, '.', '_' and '-' only."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-.")
    return slug[:120] or hashlib.sha1(value.encode()).hexdigest()[:16]


def url_id(url: str) -> str:
    """Id of an article known by its URL (a JSON record without ``id``, a fetched page)."""
    return hashlib.sha1(url.encode()).hexdigest()[:16]


def _title_from_text(text: str) -> str:
    first = text.split("\n", 1)[0].strip()
    return first if len(first) <= 100 else first[:97].rsplit(" ", 1)[0] + "…"


def make_article(
    text: str,
    *,
    id: str | None = None,
    title: str | None = None,
    date: Any = None,
    source: str | None = None,
    url: str | None = None,
    fallback_id: str,
    fallback_title: str | None = None,
    path: str = "",
) -> Article:
    """Build an Article: header lines become metadata, explicit fields win over them.

    ``fallback_title`` (e.g. a PDF's document title) is used only when neither is given.
    """
    body, header = split_header(normalise(text))
    if not body:
        raise IngestError("the article has no text")
    raw_date = date if date not in (None, "") else header.get("date")
    parsed = parse_date(raw_date)
    if raw_date not in (None, "") and parsed is None:
        raise IngestError(f"unreadable date {raw_date!r} (use YYYY-MM-DD)")
    if parsed is None:  # no date given: the dateline's, if the text opens with one
        parsed = date_in_opening(body)
    return Article(
        id=slugify(str(id)) if id not in (None, "") else fallback_id,
        title=(title or header.get("title") or fallback_title or _title_from_text(body)).strip(),
        date=parsed,
        source=(source or header.get("source") or "").strip(),
        url=(url or header.get("url") or "").strip(),
        text=body,
        path=path,
    )


def _read_bytes(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise IngestError(
            f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; for many articles in one file "
            "use JSONL or CSV, which are read record by record at any size"
        )
    data = path.read_bytes()
    if not data.strip():
        raise IngestError("file is empty")
    return data


def _decode(data: bytes, charset: str | None = None) -> str:
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong header: detect below
    try:
        return decode_text(data)
    except DecodeError as exc:
        raise IngestError(str(exc)) from None


def _from_markdown(text: str, fallback_id: str, path: str) -> Article:
    meta: dict[str, Any] = {}
    if match := _FRONT_MATTER.match(text):
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            raise IngestError(f"front matter is not valid YAML: {exc}") from None
        meta = loaded if isinstance(loaded, dict) else {}
        text = text[match.end() :]
    if not meta.get("title") and (heading := _MD_HEADING.match(text.lstrip())):
        meta["title"] = heading.group(1)
        text = text.lstrip()[heading.end() :]
    return _from_record(meta | {"text": text}, fallback_id, FieldMap(), path)


def _from_html(html: str, fallback_id: str, path: str, url: str | None = None) -> Article:
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, url=url, include_comments=False, include_tables=True, with_metadata=True
    )
    meta = extracted.as_dict() if extracted is not None and hasattr(extracted, "as_dict") else {}
    text = meta.get("text") or ""
    if not text.strip():
        text = _html_fallback_text(html)
    return make_article(
        text,
        id=url_id(url) if url else None,
        title=meta.get("title"),
        date=meta.get("date"),
        source=meta.get("sitename") or meta.get("hostname"),
        url=url or meta.get("url"),
        fallback_id=fallback_id,
        path=path,
    )


def _html_fallback_text(html: str) -> str:
    """Visible text of short pages that trafilatura judges too small to extract."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    return "\n\n".join(t.strip() for t in root.itertext() if t.strip())


def _from_document(data: bytes, kind: str, fallback_id: str, path: str, url: str | None = None) -> Article:
    try:
        text, title = pdf_text(data) if kind == ".pdf" else docx_text(data)
    except DocumentError as exc:
        raise IngestError(str(exc)) from None
    if title and _FILE_LIKE_TITLE.search(title):
        title = None  # "Microsoft Word - draft.docx" is not a headline
    return make_article(
        text, id=url_id(url) if url else None, url=url, fallback_id=fallback_id,
        fallback_title=title, path=path,
    )


def _from_record(record: Any, fallback_id: str, fields: FieldMap, path: str) -> Article:
    if not isinstance(record, dict):
        raise IngestError("a record must be a JSON object")
    picked = fields.pick(record)
    text = picked.pop("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError(f"the record has no {fields.describe('text')}")
    return make_article(text, fallback_id=fallback_id, path=path, **picked)


def _record_id(record: Any, path: Path, n: int, fields: FieldMap) -> str:
    if isinstance(record, dict) and (url := fields.pick(record)["url"]):
        return url_id(url)
    return f"{slugify(path.stem)}-{n}"


def _records(items: Iterable[tuple[str, Any]], path: Path, fields: FieldMap) -> Iterator[Article | Failure]:
    """Articles of (where, record) pairs; ``where`` names the record in failures."""
    origin = os.path.abspath(path)
    for n, (where, record) in enumerate(items, 1):
        try:
            yield _from_record(record, _record_id(record, path, n, fields), fields, origin)
        except IngestError as exc:
            yield Failure(where, str(exc), origin)


def _jsonl(file: TextIO, encoding: str, path: Path, fields: FieldMap) -> Iterator[Article | Failure]:
    origin = os.path.abspath(path)
    for n, line in bounded_lines(file, MAX_RECORD_CHARS):
        where = f"{path}:{n}"
        if line is None:
            yield Failure(where, f"the record is longer than {MAX_RECORD_CHARS:,} characters", origin)
            continue
        if not line.strip():
            continue
        if reason := undecodable(line, encoding):
            yield Failure(where, reason, origin)
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Failure(where, f"not valid JSON ({exc})", origin)
            continue
        try:
            yield _from_record(record, _record_id(record, path, n, fields), fields, origin)
        except IngestError as exc:
            yield Failure(where, str(exc), origin)


def _csv(file: TextIO, encoding: str, path: Path, fields: FieldMap) -> Iterator[Article | Failure]:
    origin = os.path.abspath(path)
    try:
        header, rows = table_rows(file, "\t" if path.suffix.lower() == ".tsv" else None)
        if missing := fields.missing(header):
            raise IngestError(f"no column for {', '.join(missing)}; the header has: {', '.join(header)}")
        for n, (line, row) in enumerate(rows, 1):
            where = f"{path}:{line}"
            if reason := undecodable("".join(row.values()), encoding):
                yield Failure(where, reason, origin)
                continue
            try:
                yield _from_record(row, _record_id(row, path, n, fields), fields, origin)
            except IngestError as exc:
                yield Failure(where, str(exc), origin)
    except TableError as exc:
        raise IngestError(str(exc)) from None


def _record_stream(path: Path, options: ReadOptions) -> Iterator[Article | Failure]:
    """Articles of a JSONL or CSV file, read record by record (any file size)."""
    try:
        file, encoding = open_text(path)
    except StreamError as exc:
        raise IngestError(str(exc)) from None
    with file:
        reader = _jsonl if path.suffix.lower() == ".jsonl" else _csv
        try:
            yield from reader(file, encoding, path, options.fields)
        except UnicodeDecodeError as exc:  # UTF-16/32 bytes that cannot be escaped
            raise IngestError(
                f"stopped where the file is not {encoding.upper()} ({exc.reason}); "
                "the records before were read"
            ) from None


def _from_url_list(text: str, path: Path, options: ReadOptions) -> Iterator[Article | Failure]:
    origin = os.path.abspath(path)
    if not options.fetch_urls:
        yield Failure(str(path), "URL lists are fetched only by `python -m index add|sync`", origin)
        return
    lines = url_lines(text)
    if not lines:
        yield Failure(str(path), "the URL list has no URLs", origin)
    for n, url in lines:
        try:
            page = fetch(url, options.fetch_timeout, options.fetch_max_bytes)
            yield _from_page(page, origin)
        except (FetchError, IngestError) as exc:
            message = str(exc)
            yield Failure(f"{path}:{n}", message if url in message else f"{url}: {message}", origin)


_PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/pdf")


def _from_page(page: Page, origin: str) -> Article:
    fallback_id = url_id(page.url)
    if page.content_type not in _PAGE_TYPES:
        raise IngestError(f"unsupported content type {page.content_type!r} (HTML, plain text or PDF)")
    if not page.data.strip():
        raise IngestError("the page is empty")
    if page.content_type == "application/pdf":
        return _from_document(page.data, ".pdf", fallback_id, origin, page.url)
    text = _decode(page.data, page.charset)
    if page.content_type == "text/plain":
        return make_article(text, id=fallback_id, url=page.url, fallback_id=fallback_id, path=origin)
    return _from_html(text, fallback_id, origin, page.url)


def load_file(path: Path, options: ReadOptions | None = None) -> Iterator[Article | Failure]:
    """Articles in one file (JSON, JSONL, CSV files and URL lists may hold many)."""
    options = options or ReadOptions()
    suffix, stem_id = path.suffix.lower(), slugify(path.stem)
    # Articles remember the absolute path of their file (what `sync --prune` compares).
    origin = os.path.abspath(path)
    if suffix not in SUPPORTED:
        yield Failure(str(path), f"unsupported file type {suffix or '(none)'!r}; "
                      f"supported: {', '.join(SUPPORTED)}", origin)
        return
    try:
        if suffix in RECORD_TYPES:
            yield from _record_stream(path, options)
            return
        data = _read_bytes(path)
        if suffix in BINARY_TYPES:
            yield _from_document(data, suffix, stem_id, origin)
            return
        text = _decode(data)
        if suffix == ".txt":
            yield make_article(text, fallback_id=stem_id, path=origin)
        elif suffix in (".md", ".markdown"):
            yield _from_markdown(text, stem_id, origin)
        elif suffix in (".html", ".htm"):
            yield _from_html(text, stem_id, origin)
        elif suffix == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise IngestError(f"not valid JSON ({exc})") from None
            records = data if isinstance(data, list) else [data]
            yield from _records(((f"{path}[{n}]", r) for n, r in enumerate(records, 1)), path, options.fields)
        else:  # .urls
            yield from _from_url_list(text, path, options)
    except IngestError as exc:
        yield Failure(str(path), str(exc), origin)
    except OSError as exc:
        yield Failure(str(path), f"cannot read file: {exc.strerror or exc}", origin)
    except Exception as exc:  # a parser bug on one file must not stop the batch
        log.exception("failed to read %s", path)
        yield Failure(str(path), f"could not be read ({type(exc).__name__}: {exc})", origin)


def list_files(paths: Iterable[str | Path], report_empty: bool = True) -> tuple[list[Path], list[Failure]]:
    """The files to read under ``paths`` (folders recursively, hidden files skipped)."""
    files: list[Path] = []
    failures: list[Failure] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found and report_empty:
                reason = f"no {', '.join(SUPPORTED)} files in this folder"
                failures.append(Failure(str(path), reason, os.path.abspath(path)))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            failures.append(Failure(str(path), "no such file or folder", os.path.abspath(path)))
    return files, failures


def load_paths(
    paths: Iterable[str | Path], options: ReadOptions | None = None
) -> Iterator[Article | Failure]:
    """Articles from files and folders (folders recursively, supported types only)."""
    files, failures = list_files(paths)
    yield from failures
    for file in files:
        yield from load_file(file, options)
