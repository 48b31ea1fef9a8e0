"""Generated answers: passages -> prompt -> chat model -> citations parsed and verified.

The chain is a LangChain runnable (``prompt | model``) streamed token by token; what the
model writes is only a draft until ``CitationVerifier`` has checked every sentence against
the passage it cites. The extractive answer is the safety net: it is computed first (it
decides whether the articles answer at all, so an unanswerable question never reaches the
model) and shown, labelled, whenever the model fails or nothing it wrote is supported.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessageChunk
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from assistant import prompts
from assistant.extractive import ExtractiveAnswerer
from assistant.llm import error_message
from assistant.types import Answer, AnswerEvent, Citation, Statement
from assistant.verify import CitationVerifier
from index.types import Passage

log = logging.getLogger(__name__)

FALLBACK_UNSUPPORTED = (
    "The language model's answer was not supported by the passages it cited, so the "
    "sentences quoted from the articles are shown instead."
)
FALLBACK_REFUSED = (
    "The language model found no answer in the passages, so the sentences quoted from "
    "the articles are shown instead."
)


def passage_block(n: int, passage: Passage) -> str:
    """One passage for the prompt, delimited so that its text cannot close the tag."""
    text = re.sub(r"</?\s*passage", "‹passage", passage.chunk.text, flags=re.IGNORECASE)
    return prompts.render(
        "passage",
        n=n,
        title=passage.title.replace('"', "'"),
        date=passage.date.isoformat() if passage.date else "unknown",
        source=passage.source.replace('"', "'"),
        text=text,
    )


def answer_prompt() -> ChatPromptTemplate:
    """System rules + the numbered passages and the question (``prompts/answer*.txt``)."""
    system = prompts.render("answer_system", refusal=prompts.render("model_refusal"))
    return ChatPromptTemplate.from_messages(
        [("system", system.replace("{", "{{").replace("}", "}}")), ("human", prompts.load("answer").template)]
    )


def _refuses(text: str) -> bool:
    """The model said the passages do not answer (and cited nothing)."""
    plain = " ".join(text.lower().replace("’", "'").split())
    refusal = prompts.render("model_refusal").lower().replace("’", "'")
    return "[" not in plain and (refusal.rstrip(".") in plain or "do not answer" in plain)


def _with_note(sentence: str, note: str) -> str:
    """``sentence`` with its markers (or its problem) placed before the final full stop."""
    end = re.search(r"[.!?…]+[\"”’)]*$", sentence)
    if end is None:
        return f"{sentence} {note}"
    return f"{sentence[: end.start()]} {note}{sentence[end.start() :]}"


def _token_text(chunk: BaseMessageChunk | str) -> str:
    if isinstance(chunk, str):
        return chunk
    content = chunk.content
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)


class GenerativeAnswerer:
    """Answers with a chat model, keeping only what the cited passages support."""

    def __init__(
        self,
        model: BaseChatModel,
        verifier: CitationVerifier,
        extractive: ExtractiveAnswerer,
        unsupported: str = "flag",
        timeout: float | None = None,
        backend: str = "language model",
    ) -> None:
        self.model = model
        self.verifier = verifier
        self.extractive = extractive
        self.unsupported = unsupported
        self.timeout = timeout
        self.backend = backend
        self.chain = answer_prompt() | model

    # -- follow-up questions -------------------------------------------------------------

    def condense(self, question: str, conversation: Sequence[str]) -> str | None:
        """The follow-up rewritten as a standalone question, or None if the model fails.

        A rewrite that drops a name the follow-up itself used is not trusted (None).
        """
        chain = prompts.load("condense_question") | self.model | StrOutputParser()
        turns = "\n".join(f"User: {turn}" for turn in conversation[-4:])
        try:
            rewritten = chain.invoke({"conversation": turns, "question": question}).strip()
        except Exception as exc:  # noqa: BLE001 - any backend failure falls back to the rule
            log.warning("condensing the follow-up failed: %s", error_message(exc, self.timeout))
            return None
        rewritten = rewritten.splitlines()[0].strip().strip('"') if rewritten else ""
        names = set(re.findall(r"\b[A-Z][\w’'-]+", question)) - {question.split()[0]}
        if not rewritten or len(rewritten) > 4 * len(question) + 200:
            return None
        if any(name not in rewritten for name in names):
            return None
        return rewritten

    # -- answers -------------------------------------------------------------------------

    def stream(
        self,
        question: str,
        passages: Sequence[Passage],
        query: str | None = None,
        lock: AbstractContextManager | None = None,
    ) -> Iterator[AnswerEvent]:
        """Status and token events, then the verified (or fallback) Answer.

        ``lock`` guards the embedder work (the extractive baseline, verification) and is
        released while the model generates, so one slow answer does not block others.
        """
        lock = lock or nullcontext()
        with lock:
            baseline = self.extractive.answer(question, passages, query=query)
        if not baseline.found or not passages:  # the articles do not answer: no model call
            yield AnswerEvent(kind="answer", answer=baseline)
            return
        yield AnswerEvent(kind="status", text="Writing the answer…")
        numbered = "\n".join(passage_block(i + 1, p) for i, p in enumerate(passages))
        pieces: list[str] = []
        try:
            for chunk in self.chain.stream({"passages": numbered, "question": query or question}):
                token = _token_text(chunk)
                if token:
                    pieces.append(token)
                    yield AnswerEvent(kind="token", text=token)
        except Exception as exc:  # noqa: BLE001 - the chat must stay up whatever the backend does
            reason = error_message(exc, self.timeout)
            log.warning("the %s failed: %s", self.backend, reason)
            notice = f"The {self.backend} {reason}; the sentences quoted from the articles are shown instead."
            yield AnswerEvent(kind="answer", answer=self._fallback(baseline, notice))
            return
        yield AnswerEvent(kind="status", text="Checking every citation…")
        with lock:
            final = self.finish(question, "".join(pieces), passages, baseline)
        yield AnswerEvent(kind="answer", answer=final)

    def finish(self, question: str, draft: str, passages: Sequence[Passage], baseline: Answer) -> Answer:
        """Verify ``draft`` against ``passages``; the Answer keeps only verified citations."""
        draft = draft.strip()
        if not draft:
            return self._fallback(
                baseline,
                f"The {self.backend} returned an empty answer; "
                "the sentences quoted from the articles are shown instead.",
            )
        if _refuses(draft):
            return self._fallback(baseline, FALLBACK_REFUSED)
        checked = self.verifier.check(draft, passages)
        if not any(s.verified for s in checked):
            return self._fallback(baseline, FALLBACK_UNSUPPORTED)
        kept = [s for s in checked if s.verified or self.unsupported == "flag"]
        # Renumber the surviving markers 1..m in order of first use; unverified sentences cite nothing.
        order: dict[int, int] = {}
        for s in kept:
            for m in s.markers if s.verified else ():
                order.setdefault(m, len(order) + 1)
        statements = [self._renumber(s, order) for s in kept]
        citations = self._citations(statements, kept, order, passages)
        lines = [
            _with_note(s.text, "".join(f"[{m}]" for m in s.markers) if s.verified else f"[{s.problem}]")
            for s in statements
        ]
        return Answer(
            question=question,
            text=" ".join(lines),
            found=True,
            citations=citations,
            mode="generated",
            statements=tuple(statements),
        )

    @staticmethod
    def _renumber(s: Statement, order: dict[int, int]) -> Statement:
        if not s.verified:
            return s.model_copy(update={"markers": (), "supported_by": None})
        return s.model_copy(
            update={"markers": tuple(order[m] for m in s.markers), "supported_by": order[s.supported_by]}
        )

    def _citations(
        self,
        statements: list[Statement],
        original: list[Statement],
        order: dict[int, int],
        passages: Sequence[Passage],
    ) -> tuple[Citation, ...]:
        """One citation per surviving marker, highlighting the sentence that supports it."""
        citations = []
        for old, new in order.items():
            passage = passages[old - 1]
            best = next((s for s in statements if s.verified and s.supported_by == new), None)
            if best is not None:
                start, end, text, score = best.support_start, best.support_end, best.support, best.similarity
            else:  # a second marker of a sentence: find its own supporting sentence
                user = next(o for o in original if old in o.markers)
                sup = self.verifier.support(user.text, old, passage)
                start, end, text, score = sup.start, sup.end, sup.text, sup.similarity
            speaker = next(
                (x.speaker for x in passage.chunk.sentences if x.start <= start < x.end and x.speaker), None
            )
            citations.append(
                Citation(
                    n=new, passage=passage, sentence=text, start=start, end=end, speaker=speaker, score=score
                )
            )
        return tuple(citations)

    @staticmethod
    def _fallback(baseline: Answer, notice: str) -> Answer:
        return baseline.model_copy(update={"mode": "fallback", "notice": notice})
