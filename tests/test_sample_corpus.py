"""The shipped sample corpus: its metadata after ingestion and its provenance."""

from __future__ import annotations

import datetime as dt
import math

import pytest

FIRST = "000_e273dc11edd75a80"
SECOND = "002_1b26c6d6660b8148"


def test_sample_corpus_is_indexed(sample_library, sample_records):
    ids = {a["id"] for a in sample_library.list()}
    assert ids == {r["id"] for r in sample_records} == {FIRST, SECOND}
    stats = sample_library.stats()
    assert stats["articles"] == 2
    assert stats["chunks"] == sum(a["chunks"] for a in sample_library.list())


def test_inline_date_header_becomes_metadata(sample_library, sample_records):
    raw = next(r for r in sample_records if r["id"] == SECOND)
    assert raw["text"].lstrip().startswith("date 2025-04-16"), "the shipped text keeps its header line"

    article = sample_library.get(SECOND)
    assert article.date == dt.date(2025, 4, 16)
    assert "date 2025-04-16" not in article.text
    assert "2025-04-16" not in article.text
    assert article.text.startswith("On the morning of April 15, 2025")
    listed = {a["id"]: a for a in sample_library.list()}
    assert listed[SECOND]["date"] == "2025-04-16"


def test_first_article_date(sample_library):
    article = sample_library.get(FIRST)
    assert article.date == dt.date(2025, 9, 4)
    assert article.title == "State President Luong Cuong holds talks with Xi Jinping in Beijing"
    assert article.text.startswith("The two sides held in-depth discussions")


def test_search_results_carry_article_metadata(sample_assistant):
    hits = sample_assistant.search("Xi Jinping visit to Hanoi in April", k=15)
    assert hits
    for passage in hits:
        article = sample_assistant.library.get(passage.article_id)
        assert passage.title == article.title
        assert passage.date == article.date
        assert passage.source == article.source
        assert math.isfinite(passage.score)
    assert len({p.id for p in hits}) == len(hits)
    assert "April" in hits[0].chunk.text or hits[0].date.month == 4


def test_shipped_text_equals_shared_seeds_verbatim(shared_dir, sample_records):
    if shared_dir is None:
        pytest.skip("../shared is not beside this checkout")
    seeds = shared_dir / "corpus" / "seeds"
    files = sorted(seeds.glob("*.txt"))
    assert files, f"no seed articles in {seeds}"
    by_id = {r["id"]: r for r in sample_records}
    assert set(by_id) == {f.stem for f in files}
    for file in files:
        expected = file.read_bytes().decode("utf-8")
        assert by_id[file.stem]["text"] == expected, f"{file.name} differs from the shipped text"
