"""Reading where to look from a question: dates and news sources (pure functions, no model)."""

from __future__ import annotations

import datetime as dt

from assistant.scope import find_dates, find_sources, scope_of

MONTHS = {(2023, 9), (2023, 10), (2023, 11), (2023, 12), (2025, 4), (2025, 9)}
SOURCES = ["TechCrunch", "The Verge", "Fortune", "The Age", "Sporting News", "The Independent - Sports",
           "The Independent - Travel", "Cnbc | World Business News Leader"]


def names(question: str) -> list[str]:
    return [m.name for m in find_sources(question, SOURCES)]


def test_sources_plain_quoted_and_sectioned():
    assert names("Does the 'Fortune' article agree with 'The Age' report?") == ["Fortune", "The Age"]
    assert names("as reported by both The Verge and TechCrunch") == ["The Verge", "TechCrunch"]
    assert names("What did “TechCrunch” say?") == ["TechCrunch"]
    independent = find_sources("What did The Independent write?", SOURCES)
    assert independent[0].sources == ("The Independent - Sports", "The Independent - Travel")
    assert names("What did CNBC report?") == ["Cnbc"]


def test_words_that_only_look_like_sources():
    assert names("He made a fortune at the age of 16.") == []
    assert names("according to some, not TechCrunch, but The Verge") == ["The Verge"]
    assert names("TechCrunch's story") == ["TechCrunch"]


def test_month_and_year_periods_restrict_the_whole_search():
    scope = scope_of("What did Xi say in April 2025?", SOURCES, MONTHS)
    assert (scope.where.since, scope.where.until) == (dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    after = scope_of("What was published after October 2023?", SOURCES, MONTHS).where
    assert after.since == dt.date(2023, 11, 1) and after.until is None
    # A month without a year: the latest such month the library has articles from.
    assert scope_of("What happened in September?", SOURCES, MONTHS).where.since == dt.date(2025, 9, 1)


def test_an_exact_day_is_a_lookup_not_a_filter():
    scope = scope_of("What happened in the attack on October 7?", SOURCES, MONTHS)
    assert scope.where.is_empty
    assert [(lk.since, lk.until) for lk in scope.lookups] == [
        (dt.date(2023, 10, 6), dt.date(2023, 10, 8))
    ]


def test_before_a_day_includes_that_day():
    scope = scope_of("What did TechCrunch report before November 11, 2023?", SOURCES, MONTHS)
    assert scope.lookups[0].until == dt.date(2023, 11, 11)
    assert scope.lookups[0].sources == ("TechCrunch",)


def test_each_source_gets_a_lookup_with_its_own_dates():
    question = ("Does the Fortune article say the merger was legal, while the TechCrunch article "
                "published on October 4, 2023 reports its valuation?")
    scope = scope_of(question, SOURCES, MONTHS)
    fortune, techcrunch = scope.lookups
    assert fortune.sources == ("Fortune",) and fortune.since is None
    assert techcrunch.sources == ("TechCrunch",)
    assert (techcrunch.since, techcrunch.until) == (dt.date(2023, 10, 3), dt.date(2023, 10, 5))


def test_dates_outside_the_library_are_ignored():
    assert scope_of("What does UNCLOS 1982 say?", SOURCES, MONTHS).is_empty
    assert scope_of("What happened in 2019?", SOURCES, MONTHS).is_empty
    assert find_dates("Who may march in May?", MONTHS) == []  # lower-case months are words


def test_an_article_from_an_outlet_the_library_lacks_is_missing():
    from assistant.scope import missing_outlets

    assert missing_outlets("What did a Bloomberg article say about Nike's sales?", SOURCES) == ["Bloomberg"]
    assert missing_outlets(
        "Considering the Wall Street Journal article and the TechCrunch article, who leads?", SOURCES
    ) == ["Wall Street Journal"]
    # Outlets the library has, by any of their names, and articles not named after an outlet.
    assert missing_outlets("Does the Verge article agree with the Independent articles?", SOURCES) == []
    assert missing_outlets("What did the article say about the Senate report?", SOURCES) == []
    assert scope_of("the Bloomberg article on Nike", SOURCES, MONTHS).missing == ["Bloomberg"]
