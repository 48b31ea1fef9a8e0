"""``Assistant.ask``: the one answer path that the CLI, the web app and tests call."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import run_in_executor

from assistant import prompts
from assistant.extractive import ExtractiveAnswerer
from assistant.followup import standalone_query
from assistant.generate import GenerativeAnswerer
from assistant.retrieve import NewsRetriever, as_filter
from assistant.scope import make_filter
from assistant.types import Answer, AnswerEvent, Citation
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
        generator: GenerativeAnswerer | None = None,
    ) -> None:
        self.library = library
        self.retriever = retriever
        self.answerer = answerer
        self.max_question_chars = max_question_chars
        self.generator = generator  # None: extractive answers only
        # The embedder's tokenizer and the sentence caches are not safe to use from several
        # threads at once (the web app answers in worker threads): model-free work holds this
        # lock; a language model generates outside it. Ingestion never takes it: it embeds
        # with its own model instance, and the library publishes its changes atomically
        # (index/library.py), so answers come from the last published state meanwhile.
        self.lock = threading.RLock()

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
        """Load the models now (embedder, tagger, parser, word vectors), the BM25 snapshot and
        the searchable vectors rather than on the first question (which may come while an
        ingestion runs)."""
        self.library.embedder.load()
        self.library.lexical.count()
        self.library.dense_view()  # the searchable vectors, read once into memory
        self.answerer.warm_up()
        if self.generator is not None:
            self.generator.verifier.warm_up()

    def make_filter(
        self,
        since: str | None = None,
        until: str | None = None,
        sources: Sequence[str] = (),
        article_ids: Sequence[str] = (),
    ) -> SearchFilter:
        """A filter from user input; raises ``FilterError`` naming what is wrong."""
        with self.lock:
            known = self.library.sources()
        return make_filter(since, until, sources, article_ids, known)

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
        named in the question narrow the search further on their own. With a language
        model configured the answer is generated and verified (``mode`` "generated"), or
        the extractive one with a ``notice`` when the model fails.
        """
        final = None
        for event in self.stream(question, conversation, where):
            final = event.answer or final
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        conversation: Sequence[str] | None = None,
        where: SearchFilter | None = None,
    ) -> Iterator[AnswerEvent]:
        """``ask`` as events: status lines, answer tokens as they are generated, then the Answer.

        The question is checked before the first event (``QuestionError`` is raised, not
        streamed). Extractive answers have no tokens: the final event carries them whole.
        """
        question = self.check(question)
        yield AnswerEvent(kind="status", text="Searching the articles…")
        query = self.standalone(question, conversation)
        with self.lock:
            scope = self.retriever.scope(query)
            if scope.missing:  # "according to a Bloomberg article" with no Bloomberg article here
                text = prompts.render("missing_outlet", outlets=" or ".join(scope.missing))
                yield AnswerEvent(kind="answer", answer=Answer(question=question, text=text, found=False))
                return
            passages = self.retriever.passages(query, where=where, scope=scope)
            if self.generator is None:
                answer = self.answerer.answer(
                    question,
                    passages,
                    query=query,
                    search=lambda text, k=None: self.retriever.passages(text, k=k, where=where, scope=scope),
                )
        searched = [f.describe() for f in (where, scope.where) if f is not None and not f.is_empty]
        if scope.sources:
            searched.append("looked into " + ", ".join(dict.fromkeys(m.name for m in scope.sources)))
        if self.generator is None:
            events: Iterator[AnswerEvent] = iter([AnswerEvent(kind="answer", answer=answer)])
        else:
            events = self.generator.stream(question, passages, query=query, lock=self.lock)
        for event in events:
            if event.answer is not None:
                update = {"searched": "; ".join(searched)} if searched else {}
                with self.lock:
                    answer = self._with_copies(event.answer)
                event = AnswerEvent(kind="answer", answer=answer.model_copy(update=update))
            yield event

    def _with_copies(self, answer: Answer) -> Answer:
        """Citations list the other outlets that published the same story (near-duplicates)."""
        cited = answer.citations + answer.closest
        copies = self.library.copies_of(c.passage.article_id for c in cited)
        if not copies:
            return answer

        def label(c: Citation) -> Citation:
            others = copies.get(c.passage.article_id, [])
            names = tuple(dict.fromkeys(x["source"] or x["title"] for x in others))
            return c.model_copy(update={"also_published_by": names}) if names else c

        return answer.model_copy(
            update={
                "citations": tuple(map(label, answer.citations)),
                "closest": tuple(map(label, answer.closest)),
            }
        )

    def standalone(self, question: str, conversation: Sequence[str] | None) -> str:
        """The question made self-contained using the earlier turns (model first, then rule)."""
        if conversation and self.generator is not None:
            rewritten = self.generator.condense(question, conversation)
            if rewritten:
                return rewritten
        return standalone_query(question, conversation)

    def search(self, query: str, k: int = 10, where: SearchFilter | None = None) -> list[Passage]:
        """The ranked passages for ``query`` (what the answerer would see, with k of them)."""
        query = self.check(query)
        with self.lock:
            return self.retrieve(query, where, k)

    def as_runnable(self) -> AnswerRunnable:
        """``ask`` as a LangChain runnable: ``invoke`` -> Answer, ``stream``/``astream`` -> AnswerEvents.

        The input is the question, or {"question", "conversation"?, "where"?} where ``where``
        is a ``SearchFilter`` or a dict of its fields (``retrieve.as_filter``).
        """
        return AnswerRunnable(self)


