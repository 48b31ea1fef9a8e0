"""Read article files (.txt, .md, .html, .json, .jsonl) into ``Article`` objects.

A file that cannot be read becomes a ``Failure`` with a reason naming the file; it
never stops the rest of a batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from index.clean import normalise, parse_date, split_header
from index.types import Article

log = logging.getLogger(__name__)

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")
MAX_FILE_BYTES = 50 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"\A#\s+(.+?)\s*(?:\n|\Z)")


class IngestError(ValueError):
    """A file or record that cannot become an article; the message says why."""


@dataclass(frozen=True)
class Failure:
    """A file or record that was skipped, and why."""

    path: str
    reason: str


def slugify(value: str) -> str:
    """A safe article id: letters, digits, '.', '_' and '-' only."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-.")
    return slug[:120] or hashlib.sha1(value.encode()).hexdigest()[:16]


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
) -> Article:
    """Build an Article: header lines become metadata, explicit fields win over them."""
    body, header = split_header(normalise(text))
    if not body:
        raise IngestError("the article has no text")
    raw_date = date if date not in (None, "") else header.get("date")
    parsed = parse_date(raw_date)
    if raw_date not in (None, "") and parsed is None:
        raise IngestError(f"unreadable date {raw_date!r} (use YYYY-MM-DD)")
    return Article(
        id=slugify(str(id)) if id not in (None, "") else fallback_id,
        title=(title or header.get("title") or _title_from_text(body)).strip(),
        date=parsed,
        source=(source or header.get("source") or "").strip(),
        url=(url or header.get("url") or "").strip(),
        text=body,
    )


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise IngestError("file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8 and add it again"
        ) from None


def _from_markdown(path: Path, text: str) -> Article:
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
    return _from_record(meta | {"text": text}, fallback_id=slugify(path.stem))


def _from_html(path: Path, html: str) -> Article:
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=True, with_metadata=True
    )
    meta = extracted.as_dict() if extracted is not None and hasattr(extracted, "as_dict") else {}
    text = meta.get("text") or ""
    if not text.strip():
        text = _html_fallback_text(html)
    return make_article(
        text,
        title=meta.get("title"),
        date=meta.get("date"),
        source=meta.get("sitename") or meta.get("hostname"),
        url=meta.get("url"),
        fallback_id=slugify(path.stem),
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


def _from_record(record: dict[str, Any], fallback_id: str) -> Article:
    if not isinstance(record, dict):
        raise IngestError("a record must be a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError("the record has no 'text'")
    known = {k: record.get(k) for k in ("id", "title", "date", "source", "url")}
    strings = {k: (str(v) if v is not None and k != "date" else v) for k, v in known.items()}
    return make_article(text, fallback_id=fallback_id, **strings)


def _record_id(record: Any, path: Path, n: int) -> str:
    if isinstance(record, dict) and record.get("url"):
        return hashlib.sha1(str(record["url"]).encode()).hexdigest()[:16]
    return f"{slugify(path.stem)}-{n}"


def load_file(path: Path) -> Iterator[Article | Failure]:
    """Articles in one file (JSON and JSONL files may hold many)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        yield Failure(str(path), f"unsupported file type {suffix or '(none)'!r}; "
                      f"supported: {', '.join(SUPPORTED)}")
        return
    try:
        text = _read_text(path)
        if suffix in (".txt",):
            yield make_article(text, fallback_id=slugify(path.stem))
        elif suffix in (".md", ".markdown"):
            yield _from_markdown(path, text)
        elif suffix in (".html", ".htm"):
            yield _from_html(path, text)
        elif suffix == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise IngestError(f"not valid JSON ({exc})") from None
            records = data if isinstance(data, list) else [data]
            for n, record in enumerate(records, 1):
                try:
                    yield _from_record(record, _record_id(record, path, n))
                except IngestError as exc:
                    yield Failure(f"{path}[{n}]", str(exc))
        else:  # .jsonl
            for n, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    yield _from_record(record, _record_id(record, path, n))
                except json.JSONDecodeError as exc:
                    yield Failure(f"{path}:{n}", f"not valid JSON ({exc})")
                except IngestError as exc:
                    yield Failure(f"{path}:{n}", str(exc))
    except IngestError as exc:
        yield Failure(str(path), str(exc))
    except OSError as exc:
        yield Failure(str(path), f"cannot read file: {exc.strerror or exc}")
    except Exception as exc:  # a parser bug on one file must not stop the batch
        log.exception("failed to read %s", path)
        yield Failure(str(path), f"could not be read ({type(exc).__name__}: {exc})")


def load_paths(paths: Iterable[str | Path]) -> Iterator[Article | Failure]:
    """Articles from files and folders (folders recursively, supported types only)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Hidden files are skipped; any other file of an unknown type is reported.
            files = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                yield Failure(str(path), f"no {', '.join(SUPPORTED)} files in this folder")
            for file in files:
                yield from load_file(file)
        elif path.is_file():
            yield from load_file(path)
        else:
            yield Failure(str(path), "no such file or folder")
