"""The command-line contract, run as real subprocesses (``python -m index|assistant``).

One temporary NEWSQA_HOME is filled once for the module (``index add``); each command
that embeds loads the model in its child process (~10 s), so there are few of them.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

RAILWAY_QUESTION = "What did Xi propose on railways?"
CUSTOM_ID = "harbour-2031"
DOOMED_ID = "to-remove-2031"
CUSTOM_TEXT = (
    "The harbour of Port Vell reopened on Monday after three weeks of repairs to the storm-damaged "
    "breakwater. Harbour master Ines Marquez said the new breakwater had cost 40 million euros "
    "and would protect the fishing fleet for decades."
)
CITATION_KEYS = {
    "n", "article_id", "title", "date", "source", "url", "text", "sentence", "start", "end", "score",
}
ANSWER_KEYS = {"question", "answer", "found", "citations", "closest"}
PASSAGE_KEYS = {"rank", "article_id", "title", "date", "source", "text", "start", "end", "score"}
BATCH_QUESTIONS = [
    {"id": "q-rail", "question": RAILWAY_QUESTION},
    {"id": "q-harbour", "question": "How much did the new breakwater in Port Vell cost?"},
    {"id": "q-follow", "conversation": [RAILWAY_QUESTION, "And what did Luong Cuong propose on that?"],
     "question": "And what did Luong Cuong propose on that?"},
    {"id": "q-empty", "question": "   "},
    {"id": "q-timeline", "question": "How did Vietnam–China railway cooperation develop in 2025?"},
    {"id": "q-who", "question": "Who proposed the first meeting of the Joint Committee for Railway Cooperation?"},  # noqa: E501
]
SEARCH_QUERY = "Port Vell harbour breakwater repairs"
BATCH_QUERIES = [
    {"id": "s-rail", "query": "railway cooperation"},
    {"id": "s-harbour", "query": "harbour master Ines Marquez"},
]


def one_json(stdout: str):
    """The stdout of a --json command: exactly one JSON document."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line of JSON, got {len(lines)}: {stdout[:300]!r}"
    return json.loads(lines[0])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory, run_cli, sample_corpus_path):
    """A NEWSQA_HOME with the sample corpus plus two custom JSONL records, added via the CLI.

    Then the read-only commands run concurrently (each child loads the model, which is
    mostly single-threaded start-up), and the tests below inspect their results.
    """
    root = tmp_path_factory.mktemp("cli")
    home = root / "home"
    custom = root / "custom.jsonl"
    custom.write_text(
        json.dumps({"id": CUSTOM_ID, "title": "Port Vell harbour reopens", "date": "2031-03-02",
                    "source": "Test Gazette", "url": "https://example.org/harbour", "text": CUSTOM_TEXT})
        + "\n"
        + json.dumps({"id": DOOMED_ID, "title": "Orchard harvest",
                      "text": "Apple growers in the valley reported a record harvest this autumn."})
        + "\n",
        encoding="utf-8",
    )
    results = {"home": home, "root": root}
    results["add"] = run_cli(home, "index", "add", str(sample_corpus_path), str(custom), "--json")
    if results["add"].returncode != 0:
        return results  # test_index_add_json reports it; the others fail on their own

    for name, items in (("questions.jsonl", BATCH_QUESTIONS), ("queries.jsonl", BATCH_QUERIES)):
        (root / name).write_text("".join(json.dumps(q) + "\n" for q in items), encoding="utf-8")
    commands = {
        "list": ("index", "list", "--json"),
        "stats": ("index", "stats", "--json"),
        "ask": ("assistant", "ask", RAILWAY_QUESTION, "--json"),
        "ask_batch": ("assistant", "ask", "--batch", str(root / "questions.jsonl"),
                      "--out", str(root / "answers.jsonl")),
        "search": ("assistant", "search", SEARCH_QUERY, "--json", "-k", "3"),
        "search_batch": ("assistant", "search", "--batch", str(root / "queries.jsonl"),
                         "--out", str(root / "results.jsonl"), "-k", "2"),
        "search_since": ("assistant", "search", "cooperation", "--since", "2025-09", "--json", "-k", "5"),
        "ask_source": ("assistant", "ask", "What did the harbour master say?", "--source", "test gazette",
                       "--until", "2031-12-31", "--json"),
        "bad_source": ("assistant", "search", "railways", "--source", "Daily Planet"),
        "bad_date": ("assistant", "ask", "railways", "--since", "yesterday"),
    }
    # Two at a time (the machines have 2 cores), one torch thread each: no oversubscription.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(run_cli, home, *args, extra_env={"OMP_NUM_THREADS": "1"})
            for name, args in commands.items()
        }
        results |= {name: f.result() for name, f in futures.items()}
    return results


