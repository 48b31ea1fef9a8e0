"""Load test of the REST API: concurrent clients asking questions about the sample articles.

Run from the repository root::

    .venv/bin/python bench/load_api.py                       # starts its own app (sample corpus)
    .venv/bin/python bench/load_api.py --url http://127.0.0.1:7860 --token TOKEN

By default 32 clients each ask 10 questions (``POST /api/ask``; ``--stream`` uses
``/api/ask/stream`` and also measures the time to the first event). The app it starts has
no rate limit (``NEWSQA_RATE_LIMIT=0``); against a running app, its limit applies and the
429s count as errors. Answers are computed one at a time on the server, so latency grows
with the queue: throughput is the number to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent

# Topics of the two sample articles (Xi Jinping and Luong Cuong, Hanoi and Beijing, 2025).
QUESTIONS = [
    "What did Xi propose on railways?",
    "What did Luong Cuong propose on science and technology?",
    "What did Xi say about the role of the United Nations?",
    "What did the two leaders agree about multilateral forums?",
    "What did Xi say about the Belt and Road Initiative?",
    "What did Luong Cuong say about the 75th anniversary of diplomatic relations?",
    "What humanitarian projects did the two sides discuss?",
    "What did Xi say about Party building and national governance?",
    "What did Luong Cuong propose on railways?",
    "What did the leaders say about the Year of Vietnam-China Humanistic Exchange?",
    "What did Xi say about connectivity in highways and aviation?",
    "What did the two sides say about the Steering Committee for Bilateral Cooperation?",
    "What did Xi say about cooperation in emerging areas?",
    "What did the two leaders say about peace and development in the region?",
    "What did Luong Cuong say about trade between Vietnam and China?",
    "What is the recipe for pho?",  # unanswerable: exercises the refusal path too
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(home: Path) -> tuple[subprocess.Popen, str]:
    """``python app.py`` on a free port with the sample corpus and no rate limit."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update(NEWSQA_HOME=str(home), NEWSQA_PORT=str(port), NEWSQA_RATE_LIMIT="0")
    log = (home / "app.log").open("w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the app exited with {proc.returncode}; see {home / 'app.log'}")
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the app did not start within 300 s")


async def client(http: httpx.AsyncClient, n: int, questions: int, stream: bool, results: list[dict]) -> None:
    for i in range(questions):
        question = QUESTIONS[(n * questions + i) % len(QUESTIONS)]
        started = time.perf_counter()
        first = None
        try:
            if stream:
                async with http.stream("POST", "/api/ask/stream", json={"question": question}) as response:
                    status = response.status_code
                    async for line in response.aiter_lines():
                        if first is None and line.startswith("event:"):
                            first = time.perf_counter() - started
                        if line == "event: error":
                            status = 599
            else:
                response = await http.post("/api/ask", json={"question": question})
                status = response.status_code
        except httpx.HTTPError as exc:
            status, first = f"{type(exc).__name__}", None
        results.append({"seconds": time.perf_counter() - started, "first": first, "status": status})


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


async def run(url: str, clients: int, questions: int, stream: bool, token: str | None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=600, limits=limits) as http:
        await http.post("/api/ask", json={"question": QUESTIONS[0]})  # warm caches (BM25 index)
        results: list[dict] = []
        started = time.perf_counter()
        await asyncio.gather(*(client(http, n, questions, stream, results) for n in range(clients)))
        wall = time.perf_counter() - started
    ok = [r["seconds"] for r in results if r["status"] == 200]
    firsts = [r["first"] for r in results if r["status"] == 200 and r["first"] is not None]
    return {
        "endpoint": "/api/ask/stream" if stream else "/api/ask",
        "clients": clients,
        "requests": len(results),
        "errors": len(results) - len(ok),
        "error_statuses": sorted({str(r["status"]) for r in results if r["status"] != 200}),
        "p50_s": statistics.median(ok) if ok else float("nan"),
        "p95_s": percentile(ok, 0.95),
        "max_s": max(ok) if ok else float("nan"),
        "first_event_p50_s": statistics.median(firsts) if firsts else None,
        "wall_s": wall,
        "throughput_rps": len(ok) / wall if wall else 0.0,
        "cpu_cores": os.cpu_count(),
    }


def table(result: dict) -> str:
    rows = [
        ("endpoint", result["endpoint"]),
        ("clients x questions", f"{result['clients']} x {result['requests'] // result['clients']}"),
        ("requests", str(result["requests"])),
        ("errors", f"{result['errors']} {' '.join(result['error_statuses'])}".strip()),
        ("latency p50", f"{result['p50_s']:.2f} s"),
        ("latency p95", f"{result['p95_s']:.2f} s"),
        ("latency max", f"{result['max_s']:.2f} s"),
        ("throughput", f"{result['throughput_rps']:.2f} answers/s"),
        ("wall time", f"{result['wall_s']:.1f} s"),
    ]
    if result["first_event_p50_s"] is not None:
        rows.insert(6, ("first event p50", f"{result['first_event_p50_s']:.2f} s"))
    width = max(len(k) for k, _ in rows)
    lines = [f"| {'metric'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {k.ljust(width)} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running app (default: start one on the sample corpus)")
    parser.add_argument("--token", help="API token for --url")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--questions", type=int, default=10, help="questions per client")
    parser.add_argument("--stream", action="store_true", help="use /api/ask/stream")
    parser.add_argument("--json", type=Path, help="also write the result as JSON here")
    args = parser.parse_args(argv)
    proc = None
    with tempfile.TemporaryDirectory(prefix="newsqa-load-") as tmp:
        url = args.url
        if url is None:
            proc, url = start_app(Path(tmp))
        try:
            result = asyncio.run(run(url.rstrip("/"), args.clients, args.questions, args.stream, args.token))
        finally:
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
