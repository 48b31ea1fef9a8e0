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


def standalone_query(question: str, conversation: Sequence[str] | None) -> str:
    """The question, plus the previous turn when the question refers back to it."""
    turns = earlier_turns(question, conversation)
    if turns and _ANAPHORA.search(question):
        return f"{question.strip()} {turns[-1]}"
    return question.strip()
