"""Follow-up questions made standalone for retrieval, without a language model."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words that lean on an earlier turn: "And what did he propose on that?"
_ANAPHORA = re.compile(
    r"^\s*(and|also|what about|how about)\b|\b(that|this|these|those|it|its|them|they|he|she|"
    r"his|her|there|the same)\b",
    re.IGNORECASE,
)


def earlier_turns(question: str, conversation: Sequence[str] | None) -> list[str]:
    """The user's earlier turns, oldest first, without a trailing copy of ``question``."""
    turns = [t.strip() for t in conversation or [] if t and t.strip()]
    if turns and turns[-1] == question.strip():
        turns = turns[:-1]
    return turns


# The subject of a question: the capitalised words after its auxiliary ("What did Xi say").
_SUBJECT = re.compile(
    r"\b(?:did|does|do|has|have|had|will|would|can|could|should|is|was)\s+((?:[A-Z][\w’'.-]*\s*)+)"
)


def _subjects(text: str) -> list[str]:
    """People a question asks about: 'What did Xi Jinping propose?' -> ['Xi Jinping']."""
    return [m.strip() for m in _SUBJECT.findall(text)]


def _names_something(question: str) -> bool:
    """Whether the question names a person, place or thing (a capitalised word after its
    first): one that names nothing ("What did the company say back?") leans on the turns
    before it."""
    return any(w.lstrip("\"“‘'(")[:1].isupper() for w in question.split()[1:])


def standalone_query(question: str, conversation: Sequence[str] | None) -> str:
    """The question, plus what the previous turn was about when the question refers back to it
    (a pronoun, "and …", "what about …") or names nothing of its own.

    "And what did Luong Cuong propose on that?" after "What did Xi propose on railways?"
    becomes "And what did Luong Cuong propose on that? (What did propose on railways?)": the
    topic carries over, the person the new question replaces does not.
    """
    question = question.strip()
    turns = earlier_turns(question, conversation)
    if not turns or not (_ANAPHORA.search(question) or not _names_something(question)):
        return question
    previous = turns[-1]
    if _subjects(question):  # the follow-up asks about someone else: drop the earlier subject
        for name in _subjects(previous):
            previous = re.sub(rf"\b{re.escape(name)}\b", " ", previous)
        previous = " ".join(previous.split())
    return f"{question} ({previous})"


def carried_turn(question: str, query: str | None) -> str:
    """What ``standalone_query`` added to ``question`` from the earlier turn (" (What is X?)"),
    or "" when ``query`` is the question itself or a rewrite of it in other words."""
    if not query or query == question or not query.startswith(question):
        return ""
    return query[len(question) :]
