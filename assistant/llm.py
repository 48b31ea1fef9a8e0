"""Chat-model backends, chosen by name (``NEWSQA_LLM``), through LangChain's integrations.

``none`` (the default) uses no model: answers are extractive. ``openai`` speaks to any
OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp's server, LM Studio); ``ollama`` to an
Ollama server; ``llamacpp`` loads a local GGUF file in-process. Integrations are imported
only when chosen, so a missing optional package fails with the command that installs it.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

    from assistant.settings import Settings

BACKENDS = ("none", "openai", "ollama", "llamacpp")


class LLMError(RuntimeError):
    """The configured language model cannot be built; the message says how to fix it."""


def _load(module: str, name: str, install: str) -> type:
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError as exc:
        raise LLMError(f"this LLM backend needs an optional package: pip install {install}") from exc


def _openai(settings: Settings) -> BaseChatModel:
    chat_openai = _load("langchain_openai", "ChatOpenAI", "langchain-openai")
    return chat_openai(
        base_url=settings.llm_base_url,
        # llama.cpp's server and LM Studio ignore the name; vLLM and OpenAI need the real one.
        model=settings.llm_model or "local-model",
        api_key=settings.llm_api_key.get_secret_value() or "not-needed",
        timeout=settings.llm_timeout,
        max_retries=0,  # a failure falls back to the extractive answer at once
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
    )


def _ollama(settings: Settings) -> BaseChatModel:
    chat_ollama = _load("langchain_ollama", "ChatOllama", "langchain-ollama")
    return chat_ollama(
        base_url=settings.ollama_url,
        model=settings.llm_model or "llama3.2",
        temperature=settings.llm_temperature,
        num_predict=settings.llm_max_tokens,
        client_kwargs={"timeout": settings.llm_timeout},
    )


def _llamacpp(settings: Settings) -> BaseChatModel:
    if not settings.llm_model_path:
        raise LLMError("NEWSQA_LLM=llamacpp needs NEWSQA_LLM_MODEL_PATH, the path of a local .gguf file")
    if not settings.llm_model_path.is_file():
        raise LLMError(f"NEWSQA_LLM_MODEL_PATH {str(settings.llm_model_path)!r} is not a file")
    _load("llama_cpp", "Llama", "llama-cpp-python")
    chat_llamacpp = _load(
        "langchain_community.chat_models", "ChatLlamaCpp", "langchain-community llama-cpp-python"
    )
    threads = settings.llm_threads or None
    return chat_llamacpp(
        model_path=str(settings.llm_model_path),
        n_ctx=4096,
        # ChatLlamaCpp reads the prompt 8 tokens at a time unless told otherwise, and with as
        # many threads as there are cores: on a busy 2-core machine that made a 600-token
        # prompt take minutes. One batch, and the thread count asked for, for reading too.
        n_batch=512,
        model_kwargs={"n_threads_batch": threads} if threads else {},
        n_threads=threads,
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        verbose=False,
    )


_BUILDERS: dict[str, Callable[[Settings], BaseChatModel]] = {
    "openai": _openai,
    "ollama": _ollama,
    "llamacpp": _llamacpp,
}


def describe(settings: Settings) -> str:
    """Where answers are generated, for logs and the health check."""
    name = settings.llm.strip().lower()
    where = {
        "openai": settings.llm_base_url,
        "ollama": settings.ollama_url,
        "llamacpp": str(settings.llm_model_path or ""),
    }.get(name, "")
    return f"{name} at {where}" if where else name


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model named by ``settings.llm``, or None for extractive answers."""
    name = settings.llm.strip().lower()
    if name == "none":
        return None
    if name not in _BUILDERS:
        raise LLMError(f"unknown NEWSQA_LLM {settings.llm!r}; valid backends: {', '.join(BACKENDS)}")
    return _BUILDERS[name](settings)


def structured(model: BaseChatModel, schema: dict[str, Any]) -> list[tuple[str, Runnable]]:
    """Ways to make ``model`` answer JSON of ``schema``, most standard first; [] if it has none.

    llama.cpp in-process: a grammar compiled from the schema (the model cannot write
    anything else). OpenAI-compatible servers: ``response_format`` ``json_schema`` (OpenAI,
    vLLM, llama.cpp's own server), then llama-cpp-python's server's ``json_object`` with a
    ``schema``; a server that rejects both gets free text. Ollama: ``format`` = the schema.
    """
    kind = type(model).__name__
    if kind == "ChatLlamaCpp":
        from llama_cpp import LlamaGrammar

        grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        return [("grammar", model.bind(grammar=grammar))]
    if kind == "ChatOpenAI":
        return [
            (
                "json_schema",
                model.bind(
                    response_format={
                        "type": "json_schema",
                        "json_schema": {"name": "answer", "schema": schema, "strict": True},
                    }
                ),
            ),
            ("json_object", model.bind(response_format={"type": "json_object", "schema": schema})),
        ]
    if kind == "ChatOllama":
        return [("format", model.bind(format=schema))]
    return []


def error_message(exc: BaseException, timeout: float | None = None) -> str:
    """One line for the user on why the model did not answer (never a stack trace)."""
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    name = type(exc).__name__
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    if "Timeout" in name or "timed out" in text.lower():
        return f"did not answer within {timeout:g} s" if timeout else "timed out"
    if status == 429 or "RateLimit" in name:
        return "is rate-limited (HTTP 429); try again shortly"
    if "Connect" in name or "Connection" in name or isinstance(exc, ConnectionError):
        return "could not be reached"
    if status:
        return f"returned HTTP {status}" + (f": {text}" if text else "")
    return f"returned an unusable response ({name}{': ' + text if text else ''})"
