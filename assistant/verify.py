"""Check a generated answer against the passages it cites, sentence by sentence.

A language model's ``[n]`` markers are claims, not facts. Each answer sentence is kept
as a ``Statement`` that records which markers survived (those pointing at no passage are
removed), whether a cited passage really supports it, and the source sentence that does:

- meaning: the statement's embedding must be close to a sentence (or two adjacent
  sentences) of a cited passage, with the bundled embedder;
- facts: every number and every capitalised name of the statement must occur in that
  passage (its text, title, source, date or the speakers attributed in it). A fluent
  sentence that swaps "Xi" for "Luong Cuong" or "2025" for "2024" fails here even when
  its embedding is close.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.sentences import EmbeddingCache, clauses
from assistant.types import Statement
from index.chunk import split_sentences
from index.embed import SentenceEmbedder
from index.speakers import JOINT
from index.types import Passage

# [1], [2][3], [1, 2], [1-2] are all read; anything inside brackets that is not numbers stays text.
MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-Z][\w’'-]*[a-z][\w’'-]*|\b[A-Z]{2,}\b")
# Capitalised words that carry no fact of their own (sentence openers, generic words).
_NOT_NAMES = frozenset(
    """
    According Also And As At But By During For From He Her His However In It Its On She
    That The Their There These They This Those To Both Each Meanwhile Moreover Furthermore
    In Additionally Overall Finally First Second Third Yes No I We Our Answer Sources Source
    Passage Passages Article Articles Mr Mrs Ms Dr
    """.split()
)


@dataclass(frozen=True)
class Support:
    """The best evidence one passage offers for a statement."""

    marker: int
    similarity: float
    start: int  # article offsets of the supporting sentence(s)
    end: int
    text: str
    missing: tuple[str, ...]  # names/numbers of the statement absent from the passage


def split_markers(sentence: str, n_passages: int) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """``(text without markers, valid markers, unknown markers)`` of one answer sentence."""
    valid: list[int] = []
    unknown: list[int] = []
    for match in MARKER.finditer(sentence):
        for n in _marker_numbers(match.group(1)):
            (valid if 1 <= n <= n_passages else unknown).append(n)
    text = MARKER.sub("", sentence).strip()
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return text, tuple(dict.fromkeys(valid)), tuple(dict.fromkeys(unknown))


def _marker_numbers(inside: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", inside):
        bounds = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x]
        if len(bounds) == 2 and 0 < bounds[1] - bounds[0] < 10:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def answer_sentences(text: str) -> list[str]:
    """Sentences of a model answer; a marker split off by the segmenter rejoins its sentence."""
    pieces: list[str] = []
    for start, end in split_sentences(text):
        piece = text[start:end].strip()
        lead = _LEADING_MARKERS.match(piece)
        if pieces and lead:  # "… railways. [1] Luong Cuong …": [1] closes the sentence before
            pieces[-1] = f"{pieces[-1]} {lead.group().strip()}"
            piece = piece[lead.end() :].lstrip(" .")
        if piece:
            pieces.append(piece)
    return pieces


_BULLET = re.compile(r"^(?:[-*•]|\d+[.)])\s+")
_LEADING_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*[,;–-]\s*\d+)*\])+\.?")


def facts(text: str) -> set[str]:
    """Numbers and capitalised names of a statement: what its source must contain."""
    found = {n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text)}
    first = re.search(r"\w", text)
    for match in _NAME.finditer(text):
        word = match.group()
        opener = first is not None and match.start() == first.start()
        if word in _NOT_NAMES or (opener and word.lower() in _ORDINARY):
            continue
        found.add(re.sub(r"['’]s$", "", word))
    return found


# Ordinary words that are capitalised only because they open the sentence.
_ORDINARY = frozenset(
    """
    what when where who why how which while after before since until during following
    regarding concerning today yesterday earlier later several many some most all
    """.split()
)


def _evidence_text(passage: Passage) -> str:
    """Everything a statement about this passage may legitimately name."""
    parts = [passage.chunk.text, passage.title, passage.source]
    parts += [s.speaker or "" for s in passage.chunk.sentences]
    if passage.date:
        d = passage.date
        parts.append(f"{d.isoformat()} {d.day} {d.strftime('%B %b %Y')}")
    return " ".join(parts)


def missing_facts(statement: str, passage: Passage) -> tuple[str, ...]:
    """Names and numbers of ``statement`` that ``passage`` does not contain."""
    haystack = _evidence_text(passage)
    numbers = {n.replace(",", "") for n in _NUMBER.findall(haystack)}
    lowered = haystack.lower()
    missing = []
    for fact in sorted(facts(statement)):
        if fact[0].isdigit():
            ok = fact in numbers
        else:
            ok = re.search(rf"\b{re.escape(fact.lower())}", lowered) is not None
        if not ok:
            missing.append(fact)
    return tuple(missing)


def wrong_speaker(
    statement: str, passage: Passage, start: int, end: int, people: Collection[str]
) -> tuple[str, ...]:
    """``("said by X",)`` when the statement names people (of ``people``) but not X, who
    said the cited sentence: "Luong Cuong proposed …" citing Xi's proposal fails."""
    speakers = {x.speaker for x in passage.chunk.sentences if x.start < end and x.end > start and x.speaker}
    speakers.discard(JOINT)
    if not speakers:
        return ()
    words = set(re.findall(r"[\w’'-]+", statement))
    named = {person for person in people if words & set(person.split())}
    if named and not named & speakers:
        return tuple(f"said by {person}" for person in sorted(speakers))
    return ()


