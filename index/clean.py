"""Text normalisation and header lines that are metadata, not article text."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from dateutil import parser as date_parser

# "date 2025-04-16 On the morning..." (the header may share its line with the body),
# or header lines "Date: September 4, 2025", "Title: ...", "Source: ...", "URL: ...".
_INLINE_DATE = re.compile(r"\A\s*date\s*[:=]?\s*(\d{4}-\d{2}-\d{2})\b[ \t]*\n?", re.IGNORECASE)
# Blank lines between header lines are allowed (Word and PDF paragraphs are blank-line apart).
_HEADER_LINE = re.compile(r"\A\s*(title|date|source|url)[ \t]*:[ \t]*(.+?)[ \t]*(?:\n|\Z)", re.I)


def normalise(text: str) -> str:
    """Unify newlines, drop a BOM and control characters, trim the ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    return text.strip()


def parse_date(value: object) -> dt.date | None:
    """A date from ISO strings or common news forms ('September 4, 2025'); None if unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return date_parser.parse(str(value), fuzzy=False, default=dt.datetime(1900, 1, 1)).date()
    except (ValueError, OverflowError, TypeError):
        return None


def split_header(text: str) -> tuple[str, dict[str, str]]:
    """Remove leading header lines from ``text``; return the body and the header fields."""
    fields: dict[str, str] = {}
    while True:
        if match := _INLINE_DATE.match(text):
            fields.setdefault("date", match.group(1))
        elif match := _HEADER_LINE.match(text):
            fields.setdefault(match.group(1).lower(), match.group(2))
        else:
            return text.lstrip(), fields
        text = text[match.end() :]
