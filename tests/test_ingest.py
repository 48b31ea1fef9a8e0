"""Ingestion into a real library (real embedder, real Chroma in a temporary NEWSQA_HOME).

Covers the add / re-add / update / remove life cycle with deterministic chunk ids, and
bad input: undecodable, empty and unsupported files, broken JSONL lines, hostile HTML.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.store import COLLECTION


def stored_chunks(settings, article_id: str | None = None) -> dict[str, str]:
    """Chunk id -> chunk text as persisted: the ids and offsets in Chroma (read back with
    Chroma's own client), the text cut from the catalogued article at those offsets ("" for
    a chunk of another version of the article than the catalogued one)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from index.catalog import Catalog

    client = chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = client.get_collection(COLLECTION)
    where = {"article_id": article_id} if article_id else None
    got = collection.get(where=where, include=["documents", "metadatas"])
    assert not any(got["documents"]), "chunk texts are the catalogue's: Chroma keeps none"
    catalog = Catalog(settings.home / "articles.sqlite3")
    try:
        out = {}
        for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
            article = catalog.get(meta["article_id"])
            current = article is not None and chunk_id.split(":")[-2] == article.content_hash[:12]
            out[chunk_id] = article.text[meta["start"] : meta["end"]] if current else ""
        return out
    finally:
        catalog.close()


def expected_ids(library, article) -> list[str]:
    return [c.chunk_id(article.content_hash) for c in library.chunk(article)]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def corpus_copy(tmp_path: Path, sample_records: list[dict]) -> Path:
    """A writable copy of the sample corpus (the test may edit it)."""
    (tmp_path / "corpus").mkdir()
    return write_jsonl(tmp_path / "corpus" / "articles.jsonl", sample_records)


def test_ingest_sample_corpus(fresh_library, fresh_settings, corpus_copy, sample_records):
    report = fresh_library.add_paths([corpus_copy])
    ids = [r["id"] for r in sample_records]

    assert sorted(report.added) == sorted(ids)
    assert report.failed == [] and report.updated == [] and report.unchanged == []

    stats = fresh_library.stats()
    listed = {a["id"]: a for a in fresh_library.list()}
    assert stats["articles"] == len(ids) == len(listed)
    assert stats["chunks"] == sum(a["chunks"] for a in listed.values()) > len(ids)

    for article_id in ids:
        article = fresh_library.get(article_id)
        assert article is not None
        # The persisted chunks are exactly the ones chunking gives, under deterministic ids.
        stored = stored_chunks(fresh_settings, article_id)
        assert sorted(stored) == sorted(expected_ids(fresh_library, article))
        assert listed[article_id]["chunks"] == len(stored)
        for chunk in fresh_library.chunk(article):
            assert stored[chunk.chunk_id(article.content_hash)] == chunk.text


def test_reingest_is_unchanged(fresh_library, fresh_settings, corpus_copy, sample_records):
    fresh_library.add_paths([corpus_copy])
    before_stats = fresh_library.stats()
    before_ids = sorted(stored_chunks(fresh_settings))

    report = fresh_library.add_paths([corpus_copy])

    assert sorted(report.unchanged) == sorted(r["id"] for r in sample_records)
    assert report.added == [] and report.updated == [] and report.failed == []
    assert fresh_library.stats()["chunks"] == before_stats["chunks"]
    assert fresh_library.stats()["articles"] == before_stats["articles"]
    assert sorted(stored_chunks(fresh_settings)) == before_ids


def test_chunk_ids_are_deterministic(fresh_library, sample_records):
    from index.ingest import make_article

    record = sample_records[0]
    article = make_article(record["text"], id=record["id"], title=record["title"],
                           date=record.get("date"), fallback_id="x")
    again = make_article(record["text"], id=record["id"], title=record["title"],
                         date=record.get("date"), fallback_id="x")
    assert article.content_hash == again.content_hash
    assert expected_ids(fresh_library, article) == expected_ids(fresh_library, again)
    ids = expected_ids(fresh_library, article)
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(f"{article.id}:{article.content_hash[:12]}:") for i in ids)