def test_index_add_json(cli_home, sample_records):
    proc = cli_home["add"]
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    report = one_json(proc.stdout)
    expected = {r["id"] for r in sample_records} | {CUSTOM_ID, DOOMED_ID}
    assert set(report["added"]) == expected
    assert report["failed"] == [] and report["updated"] == [] and report["unchanged"] == []
    assert report["articles"] == len(expected)
    assert report["chunks"] >= len(expected)


def test_index_list_and_stats_json(cli_home, sample_library):
    listed, stats = cli_home["list"], cli_home["stats"]
    for proc in (listed, stats):
        no_traceback(proc)
        assert proc.returncode == 0, proc.stderr
    articles = {a["id"]: a for a in one_json(listed.stdout)}
    numbers = one_json(stats.stdout)

    assert {"articles", "chunks"} <= set(numbers)
    assert numbers["articles"] == len(articles)
    assert numbers["chunks"] == sum(a["chunks"] for a in articles.values())
    assert CUSTOM_ID in articles
    custom = articles[CUSTOM_ID]
    assert (custom["title"], custom["date"], custom["source"]) == (
        "Port Vell harbour reopens", "2031-03-02", "Test Gazette")
    # The sample articles are chunked exactly as in-process (same default settings).
    for meta in sample_library.list():
        assert articles[meta["id"]]["chunks"] == meta["chunks"]
        assert articles[meta["id"]]["date"] == meta["date"]


def test_index_remove(cli_home, run_cli):
    home = cli_home["home"]
    before = one_json(cli_home["list"].stdout)  # listed before anything was removed
    assert DOOMED_ID in {a["id"] for a in before}
    removed = run_cli(home, "index", "remove", DOOMED_ID)
    no_traceback(removed)
    assert removed.returncode == 0, removed.stderr
    assert DOOMED_ID in removed.stdout
    after = one_json(run_cli(home, "index", "list", "--json").stdout)
    assert DOOMED_ID not in {a["id"] for a in after}
    assert len(after) == len(before) - 1


def test_ask_json(cli_home, sample_library, sample_records):
    proc = cli_home["ask"]
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    answer = one_json(proc.stdout)

    assert ANSWER_KEYS <= set(answer)
    assert answer["question"] == RAILWAY_QUESTION
    assert answer["found"] is True
    assert isinstance(answer["answer"], str) and answer["answer"]
    assert answer["citations"] and answer["closest"] == []
    for n, c in enumerate(answer["citations"], 1):
        assert CITATION_KEYS <= set(c), set(CITATION_KEYS) - set(c)
        assert c["n"] == n and f"[{n}]" in answer["answer"]
        # The JSONL records' own ids are the article ids everywhere.
        assert c["article_id"] in {r["id"] for r in sample_records}
        article = sample_library.get(c["article_id"])
        assert c["title"] == article.title
        assert c["date"] == article.date.isoformat()
        assert c["source"] == article.source and c["url"] == article.url
        assert c["sentence"] == article.text[c["start"] : c["end"]]
        assert c["sentence"] in c["text"] and c["text"] in article.text
        assert 0.0 <= c["score"] <= 1.0
    assert any("Joint Committee for Railway Cooperation" in c["sentence"] for c in answer["citations"])


def test_ask_batch(cli_home):
    questions = BATCH_QUESTIONS
    out = cli_home["root"] / "answers.jsonl"
    proc = cli_home["ask_batch"]
    no_traceback(proc)
    assert proc.returncode in (0, 1), proc.stderr

    lines = read_jsonl(out)
    assert [line["id"] for line in lines] == [q["id"] for q in questions]
    by_id = {line["id"]: line for line in lines}
    for qid in ("q-rail", "q-harbour", "q-follow"):
        assert ANSWER_KEYS <= set(by_id[qid]), by_id[qid]
        for c in by_id[qid]["citations"] + by_id[qid]["closest"]:
            assert CITATION_KEYS <= set(c)
    assert by_id["q-rail"]["found"] is True
    harbour = by_id["q-harbour"]
    assert harbour["found"] is True
    assert harbour["citations"][0]["article_id"] == CUSTOM_ID
    assert "40 million euros" in harbour["answer"]
    follow = by_id["q-follow"]
    assert follow["question"] == "And what did Luong Cuong propose on that?"
    # Seed item d10: the follow-up is about railways, and cites Luong Cuong's railway sentence.
    assert follow["found"] is True and "railway" in follow["answer"].lower()
    assert any("particularly in railways" in c["text"] for c in follow["citations"])
    assert by_id["q-empty"].get("error"), "an unaskable question gets an error line"


