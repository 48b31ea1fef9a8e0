"""The real app as a subprocess (``python app.py``) on a free 127.0.0.1 port, for API and widget tests.

Not a test module: ``tests/test_api.py`` and ``tests/test_widget_browser.py`` import it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample_articles.jsonl"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@contextmanager
def chromium_browser() -> Iterator:
    """Debian's chromium, headless, driven by Playwright (never ``playwright install``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(home: Path, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without its ``NEWSQA_*``, plus the app's home, port and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update({"NEWSQA_HOME": str(home), "NEWSQA_PORT": str(port), "OMP_NUM_THREADS": "1"})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def run_module(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m <args>`` from the repo root; raises with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        command = " ".join(args)
        raise RuntimeError(f"python -m {command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 180) -> None:
    """Wait until ``url`` answers 200 (bounded); fails early if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


@contextmanager
def live_app(home: Path, ingest: list[Path], extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Ingest ``ingest`` with ``python -m index add``, start ``python app.py``; yields its base URL."""
    port = free_port()
    env = app_env(home, port, extra_env)
    run_module(env, "index", "add", *map(str, ingest))
    log = (home / "app.log").open("w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/widget.js", proc)
        yield base
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM (what stops Gradio and uvicorn cleanly), then SIGKILL after 20 s; bounded."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
