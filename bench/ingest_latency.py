"""Answer latency while an admin uploads articles: readers must not wait on writers (issue 18).

Run from the repository root::

    HF_HUB_OFFLINE=1 .venv/bin/python bench/ingest_latency.py            # MultiHop-RAG articles
    HF_HUB_OFFLINE=1 .venv/bin/python bench/ingest_latency.py --base 100 --upload 50

It indexes ``--base`` MultiHop-RAG articles (``../shared/eval/external/multihop_rag``; the
sample corpus and ``../shared/corpus/seeds`` when that is missing) with ``python -m index
add`` into a home cached under ``bench/.cache/ingest-latency``, copies it, starts the real app
(``python app.py``) on 127.0.0.1 with an API and an admin token, and asks ``POST /api/ask``
one question after another: first idle, then while the admin uploads ``--upload`` further
articles (one file each) in one ``POST /api/articles`` (synchronous, as scripts call it).
Prints idle vs during-ingest p50/p95/max and failures; writes
``bench/results/ingest_latency.json``. Target: during the ingest no answer over 5 s, none fails.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from live_server import free_port, stop, wait_for  # noqa: E402

MULTIHOP = REPO.parent / "shared" / "eval" / "external" / "multihop_rag"
SEEDS = REPO.parent / "shared" / "corpus" / "seeds"
SAMPLE = REPO / "data" / "sample_articles.jsonl"
CACHE = REPO / "bench" / ".cache" / "ingest-latency"
RESULTS = REPO / "bench" / "results" / "ingest_latency.json"
API_TOKEN, ADMIN_TOKEN = "bench-api-token-0123456789", "bench-admin-token-0123456789"
SAMPLE_QUESTIONS = [
    "What did Xi propose on railways?",
    "What did Luong Cuong propose on science and technology?",
    "What did Xi say about the role of the United Nations?",
]
log = logging.getLogger("bench.ingest_latency")


def corpus(base: int, upload: int) -> tuple[list[dict], list[dict], list[str]]:
    """(articles to index first, articles to upload, questions) from MultiHop-RAG."""
    articles = json.loads((MULTIHOP / "corpus.json").read_text(encoding="utf-8"))
    records = [
        {"id": f"mh-{n:04d}", "title": a["title"], "date": a["published_at"][:10], "source": a["source"],
         "url": a["url"], "text": a["body"]}
        for n, a in enumerate(articles)
    ]  # fmt: skip
    if base + upload > len(records):
        raise SystemExit(f"MultiHop-RAG has {len(records)} articles; asked for {base} + {upload}")
    queries = json.loads((MULTIHOP / "MultiHopRAG.json").read_text(encoding="utf-8"))
    questions = [q["query"] for q in queries[:40]] + SAMPLE_QUESTIONS
    return records[:base], records[base : base + upload], questions


def fallback_corpus(upload: int) -> tuple[list[dict], list[dict], list[str]]:
    """Without MultiHop-RAG: the seeds and sample articles, then their paragraphs as uploads."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    base = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    base += [{"id": f"seed-{n}", "title": t.split("\n", 1)[0][:80], "text": t} for n, t in enumerate(texts)]
    paragraphs = [p for t in texts for p in t.split("\n\n") if len(p) > 200]
    uploads = [{"id": f"para-{n:04d}", "title": f"Paragraph {n}", "text": paragraphs[n % len(paragraphs)]
                + f"\n\nReport number {n}."} for n in range(upload)]  # fmt: skip
    return base, uploads, SAMPLE_QUESTIONS


def base_home(records: list[dict], env: dict[str, str]) -> Path:
    """A home with ``records`` indexed (built once with ``python -m index add``, then reused)."""
    key = f"{len(records)}-{records[-1]['id']}"
    home = CACHE / key
    if (home / "complete.json").exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    source = home.parent / f"{key}.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    started = time.perf_counter()
    command = [sys.executable, "-m", "index", "add", str(source), "--json"]
    subprocess.run(command, cwd=REPO, env=env | {"NEWSQA_HOME": str(home)}, check=True,
                   capture_output=True, timeout=3600)  # fmt: skip
    (home / "complete.json").write_text(json.dumps({"seconds": time.perf_counter() - started}))
    return home


def summary(latencies: list[float], failures: int) -> dict:
    ordered = sorted(latencies)
    if not ordered:
        return {"n": 0, "failures": failures}
    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
        "failures": failures,
    }


def ask(client: httpx.Client, question: str) -> tuple[float, str | None]:
    """Seconds one ``/api/ask`` took, and what went wrong (None: a 200 with an answer)."""
    started = time.perf_counter()
    try:
        response = client.post("/api/ask", json={"question": question}, timeout=300)
        error = None if response.status_code == 200 and "answer" in response.json() else response.text[:200]
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    return time.perf_counter() - started, error


