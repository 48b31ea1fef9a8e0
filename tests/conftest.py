"""Shared fixtures for the test suite.

Everything here is real: the bundled sentence-transformers embedder, Chroma on disk in
pytest temporary folders, the SQLite catalogue. Nothing of the core is mocked.

Fixtures (all generic; other test modules may use them freely):

``repo_root``          the checkout (``Path``), also the cwd for CLI subprocesses.
``shared_dir``         ``../shared`` beside the checkout, or ``None`` when it is absent.
``sample_corpus_path`` the shipped ``data/sample_articles.jsonl``.
``sample_records``     its records (list of dicts), in file order.
``embedder``           session-wide ``SentenceEmbedder`` (the default backend) with the
                       model already loaded (loading costs seconds: once per session).
``torch_embedder``     session-wide ``SentenceEmbedder`` on the ``torch`` backend (fp32),
                       loaded on first use: the reference the other backends are held to.
``fresh_settings``     ``Settings`` whose ``home`` is an empty per-test temporary folder.
``fresh_library``      a ``Library`` over ``fresh_settings`` sharing ``embedder`` (empty).
``fresh_assistant``    an ``Assistant`` over ``fresh_library`` (empty library).
``sample_assistant``   session-wide ``Assistant`` with the sample corpus ingested
                       (``ensure_sample_corpus``). READ-ONLY: never add or remove articles
                       through it; use ``fresh_library`` for tests that write.
``sample_library``     ``sample_assistant.library``.
``run_cli``            ``run_cli(home, module, *args, extra_env=None)`` runs
                       ``python -m <module> <args>`` in a subprocess from the repo root
                       with ``NEWSQA_HOME=home`` (plus ``extra_env``); returns the
                       ``CompletedProcess`` (text mode, stdout/stderr captured, any exit
                       code). Each call that embeds loads the model (~10 s): keep such
                       calls few (or run them concurrently from threads).

Markers (pytest.ini): ``slow`` (subprocess/CLI tests that load the model in a child
process) and ``browser`` (browser tests). Select with ``-m "not slow"`` etc.

``NEWSQA_*`` variables of the calling shell are removed at start-up so that a
developer's own configuration cannot change what the tests see; fixtures pass every
setting explicitly, and ``run_cli`` passes ``NEWSQA_HOME``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"

# Running ``pytest`` (not ``python -m pytest``) from elsewhere must still import the code.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import index  # noqa: E402,F401  (switches model hubs and telemetry off before any ML import)


def pytest_configure(config: pytest.Config) -> None:
    """Markers are registered in pytest.ini; here the caller's configuration is dropped."""
    for name in [n for n in os.environ if n.startswith("NEWSQA_")]:
        del os.environ[name]


# --- paths and data --------------------------------------------------------------------


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path | None:
    """``../shared`` beside the checkout, or None (tests needing it should skip)."""
    return SHARED_DIR if SHARED_DIR.is_dir() else None


@pytest.fixture(scope="session")
def sample_corpus_path() -> Path:
    from assistant.build import SAMPLE_CORPUS

    return SAMPLE_CORPUS


@pytest.fixture(scope="session")
def sample_records(sample_corpus_path: Path) -> list[dict]:
    lines = sample_corpus_path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# --- the real components ---------------------------------------------------------------


@pytest.fixture(scope="session")
def embedder():
    """The bundled embedder, loaded once for the whole session."""
    from index.embed import SentenceEmbedder

    emb = SentenceEmbedder()
    emb.model  # noqa: B018 - load now, so no test pays for it inside its own timing
    return emb


@pytest.fixture(scope="session")
def torch_embedder(embedder):
    """The bundled embedder on PyTorch (fp32), loaded once for the session."""
    from index.embed import SentenceEmbedder

    if embedder.backend == "torch":
        return embedder
    emb = SentenceEmbedder(backend="torch")
    emb.load()
    return emb


@pytest.fixture
def fresh_settings(tmp_path: Path):
    from assistant.settings import Settings

    return Settings(home=tmp_path / "newsqa-home")


@pytest.fixture
def fresh_library(fresh_settings, embedder):
    from assistant.build import build_library

    return build_library(fresh_settings, embedder=embedder)


@pytest.fixture
def fresh_assistant(fresh_settings, fresh_library):
    from assistant.build import build_assistant

    return build_assistant(fresh_settings, library=fresh_library)


@pytest.fixture(scope="session")
def sample_assistant(tmp_path_factory: pytest.TempPathFactory, embedder):
    """Session-wide assistant over the ingested sample corpus. Read-only!"""
    from assistant.build import build_assistant, build_library, ensure_sample_corpus
    from assistant.settings import Settings

    settings = Settings(home=tmp_path_factory.mktemp("sample-home"))
    library = build_library(settings, embedder=embedder)
    report = ensure_sample_corpus(library)
    assert report is not None and not report.failed, report and report.to_dict()
    return build_assistant(settings, library=library)


@pytest.fixture(scope="session")
def sample_library(sample_assistant):
    return sample_assistant.library


# --- the command line ------------------------------------------------------------------


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., subprocess.CompletedProcess]:
    """``run_cli(home, "index", "stats", "--json")`` -> CompletedProcess (never raises on rc)."""

    def run(
        home: Path, module: str, *args: str, timeout: float = 180, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
        env.update(extra_env or {})
        env["NEWSQA_HOME"] = str(home)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    return run