def test_search_json(cli_home, sample_library):
    proc = cli_home["search"]
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    hits = one_json(proc.stdout)

    assert isinstance(hits, list) and len(hits) == 3
    assert [h["rank"] for h in hits] == [1, 2, 3]
    for h in hits:
        assert PASSAGE_KEYS <= set(h), PASSAGE_KEYS - set(h)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    top = hits[0]
    assert top["article_id"] == CUSTOM_ID
    assert (top["title"], top["date"], top["source"]) == (
        "Port Vell harbour reopens", "2031-03-02", "Test Gazette")
    assert CUSTOM_TEXT[top["start"] : top["end"]] == top["text"]
    for h in hits[1:]:
        article = sample_library.get(h["article_id"])
        if article is not None:
            assert article.text[h["start"] : h["end"]] == h["text"]


def test_search_batch(cli_home):
    queries = BATCH_QUERIES
    out = cli_home["root"] / "results.jsonl"
    proc = cli_home["search_batch"]
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr

    lines = read_jsonl(out)
    assert [line["id"] for line in lines] == ["s-rail", "s-harbour"]
    for line, q in zip(lines, queries, strict=True):
        assert {"id", "query", "results"} <= set(line)
        assert line["query"] == q["query"]
        assert len(line["results"]) == 2
        assert [r["rank"] for r in line["results"]] == [1, 2]
        for r in line["results"]:
            assert PASSAGE_KEYS <= set(r)
    assert lines[1]["results"][0]["article_id"] == CUSTOM_ID


@pytest.mark.parametrize("kind", ["empty", "huge"])
def test_cli_rejects_bad_questions(tmp_path, run_cli, sample_assistant, kind):
    from assistant.pipeline import QuestionError

    question = "" if kind == "empty" else "Why " + "x" * (100 * 1024)
    with pytest.raises(QuestionError) as err:
        sample_assistant.check(question)

    proc = run_cli(tmp_path / "home", "assistant", "ask", question)

    no_traceback(proc)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-500:])
    assert str(err.value) in proc.stderr
    assert proc.stdout.strip() == ""


def test_search_and_ask_filters(cli_home):
    since = cli_home["search_since"]
    no_traceback(since)
    assert since.returncode == 0, since.stderr
    hits = one_json(since.stdout)
    assert hits and all(h["date"] and h["date"] >= "2025-09-01" for h in hits)

    asked = cli_home["ask_source"]
    no_traceback(asked)
    assert asked.returncode == 0, asked.stderr
    answer = one_json(asked.stdout)
    assert answer["found"] is True
    assert {c["source"] for c in answer["citations"]} == {"Test Gazette"}
    assert "Test Gazette" in answer["searched"] and "2031-12-31" in answer["searched"]


@pytest.mark.parametrize(("name", "message"), [("bad_source", "Daily Planet"), ("bad_date", "not a date")])
def test_bad_filters_are_explained(cli_home, name, message):
    proc = cli_home[name]
    no_traceback(proc)
    assert proc.returncode == 2
    assert message in proc.stderr and proc.stdout.strip() == ""


def test_news_questions_through_the_cli(cli_home):
    """Timeline and who-questions (issue 8) answer the same through the CLI's JSON."""
    by_id = {line["id"]: line for line in read_jsonl(cli_home["root"] / "answers.jsonl")}
    timeline = by_id["q-timeline"]
    dates = [c["date"] for c in timeline["citations"]]
    assert dates == sorted(dates) and len(set(dates)) == 2, timeline
    assert timeline["answer"].splitlines()[0].startswith("- 16 Apr 2025, Hanoi — ")
    who = by_id["q-who"]
    assert who["answer"].startswith("Xi Jinping suggested") and who["citations"][0]["speaker"] == "Xi Jinping"
