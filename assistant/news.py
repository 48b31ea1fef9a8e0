"""What kind of news question this is, and the labels answers about articles need.

News questions ask who said something, when it happened, how a story developed, or how
several reports compare. The answerer shapes its answer by the kind:

- ``who``: the answer leads with the speaker of each quoted statement;
- ``when``: sentences that state a date rank first, and the answer leads with the date the
  text gives for the event (not the publication date) when it states one;
- ``timeline``: one dated item per article, oldest first;
- ``comparison``: one labelled paragraph per article (date and place);
- ``plain``: everything else.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from assistant.scope import month_number
from index.types import Passage

Kind = Literal["who", "when", "timeline", "comparison", "plain"]

_TIMELINE = re.compile(
    r"\b(?:timeline|chronolog\w*|over time|step by step|history of|in what order)\b|"
    r"^\s*how (?:did|has|have|do|does|is|was) .*\b(?:develop|evolv|progress|chang|unfold)\w*",
    re.IGNORECASE,
)
_COMPARISON = re.compile(
    r"\b(?:compare[sd]?|comparison|differ(?:ence|ences|ent|ed)?|changed? between|versus|vs\.?|"
    r"each (?:meeting|article|report|visit|talk|side|outlet|source)|"
    r"(?:both|the two|all) (?:meetings|articles|reports|visits|talks))\b",
    re.IGNORECASE,
)
_WHO = re.compile(r"^\s*(?:and\s+)?who(?:m)?\b", re.IGNORECASE)
_WHEN = re.compile(r"^\s*(?:and\s+)?(?:when|on what date|what date|what day)\b", re.IGNORECASE)

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# "September 4", "4 September 2025", "April 15, 2025", "2025-04-15"
EVENT_DATE = re.compile(
    rf"\b(?:(?:{MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?|\d{{1,2}} (?:{MONTHS})(?:,? \d{{4}})?|"
    r"\d{4}-\d{2}-\d{2})\b"
)
_PLACE = re.compile(r"\bin ((?:[A-Z][\w’'-]+)(?: [A-Z][\w’'-]+){0,2})\s*$")


_DATE_WORDS = re.compile(rf"\b(?:(?:19|20)\d{{2}}|{MONTHS})\b", re.IGNORECASE)


def without_dates(question: str) -> str:
    """The question without years and month names (they choose articles, not sentences)."""
    return " ".join(_DATE_WORDS.sub(" ", question).split())


def question_kind(question: str) -> Kind:
    if _WHO.search(question):
        return "who"
    if _COMPARISON.search(question):
        return "comparison"
    if _TIMELINE.search(question):
        return "timeline"
    if _WHEN.search(question):
        return "when"
    return "plain"


def event_date(sentence: str, published: dt.date | None = None) -> str | None:
    """The first date the sentence states, completed with the publication year if it has none
    (the next year for a month already past that the sentence says is still to come: "set
    sentencing for Feb. 20" in December)."""
    match = EVENT_DATE.search(sentence)
    if match is None:
        return None
    text = match.group()
    if published and not re.search(r"\d{4}", text):
        year = published.year
        month = re.search(MONTHS, text)
        if month and month_number(month.group()) < published.month and _TO_COME.search(sentence):
            year += 1
        text = f"{text}, {year}"
    return text


# A sentence about something still to come: "scheduled sentencing for", "will", "is due".
_TO_COME = re.compile(r"\b(?:will|scheduled|set for|slated|due(?! to)|upcoming|next)\b", re.IGNORECASE)


# An article reports its event in its opening: "On the morning of April 15, 2025, …", "…
# held talks with … on September 4".
REPORT_OPENING_CHARS = 600


def reported_date(article_text: str, published: dt.date | None) -> str | None:
    """When the event an article reports took place: the first date its opening states
    (completed with the publication year), else its publication date ("September 4, 2025")."""
    stated = event_date(article_text[:REPORT_OPENING_CHARS], published)
    if stated is not None:
        return stated
    return f"{published:%B} {published.day}, {published.year}" if published else None


def place_of(passage: Passage) -> str | None:
    """Where the reported event took place, when the headline ends with "in <Place>"."""
    match = _PLACE.search(passage.title.strip().rstrip(".!?"))
    return match.group(1) if match else None


def source_label(passage: Passage) -> str:
    """'Coast Herald': the article's source, else its title, at most 40 characters."""
    label = passage.source or passage.title or "undated"
    return label if len(label) <= 40 else label[:39] + "…"


def article_label(passage: Passage) -> str:
    """'16 Apr 2025, Hanoi': the article's date (else source or title) and place."""
    label = passage.date.strftime("%-d %b %Y") if passage.date else source_label(passage)
    place = place_of(passage)
    return f"{label}, {place}" if place and place not in label else label
