"""Readers never wait on writers (issue 18): answers during an ingestion, a removal or a
full re-index come from the last published state, and the REST API ingests in a job.

Real Chroma, the real bundled embedder, the real app on 127.0.0.1; loops are bounded and no
speed is asserted beyond generous sanity bounds (``bench/ingest_latency.py`` measures it).
"""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import httpx
import pytest
from live_server import SAMPLE, live_app

from index.types import Article

BRIDGE_Q = "When does the Kestrel Valley bridge open to traffic?"
OLD_DAY, NEW_DAY = "Monday", "Thursday"
RAILWAY_Q = "What did Xi propose on railways?"
ADMIN = "test-admin-token-0123456789"
ASKER = "test-api-token-0123456789"
_VOCABULARY = (
    "harbour library tram orchard museum stadium clinic bakery airport canal theatre market "
    "garden school archive tunnel ferry quarry vineyard forest pier lighthouse brewery mill "
    "observatory chapel depot reservoir dam bridgehead plaza workshop"
).split()
_MONTHS = "January February March April May June July August September October".split()


def bridge(day: str) -> Article:
    """The article whose update the readers watch: one fact that changes with the version."""
    return Article(
        id="kestrel-bridge",
        title="Kestrel Valley bridge",
        source="Valley Courier",
        text=(
            f"The new Kestrel Valley bridge opens to traffic on {day}, the county engineer said. "
            "The bridge spans the river gorge and replaces a ferry that ran for forty years.\n\n"
            "Cyclists get a separate lane on the upstream side."
        ),
    )


def filler(n: int) -> Article:
    """A plain article to make an ingestion long enough to ask questions during it."""
    rng = random.Random(n)
    words = rng.sample(_VOCABULARY, 24)
    body = " ".join(
        f"Council meeting {n} discussed the {words[k]} plan and the {words[k + 12]} budget; "
        f"member {rng.randint(1, 99)} asked for a report on it by {rng.choice(_MONTHS)}."
        for k in range(12)
    )
    return Article(id=f"filler-{n:04d}", title=f"District council meeting {n}", source="Town Hall", text=body)


def cited_texts(answer) -> list[str]:  # noqa: ANN001
    return [c.passage.chunk.text for c in answer.citations + answer.closest]


def ask_while(assistant, question: str, running: threading.Thread, limit: int = 200) -> list:  # noqa: ANN001
    """Ask ``question`` until ``running`` ends (at most ``limit`` times); the answers."""
    answers = []
    while running.is_alive() and len(answers) < limit:
        answers.append(assistant.ask(question))
    return answers


def test_answers_during_an_ingestion_come_from_the_published_state(fresh_assistant):
    library = fresh_assistant.library
    library.add_paths([SAMPLE])
    library.add(bridge(OLD_DAY))
    before = fresh_assistant.ask(BRIDGE_Q)
    assert before.found and OLD_DAY in before.text

    errors: list[BaseException] = []
    items = [filler(n) for n in range(160)] + [bridge(NEW_DAY)]

    def ingest() -> None:
        try:
            library.add_articles(items)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    writer = threading.Thread(target=ingest)
    writer.start()
    during = ask_while(fresh_assistant, BRIDGE_Q, writer)
    railway = fresh_assistant.ask(RAILWAY_Q) if writer.is_alive() else None
    writer.join(timeout=600)
    assert not writer.is_alive() and not errors, errors

    assert during, "no question was answered while the ingestion ran"
    old, new = bridge(OLD_DAY).text, bridge(NEW_DAY).text
    for answer in during:
        assert answer.found
        # each passage is one whole version of the article, never a mix or a half-indexed one
        for text in cited_texts(answer):
            if "Kestrel" in text:
                assert text in old or text in new, text
    assert OLD_DAY in during[0].text  # the ingestion had not published the update yet
    if railway is not None:
        assert railway.found and "Railway" in railway.text

    after = fresh_assistant.ask(BRIDGE_Q)
    assert after.found and NEW_DAY in after.text and OLD_DAY not in after.text
    assert library.get("filler-0159") is not None
    # Chroma, the catalogue and BM25 agree once the ingestion is done (replaced chunks gone)
    catalogued = set(library.catalog.chunk_index())
    assert library.chunks.ids() == catalogued == library.lexical.known(sorted(catalogued))


