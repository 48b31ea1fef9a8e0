"""Stage 1 of an answer: what the question asks, read once before any passage is scored.

The later stages (``evidence`` → ``choose`` → ``compose``) read this instead of re-parsing
the question: its shape (who / when / timeline / comparison, ``assistant/news.py``), the
kind of thing its answer must hold (``assistant/asked.py``), the nouns no article uses,
and for a follow-up the standalone query and the earlier turn it leans on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.asked import AnswerKinds, Asked
from assistant.followup import carried_turn
from assistant.news import Kind, question_kind
from assistant.roles import SPEECH_STEMS, asks_for_statement
from index.terms import terms

# An abbreviation as written: two or more capitals, maybe lower-case letters between them and a
# plural "s" ("AI", "UN", "BoE", "CEOs").
ACRONYM = re.compile(r"[A-Z][A-Za-z]*[A-Z]s?")
_CAPITALS = re.compile(r"\b[A-Z]{2,}s?\b")


@dataclass(frozen=True)
class Understood:
    """A question as the answer stages read it.

    ``query`` is what is matched (a follow-up's standalone form, else the question);
    ``expected`` is the kind of thing the question's grammar asks for, ``asked`` the same
    as the answer must hold it (none for timelines and comparisons, whose items are
    statements); ``unseen``: the question's nouns that no article uses; ``carried``: the
    earlier turn a follow-up refers to ("" for a standalone question); ``said``: its nouns
    that name what someone said, which frame it as a verb of saying does.
    """

    question: str
    query: str
    kind: Kind
    expected: Asked
    asked: Asked
    unseen: tuple[str, ...]
    carried: str
    statement: bool
    said: tuple[str, ...] = ()  # nouns that name what someone said ("message", "response")

    @property
    def follow_up(self) -> bool:
        return self.query != self.question

    @property
    def acronyms(self) -> tuple[str, ...]:
        """The unseen words written as abbreviations ("AI"): articles may spell them out."""
        return tuple(n for n in self.unseen if ACRONYM.fullmatch(n))

    @property
    def abbreviations(self) -> tuple[str, ...]:
        """The question's words written in capitals ("CEO", "UN"), used by the articles or
        not: a sentence that spells one out ("Chief Executive Officer") has it."""
        return tuple(dict.fromkeys(_CAPITALS.findall(self.query)))


class QuestionReader:
    """``read(question, query)`` → ``Understood``, with the tagger and parser of ``kinds``."""

    def __init__(self, kinds: AnswerKinds, unmentioned: Callable[[str], list[str]] | None = None) -> None:
        """``unmentioned(question)`` names the question's nouns that no article mentions."""
        self.kinds = kinds
        self.unmentioned = unmentioned

    def read(self, question: str, query: str | None = None) -> Understood:
        query = query or question
        kind = question_kind(question)
        expected = self.kinds.expected(question)
        said = self.kinds.said_nouns(question)
        return Understood(
            question=question,
            query=query,
            kind=kind,
            expected=expected,
            asked=expected if kind not in ("timeline", "comparison") else Asked(None),
            unseen=tuple(n for n in self.unseen_nouns(question) if n not in said),
            carried=carried_turn(question, query),
            statement=asks_for_statement(question),
            said=said,
        )

    def unseen_nouns(self, question: str) -> list[str]:
        """The question's nouns that no article uses (not speech verbs the tagger read as
        nouns: "mention")."""
        if self.unmentioned is None:
            return []
        return [n for n in self.unmentioned(question) if not set(terms(n)) <= SPEECH_STEMS]
