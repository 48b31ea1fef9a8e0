"""``Assistant.ask``: the one answer path that the CLI, the web app and tests call."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.extractive import ExtractiveAnswerer
from assistant.followup import standalone_query
from assistant.retrieve import NewsRetriever
from assistant.scope import make_filter
from assistant.types import Answer
from index.library import Library
from index.types import Passage, SearchFilter


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long); the message is for the user."""


class Assistant:
    """Retrieve passages for a question and answer it with citations."""

    def __init__(
        self,
        library: Library,
        retriever: NewsRetriever,
        answerer: ExtractiveAnswerer,
        max_question_chars: int = 2000,
    ) -> None:
        self.library = library
        self.retriever = retriever
        self.answerer = answerer
        self.max_question_chars = max_question_chars

    def check(self, question: str) -> str:
        """The question, trimmed; raises ``QuestionError`` with a user-facing message."""
        question = (question or "").strip()
        if not question:
            raise QuestionError("Please type a question.")
        if len(question) > self.max_question_chars:
            raise QuestionError(
                f"The question is too long ({len(question):,} characters); "
                f"please keep it under {self.max_question_chars:,}."
            )
        return question

    def warm_up(self) -> None:
        """Load the models now (embedder, tagger) rather than on the first question."""
        self.library.embedder.load()
        if self.answerer.unmentioned is not None:
            self.answerer.unmentioned("Warm up the tagger.")

    def make_filter(
        self,
        since: str | None = None,
        until: str | None = None,
        sources: Sequence[str] = (),
        article_ids: Sequence[str] = (),
    ) -> SearchFilter:
        """A filter from user input; raises ``FilterError`` naming what is wrong."""
        return make_filter(since, until, sources, article_ids, self.library.sources())

    def retrieve(self, query: str, where: SearchFilter | None = None, k: int | None = None) -> list[Passage]:
        """The passages the answerer sees for ``query`` (hybrid, scoped, diversified)."""
        return self.retriever.passages(query, k=k, where=where)

    def ask(
        self,
        question: str,
        conversation: Sequence[str] | None = None,
        where: SearchFilter | None = None,
    ) -> Answer:
        """Answer ``question``; ``conversation`` holds the user's earlier turns, oldest first.

        ``where`` limits the articles searched (dates, sources, ids); dates and sources
        named in the question narrow the search further on their own.
        """
        question = self.check(question)
        query = standalone_query(question, conversation)
        scope = self.retriever.scope(query)
        passages = self.retriever.passages(query, where=where, scope=scope)
        answer = self.answerer.answer(question, passages, query=query)
        searched = [f.describe() for f in (where, scope.where) if f is not None and not f.is_empty]
        if scope.sources:
            searched.append("looked into " + ", ".join(dict.fromkeys(m.name for m in scope.sources)))
        return answer.model_copy(update={"searched": "; ".join(searched)}) if searched else answer

    def search(self, query: str, k: int = 10, where: SearchFilter | None = None) -> list[Passage]:
        """The ranked passages for ``query`` (what the answerer would see, with k of them)."""
        return self.retrieve(self.check(query), where, k)

    def as_runnable(self) -> Runnable:
        """``ask`` as a LangChain runnable: {"question", "conversation"?, "where"?} -> Answer."""
        return RunnableLambda(lambda x: self.ask(x["question"], x.get("conversation"), x.get("where")))
