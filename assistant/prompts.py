"""Prompt templates, stored as text files in ``prompts/`` and loaded by name."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from langchain_core.prompts import PromptTemplate

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


def names() -> list[str]:
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.txt"))


@cache
def load(name: str) -> PromptTemplate:
    """The template ``prompts/<name>.txt``; rendering it without a variable raises KeyError."""
    path = PROMPTS_DIR / f"{name}.txt"
    if not path.exists():
        raise KeyError(f"no prompt named {name!r}; known prompts: {', '.join(names())}")
    return PromptTemplate.from_template(path.read_text(encoding="utf-8").strip())


def render(name: str, **variables: object) -> str:
    return load(name).format(**variables)
