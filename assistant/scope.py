"""What a question says about *where* to look: dates and news sources it names.

"What did Xi say in April 2025?" narrows the search to April 2025; "as reported by both
The Verge and TechCrunch" asks for one look into each outlet. Only sources the library
actually holds are recognised, and only dates that fall in months the library has
articles for narrow anything, so a question about 1982 ("UNCLOS 1982") is not turned
into an empty search.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from index.types import SearchFilter

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PERIOD_WORD = r"(?:in|during|of|from|since|after|before|until|between)"

# Longest forms first; each yields (year?, month?, day?).
_DATE_FORMS = [
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*,?\s*(?:19|20)\d\d)", re.IGNORECASE),
    re.compile(rf"\b{_PERIOD_WORD}\s+{_MONTH}(?!\s+[0-3]?\d)\b", re.IGNORECASE),
    re.compile(rf"\b{_PERIOD_WORD}\s+{_YEAR}\b", re.IGNORECASE),
    # a month as a modifier or in a list: "the April talks", "between April and September"
    re.compile(rf"\b(?:the|and|or|to|versus|vs\.?)\s+{_MONTH}(?!\s+[0-3]?\d)\b", re.IGNORECASE),
]
_BEFORE = re.compile(r"\b(before|until|till|prior to|earlier than|by)\s+(the\s+)?$", re.IGNORECASE)
_AFTER = re.compile(r"\b(after|later than|following)\s+(the\s+)?$", re.IGNORECASE)
_SINCE = re.compile(r"\b(since|from|starting)\s+(the\s+)?$", re.IGNORECASE)
# Some month names are ordinary words ("may", "march"): only capitalised ones count.
_AMBIGUOUS_MONTHS = {"may", "march"} | {m.lower() for m in calendar.month_abbr if m}
# How far publication can trail an event date named in the question.
DAY_SLACK = dt.timedelta(days=1)


@dataclass(frozen=True)
class DateMention:
    """A date or period named in the question, as a range, with its position.

    ``day`` is set for an exact day ("September 26, 2023"); its range allows a day of slack
    either side, since an article is often dated the day after what it reports.
    """

    start: int
    end: int
    since: dt.date
    until: dt.date
    relation: str = "in"  # "in", "before", "after" or "since"
    day: dt.date | None = None

    def as_filter(self) -> SearchFilter:
        if self.relation == "before":
            return SearchFilter(until=self.day or self.since - dt.timedelta(days=1))
        if self.relation == "after":
            return SearchFilter(since=self.day or self.until + dt.timedelta(days=1))
        if self.relation == "since":
            return SearchFilter(since=self.day or self.since)
        return SearchFilter(since=self.since, until=self.until)


@dataclass(frozen=True)
class SourceMention:
    """A news source named in the question and the library sources it stands for."""

    start: int
    end: int
    name: str
    sources: tuple[str, ...]


@dataclass
class Scope:
    """Where to look for a question: a date filter, and one extra look per named source or day."""

    where: SearchFilter = field(default_factory=SearchFilter)
    lookups: list[SearchFilter] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    sources: list[SourceMention] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # outlets named as "a <X> article" the library lacks

    @property
    def is_empty(self) -> bool:
        return self.where.is_empty and not self.lookups

    def residual(self, question: str) -> str:
        """The question without the source names and dates it used up (what to match on)."""
        spans = sorted([(m.start, m.end) for m in self.sources] + [(d.start, d.end) for d in self.dates])
        if not spans:
            return question
        parts, last = [], 0
        for start, end in spans:
            if start >= last:
                parts.append(question[last:start])
                last = end
        parts.append(question[last:])
        return " ".join(" ".join(parts).split())


def find_dates(
    question: str, months: set[tuple[int, int]], today: dt.date | None = None
) -> list[DateMention]:
    """Dates and periods in ``question``; a month without a year is the latest one with articles."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for form in _DATE_FORMS:
        for m in form.finditer(question):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            span = _date_range(m, months)
            if span is None:
                continue
            start = m.start("month") if "month" in m.groupdict() and m.group("month") else m.start()
            if "year" in m.groupdict() and m.group("year") and not m.groupdict().get("month"):
                start = m.start("year")
            before = question[:start]
            relation = "in"
            for name, pattern in (("before", _BEFORE), ("after", _AFTER), ("since", _SINCE)):
                if pattern.search(before):
                    relation = name
            taken.append((m.start(), m.end()))
            day = span[0] + DAY_SLACK if span[1] - span[0] == 2 * DAY_SLACK and groups_have_day(m) else None
            found.append(DateMention(m.start(), m.end(), span[0], span[1], relation, day))
    return sorted(found, key=lambda d: d.start)


