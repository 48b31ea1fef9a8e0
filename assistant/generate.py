"""Generated answers: evidence sentences -> prompt -> chat model -> citations parsed and verified.

The model does not read whole passages: it reads the few sentences the extractive answerer
ranks best (``select_evidence``), each numbered, with its date and speaker, and the
instruction comes after them — what a small model can follow. Where the backend can
constrain its output (llama.cpp grammars, ``response_format`` JSON schemas, Ollama's
``format``; ``assistant.llm.structured``) the answer is JSON in which every sentence lists
the evidence numbers it rests on, out of the numbers given: a marker to nowhere cannot be
written. Other backends answer in free text with ``[n]`` markers.

Either way what the model writes is only a draft until ``CitationVerifier`` has checked
every sentence against the passage of the evidence it cites. The extractive answer is
the safety net: it is computed first (it decides whether the articles answer at all, so an
unanswerable question never reaches the model) and shown, labelled, whenever the model
fails or nothing it wrote is supported.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessageChunk
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable
from langchain_core.utils.json import parse_partial_json

from assistant import prompts
from assistant.choose import ANSWER_MARGIN
from assistant.compose import excerpt
from assistant.evidence import FRAME_STEMS, named_people, says_nothing_new
from assistant.extractive import ExtractiveAnswerer
from assistant.llm import error_message, structured
from assistant.roles import SPEECH_STEMS, asks_for_statement
from assistant.types import Answer, AnswerEvent, Citation, Statement
from assistant.verify import CitationVerifier, date_words
from index.speakers import JOINT
from index.terms import terms
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


EVIDENCE_SENTENCES = 8  # the model reads at most this many sentences, best first (~300 tokens)
# ... and only those ranked within this of the best one, the sentences an extractive answer
# would quote: a small model handed weaker ones copies them ("What did Xi propose on
# railways?" answered with his words on the UN, "What did Luong Cuong propose on railways?"
# with his proposal on diplomacy).
EVIDENCE_MARGIN = ANSWER_MARGIN
MAX_CLAIMS = 3


@dataclass(frozen=True)
class Evidence:
    """Evidence sentence ``n`` of a prompt: a sentence of ``passage`` (article offsets)."""

    n: int
    passage: Passage
    start: int
    end: int
    text: str  # as shown to the model (long sentences cut to the clauses that matter)
    speaker: str | None = None


def select_evidence(
    extractive: ExtractiveAnswerer,
    question: str,
    passages: Sequence[Passage],
    query: str | None = None,
    k: int = EVIDENCE_SENTENCES,
    margin: float = EVIDENCE_MARGIN,
) -> list[Evidence]:
    """The sentences the extractive answerer ranks best, distinct, numbered from 1: at most
    ``k``, each within ``margin`` of the best one's rank and with the evidence an extractive
    answer needs (the best one always)."""
    chosen: list[Evidence] = []
    seen: set[str] = set()
    ranked = extractive.score(question, passages, query)
    for cand in ranked:
        if chosen and cand.rank < ranked[0].rank - margin:
            break
        if chosen and cand.evidence < extractive.min_evidence:
            continue
        key = " ".join(cand.text.lower().split())
        if key in seen:
            continue
        seen.add(key)
        text = excerpt(cand.text, query or question, extractive.idf)
        speaker = cand.sentence.speaker if cand.sentence.speaker != JOINT else "both sides"
        chosen.append(
            Evidence(len(chosen) + 1, cand.passage, cand.sentence.start, cand.sentence.end, text, speaker)
        )
        if len(chosen) == k:
            break
    return chosen


def evidence_line(e: Evidence) -> str:
    """``[n] (date · source, said by X) sentence``: one line, no tag can be closed from inside."""
    p = e.passage
    label = p.date.strftime("%-d %b %Y") if p.date else (p.source or p.title or "undated")
    if p.date and p.source:
        label += f", {p.source}"
    text = re.sub(r"</?\s*evidence", "‹evidence", " ".join(e.text.split()), flags=re.IGNORECASE)
    return prompts.render(
        "evidence", n=e.n, label=label, speaker=f"; said by {e.speaker}" if e.speaker else "", text=text
    )


def off_question(question: str, statement: str, passage: Passage, start: int, end: int) -> str:
    """Why a supported ``statement`` does not answer ``question`` from its supporting
    sentences (``start``-``end`` of ``passage``'s article; ``""``: it does): it answers what
    named people said with someone else's words, it says nothing the question does not
    ("Vietnam–China railway cooperation developed in 2025."), or it echoes a word of the
    question that its sentences (their article's title, date, speaker) do not say."""
    sentences = passage.chunk.sentences
    support = [x for x in sentences if x.start < max(end, start + 1) and x.end > start]
    if not support:
        return ""
    speakers = {x.speaker for x in sentences if x.speaker} - {JOINT}
    asked = named_people(question, speakers) if asks_for_statement(question) else set()
    theirs = {x.speaker for x in support} - {None, JOINT}
    if asked and theirs and not theirs & asked:
        return f"the cited source attributes this to {' and '.join(sorted(theirs))}"
    if says_nothing_new(statement, set(terms(question))):
        return "it only restates the question"
    said_there = [passage.sentence_text(x) for x in support] + [passage.title, *theirs, date_words(passage)]
    have = set(terms(" ".join(said_there)))
    said = set(terms(statement)) - have - SPEECH_STEMS - FRAME_STEMS
    echoed = [w for w in dict.fromkeys(re.findall(r"[a-z][\w’'-]+", question)) if set(terms(w)) & said]
    if echoed:
        return "the cited source does not say this about " + ", ".join(f"“{w}”" for w in echoed)
    return ""


def _one_number_per_passage(s: Statement, passages: Sequence[Passage]) -> Statement:
    """``s`` citing each passage once: evidence sentences of one passage share its first number
    (two citations of one passage would show the same source twice)."""
    if not s.verified:
        return s
    first: dict[tuple[str, int], int] = {}
    same = {n: first.setdefault((p.article_id, p.chunk.start), n) for n, p in enumerate(passages, 1)}
    supported_by = same[s.supported_by] if s.supported_by else None
    return s.model_copy(
        update={"markers": tuple(dict.fromkeys(same[m] for m in s.markers)), "supported_by": supported_by}
    )


def answer_schema(n: int) -> dict[str, Any]:
    """JSON schema of a constrained answer: claims, each with evidence numbers 1..n."""
    return {
        "type": "object",
        "properties": {
            "answer": {
                "type": "array",
                "maxItems": MAX_CLAIMS,
                "items": {
                    "type": "object",
                    "properties": {
                        "sentence": {"type": "string"},
                        "evidence": {
                            "type": "array",
                            "items": {"type": "integer", "enum": list(range(1, n + 1))},
                            "minItems": 1,
                            "maxItems": 3,
                        },
                    },
                    "required": ["sentence", "evidence"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["answer"],
        "additionalProperties": False,
    }


def render_claims(claims: list[dict], complete: bool = True) -> str:
    """JSON claims as answer text with ``[n]`` markers (the last claim's markers only once
    it is ``complete``: its list of numbers may still grow)."""
    lines = []
    for i, claim in enumerate(claims):
        if not isinstance(claim, dict) or not isinstance(claim.get("sentence"), str):
            continue
        sentence = " ".join(claim["sentence"].split())
        ids = claim.get("evidence") if complete or i < len(claims) - 1 else None
        numbers = [n for n in ids if isinstance(n, int)] if isinstance(ids, list) else []
        lines.append(_with_note(sentence, "".join(f"[{n}]" for n in numbers)) if numbers else sentence)
    return " ".join(x for x in lines if x)


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


def answer_prompt(output: Literal["text", "json"] = "text") -> ChatPromptTemplate:
    """A short system rule, then the numbered evidence, the question and the instruction
    (``prompts/answer_system.txt``, ``answer.txt`` / ``answer_json.txt``)."""
    system = prompts.render("answer_system")
    human = prompts.load("answer" if output == "text" else "answer_json")
    if "refusal" in human.input_variables:
        human = human.partial(refusal=prompts.render("model_refusal"))
    text = human.format(evidence="\0evidence\0", question="\0question\0")  # literal braces kept
    text = text.replace("{", "{{").replace("}", "}}")
    text = text.replace("\0evidence\0", "{evidence}").replace("\0question\0", "{question}")
    return ChatPromptTemplate.from_messages(
        [("system", system.replace("{", "{{").replace("}", "}}")), ("human", text)]
    )


def _refuses(text: str) -> bool:
    """The model said the passages do not answer (and cited nothing)."""
    plain = " ".join(text.lower().replace("’", "'").split())
    refusal = prompts.render("model_refusal").lower().replace("’", "'")
    return "[" not in plain and (refusal.rstrip(".") in plain or "do not answer" in plain)


def _is_label(text: str) -> bool:
    """A line that is no sentence: "Sources:", ":", "Answer:", a lone marker's leftovers."""
    words = re.findall(r"\w+", text)
    return not words or (text.rstrip().endswith(":") and len(words) <= 3)


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
        output: Literal["auto", "json", "text"] = "auto",
        evidence_sentences: int = EVIDENCE_SENTENCES,
    ) -> None:
        """``output``: "json" constrains the answer where the backend can ("auto": the
        same), "text" asks for free text with ``[n]`` markers."""
        self.model = model
        self.verifier = verifier
        self.extractive = extractive
        self.unsupported = unsupported
        self.timeout = timeout
        self.backend = backend
        self.output = output
        self.evidence_sentences = evidence_sentences
        self.chain = answer_prompt("text") | model
        self._rejected: set[str] = set()  # ways of asking this backend turned down: not tried again

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
        # the articles do not answer, or not all of it ("they don't mention football"): no model call
        if not baseline.found or not passages or baseline.notice:
            yield AnswerEvent(kind="answer", answer=baseline)
            return
        yield AnswerEvent(kind="status", text="Writing the answer…")
        with lock:
            evidence = select_evidence(self.extractive, question, passages, query, self.evidence_sentences)
        lines = "\n".join(evidence_line(e) for e in evidence)
        inputs = {"evidence": lines, "question": query or question}
        written: dict[str, str] = {}
        try:
            for token in self._generate(inputs, len(evidence), written):
                yield AnswerEvent(kind="token", text=token)
        except Exception as exc:  # noqa: BLE001 - the chat must stay up whatever the backend does
            reason = error_message(exc, self.timeout)
            log.warning("the %s failed: %s", self.backend, reason)
            notice = f"The {self.backend} {reason}; the sentences quoted from the articles are shown instead."
            yield AnswerEvent(kind="answer", answer=self._fallback(baseline, notice))
            return
        yield AnswerEvent(kind="status", text="Checking every citation…")
        with lock:
            final = self.finish(question, written.get("draft", ""), [e.passage for e in evidence], baseline)
        yield AnswerEvent(kind="answer", answer=final)

    def _attempts(self, n: int) -> list[tuple[str, Runnable]]:
        """The chains to try, in order: constrained ones first where the backend has them."""
        attempts: list[tuple[str, Runnable]] = []
        if self.output != "text":
            for name, bound in structured(self.model, answer_schema(n)):
                if name not in self._rejected:
                    attempts.append((name, answer_prompt("json") | bound))
        attempts.append(("text", self.chain))
        return attempts

    def _generate(self, inputs: dict[str, str], n: int, written: dict[str, str]) -> Iterator[str]:
        """The answer's text as it is written; ``written["draft"]`` holds all of it at the end.

        Marker ``[n]`` cites evidence sentence ``n``; it is verified against that sentence's
        passage.

        A constrained request the backend rejects before writing anything (HTTP 400/422,
        or 500 naming ``response_format``: the server knows no such format) moves on to the
        next way of asking.
        """
        attempts = self._attempts(n)
        for i, (name, chain) in enumerate(attempts):
            draft, raw, shown = "", "", ""
            try:
                for chunk in chain.stream(inputs):
                    token = _token_text(chunk)
                    if not token:
                        continue
                    if name == "text":
                        draft += token
                        written["draft"] = draft
                        yield token
                        continue
                    raw += token
                    parsed = parse_partial_json(raw) if raw.strip() else None
                    claims = parsed.get("answer", []) if isinstance(parsed, dict) else []
                    text = render_claims(claims if isinstance(claims, list) else [], complete=False)
                    if text.startswith(shown) and len(text) > len(shown):
                        yield text[len(shown) :]
                        shown = text
            except Exception as exc:
                status = getattr(exc, "status_code", None)
                # llama-cpp-python's server answers an unknown response_format with HTTP 500
                rejected = status in (400, 404, 422) or (status == 500 and "response_format" in str(exc))
                if name != "text" and not raw and rejected and i + 1 < len(attempts):
                    log.info(
                        "the %s rejected %s output (HTTP %s); trying the next way", self.backend, name, status
                    )
                    self._rejected.add(name)
                    continue
                raise
            if name != "text":
                parsed = parse_partial_json(raw) if raw.strip() else None
                if not isinstance(parsed, dict) or not isinstance(parsed.get("answer"), list):
                    raise ValueError(f"the {name} answer is not the JSON asked for: {raw[:80]!r}")
                draft = render_claims(parsed["answer"]) or prompts.render("model_refusal")
                written["draft"] = draft
                if draft.startswith(shown) and len(draft) > len(shown):
                    yield draft[len(shown) :]
            return

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
        checked = [
            self._on_question(question, s, passages)
            for s in self.verifier.check(draft, passages, reattribute=True)
            if s.verified or not _is_label(s.text)
        ]
        if not any(s.verified for s in checked):
            return self._fallback(baseline, FALLBACK_UNSUPPORTED)
        kept = [
            _one_number_per_passage(s, passages) for s in checked if s.verified or self.unsupported == "flag"
        ]
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

    def _on_question(self, question: str, s: Statement, passages: Sequence[Passage]) -> Statement:
        """``s``, unverified if its support is true but not about what was asked: the
        question's own words that it echoes but its supporting sentences lack ("Xi proposed
        on railways that …" resting on a sentence about friendship), or, for a question
        about what named people said, a supporting sentence someone else says."""
        if not s.verified or s.supported_by is None:
            return s
        problem = off_question(question, s.text, passages[s.supported_by - 1], s.support_start, s.support_end)
        if not problem:
            return s
        return s.model_copy(update={"verified": False, "markers": (), "problem": problem})

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