class CitationVerifier:
    """Decides, per answer sentence, whether the passages it cites support it."""

    def __init__(self, embedder: SentenceEmbedder, min_similarity: float = 0.6) -> None:
        self.embed = EmbeddingCache(embedder)
        self.min_similarity = min_similarity

    def support(self, statement: str, marker: int, passage: Passage, people: Collection[str] = ()) -> Support:
        """The sentence of ``passage`` that best supports ``statement``.

        A statement is compared with each sentence, each pair of adjacent sentences and
        the clauses of long sentences (a news sentence often packs several proposals;
        a statement that paraphrases one of them matches that clause, not the whole). The
        support reported is always whole sentences: that is what gets highlighted.
        """
        offset = passage.chunk.start
        spans = [(x.start, x.end) for x in passage.chunk.sentences] or [
            (passage.chunk.start, passage.chunk.end)
        ]
        windows: list[tuple[str, tuple[int, int]]] = []
        for a, b in spans:
            sentence = passage.chunk.text[a - offset : b - offset]
            windows.append((sentence, (a, b)))
            windows += [(clause, (a, b)) for clause in clauses(sentence)]
        for (a, _), (_, b) in zip(spans, spans[1:], strict=False):
            windows.append((passage.chunk.text[a - offset : b - offset], (a, b)))
        vectors = self.embed([statement, *(w for w, _ in windows)])
        sims = vectors[1:] @ vectors[0]
        best = int(np.argmax(sims))
        start, end = windows[best][1]
        if (start, end) not in spans:  # a pair: highlight the one sentence that matters more
            a = spans.index(next(sp for sp in spans if sp[0] == start))
            pair_sims = [
                float(max(sims[k] for k, (_, sp) in enumerate(windows) if sp == spans[i])) for i in (a, a + 1)
            ]
            if max(pair_sims) >= float(sims[best]) - 0.03:
                start, end = spans[a + int(np.argmax(pair_sims))]
        text = passage.chunk.text[start - offset : end - offset]
        missing = missing_facts(statement, passage) + wrong_speaker(statement, passage, start, end, people)
        return Support(marker, float(sims[best]), start, end, text, missing)

    def check(self, text: str, passages: Sequence[Passage]) -> list[Statement]:
        """One ``Statement`` per sentence of ``text``; markers refer to ``passages`` (1-based)."""
        statements: list[Statement] = []
        people = {x.speaker for p in passages for x in p.chunk.sentences if x.speaker} - {JOINT}
        for sentence in answer_sentences(text):
            clean, markers, unknown = split_markers(sentence, len(passages))
            clean = _BULLET.sub("", clean)
            if not clean:
                continue
            if not markers:
                problem = "cites a source that does not exist" if unknown else "cites no source"
                statements.append(Statement(text=clean, problem=problem))
                continue
            supports = [self.support(clean, n, passages[n - 1], people) for n in markers]
            passing = [s for s in supports if s.similarity >= self.min_similarity and not s.missing]
            best = max(passing or supports, key=lambda s: (not s.missing, s.similarity))
            problem = ""
            if not passing:
                said_by = [m for m in best.missing if m.startswith("said by ")]
                if said_by:
                    problem = "the cited source attributes this to " + " and ".join(
                        m.removeprefix("said by ") for m in said_by
                    )
                elif best.missing:
                    problem = "the cited source does not contain " + ", ".join(f"“{m}”" for m in best.missing)
                else:
                    problem = "not supported by the cited source"
            statements.append(
                Statement(
                    text=clean,
                    cited=markers,
                    markers=tuple(s.marker for s in passing),
                    verified=bool(passing),
                    supported_by=best.marker,
                    support=best.text,
                    support_start=best.start,
                    support_end=best.end,
                    similarity=round(best.similarity, 4),
                    problem=problem,
                )
            )
        return statements