def groups_have_day(m: re.Match) -> bool:
    return bool(m.groupdict().get("day"))


def month_number(name: str) -> int:
    """1 for "January", "Jan" or "Jan." … 12 for "December" (any case)."""
    return _MONTHS[name.lower().rstrip(".")]


def _date_range(m: re.Match, months: set[tuple[int, int]]) -> tuple[dt.date, dt.date] | None:
    groups = m.groupdict()
    month_word = groups.get("month")
    if month_word and not month_word.isdigit():
        if month_word.lower().rstrip(".") in _AMBIGUOUS_MONTHS and not month_word[0].isupper():
            return None
        month = month_number(month_word)
    else:
        month = int(month_word) if month_word else None
    year = int(groups["year"]) if groups.get("year") else None
    day = int(groups["day"]) if groups.get("day") else None
    if month is None and year is None:
        return None
    if year is None:  # "in September": the latest September the library has articles from
        years = sorted((y for y, mo in months if mo == month), reverse=True)
        if not years:
            return None
        year = years[0]
    try:
        if day:
            date = dt.date(year, month or 1, day)
            return date - DAY_SLACK, date + DAY_SLACK
        if month:
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:  # "February 30"
        return None


def _covers(where: SearchFilter, months: set[tuple[int, int]]) -> bool:
    """Whether the library has articles from some month the filter lets through."""
    low = (where.since.year, where.since.month) if where.since else (0, 0)
    high = (where.until.year, where.until.month) if where.until else (9999, 12)
    return any(low <= m <= high for m in months)


def source_aliases(sources: Iterable[str]) -> dict[str, set[str]]:
    """Names a question may use for each source: 'The Independent - Sports' -> 'The Independent'."""
    aliases: dict[str, set[str]] = {}
    for source in sources:
        names = {source.strip()}
        head = re.split(r"\s+[-|:–]\s+", source, maxsplit=1)[0].strip()
        names.add(head)
        for name in names:
            if len(name) >= 3 and not name.isdigit():
                aliases.setdefault(name, set()).add(source)
    return aliases


_NOT_BEFORE = re.compile(r"\bnot\s+(?:by\s+|from\s+|in\s+)?(?:the\s+)?['‘\"“]?$", re.IGNORECASE)


def _capitalised_like(text: str, name: str) -> bool:
    """Every capitalised word of the name (a leading "The" aside) is capitalised in the text too."""
    for i, (typed, word) in enumerate(zip(text.split(), name.split(), strict=False)):
        if i == 0 and word.lower() == "the":
            continue
        if word[:1].isupper() and not typed[:1].isupper():
            return False
    return True


def find_sources(question: str, sources: Sequence[str]) -> list[SourceMention]:
    """Library sources named in ``question`` (longest name wins where names overlap)."""
    mentions: list[SourceMention] = []
    taken: list[tuple[int, int]] = []
    for name, matched in sorted(source_aliases(sources).items(), key=lambda kv: -len(kv[0])):
        # Quotes around the name are fine ('Fortune'); an apostrophe inside a word is not.
        pattern = re.compile(rf"(?<!\w)(?<!\w['’]){re.escape(name)}(?!\w)", re.IGNORECASE)
        for m in pattern.finditer(question):
            if not _capitalised_like(m.group(0), name):  # "a fortune", "at the age of 16"
                continue
            if _NOT_BEFORE.search(question[: m.start()]):  # "according to some, not TechCrunch"
                continue
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            mentions.append(SourceMention(m.start(), m.end(), name, tuple(sorted(matched))))
    return sorted(mentions, key=lambda s: s.start)


# "a Bloomberg article", "the New York Times articles": an outlet named as where an article ran.
_OUTLET_ARTICLE = re.compile(r"\b(?:an?|the)\s+((?:[A-Z][\w&'’.-]*\s+){0,4}?[A-Z][\w&'’.-]*)\s+articles?\b")


def _plain(name: str) -> str:
    return re.sub(r"^the\s+", "", name.strip().lower())


