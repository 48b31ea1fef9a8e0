"""Text normalisation and header lines that are metadata, not article text."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as date_parser

# "date 2025-04-16 On the morning..." (the header may share its line with the body),
# or header lines "Date: September 4, 2025", "Title: ...", "Source: ...", "URL: ...".
_INLINE_DATE = re.compile(r"\A\s*date\s*[:=]?\s*(\d{4}-\d{2}-\d{2})\b[ \t]*\n?", re.IGNORECASE)
# Unicode's control characters (category Cc) but newline and tab.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Blank lines between header lines are allowed (Word and PDF paragraphs are blank-line apart).
_HEADER_LINE = re.compile(r"\A\s*(title|date|source|url)[ \t]*:[ \t]*(.+?)[ \t]*(?:\n|\Z)", re.I)


def normalise(text: str) -> str:
    """Unify newlines, drop a BOM and control characters, trim the ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = _CONTROLS.sub("", text)
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


_MONTHS = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
# A full date with its year: "September 4, 2025", "Sept. 4, 2025", "4 September 2025", "2025-09-04".
_FULL_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? (?:19|20)\d{{2}}|"
    rf"\d{{1,2}} (?:{_MONTHS})\.?,? (?:19|20)\d{{2}}|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}})\b"
)
# A dateline or byline sits in the first lines; later dates are usually about other events.
OPENING_CHARS = 300


def date_in_opening(body: str) -> dt.date | None:
    """The publication date an article's dateline states ("HANOI, September 4, 2025 —"): the
    first full date (with its year) in the opening ``OPENING_CHARS`` characters; else None."""
    for match in _FULL_DATE.finditer(body[:OPENING_CHARS]):
        parsed = parse_date(match.group().replace(".", ""))
        if parsed is not None:
            return parsed
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
