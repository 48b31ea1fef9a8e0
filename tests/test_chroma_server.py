"""A real ``chroma run`` server on 127.0.0.1 as the index (NEWSQA_CHROMA_URL).

The library ingests and answers through it; two libraries with separate homes (replicas)
see each other's changes; two app processes on different ports serve the same index and
see each other's uploads and deletions; a dead server is a clear error.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import REPO, SAMPLE, app_env, free_port, run_module, stop, wait_for

from assistant.build import build_assistant, build_library, ensure_sample_corpus
from assistant.settings import Settings
from index.shared import StoreUnavailable
from index.types import Article, SearchFilter

RAILWAY_Q = "What did Xi propose on railways?"
MUSEUM = Article(
    id="museum-reopens",
    title="City museum reopens",
    source="Test Gazette",
    text="The city museum reopened on Friday after two years of repairs. "
    "Its director, Ana Pires, said the new roof cost 4.2 million euros.",
)
MUSEUM_Q = "How much did the museum's new roof cost?"
CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server (the ``chroma`` command chromadb installs) on a free local port."""
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(folder / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=log, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/api/v2/heartbeat", proc, seconds=60)
        yield url
    finally:
        stop(proc)
        log.close()


def replica(home: Path, url: str, embedder, **settings: object):  # noqa: ANN001, ANN201
    """An assistant whose index is the server's; ``home`` only holds its cache."""
    values = {"home": home, "chroma_url": url, "chroma_refresh_seconds": 0} | settings
    configured = Settings(**values)
    return build_assistant(configured, library=build_library(configured, embedder=embedder))


def cited_articles(answer) -> set[str]:  # noqa: ANN001
    return {c.passage.article_id for c in answer.citations}


def test_ingests_and_answers_through_the_server(chroma_url, embedder, tmp_path):
    first = replica(tmp_path / "a", chroma_url, embedder)
    report = ensure_sample_corpus(first.library)
    assert report is not None and len(report.added) == 2 and not report.failed
    assert not (tmp_path / "a" / "chroma").exists()  # no embedded store: vectors are on the server
    answer = first.ask(RAILWAY_Q)
    assert answer.found and answer.citations
    assert any("railway" in c.passage.chunk.text.lower() for c in answer.citations)
    stats = first.library.stats()
    assert stats["chroma"] == chroma_url and stats["articles"] == 2 and stats["chunks"] > 0

    # A second process with an empty home serves the same index, BM25 included.
    second = replica(tmp_path / "b", chroma_url, embedder)
    assert {a["id"] for a in second.library.list()} == {a["id"] for a in first.library.list()}
    again = second.ask(RAILWAY_Q)
    assert again.text == answer.text and cited_articles(again) == cited_articles(answer)
    assert second.library.search_lexical("railway", 3)  # the cache's BM25 index was built
    # A filter is resolved to chunk ids that the server searches among.
    september = second.library.search(RAILWAY_Q, 5, SearchFilter(since=dt.date(2025, 9, 1)))
    assert september and {p.date for p in september} == {dt.date(2025, 9, 4)}

    # Each sees the other's ingests and removals.
    assert second.library.add(MUSEUM) == "added"
    museum = first.ask(MUSEUM_Q)
    assert museum.found and cited_articles(museum) == {MUSEUM.id} and "4.2 million" in museum.text
    assert first.library.get(MUSEUM.id).title == MUSEUM.title
    assert first.library.remove(MUSEUM.id)
    assert second.library.get(MUSEUM.id) is None
    assert MUSEUM.id not in cited_articles(second.ask(MUSEUM_Q))

    # The cache is disposable: a replica whose cache is deleted rebuilds it from the server.
    third = replica(tmp_path / "c", chroma_url, embedder)
    assert third.library.stats()["articles"] == 2


def test_unfinished_ingestion_is_not_served_and_is_tidied(chroma_url, embedder, tmp_path):
    writer = replica(tmp_path / "w", chroma_url, embedder).library
    reader = replica(tmp_path / "r", chroma_url, embedder).library
    ensure_sample_corpus(writer)
    before = writer.chunks.count()
    # Chunks upserted, then the writer died before publishing the article record.
    writer.chunks.add(MUSEUM, writer.chunk(MUSEUM))
    assert writer.chunks.count() > before
    assert all(p.article_id != MUSEUM.id for p in reader.search(MUSEUM_Q, 10))
    assert reader.get(MUSEUM.id) is None
    # The next write session (any replica) drops the orphan chunks.
    with reader.writing():
        pass
    assert writer.chunks.count() == before


def test_published_but_unannounced_work_survives_the_next_writer(chroma_url, embedder, tmp_path):
    writer = replica(tmp_path / "w", chroma_url, embedder).library
    other = replica(tmp_path / "o", chroma_url, embedder).library
    ensure_sample_corpus(writer)
    other.get(MUSEUM.id)  # other's cache is now up to date with the stamp
    # A writer that published the museum and was killed before announcing it (no new stamp):
    chunks = writer.chunk(MUSEUM)
    writer.chunks.add(MUSEUM, chunks)
    writer.catalog.put(MUSEUM, chunks)
    writer.shared.publish(writer.catalog, [MUSEUM.id])
    with other.writing():  # the next writer pulls the records, so these are not orphans
        pass
    assert other.get(MUSEUM.id) is not None
    assert other.chunks.article_chunk_count(MUSEUM.id) == len(chunks)
    assert MUSEUM.id in cited_articles(replica(tmp_path / "r", chroma_url, embedder).ask(MUSEUM_Q))
    assert other.remove(MUSEUM.id)  # the server is shared by this module's tests


def test_two_app_processes_share_the_index(chroma_url, tmp_path):
    admin = "admin-token-for-replicas-0123456789"
    common = {"NEWSQA_CHROMA_URL": chroma_url, "NEWSQA_CHROMA_REFRESH_SECONDS": "0.5",
              "NEWSQA_ADMIN_TOKENS": admin}  # fmt: skip
    run_module(app_env(tmp_path / "ingest", 0, common), "index", "add", str(SAMPLE))
    procs, bases = [], []
    try:
        for name in ("one", "two"):
            port = free_port()
            home = tmp_path / name
            home.mkdir()
            log = (home / "app.log").open("w")
            env = app_env(home, port, common)
            procs.append(subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env,
                                          stdout=log, stderr=log, stdin=subprocess.DEVNULL))  # fmt: skip
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs, strict=True):
            wait_for(base + "/api/health", proc)
        one, two = (httpx.Client(base_url=b, timeout=120) for b in bases)
        headers = {"Authorization": f"Bearer {admin}"}
        assert {a["id"] for a in one.get("/api/articles").json()["articles"]} == {
            a["id"] for a in two.get("/api/articles").json()["articles"]
        }
        upload = {"files": ("museum.txt", f"{MUSEUM.title}\n\n{MUSEUM.text}".encode())}
        added = one.post("/api/articles", files=upload, headers=headers)
        assert added.status_code == 200 and added.json()["added"] == ["museum"], added.text
        answer = _ask_until(two, MUSEUM_Q, lambda a: "museum" in {c["article_id"] for c in a["citations"]})
        assert "4.2 million" in answer["answer"]
        assert two.delete("/api/articles/museum", headers=headers).status_code == 200
        _ask_until(one, MUSEUM_Q, lambda a: "museum" not in {c["article_id"] for c in a["citations"]})
        assert one.get("/api/articles/museum").status_code == 404
    finally:
        for proc in procs:
            stop(proc)


def _ask_until(client: httpx.Client, question: str, done, seconds: float = 20) -> dict:  # noqa: ANN001
    """Ask until ``done(answer)`` (the other replica checks for changes every 0.5 s); bounded."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.post("/api/ask", json={"question": question})
        assert response.status_code == 200, response.text
        if done(answer := response.json()) or time.monotonic() > deadline:
            assert done(answer), answer
            return answer
        time.sleep(0.5)


def test_a_server_that_is_down_is_a_clear_error(tmp_path, embedder):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnavailable, match="cannot reach the Chroma server"):
        build_library(Settings(home=tmp_path, chroma_url=url), embedder=embedder)
    env = app_env(tmp_path, 0, {"NEWSQA_CHROMA_URL": url})
    done = subprocess.run([sys.executable, "-m", "index", "list"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 2 and "cannot reach the Chroma server" in done.stderr
    assert "Traceback" not in done.stderr