def test_changed_article_is_updated_and_old_chunks_are_gone(
    fresh_library, fresh_settings, corpus_copy, sample_records
):
    fresh_library.add_paths([corpus_copy])
    target = sample_records[0]["id"]
    other = sample_records[1]["id"]
    old_article = fresh_library.get(target)
    old_ids = set(stored_chunks(fresh_settings, target))
    other_before = stored_chunks(fresh_settings, other)
    assert "particularly in railways" in old_article.text

    edited = [dict(r) for r in sample_records]
    edited[0]["text"] = edited[0]["text"].replace("particularly in railways", "particularly in waterways")
    edited[0]["text"] += "\n\nThe delegations later visited a high-speed train factory near the capital."
    write_jsonl(corpus_copy, edited)

    report = fresh_library.add_paths([corpus_copy])

    assert report.updated == [target]
    assert report.unchanged == [other]
    assert report.added == [] and report.failed == []

    new_article = fresh_library.get(target)
    assert "particularly in waterways" in new_article.text
    assert new_article.content_hash != old_article.content_hash

    stored = stored_chunks(fresh_settings, target)
    assert sorted(stored) == sorted(expected_ids(fresh_library, new_article))
    assert not (old_ids & set(stored)), "chunks of the old version are still stored"
    assert not any("particularly in railways" in text for text in stored.values())
    assert any("high-speed train factory" in text for text in stored.values())
    # The other article is untouched.
    assert stored_chunks(fresh_settings, other) == other_before
    # Stats agree with the store.
    listed = {a["id"]: a["chunks"] for a in fresh_library.list()}
    assert listed[target] == len(stored)
    assert fresh_library.stats()["chunks"] == len(stored_chunks(fresh_settings))


def test_removed_article_and_its_chunks_are_gone(
    fresh_library, fresh_assistant, fresh_settings, corpus_copy, sample_records
):
    fresh_library.add_paths([corpus_copy])
    target, other = sample_records[0]["id"], sample_records[1]["id"]
    before = fresh_library.stats()
    target_chunks = len(stored_chunks(fresh_settings, target))
    assert target_chunks > 0

    assert fresh_library.remove(target) is True

    after = fresh_library.stats()
    assert after["articles"] == before["articles"] - 1
    assert after["chunks"] == before["chunks"] - target_chunks
    assert stored_chunks(fresh_settings, target) == {}
    assert fresh_library.get(target) is None
    assert [a["id"] for a in fresh_library.list()] == [other]
    hits = fresh_assistant.search("Luong Cuong talks with Xi Jinping in Beijing on September 4", k=20)
    assert hits and all(p.article_id == other for p in hits)
    # Removing again reports that nothing was there.
    assert fresh_library.remove(target) is False
    assert fresh_library.stats() == after


# --- bad input ---------------------------------------------------------------------------

