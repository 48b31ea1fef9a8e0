"""Evidence terms: which word forms count as the same term, and the catalogue's term counts."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from index.catalog import _CHUNK_TEXT as CHUNK_TEXT
from index.catalog import Catalog
from index.terms import TERMS_VERSION, stem, terms


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("trade", "trading"),  # short words: a six-letter cut alone kept these apart
        ("talk", "talks"),
        ("sea", "seas"),
        ("meeting", "meetings"),
        ("security", "secure"),
        ("railway", "railways"),
        ("economy", "economic"),  # derivations the stemmer keeps apart, the cut joins
        ("Vietnam", "Vietnamese"),
        ("proposed", "proposal"),
    ],
)
def test_word_forms_share_a_term(a: str, b: str):
    assert terms(a) == terms(b)


def test_different_words_stay_apart_and_numbers_are_kept_whole():
    assert terms("trade") != terms("tread")
    assert terms("sea") != terms("seat")
    assert terms("1,000 people in 2025") == ["1,000", "peopl", "2025"]
    assert terms("Xi’s talks") == terms("Xi's talks") == ["xi", "talk"]


def _counts(db: Path) -> dict[tuple[str, str], int]:
    with sqlite3.connect(db) as conn:
        return {(a, t): n for a, t, n in conn.execute("SELECT article_id, term, chunks FROM chunk_terms")}


def test_catalogue_recounts_terms_made_by_an_older_rule(fresh_library, sample_corpus_path):
    """A catalogue whose term counts came from the old six-letter cut is recounted on opening."""
    fresh_library.add_paths([sample_corpus_path])
    db = fresh_library.home / "articles.sqlite3"
    with sqlite3.connect(db) as conn:
        # a chunk's text is cut from its article's (the row keeps it only in rare cases)
        chunk_texts = conn.execute(f"SELECT c.article_id, {CHUNK_TEXT} FROM chunks c").fetchall()
    assert chunk_texts and all(text for _, text in chunk_texts)
    expected: Counter[tuple[str, str]] = Counter()
    for article_id, text in chunk_texts:
        expected.update((article_id, t) for t in set(terms(text)))
    assert _counts(db) == dict(expected)

    # what an older version wrote: six-letter cuts ("tradin", "talks") under no terms version
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM chunk_terms")
        conn.execute("DELETE FROM meta WHERE key = 'terms'")
        old: Counter[tuple[str, str]] = Counter()
        for article_id, text in chunk_texts:
            old.update((article_id, w.lower()[:6]) for w in set(text.split()))
        conn.executemany("INSERT INTO chunk_terms VALUES (?, ?, ?)", [(*k, n) for k, n in old.items()])

    catalog = Catalog(db)
    assert catalog.get_meta("terms") == TERMS_VERSION
    assert _counts(db) == dict(expected)
    # the old cuts are gone; Xi's "trading" and Luong Cuong's "trade" count as one term
    assert catalog.unseen(terms("trade talks tradin")) == ["tradin"]
    assert sum(n for (_, t), n in _counts(db).items() if t == "trade") == sum(
        1 for _, text in chunk_texts if "trade" in text or "trading" in text
    )
    catalog.close()

    # once recorded, the version is trusted: opening again does not recount
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE chunk_terms SET chunks = 99 WHERE term = 'trade'")
    Catalog(db).close()
    assert {n for (_, t), n in _counts(db).items() if t == "trade"} == {99}


def test_a_word_of_no_letters_left_has_an_empty_stem():
    """A parser's token "'s" (a possessive on its own) is no word: its stem is empty, not an error."""
    assert stem("'s") == "" and stem("’s") == ""
    assert stem("12") == "12"
