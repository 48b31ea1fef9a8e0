"""Stage 3 of an answer: which of the ranked sentences answer, or why none does.

From the ranking of ``assistant/evidence.py`` this stage decides:

- whether the articles answer at all (the best evidence reaches ``min_evidence``), and
  which question nouns nothing in them comes close to (for the refusal's wording);
- whether a person the question asks to be quoted speaks in the passages at all;
- for a question that asks for a kind of thing (a number, a date, a person …), which of
  the best sentences hold one and where (``answer_span``), or that none does (a near miss);
- the sentences shown: the best few within ``ANSWER_MARGIN`` of the best, or, for a
  timeline or comparison, the best of each article, oldest article first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from assistant.asked import AnswerKinds, Asked
from assistant.evidence import Candidate, mentions
from assistant.meaning import CLOSE, Closeness, words_of
from assistant.roles import speaker_phrases, titles
from index.chunk import split_sentences
from index.speakers import JOINT, SILENT
from index.terms import stem, terms

MAX_ARTICLES = 6  # most articles a timeline or comparison lists
ARTICLE_MARGIN = 0.1  # how much weaker than the best another article's best may be in them
# Further sentences join the answer when they rank within this of the best one.
ANSWER_MARGIN = 0.15
# A sentence whose terms are mostly in an already quoted one adds nothing (photo captions).
REDUNDANT_SHARE = 0.8
UNRELATED_POOL = 12  # the best sentences searched for a close word before naming a noun as unmentioned
# How many of the best sentences are checked for the kind of thing the question asks for.
TYPED_POOL = 8


def distinct(ranked: list[Candidate]) -> list[Candidate]:
    """Drop sentences whose text repeats a better one (syndicated or duplicated copies)."""
    seen: set[str] = set()
    out = []
    for cand in ranked:
        key = " ".join(cand.text.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(cand)
    return out


def _names_and_numbers(text: str) -> set[str]:
    """Terms of capitalised words and numbers: the parts of a sentence that carry its facts."""
    return {stem(w) for w in re.findall(r"\b(?:[A-Z][\w’'-]*|\d[\d.,]*)", text)}


def repeats(cand: Candidate, other: Candidate) -> bool:
    """``cand`` says little beyond ``other``: most of its terms are already there.

    Two versions of one sentence that swap a name or number ("in Tampa, Florida" /
    "in Glendale, Arizona") are not repeats: they disagree, and both are shown.
    """
    mine, theirs = set(terms(cand.text)), set(terms(other.text))
    if not mine or len(mine & theirs) / len(mine) < REDUNDANT_SHARE:
        return False
    facts_mine, facts_theirs = _names_and_numbers(cand.text), _names_and_numbers(other.text)
    return not ((mine - theirs) & facts_mine and (theirs - mine) & facts_theirs)


class SentenceChooser:
    """The decisions of this stage, over one answerer's thresholds and models."""

    def __init__(
        self, kinds: AnswerKinds, closeness: Closeness, min_evidence: float, max_sentences: int = 3
    ) -> None:
        self.kinds = kinds
        self.closeness = closeness
        self.min_evidence = min_evidence
        self.max_sentences = max_sentences

    def answers(self, ranked: list[Candidate]) -> bool:
        """Whether the best sentence is evidence enough that the articles answer."""
        best = ranked[0] if ranked else None
        return best is not None and best.evidence >= self.min_evidence and best.rank >= self.min_evidence

    def unrelated(self, nouns: tuple[str, ...] | list[str], ranked: list[Candidate]) -> list[str]:
        """The ``nouns`` (no article uses them) that no word of the best sentences is close
        to in meaning (``assistant/meaning.py``): what a refusal says the articles do not mention."""
        if not nouns:
            return []
        words = [w for c in ranked[:UNRELATED_POOL] for w in words_of(c.text)]
        nearest = self.closeness.nearest([n.lower() for n in nouns], words)
        return [n for n, sim in zip(nouns, nearest, strict=True) if sim < CLOSE]

    def unquoted(
        self, question: str, ranked: list[Candidate], article_text: Callable[[str], str] | None = None
    ) -> str | None:
        """A person the question (one that asks what someone said) asks to be quoted whom the
        passages mention but never let speak (no sentence of theirs, and in none do they say,
        think or feel something), nor the rest of their articles (``article_text(id)``: a
        question about one act of theirs retrieves other passages than their statements)."""
        speakers = {c.sentence.speaker for c in ranked if c.sentence.speaker not in (None, JOINT)}
        texts = [c.text for c in ranked]
        asked = " ".join(speaker_phrases(question))  # not "Epstein" in "what did X say about Epstein"
        for person in (p for p in self.kinds.people(question) if p in asked):
            words = set(person.split())
            mentioned = [c for c in ranked if mentions(c.text, person)]
            spoke = any(words <= set(s.split()) or set(s.split()) <= words for s in speakers)  # "Xi Jinping"
            if not mentioned or spoke or self.kinds.voices(texts, person):
                continue
            if article_text is not None:
                articles = dict.fromkeys(c.passage.article_id for c in mentioned)
                elsewhere = [
                    text[start:end]
                    for article in articles
                    for text in [article_text(article)]
                    for start, end in split_sentences(text)
                ]
                if self.kinds.voices(elsewhere, person):
                    continue
            return person
        return None

    def silent(self, question: str, ranked: list[Candidate]) -> tuple[str, Candidate] | None:
        """The one a question asks to be quoted ("What did Kmart say …?") where a passage says
        they did not speak ("Kmart did not respond to requests for comment") and no sentence
        among the passages is theirs: their name, and that sentence."""
        speakers = [
            set(words_of(c.sentence.speaker)) for c in ranked if c.sentence.speaker not in (None, JOINT)
        ]
        for phrase in speaker_phrases(question):
            names = [w for w in phrase.split() if w[:1].isupper()]  # "Kmart", not "the company"
            asked = set(words_of(" ".join(names)))
            if not asked or any(asked & mine for mine in speakers):
                continue
            for cand in distinct(ranked):
                match = SILENT.search(cand.text)
                if match and asked <= set(words_of(cand.text[: match.start()])):
                    return " ".join(names), cand
        return None

    def holding(
        self, query: str, asked: Asked, ranked: list[Candidate], carried: str = ""
    ) -> tuple[list[Candidate], bool]:
        """The ranking with the sentences that hold the asked kind of thing first (among those
        within ``ANSWER_MARGIN`` of the best), each with its ``answer_span``, and whether there
        is one; ``carried``: the earlier turn a follow-up refers to."""
        top = self._contenders(ranked)
        spans = self.kinds.holds(
            [c.text for c in top], asked, query, [c.sentence.speaker for c in top], carried=carried
        )
        typed = []
        for cand, span in zip(top, spans, strict=True):
            if span is not None:
                cand.answer_span = span
                typed.append(cand)
        if not typed:
            return ranked, False
        # "When was the festival launched?": a date of the launch before the festival's other
        # dates (a sentence read with its context: "Next came the rail operator, for £5 million"
        # pays as the sentence before it does)
        verb = self.kinds.event(query)
        if verb:
            typed.sort(key=lambda c: not self.kinds.names_event(f"{c.context} {c.text}", verb))
        others = [c for c in ranked if c not in typed]
        return typed + others, True

    def statements(self, ranked: list[Candidate], named: set[str]) -> list[Candidate]:
        """The statements among the best sentences (as ``holding`` picks them): a speaker's,
        and one of ``named``'s when the question names whose ("When did Luong Cuong say
        China is an absolute priority?" is answered by the date of what he said)."""
        return [
            c
            for c in self._contenders(ranked)
            if c.sentence.speaker not in (None, JOINT) and (not named or c.sentence.speaker in named)
        ]

    def _contenders(self, ranked: list[Candidate]) -> list[Candidate]:
        """The best ``TYPED_POOL`` distinct sentences with evidence enough, within
        ``ANSWER_MARGIN`` of the best: where an answer of the asked kind is looked for."""
        best = ranked[0]
        return [
            c
            for c in distinct(ranked)[:TYPED_POOL]
            if c.evidence >= self.min_evidence and c.rank >= best.rank - ANSWER_MARGIN
        ]

    def describing(self, ranked: list[Candidate], person: str) -> list[Candidate]:
        """For "Who is X?": the ranking with the contenders that give X a title first ("IMPALA
        Executive Chair Helen Smith", "commissioner for values and transparency, Vera
        Jourova"), each with the name as its ``answer_span`` (a long sentence is cut around it)."""
        titled = []
        for cand in self._contenders(ranked):
            mention = re.search(rf"\b{re.escape(person.split()[-1])}\b", cand.text)
            if mention and titles(person, cand.text):
                cand.answer_span = cand.answer_span or mention.span()
                titled.append(cand)
        return titled + [c for c in ranked if c not in titled]

    def best_few(self, ranked: list[Candidate]) -> list[Candidate]:
        """The best sentence and up to ``max_sentences - 1`` more within ``ANSWER_MARGIN`` of
        it that have evidence enough of their own and do not repeat one already chosen."""
        best = ranked[0]
        chosen: list[Candidate] = []
        for cand in distinct(ranked):
            if len(chosen) == self.max_sentences or cand.rank < best.rank - ANSWER_MARGIN:
                break
            if cand.evidence >= self.min_evidence and not any(repeats(cand, c) for c in chosen):
                chosen.append(cand)
        return chosen

    def per_article(self, ranked: list[Candidate], best: Candidate, per_article: int) -> list[Candidate]:
        """The best ``per_article`` answering sentences of each article, oldest article first
        (``best``: the best-ranked sentence of all, when ``ranked`` puts others first).

        Timelines and comparisons need every article that answers, not the best three
        sentences overall (which may all come from one report). Once the best sentence has
        shown that the articles answer, another article's best may be weaker by up to
        ``ARTICLE_MARGIN`` (a report of another meeting words the topic differently).
        """
        floor = min(self.min_evidence, best.evidence - ARTICLE_MARGIN)
        by_article: dict[str, list[Candidate]] = {}
        for cand in distinct(ranked):
            if cand.evidence < floor:
                continue
            mine = by_article.setdefault(cand.passage.article_id, [])
            if (
                len(mine) < per_article
                and (not mine or cand.rank >= mine[0].rank - ANSWER_MARGIN)
                and not any(repeats(cand, c) or repeats(c, cand) for c in mine)
            ):
                mine.append(cand)
        groups = sorted(
            by_article.values(), key=lambda g: (g[0].passage.date or dt.date.max, g[0].passage.title)
        )
        return [c for group in groups[:MAX_ARTICLES] for c in group]