def test_a_full_reindex_is_built_aside(fresh_assistant):
    library = fresh_assistant.library
    library.add_paths([SAMPLE])
    library.add_articles([filler(n) for n in range(60)])
    before = library.stats()
    old_collection = library.chunks.name
    errors: list[BaseException] = []
    result: dict = {}

    def reindex() -> None:
        try:
            result.update(library.reindex())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    writer = threading.Thread(target=reindex)
    writer.start()
    during = ask_while(fresh_assistant, RAILWAY_Q, writer)
    writer.join(timeout=600)
    assert not writer.is_alive() and not errors, errors
    assert during and all(a.found and "Railway" in a.text for a in during)

    assert result == {"articles": before["articles"], "chunks": before["chunks"],
                      "embedder": "all-MiniLM-L6-v2"}  # fmt: skip
    assert library.chunks.name != old_collection
    assert library.chunks.collections() == [library.chunks.name]  # the old one is dropped
    assert fresh_assistant.ask(RAILWAY_Q).found
    catalogued = set(library.catalog.chunk_index())
    assert library.chunks.ids() == catalogued == library.lexical.known(sorted(catalogued))


def test_another_library_follows_a_reindex(fresh_settings, fresh_library, embedder):
    """A second process (here: a second Library on the same home) searches the new collection."""
    from assistant.build import build_library

    fresh_library.add_paths([SAMPLE])
    reader = build_library(fresh_settings, embedder=embedder)
    assert reader.search(RAILWAY_Q, k=1)
    fresh_library.reindex()
    hits = reader.search(RAILWAY_Q, k=3)
    assert hits and reader.chunks.name == fresh_library.chunks.name


# --- the REST API ------------------------------------------------------------------------


def write_articles(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        a = filler(1000 + n)
        path = folder / f"{a.id}.json"
        path.write_text(json.dumps({"id": a.id, "title": a.title, "source": a.source, "text": a.text}))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("rw-home")
    env = {"NEWSQA_API_TOKENS": ASKER, "NEWSQA_ADMIN_TOKENS": ADMIN, "NEWSQA_LIBRARY_TAB": "false",
           "NEWSQA_RATE_LIMIT": "10000/minute"}
    with live_app(home, [SAMPLE], env) as base:
        yield {"base": base, "home": home}


@pytest.fixture(scope="module")
def admin(server):
    auth = {"Authorization": f"Bearer {ADMIN}"}
    with httpx.Client(base_url=server["base"], headers=auth, timeout=300) as c:
        yield c


@pytest.mark.slow
def test_upload_job_runs_while_questions_are_answered(server, admin, tmp_path):
    files = [("files", (p.name, p.read_bytes())) for p in write_articles(tmp_path / "up", 60)]
    accepted = admin.post("/api/articles", params={"wait": "false"}, files=files)
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert set(job) == {"job", "status_url"} and job["status_url"] == f"/api/jobs/{job['job']}"

    asker = {"Authorization": f"Bearer {ASKER}"}
    assert admin.get(job["status_url"], headers=asker).status_code == 403  # admin only
    answered, states = 0, []
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        status = admin.get(job["status_url"]).json()
        assert "state" in status, status
        states.append(status["state"])
        if status["state"] in ("done", "failed"):
            break
        asked = admin.post("/api/ask", json={"question": RAILWAY_Q}, headers=asker, timeout=120)
        assert asked.status_code == 200 and asked.json()["found"], asked.text
        answered += 1
        time.sleep(0.2)
    assert status["state"] == "done", status
    assert set(states) <= {"queued", "running", "done"}
    assert status["stage"] == "indexing" and status["done"] == status["total"] == 60
    result = status["result"]
    assert set(result) == {"added", "updated", "unchanged", "failed", "articles", "chunks"}
    assert len(result["added"]) == 60 and result["articles"] == 62 and not result["failed"]
    assert answered >= 1  # at least one answer came back while the job ran

    # the synchronous upload answers with the same shape, as before
    again = admin.post("/api/articles", files=files[:2])
    assert again.status_code == 200 and set(again.json()) == set(result)
    assert again.json()["unchanged"] == ["filler-1000", "filler-1001"]
    assert admin.get("/api/jobs/no-such-job").status_code == 404


def multipart(name: str, body: bytes) -> tuple[bytes, dict[str, str]]:
    """A one-file multipart body with ``name`` sent byte for byte (clients escape some)."""
    boundary = "newsqa-test-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: text/plain\r\n\r\n").encode()  # fmt: skip
    return head + body + f"\r\n--{boundary}--\r\n".encode(), {
        "Content-Type": f"multipart/form-data; boundary={boundary}"
    }


BAD_NAMES = ["..", ".", "  ", "a/b.txt", "..\\evil.txt", "bad\x00name.txt", "bad\x01.txt"]


@pytest.mark.slow
@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_upload_names_are_400(server, admin, name):
    content, headers = multipart(name, b"Title: X\n\nSome text.")
    response = admin.post("/api/articles", content=content, headers=headers)
    assert response.status_code == 400, response.text
    assert "name" in response.json()["error"]
    assert admin.get("/api/health").status_code == 200  # the connection and the app are fine