def missing_outlets(question: str, sources: Sequence[str]) -> list[str]:
    """Outlets the question names as where an article ran ("according to a Bloomberg article")
    that no article of the library comes from: what they reported cannot be checked here.
    (On MultiHop-RAG: 95 of its 301 questions the corpus cannot answer name one, none of the
    816 it answers.)"""
    known = {_plain(n) for n in source_aliases(sources)}
    out = []
    for m in _OUTLET_ARTICLE.finditer(question):
        name = _plain(m.group(1))
        if not any(name == k or name in k for k in known):
            out.append(m.group(1))
    return list(dict.fromkeys(out))


def scope_of(question: str, sources: Sequence[str], months: set[tuple[int, int]]) -> Scope:
    """The scope of ``question`` given the library's sources and the months it has articles for.

    A named source gets its own lookup, narrowed by the dates that follow it (up to the next
    named source); each lookup asks the whole question (asking only the part about its
    source lost 3 points of Hits@10 on MultiHop-RAG). Periods not tied to a source ("in
    April 2025", "after October 2023") restrict the whole search; an exact day not tied to
    a source ("on October 7") is a lookup only, as it may name an event, not a publication.
    """
    dates = [d for d in find_dates(question, months) if _covers(d.as_filter(), months)]
    mentions = find_sources(question, sources)
    scope = Scope(dates=dates, sources=mentions, missing=missing_outlets(question, sources))
    free = [d for d in dates if not mentions or d.start < mentions[0].start]
    periods = [d for d in free if d.day is None or d.relation != "in"]
    if len(periods) == 1:
        scope.where = periods[0].as_filter()
    elif len(periods) > 1:  # "between April and September 2025": the span of them all,
        scope.where = SearchFilter(since=min(d.since for d in periods), until=max(d.until for d in periods))
        for period in periods:  # and a look at each, so that each period is represented
            if period.relation == "in":
                _add(scope, period.as_filter())
    for day in (d for d in free if d not in periods):
        _add(scope, day.as_filter())
    for i, mention in enumerate(mentions):
        end = mentions[i + 1].start if i + 1 < len(mentions) else len(question)
        own = [d for d in dates if mention.end <= d.start < end]
        for date in own or [None]:
            window = date.as_filter() if date else scope.where
            _add(scope, SearchFilter(since=window.since, until=window.until, sources=mention.sources))
    return scope


def _add(scope: Scope, lookup: SearchFilter) -> None:
    if lookup not in scope.lookups:
        scope.lookups.append(lookup)


class FilterError(ValueError):
    """A filter a user typed that cannot be used; the message says why."""


def parse_date_bound(value: str, end: bool = False) -> dt.date:
    """'2025-04-16', '2025-04' or '2025' as a date; a month or year is its first day, or last with ``end``."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return dt.date(int(value), 12, 31) if end else dt.date(int(value), 1, 1)
        if re.fullmatch(r"\d{4}-\d{1,2}", value):
            year, month = map(int, value.split("-"))
            return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"not a date: {value!r} (use YYYY-MM-DD, YYYY-MM or YYYY)") from None


def resolve_sources(names: Iterable[str], sources: Sequence[str]) -> tuple[str, ...]:
    """Library sources for user-typed names (case-insensitive; 'The Independent' names all its sections)."""
    aliases = {name.lower(): matched for name, matched in source_aliases(sources).items()}
    chosen: list[str] = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        matched = aliases.get(name.lower())
        if not matched:
            known = ", ".join(sources[:20]) or "none (the library is empty)"
            raise FilterError(f"no articles from source {name!r}; sources: {known}")
        chosen += [s for s in sorted(matched) if s not in chosen]
    return tuple(chosen)


def make_filter(
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    sources: Iterable[str] = (),
    article_ids: Iterable[str] = (),
    known_sources: Sequence[str] = (),
) -> SearchFilter:
    """A ``SearchFilter`` from what a user typed (CLI flags, UI boxes, API fields)."""
    if isinstance(since, str):
        since = parse_date_bound(since) if since.strip() else None
    if isinstance(until, str):
        until = parse_date_bound(until, end=True) if until.strip() else None
    if since and until and since > until:
        raise FilterError(f"the start date {since} is after the end date {until}")
    return SearchFilter(
        since=since,
        until=until,
        sources=resolve_sources(sources, known_sources) if sources else (),
        article_ids=tuple(i.strip() for i in article_ids if i and i.strip()),
    )