GOOD_TEXT = (
    "Title: Harbour reopens after storm\n"
    "Date: 2031-03-02\n"
    "Source: Test Gazette\n\n"
    "The harbour of Port Vell reopened on Monday after three weeks of repairs. "
    "Harbour master Ines Marquez said the new breakwater had cost 40 million euros.\n"
)


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "latin1.txt").write_bytes("Le caf\xe9 du port a rouvert lundi.".encode("latin-1"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.xyz").write_text("Some notes that are not an article format.", encoding="utf-8")
    (folder / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    return folder


def _reason_for(report, name: str) -> str | None:
    reasons = [f.reason for f in report.failed if Path(f.path.split(":")[0].split("[")[0]).name == name]
    return reasons[0] if reasons else None


def test_folder_with_bad_files(fresh_library, fresh_settings, corpus_copy, sample_records, bad_folder):
    fresh_library.add_paths([corpus_copy])
    before_stats = fresh_library.stats()
    before_chunks = stored_chunks(fresh_settings)
    before_articles = {r["id"]: fresh_library.get(r["id"]) for r in sample_records}

    report = fresh_library.add_paths([bad_folder])

    assert report.added == ["good"]
    good = fresh_library.get("good")
    assert good.title == "Harbour reopens after storm"
    assert good.date.isoformat() == "2031-03-02"
    assert good.source == "Test Gazette"
    assert good.text.startswith("The harbour of Port Vell")

    latin = _reason_for(report, "latin1.txt")
    assert latin is not None, report.to_dict()
    assert "UTF-8" in latin
    empty = _reason_for(report, "empty.txt")
    assert empty is not None, report.to_dict()
    assert "empty" in empty.lower()

    # Previously indexed articles are untouched.
    for article_id, article in before_articles.items():
        assert fresh_library.get(article_id) == article
    after_chunks = stored_chunks(fresh_settings)
    assert {k: v for k, v in after_chunks.items() if not k.startswith("good:")} == before_chunks
    assert fresh_library.stats()["articles"] == before_stats["articles"] + 1


def test_folder_reports_unsupported_file_types(fresh_library, bad_folder):
    """A file of unknown type inside an ingested folder is reported, not silently ignored."""
    report = fresh_library.add_paths([bad_folder])
    reason = _reason_for(report, "notes.xyz")
    assert reason is not None, f"notes.xyz is not in report.failed: {report.to_dict()}"
    assert "unsupported" in reason.lower()


def test_unsupported_file_given_directly(fresh_library, bad_folder):
    report = fresh_library.add_paths([bad_folder / "notes.xyz"])
    assert report.added == []
    assert len(report.failed) == 1
    assert "notes.xyz" in report.failed[0].path
    assert "unsupported" in report.failed[0].reason.lower()
    assert ".xyz" in report.failed[0].reason


def test_missing_path_is_reported(fresh_library, tmp_path):
    report = fresh_library.add_paths([tmp_path / "does-not-exist.txt"])
    assert report.added == [] and len(report.failed) == 1
    assert "no such file" in report.failed[0].reason


def test_broken_jsonl_line_among_good_ones(fresh_library, tmp_path):
    path = tmp_path / "feed.jsonl"
    good1 = {"id": "feed-one", "title": "Bridge opens", "date": "2031-01-05",
             "text": "The new river bridge opened to traffic on Sunday. It carries four lanes."}
    good2 = {"id": "feed-two", "title": "Library expands",
             "text": "The city library added a new reading room for children on Tuesday."}
    path.write_text(
        json.dumps(good1) + "\n" + '{"id": "feed-broken", "text": "unterminated\n' + json.dumps(good2) + "\n",
        encoding="utf-8",
    )

    report = fresh_library.add_paths([path])

    assert sorted(report.added) == ["feed-one", "feed-two"]
    assert len(report.failed) == 1
    assert report.failed[0].path.endswith("feed.jsonl:2")
    assert "JSON" in report.failed[0].reason
    assert fresh_library.get("feed-broken") is None
    assert fresh_library.get("feed-one").date.isoformat() == "2031-01-05"


def test_json_and_jsonl_records_keep_their_ids(fresh_library, fresh_assistant, tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(
        {"id": "observatory-2031", "title": "Observatory finds comet", "date": "2031-06-01",
         "source": "Sky Weekly", "url": "https://example.org/comet",
         "text": "Astronomers at the Teide observatory discovered a bright green comet on Friday. "
                 "Director Ana Ruiz said it will be visible to the naked eye in July."}), encoding="utf-8")
    write_jsonl(tmp_path / "many.jsonl", [
        {"id": "orchard-2031", "title": "Orchard harvest",
         "text": "Apple growers in the valley reported a record harvest of golden apples this autumn."},
    ])

    report = fresh_library.add_paths([tmp_path / "one.json", tmp_path / "many.jsonl"])

    assert sorted(report.added) == ["observatory-2031", "orchard-2031"]
    assert {a["id"] for a in fresh_library.list()} == {"observatory-2031", "orchard-2031"}
    comet = fresh_library.get("observatory-2031")
    assert (comet.title, comet.source, comet.url) == ("Observatory finds comet", "Sky Weekly",
                                                      "https://example.org/comet")
    hits = fresh_assistant.search("green comet discovered by astronomers", k=1)
    assert hits[0].article_id == "observatory-2031"
    answer = fresh_assistant.ask("Which comet did the astronomers at the Teide observatory discover?")
    assert answer.found
    assert answer.citations[0].passage.article_id == "observatory-2031"
    assert answer.citations[0].to_json()["article_id"] == "observatory-2031"


def test_html_scripts_are_not_article_text(fresh_library, tmp_path):
    paragraphs = "".join(
        f"<p>The harbour of Port Vell reopened on Monday, day {i} of the festival, after repairs "
        f"by the city council, harbour master Ines Marquez said in a statement to reporters.</p>"
        for i in range(1, 9)
    )
    (tmp_path / "page.html").write_text(
        "<!doctype html><html><head><title>Harbour reopens</title>"
        "<script>var tracker = 'SCRIPT_SECRET_ONE';</script></head><body><article>"
        f"<h1>Harbour reopens</h1>{paragraphs}"
        "<img src=x onerror=alert(1)><script>document.write('SCRIPT_SECRET_TWO')</script>"
        "</article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "tiny.html").write_text(
        "<html><body><script>alert('SCRIPT_SECRET_THREE')</script>"
        "<p>The ferry to the island now leaves every hour.</p>"
        "<img src=x onerror=alert(1)></body></html>",
        encoding="utf-8",
    )

    report = fresh_library.add_paths([tmp_path / "page.html", tmp_path / "tiny.html"])

    assert report.failed == [], report.to_dict()
    assert sorted(report.added) == ["page", "tiny"]
    page, tiny = fresh_library.get("page"), fresh_library.get("tiny")
    assert "harbour master Ines Marquez" in page.text
    assert "ferry to the island" in tiny.text
    for article in (page, tiny):
        for bad in ("SCRIPT_SECRET", "alert(", "onerror", "<script", "<img", "document.write"):
            assert bad not in article.text, f"{bad!r} leaked into {article.id}: {article.text!r}"


def test_an_id_given_twice_keeps_the_later_version(fresh_library, fresh_settings, tmp_path, sample_records):
    """Articles are chunked ahead in a background thread; an id that comes twice in one batch
    is indexed as its later version, and an identical repeat is reported unchanged."""
    first, second = (dict(r) for r in sample_records[:2])
    edited = dict(first, text=first["text"] + "\n\nThe talks ended with a state banquet in the evening.")
    path = write_jsonl(tmp_path / "twice.jsonl", [first, second, edited, second])

    report = fresh_library.add_paths([path])

    assert sorted(report.added) == sorted([first["id"], second["id"]])
    assert report.updated == [first["id"]] and report.unchanged == [second["id"]]
    kept = fresh_library.get(first["id"])
    assert kept.text.endswith("state banquet in the evening.")
    stored = stored_chunks(fresh_settings, first["id"])
    assert sorted(stored) == sorted(expected_ids(fresh_library, kept))
    assert any("state banquet" in text for text in stored.values())
    assert fresh_library.stats()["chunks"] == len(stored_chunks(fresh_settings))


def test_chroma_keeps_vectors_and_offsets_only(fresh_library, sample_corpus_path):
    """Texts and article metadata are stored once, in the catalogue (disk: issue 21)."""
    fresh_library.add_paths([sample_corpus_path])
    got = fresh_library.chunks.client.get_collection(COLLECTION).get(
        include=["documents", "metadatas", "embeddings"]
    )
    assert got["ids"] and not any(got["documents"])
    assert all(set(m) == {"article_id", "position", "start", "end", "sentences"} for m in got["metadatas"])
    assert len(got["embeddings"][0]) == 384
    rows = {r.id: r for r in fresh_library.catalog.chunk_rows()}
    assert set(rows) == set(got["ids"])
    for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
        article = fresh_library.catalog.get(meta["article_id"])
        assert rows[chunk_id].chunk.text == article.text[meta["start"] : meta["end"]]
    # the catalogue stores each chunk's text once: in its article
    texts = fresh_library.catalog._db.execute("SELECT COUNT(*) FROM chunks WHERE text != ''").fetchone()[0]
    assert texts == 0


def test_an_older_catalogue_layout_is_read_and_migrated(fresh_library, sample_corpus_path):
    """Catalogues written before issue 21 stored chunk texts and a rowid term table: still read."""
    import sqlite3

    from index.catalog import Catalog

    fresh_library.add_paths([sample_corpus_path])
    catalog = fresh_library.catalog
    rows = {r.id: r.chunk.text for r in catalog.chunk_rows()}
    words = ["bridg", "unclos", "no-such-term"]
    idf = catalog.idf(words)
    path = catalog.path
    catalog.close()
    db = sqlite3.connect(path)
    with db:  # the older layout: texts in the chunk rows, chunk_terms with a rowid
        for chunk_id, text in rows.items():
            db.execute("UPDATE chunks SET text = ? WHERE id = ?", (text, chunk_id))
        db.execute("CREATE TABLE old_terms (article_id TEXT NOT NULL, term TEXT NOT NULL, "
                   "chunks INTEGER NOT NULL, PRIMARY KEY (article_id, term))")
        db.execute("INSERT INTO old_terms SELECT * FROM chunk_terms")
        db.execute("DROP TABLE chunk_terms")
        db.execute("ALTER TABLE old_terms RENAME TO chunk_terms")
        db.execute("CREATE INDEX chunk_terms_term ON chunk_terms (term)")
    db.close()
    reopened = Catalog(path)
    schema = reopened._db.execute("SELECT sql FROM sqlite_schema WHERE name = 'chunk_terms'").fetchone()[0]
    assert "WITHOUT ROWID" in schema.upper()
    assert {r.id: r.chunk.text for r in reopened.chunk_rows()} == rows
    assert reopened.idf(words) == idf
    reopened.close()


def test_term_totals_follow_adds_updates_and_removes(fresh_library, sample_articles_for_terms):
    """``term_chunks`` (the idf's denominators, kept by triggers) always equals the sum of the counts."""
    db = fresh_library.catalog._db

    def consistent() -> bool:
        totals = dict(db.execute("SELECT term, chunks FROM term_chunks WHERE chunks != 0").fetchall())
        summed = dict(db.execute("SELECT term, SUM(chunks) FROM chunk_terms GROUP BY term").fetchall())
        return totals == summed

    from index.terms import terms

    (zeppelin,) = terms("zeppelin")  # the stemmed term
    first, second = sample_articles_for_terms
    fresh_library.add(first)
    fresh_library.add(second)
    assert consistent()
    before = fresh_library.catalog.idf([zeppelin])[zeppelin]
    assert fresh_library.catalog.unseen([zeppelin]) == [zeppelin]
    fresh_library.add(first.model_copy(update={"text": first.text + "\n\nA zeppelin flew over the harbour."}))
    assert consistent() and fresh_library.catalog.idf([zeppelin])[zeppelin] < before
    fresh_library.remove(second.id)
    assert consistent()
    assert fresh_library.catalog.unseen([zeppelin, "qqqxyz"]) == ["qqqxyz"]


@pytest.fixture
def sample_articles_for_terms(sample_corpus_path):
    from index.ingest import load_paths
    from index.types import Article

    return [a for a in load_paths([sample_corpus_path]) if isinstance(a, Article)][:2]