class AnswerRunnable(Runnable[dict[str, Any] | str, Answer | AnswerEvent]):
    """``Assistant.ask`` and ``Assistant.stream`` behind LangChain's Runnable interface.

    ``invoke``/``ainvoke``/``batch`` return the ``Answer``; ``stream``/``astream`` yield the
    ``AnswerEvent``s of ``Assistant.stream`` (status, tokens, then one event carrying the
    Answer). Events do not add up, so a step chained after this one while streaming
    receives the last event; read its ``answer``.
    """

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def _arguments(
        self, value: dict[str, Any] | str
    ) -> tuple[str, Sequence[str] | None, SearchFilter | None]:
        """(question, conversation, where) from the runnable's input."""
        if isinstance(value, str):
            return value, None, None
        where = value.get("where")
        if isinstance(where, Mapping):
            where = as_filter(where, self.assistant.library.sources())
        return value["question"], value.get("conversation"), where

    def invoke(
        self, input: dict[str, Any] | str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        return self._call_with_config(lambda x: self.assistant.ask(*self._arguments(x)), input, config)

    def stream(
        self, input: dict[str, Any] | str, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> Iterator[AnswerEvent]:
        return self.transform(iter([input]), config, **kwargs)

    def transform(
        self,
        input: Iterator[dict[str, Any] | str],
        config: RunnableConfig | None = None,
        **kwargs: Any | None,
    ) -> Iterator[AnswerEvent]:
        yield from self._transform_stream_with_config(input, self._events, config)

    def _events(self, inputs: Iterator[dict[str, Any] | str]) -> Iterator[AnswerEvent]:
        value = None
        for chunk in inputs:  # input streamed by an earlier step
            value = _gather(value, chunk)
        if value is None:
            return
        yield from self.assistant.stream(*self._arguments(value))

    async def astream(
        self, input: dict[str, Any] | str, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AsyncIterator[AnswerEvent]:
        async def one() -> AsyncIterator[dict[str, Any] | str]:
            yield input

        async for event in self.atransform(one(), config, **kwargs):
            yield event

    async def atransform(
        self,
        input: AsyncIterator[dict[str, Any] | str],
        config: RunnableConfig | None = None,
        **kwargs: Any | None,
    ) -> AsyncIterator[AnswerEvent]:
        async for event in self._atransform_stream_with_config(input, self._aevents, config):
            yield event

    async def _aevents(self, inputs: AsyncIterator[dict[str, Any] | str]) -> AsyncIterator[AnswerEvent]:
        """``Assistant.stream`` stepped in worker threads (retrieval and generation block)."""
        value = None
        async for chunk in inputs:
            value = _gather(value, chunk)
        if value is None:
            return
        events = await run_in_executor(None, lambda: self.assistant.stream(*self._arguments(value)))
        done = object()
        try:
            while (event := await run_in_executor(None, next, events, done)) is not done:
                yield event
        finally:
            await run_in_executor(None, events.close)  # a consumer that stops early ends generation


def _gather(value: Any, chunk: Any) -> Any:
    """Streamed input chunks added up (text, ``AddableDict``); a chunk that does not add replaces."""
    if value is None:
        return chunk
    try:
        return value + chunk
    except TypeError:
        return chunk