def run(args: argparse.Namespace) -> dict:
    if (MULTIHOP / "corpus.json").exists():
        base, uploads, questions = corpus(args.base, args.upload)
        dataset = "MultiHop-RAG"
    else:
        base, uploads, questions = fallback_corpus(args.upload)
        dataset = "sample corpus + seeds"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update(HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO))
    cached = base_home(base, env)
    work = Path(tempfile.mkdtemp(prefix="newsqa-ingest-latency-"))
    home = work / "home"
    shutil.copytree(cached, home)
    upload_dir = work / "upload"
    upload_dir.mkdir()
    for record in uploads:
        (upload_dir / f"{record['id']}.json").write_text(json.dumps(record), encoding="utf-8")
    port = free_port()
    app_env = env | {"NEWSQA_HOME": str(home), "NEWSQA_PORT": str(port), "NEWSQA_RATE_LIMIT": "0",
                     "NEWSQA_API_TOKENS": API_TOKEN, "NEWSQA_ADMIN_TOKENS": ADMIN_TOKEN,
                     "NEWSQA_LOCK_TIMEOUT": "600", "NEWSQA_MAX_BODY_BYTES": str(64 << 20)}  # fmt: skip
    log_file = (work / "app.log").open("w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=app_env,
                            stdout=log_file, stderr=log_file)  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for(base_url + "/widget.js", proc, seconds=300)
        asker = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {API_TOKEN}"})
        admin = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        for question in questions[:3]:  # warm-up: the first answers load caches
            ask(asker, question)

        idle, idle_failures = [], []
        for n in range(args.idle):
            seconds, error = ask(asker, questions[n % len(questions)])
            (idle_failures.append(error) if error else idle.append(seconds))

        outcome: dict = {}

        def upload() -> None:
            files = [("files", (p.name, p.read_bytes(), "application/json"))
                     for p in sorted(upload_dir.iterdir())]  # fmt: skip
            started = time.perf_counter()
            response = admin.post("/api/articles", files=files, timeout=3600)
            outcome.update(seconds=time.perf_counter() - started, status=response.status_code,
                           body=response.json())  # fmt: skip

        writer = threading.Thread(target=upload)
        writer.start()
        during, during_failures, n = [], [], 0
        while writer.is_alive() and n < 10_000:
            seconds, error = ask(asker, questions[n % len(questions)])
            if writer.is_alive():  # answers that ended after the upload do not count
                (during_failures.append(error) if error else during.append(seconds))
            n += 1
            time.sleep(args.pause)
        writer.join()
        after = ask(asker, questions[0])
    finally:
        stop(proc)
        log_file.close()
    body = outcome.get("body", {})
    result = {
        "dataset": dataset,
        "base_articles": len(base),
        "uploaded_articles": len(uploads),
        "upload": {"seconds": outcome.get("seconds"), "status": outcome.get("status"),
                   "added": len(body.get("added", [])), "failed": len(body.get("failed", [])),
                   "articles": body.get("articles"), "chunks": body.get("chunks")},  # fmt: skip
        "idle": summary(idle, len(idle_failures)),
        "during_ingest": summary(during, len(during_failures)),
        "failures": (idle_failures + during_failures)[:10],
        "after_ingest_seconds": after[0],
        "target": "during ingest: no answer over 5 s, none fails",
        "met": bool(during) and not during_failures and max(during) <= 5.0,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def table(result: dict) -> str:
    rows = ["| phase | answers | p50 s | p95 s | max s | failures |", "|---|---|---|---|---|---|"]
    for name in ("idle", "during_ingest"):
        s = result[name]
        if not s["n"]:
            rows.append(f"| {name} | 0 | - | - | - | {s['failures']} |")
            continue
        numbers = " | ".join(f"{s[k]:.2f}" for k in ("p50", "p95", "max"))
        rows.append(f"| {name} | {s['n']} | {numbers} | {s['failures']} |")
    up = result["upload"]
    rows.append(f"\nupload of {result['uploaded_articles']} articles ({result['dataset']}, onto "
                f"{result['base_articles']}): {up['seconds']:.1f} s, HTTP {up['status']}, "
                f"{up['added']} added; target met: {result['met']}")  # fmt: skip
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=int, default=200, help="articles indexed before the app starts")
    parser.add_argument("--upload", type=int, default=150, help="articles the admin uploads")
    parser.add_argument("--idle", type=int, default=20, help="questions asked before the upload")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between questions")
    parser.add_argument("--keep", action="store_true", help="keep the temporary home and app log")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    result = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))


if __name__ == "__main__":
    main()
