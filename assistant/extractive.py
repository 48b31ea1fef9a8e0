"""The default answerer: quotes the sentences that answer the question, each cited.

No language model: every statement is a sentence (or an excerpt of one) from a passage,
so it cannot misquote. Each candidate sentence gets an evidence score

    evidence = 0.5 * cosine(question, sentence) + 0.5 * idf-weighted term coverage - unseen

where coverage counts the question's content terms found in the sentence or in the name
of its speaker ("he" in a sentence about Xi covers "Xi"), in part those found only in the
sentence before a statement by the same speaker, and in part a word close in meaning to a
term no candidate has (``assistant/meaning.py``). ``unseen`` is the graded penalty for a
question noun that no article uses, by how far the sentence's closest word is from it. When
the question names a person, that person's sentences rank up and other speakers' down. The
best evidence below ``min_evidence`` means the articles do not answer the question; when
the question asks for a kind of thing (a number, a date, a person: ``assistant/asked.py``)
and no good sentence holds one, the answer is a near miss: what the articles do say, and
that they do not say this.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant import prompts
from assistant.asked import AnswerKinds, Asked
from assistant.followup import carried_turn
from assistant.meaning import CLOSE, Closeness, WordVectors, credit, words_of
from assistant.news import EVENT_DATE, Kind, article_label, event_date, question_kind, without_dates
from assistant.roles import asked_by_role, asks_for_statement, role_words, speaker_phrases
from assistant.sentences import EmbeddingCache
from assistant.types import Answer, Citation
from index.embed import SentenceEmbedder
from index.speakers import JOINT
from index.terms import stem, terms
from index.types import Passage, Sentence

# Speech-act verbs say *that* someone spoke, not *what* about: the speaker match covers them.
SPEECH_STEMS = frozenset(
    stem(w)
    for w in "say said says tell told think propose proposed suggest stress emphasize emphasise "
    "call agree agreed state mention talk describe express".split()
)
# Words that frame a comparison or timeline rather than say what it is about: "compare the
# April and September meetings on railways" is answered by what each says about railways.
FRAME_STEMS = frozenset(
    stem(w)
    for w in "compare comparison differ difference different change changed between each both "
    "meeting meetings visit visits develop developed evolve timeline".split()
)
_LEADING_PRONOUN = re.compile(r"(?:^|,\s+)(he|she)\s+(?=\w)", re.IGNORECASE)
SPEAKER_BONUS = 0.10
# And this much more for their own quoted words ("What did the governor say?": his quotation
# before the sentences that only report on him).
QUOTE_BONUS = 0.05
DATE_BONUS = 0.05  # "when" questions: a sentence stating a date answers them
MAX_ARTICLES = 6  # most articles a timeline or comparison lists
ARTICLE_MARGIN = 0.1  # how much weaker than the best another article's best may be in them
OTHER_SPEAKER_PENALTY = 0.25
EXCERPT_CHARS = 300
# Further sentences join the answer when they rank within this of the best one.
ANSWER_MARGIN = 0.15
# A sentence whose terms are mostly in an already quoted one adds nothing (photo captions).
REDUNDANT_SHARE = 0.8
# A question term found only in the article's title counts this much: every sentence of an
# article is about what its title names ("the show" in a report titled "Beyoncé's Renaissance film …").
TITLE_CREDIT = 0.3
# A term of a follow-up's standalone query that only the earlier turn has ("Denise George" in
# "And what did the governor say?") weighs this much of its idf: it names what "she" or "it" is,
# the follow-up's own words say what is asked.
CARRIED_WEIGHT = 0.5
# A question term found only in the sentence before a statement (same speaker) counts this much.
CONTEXT_CREDIT = 0.5
# A question noun that no article uses lowers a sentence's evidence by up to this much times
# its share of the question's term weight: nothing when a word of the sentence is CLOSE to it,
# in full when none is closer than UNRELATED (about the median closeness, 0.52, of the merely
# related word pairs of bench/data/word_pairs.jsonl).
UNSEEN_PENALTY = 0.4
UNRELATED = 0.5
UNRELATED_POOL = 12  # the best sentences searched for a close word before naming a noun as unmentioned
# How many of the best sentences are checked for the kind of thing the question asks for.
TYPED_POOL = 8


@dataclass
class _Candidate:
    passage: Passage
    sentence: Sentence
    text: str
    evidence: float = 0.0
    rank: float = 0.0
    answer_span: tuple[int, int] | None = None  # where in ``text`` the asked-for thing is
    context: str = ""  # the sentence before, when the same person speaks in both


def _quoted_list(words: Sequence[str]) -> str:
    """'football'; 'Joe' or 'Biden'; 'a', 'b' or 'c'."""
    quoted = [f"“{w}”" for w in words]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def named_people(question: str, speakers: set[str]) -> set[str]:
    """Speakers the question names: 'Xi' names 'Xi Jinping'."""
    words = set(re.findall(r"[A-Z][\w’'-]+", question))
    return {s for s in speakers if s != JOINT and words & set(s.split())}


class ExtractiveAnswerer:
    """Answers from the retrieved passages by selecting and citing their best sentences."""

    def __init__(
        self,
        embedder: SentenceEmbedder,
        idf: Callable[[list[str]], dict[str, float]],
        min_evidence: float,
        max_sentences: int = 3,
        closest: int = 3,
        unmentioned: Callable[[str], list[str]] | None = None,
        article_text: Callable[[str], str] | None = None,
    ) -> None:
        """``unmentioned(question)`` names the question's nouns that no article mentions;
        ``article_text(article_id)`` reads an article (where speakers' titles are found)."""
        self.unmentioned = unmentioned
        self.article_text = article_text
        self.embed = EmbeddingCache(embedder)
        self.vectors = WordVectors()
        self.kinds = AnswerKinds(self.vectors)
        self.closeness = Closeness(self.vectors, self.embed)
        self.idf = idf
        self.min_evidence = min_evidence
        self.max_sentences = max_sentences
        self.closest = closest

    def warm_up(self) -> None:
        """Load the tagger, the parser and the word vectors now rather than on the first question."""
        if self.unmentioned is not None:
            self.unmentioned("Warm up the tagger.")
        self.kinds.holds(["The strike lasted three days."], self.kinds.expected("How long?"), "How long?")
        self.vectors.known(["warm"])

    def score(
        self,
        question: str,
        passages: Sequence[Passage],
        query: str | None = None,
        unseen_nouns: list[str] | None = None,
    ) -> list[_Candidate]:
        """Every distinct sentence of the passages with its evidence and rank, best first
        (``_scored``)."""
        return self._scored(question, passages, query, unseen_nouns)[0]

    def _scored(
        self,
        question: str,
        passages: Sequence[Passage],
        query: str | None = None,
        unseen_nouns: list[str] | None = None,
    ) -> tuple[list[_Candidate], set[str]]:
        """Every distinct sentence of the passages with its evidence and rank, best first.

        ``query`` (default: the question) is what is matched; the people the question
        itself names decide the speaker preference. ``unseen_nouns``: the question's nouns
        no article uses, when the caller has them (``_unseen_nouns``). Also returns the people
        whose statements the question asks for (``_speakers_asked``).
        """
        query = query or question
        if unseen_nouns is None:
            unseen_nouns = self._unseen_nouns(question)
        seen: dict[tuple[str, int], _Candidate] = {}
        for passage in passages:  # passages arrive best first: keep a sentence's best passage
            previous = None
            for sentence in passage.chunk.sentences:
                key = (passage.article_id, sentence.start)
                if key not in seen:
                    # A statement often follows the sentence that says who speaks and on what
                    # ("…, said the chief executive. 'We feel good about the market.'"): that
                    # sentence is its context.
                    same = previous is not None and sentence.speaker not in (None, JOINT)
                    context = (
                        passage.sentence_text(previous)
                        if same and previous.speaker == sentence.speaker
                        else ""
                    )
                    seen[key] = _Candidate(
                        passage, sentence, passage.sentence_text(sentence), context=context
                    )
                previous = sentence
        asked = set(terms(query))
        candidates = [c for c in seen.values() if not _restates(c.text, asked)]
        if not candidates:
            return [], set()

        vectors = self.embed([query] + [c.text for c in candidates])
        cosine = vectors[1:] @ vectors[0]
        kind = question_kind(question)
        ignored = SPEECH_STEMS | (FRAME_STEMS if kind in ("comparison", "timeline") else frozenset())
        # The dates of a comparison pick its articles ("the April and September meetings");
        # what each says is about the rest ("on railways"). A timeline's items are dated events.
        matched = without_dates(query) if kind == "comparison" else query
        wanted = [t for t in dict.fromkeys(terms(matched)) if t not in ignored]
        weights = self.idf(wanted) if wanted else {}
        if query != question:  # a follow-up: words carried over from the earlier turn count less
            own = set(terms(question))
            weights = {t: w if t in own else CARRIED_WEIGHT * w for t, w in weights.items()}
        total = sum(weights.values())
        vocab, columns = _word_columns([words_of(c.text) for c in candidates])
        people = self._speakers_asked(question, candidates)
        # The standalone query of a follow-up may name people the question does not; those of
        # the question itself ("the governor") replace the earlier turn's ("Denise George").
        query_people = people if query == question or people else self._speakers_asked(query, candidates)
        covered = self._coverage(query, wanted, weights, candidates, vocab, columns, query_people)
        dated = kind in ("when", "timeline")  # items of a timeline are dated events
        unseen = self._unseen_penalty(unseen_nouns, weights, total, vocab, columns)
        for i, (cand, cos) in enumerate(zip(candidates, cosine, strict=True)):
            coverage = covered[i] / total if total else float(cos)
            cand.evidence = float(np.clip(0.5 * cos + 0.5 * coverage - unseen[i], 0.0, 1.0))
            cand.rank = cand.evidence
            speaker = cand.sentence.speaker
            if people and speaker in people:
                cand.rank += SPEAKER_BONUS
                if _quotation(cand.text):  # what they said, in their own words
                    cand.rank += QUOTE_BONUS
            elif people and speaker and speaker != JOINT:
                cand.rank -= OTHER_SPEAKER_PENALTY
            if dated and EVENT_DATE.search(cand.text):
                cand.rank += DATE_BONUS
        return sorted(candidates, key=lambda c: c.rank, reverse=True), people

    def _speakers_asked(self, question: str, candidates: list[_Candidate]) -> set[str]:
        """The people whose statements the question asks for: the speakers it names when it
        asks what someone said, thought or proposed, unless it asks who ("Who hosted the
        banquet for Xi?" names Xi as the guest, not the host; "Why did the Rogers sisters sit
        out the talks?" asks for a reason, not for a Rogers' statement)."""
        if self.kinds.expected(question).kind == "person" or not asks_for_statement(question):
            return set()
        if re.match(r"\W*why\b", question, re.IGNORECASE):  # a reason, whoever gives it
            return set()
        # An outlet is named as where something was reported ("as reported by The Verge"),
        # not as a speaker, even where an article quotes it.
        outlets = [set(c.passage.source.lower().split()) for c in candidates if c.passage.source]
        speakers = {c.sentence.speaker for c in candidates if c.sentence.speaker}
        named = named_people(
            question, {s for s in speakers if not any(set(s.lower().split()) <= o for o in outlets)}
        )
        if named or self.article_text is None:
            return named
        # Asked by role: "What did Nike's chief executive say?" asks for "CEO John Donahoe".
        pairs = {(c.sentence.speaker, c.passage.article_id) for c in candidates}
        return asked_by_role(
            question, sorted((s, a) for s, a in pairs if s not in (None, JOINT)), self.article_text
        )

    def _unseen_nouns(self, question: str) -> list[str]:
        """The question's nouns that no article uses (not speech verbs the tagger read as nouns:
        "mention")."""
        if self.unmentioned is None:
            return []
        return [n for n in self.unmentioned(question) if not set(terms(n)) <= SPEECH_STEMS]

    def _unseen_penalty(
        self,
        nouns: list[str],
        weights: dict[str, float],
        total: float,
        vocab: list[str],
        columns: list[list[int]],
    ) -> np.ndarray:
        """How much each candidate's evidence drops for the question's nouns that no article
        uses: for each, ``UNSEEN_PENALTY`` × its share of the question's term weight × how
        far the sentence's closest word is from it in meaning (nothing at ``CLOSE``, all of
        it at ``UNRELATED``). A graded penalty, not a veto: a synonym in the sentence costs
        little, and strong evidence for the rest of the question can still answer."""
        out = np.zeros(len(columns))
        if not nouns or not total:
            return out
        shares = [sum(weights.get(t, 0.0) for t in set(terms(n))) / total for n in nouns]
        nouns = [n.lower() for n, share in zip(nouns, shares, strict=True) if share > 0]
        shares = [share for share in shares if share > 0]
        if not nouns:
            return out
        near = self.closeness.similarity(nouns, vocab)
        for i, cols in enumerate(columns):
            closest = near[:, cols].max(axis=1) if cols else np.zeros(len(nouns))
            gap = np.clip((CLOSE - closest) / (CLOSE - UNRELATED), 0.0, 1.0)
            out[i] = UNSEEN_PENALTY * float(np.dot(shares, gap))
        return out

    def _coverage(
        self,
        query: str,
        wanted: list[str],
        weights: dict[str, float],
        candidates: list[_Candidate],
        vocab: list[str],
        columns: list[list[int]],
        people: set[str],
    ) -> np.ndarray:
        """Idf-weighted coverage of the query's terms by each candidate (sentence and speaker);
        ``people``: the speakers the query asks for.

        A term the sentence has counts fully. A term it lacks counts in part when a word of
        the sentence is close to it in meaning (``assistant/meaning.py``: synonyms bridge a
        question worded differently from the articles), but only where that is needed: when
        no candidate sentence has the term itself, or, for a question that names people, none
        of theirs does ("sea" in another speaker's sentence is no reason to read "ship" as
        "sea" in this one's).
        """
        surface: dict[str, list[str]] = {}
        for word in words_of(query):
            found = terms(word)
            if found and found[0] in weights:
                surface.setdefault(found[0], []).append(word)
        # A sentence of a speaker the question asks for by role covers the role's words: "the
        # governor" in "What did the governor say?" for Governor Bryan's sentences.
        named_by = role_words(query) if people else set()
        have = [
            set(terms(c.text))
            | set(terms(c.sentence.speaker or ""))
            | (named_by if c.sentence.speaker in people else set())
            for c in candidates
        ]
        out = np.array([sum(weights[t] for t in wanted if t in mine) for mine in have], dtype=float)
        titles: dict[str, set[str]] = {}
        for i, cand in enumerate(candidates):  # a term only in the context or title counts in part
            around = set(terms(cand.context)) - have[i] if cand.context else set()
            out[i] += CONTEXT_CREDIT * sum(weights[t] for t in wanted if t in around)
            title = cand.passage.title or ""
            if title not in titles:
                titles[title] = set(terms(title))
            topic = titles[title] - have[i] - around
            out[i] += TITLE_CREDIT * sum(weights[t] for t in wanted if t in topic)
        theirs = [
            h for h, c in zip(have, candidates, strict=True) if not people or c.sentence.speaker in people
        ]
        bridged = [t for t in wanted if surface.get(t) and not any(t in h for h in theirs)]
        if not bridged:
            return out
        asked = [(t, w) for t in bridged for w in surface[t]]
        near = self.closeness.similarity([w for _, w in asked], vocab)
        for i, (mine, cols) in enumerate(zip(have, columns, strict=True)):
            for k, (t, _) in enumerate(asked):
                if t not in mine and cols:
                    out[i] += weights[t] * float(credit(near[k, cols].max())) / len(surface[t])
        return out

    def answer(self, question: str, passages: Sequence[Passage], query: str | None = None) -> Answer:
        """Answer ``question`` from ``passages``; ``query`` is the standalone form used for scoring."""
        unseen_nouns = self._unseen_nouns(question)
        ranked, named = self._scored(question, passages, query, unseen_nouns)
        best = ranked[0] if ranked else None
        # Nouns no article uses and nothing in the best sentences comes close to: they have
        # lowered the evidence already (score); here they only word a refusal.
        missing = self._unrelated(unseen_nouns, ranked)
        if best is None or best.evidence < self.min_evidence or best.rank < self.min_evidence:
            nearest = self._distinct(ranked)[: self.closest]
            closest = tuple(self._cite(i + 1, c) for i, c in enumerate(nearest))
            if missing:  # the question is about something no article mentions
                text = prompts.render("unmentioned", terms=_quoted_list(missing))
            else:
                text = prompts.render("refusal")
            return Answer(question=question, text=text, found=False, closest=closest)

        unquoted = self._unquoted(question, ranked)
        if unquoted:  # "What did Edward Rogers say …?" where no article quotes him
            return self._near_miss(question, f"what {unquoted} said about it", best, query or question)
        kind = question_kind(question)
        asked = self.kinds.expected(question) if kind not in ("timeline", "comparison") else Asked(None)
        if asked.kind is not None:
            carried = carried_turn(question, query)  # the earlier turn a follow-up refers to
            ranked, answered = self._holding(query or question, asked, ranked, best, carried)
            # The passages discuss the topic but hold no such answer. "Where" is only a
            # preference: it often asks for a situation ("where might … be at odds"), not a place.
            if not answered and asked.kind != "place":
                return self._near_miss(question, self.kinds.what(asked), ranked[0], query or question)
            best = ranked[0]
        if kind in ("timeline", "comparison"):
            if kind == "timeline":  # an item of a timeline is a dated event: dated sentences first
                ranked = sorted(ranked, key=lambda c: EVENT_DATE.search(c.text) is None)
            chosen = self._per_article(ranked, best, 1 if kind == "timeline" else 2)
            query = without_dates(query or question)
        else:
            chosen = []
            for cand in self._distinct(ranked):
                if len(chosen) == self.max_sentences or cand.rank < best.rank - ANSWER_MARGIN:
                    break
                if cand.evidence >= self.min_evidence and not any(_repeats(cand, c) for c in chosen):
                    chosen.append(cand)
        citations = tuple(self._cite(i + 1, c) for i, c in enumerate(chosen))
        statements = [self._statement(c, i + 1, query or question, lead=kind) for i, c in enumerate(chosen)]
        if kind in ("timeline", "comparison"):
            text = _by_article(chosen, statements)
        else:
            if len({c.passage.article_id for c in chosen}) > 1:  # say which article each point is from
                by_date = len({c.passage.date for c in chosen}) > 1
                statements = [
                    f"{_article_label(c.passage, by_date)} · {s}"
                    for c, s in zip(chosen, statements, strict=True)
                ]
            text = statements[0] if len(statements) == 1 else "\n".join(f"- {s}" for s in statements)
        said = {c.sentence.speaker for c in chosen}
        if named and not named & said and said - {None, JOINT}:
            others = ", ".join(sorted(said - {None, JOINT}))
            text = (
                f"The articles do not attribute this to {' or '.join(sorted(named))}; "
                f"the closest statements are by {others}:\n{text}"
            )
        return Answer(question=question, text=text, found=True, citations=citations)

    def _holding(
        self, question: str, asked: Asked, ranked: list[_Candidate], best: _Candidate, carried: str = ""
    ) -> tuple[list[_Candidate], bool]:
        """The ranking with the sentences that hold the asked kind of thing first (among those
        within ``ANSWER_MARGIN`` of the best), and whether there is one; ``carried``: the
        earlier turn a follow-up refers to."""
        top = [
            c
            for c in self._distinct(ranked)[:TYPED_POOL]
            if c.evidence >= self.min_evidence and c.rank >= best.rank - ANSWER_MARGIN
        ]
        spans = self.kinds.holds(
            [c.text for c in top], asked, question, [c.sentence.speaker for c in top], carried=carried
        )
        typed = []
        for cand, span in zip(top, spans, strict=True):
            if span is not None:
                cand.answer_span = span
                typed.append(cand)
        if not typed:
            return ranked, False
        others = [c for c in ranked if c not in typed]
        return typed + others, True

    def _near_miss(self, question: str, what: str, closest: _Candidate, query: str) -> Answer:
        """Not found: what the best passage does say [1], and that it does not say ``what``."""
        statement = self._statement(closest, 1, query)
        text = prompts.render("near_miss", what=what, statement=statement)
        return Answer(question=question, text=text, found=False, citations=(self._cite(1, closest),))

    def _unquoted(self, question: str, ranked: list[_Candidate]) -> str | None:
        """A person the question asks to be quoted whom the passages mention but never let
        speak (no sentence of theirs, and in none do they say, think or feel something)."""
        if not asks_for_statement(question):
            return None
        speakers = {c.sentence.speaker for c in ranked if c.sentence.speaker not in (None, JOINT)}
        texts = [c.text for c in ranked]
        asked = " ".join(speaker_phrases(question))  # not "Epstein" in "what did X say about Epstein"
        for person in (p for p in self.kinds.people(question) if p in asked):
            words = set(person.split())
            mentioned = any(words & set(re.findall(r"[\w’'-]+", t)) for t in texts)
            spoke = any(words <= set(s.split()) or set(s.split()) <= words for s in speakers)  # "Xi Jinping"
            if mentioned and not spoke and not self.kinds.voices(texts, person):
                return person
        return None

    def _unrelated(self, nouns: list[str], ranked: list[_Candidate]) -> list[str]:
        """The ``nouns`` (no article uses them) that no word of the candidate sentences is
        close to in meaning (``assistant/meaning.py``)."""
        if not nouns:
            return []
        words = [w for c in ranked[:UNRELATED_POOL] for w in words_of(c.text)]
        nearest = self.closeness.nearest([n.lower() for n in nouns], words)
        return [n for n, sim in zip(nouns, nearest, strict=True) if sim < CLOSE]

    def _per_article(self, ranked: list[_Candidate], best: _Candidate, per_article: int) -> list[_Candidate]:
        """The best ``per_article`` answering sentences of each article, oldest article first.

        Timelines and comparisons need every article that answers, not the best three
        sentences overall (which may all come from one report). Once the best sentence has
        shown that the articles answer, another article's best may be weaker by up to
        ``ARTICLE_MARGIN`` (a report of another meeting words the topic differently).
        """
        floor = min(self.min_evidence, best.evidence - ARTICLE_MARGIN)
        by_article: dict[str, list[_Candidate]] = {}
        for cand in self._distinct(ranked):
            if cand.evidence < floor:
                continue
            mine = by_article.setdefault(cand.passage.article_id, [])
            if (
                len(mine) < per_article
                and (not mine or cand.rank >= mine[0].rank - ANSWER_MARGIN)
                and not any(_repeats(cand, c) or _repeats(c, cand) for c in mine)
            ):
                mine.append(cand)
        groups = sorted(
            by_article.values(), key=lambda g: (g[0].passage.date or dt.date.max, g[0].passage.title)
        )
        return [c for group in groups[:MAX_ARTICLES] for c in group]

    @staticmethod
    def _distinct(ranked: list[_Candidate]) -> list[_Candidate]:
        """Drop sentences whose text repeats a better one (syndicated or duplicated copies)."""
        seen: set[str] = set()
        out = []
        for cand in ranked:
            key = " ".join(cand.text.lower().split())
            if key not in seen:
                seen.add(key)
                out.append(cand)
        return out

    @staticmethod
    def _cite(n: int, cand: _Candidate) -> Citation:
        return Citation(
            n=n,
            passage=cand.passage,
            sentence=cand.text,
            start=cand.sentence.start,
            end=cand.sentence.end,
            speaker=cand.sentence.speaker,
            score=cand.evidence,
        )

    def _statement(self, cand: _Candidate, n: int, question: str, lead: Kind = "plain") -> str:
        """The sentence (or its most relevant excerpt) with the speaker made explicit.

        ``who`` questions lead with the speaker ("Xi Jinping: … [1]"); ``when`` questions
        with the date the sentence states for the event ("September 4, 2025: … [1]").
        """
        keep = cand.answer_span
        if keep is None and asks_for_statement(question):  # what someone said: their words
            keep = _quotation(cand.text)
        text = excerpt(cand.text, question, self.idf, keep=keep)
        speaker = cand.sentence.speaker
        if lead == "who" and speaker:
            return f"{'Both sides' if speaker == JOINT else speaker}: {text} [{n}]"
        if lead == "when" and (date := event_date(cand.text, cand.passage.date)):
            text = f"{date}: {text}"
        if speaker and speaker != JOINT and not set(speaker.split()) & set(re.findall(r"\w+", text)):
            pronoun = _LEADING_PRONOUN.search(text)
            if pronoun:
                text = f"{text[: pronoun.end(1)]} ({speaker}){text[pronoun.end(1) :]}"
            else:
                text = f"{speaker}: {text}"
        return f"{text} [{n}]"


_QUOTATION = re.compile(r"“[^”]{30,}”|\"[^\"]{30,}\"")


def _quotation(text: str) -> tuple[int, int] | None:
    """Where the longest quotation of a sentence is (of 30 characters or more)."""
    quotes = [m.span() for m in _QUOTATION.finditer(text)]
    return max(quotes, key=lambda span: span[1] - span[0]) if quotes else None


def _by_article(chosen: list[_Candidate], statements: list[str]) -> str:
    """One line per article, labelled with its date and place, in the order given."""
    lines: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for cand, statement in zip(chosen, statements, strict=True):
        lines.setdefault(cand.passage.article_id, []).append(statement)
        labels[cand.passage.article_id] = article_label(cand.passage)
    return "\n".join(f"- {labels[a]} — {' '.join(parts)}" for a, parts in lines.items())


def _article_label(passage: Passage, by_date: bool) -> str:
    """Which article a point is from: its date when the points' dates differ, else its source,
    else its (short) title."""
    if by_date and passage.date:
        return passage.date.strftime("%-d %b %Y")
    label = passage.source or passage.title or "undated"
    return label if len(label) <= 40 else label[:39] + "…"


def _word_columns(words: list[list[str]]) -> tuple[list[str], list[list[int]]]:
    """The distinct words of the candidates, and each candidate's words as columns into them."""
    vocab = list(dict.fromkeys(w for ws in words for w in ws))
    column = {w: j for j, w in enumerate(vocab)}
    return vocab, [[column[w] for w in ws] for ws in words]


def _names_and_numbers(text: str) -> set[str]:
    """Terms of capitalised words and numbers: the parts of a sentence that carry its facts."""
    return {stem(w) for w in re.findall(r"\b(?:[A-Z][\w’'-]*|\d[\d.,]*)", text)}


def _repeats(cand: _Candidate, other: _Candidate) -> bool:
    """``cand`` says little beyond ``other``: most of its terms are already there.

    Two versions of one sentence that swap a name or number ("in Tampa, Florida" /
    "in Glendale, Arizona") are not repeats: they disagree, and both are shown.
    """
    mine, theirs = set(terms(cand.text)), set(terms(other.text))
    if not mine or len(mine & theirs) / len(mine) < REDUNDANT_SHARE:
        return False
    facts_mine, facts_theirs = _names_and_numbers(cand.text), _names_and_numbers(other.text)
    return not ((mine - theirs) & facts_mine and (theirs - mine) & facts_theirs)


def _restates(text: str, query_terms: set[str]) -> bool:
    """A sentence that only repeats the question (a headline, a quoted question) answers nothing."""
    return text.rstrip().endswith("?") or says_nothing_new(text, query_terms)


def says_nothing_new(text: str, query_terms: set[str]) -> bool:
    """Every content term of ``text`` is one of the question's (speech verbs aside)."""
    return not (set(terms(text)) - query_terms - SPEECH_STEMS)


def excerpt(
    sentence: str,
    question: str,
    idf: Callable[[list[str]], dict[str, float]],
    keep: tuple[int, int] | None = None,
) -> str:
    """A long sentence cut to the run of clauses that best covers the question's terms and
    holds ``sentence[keep[0]:keep[1]]`` (the asked-for thing) when given: never cut before it."""
    if len(sentence) <= EXCERPT_CHARS:
        return sentence
    clauses = [m for m in re.finditer(r"[^,;]+(?:[,;]|$)", sentence)]
    wanted = set(terms(question)) - SPEECH_STEMS
    weights = idf(list(wanted)) if wanted else {}
    hits = [i for i, c in enumerate(clauses) if set(terms(c.group())) & wanted]
    best_span, best_value = (0, EXCERPT_CHARS), (-1.0, 0.0)
    if keep is not None:  # if no window holds the thing, the one that starts with it
        first = next((i for i, c in enumerate(clauses) if c.end() > keep[0]), 0)
        best_span = (clauses[first].start(), max(keep[1], clauses[first].end()))
    for i in range(len(clauses)):
        j = i
        while j + 1 < len(clauses) and clauses[j + 1].end() - clauses[i].start() <= EXCERPT_CHARS:
            j += 1
        span = (clauses[i].start(), clauses[j].end())
        if keep is not None and not (span[0] <= keep[0] and keep[1] <= span[1]):
            continue
        have = set(terms(sentence[span[0] : span[1]]))
        inside = [h for h in hits if i <= h <= j]
        # Most question terms first; then the matching clauses nearest the middle.
        centred = -abs((sum(inside) / len(inside)) - (i + j) / 2) if inside else 0.0
        value = (sum(w for t, w in weights.items() if t in have), centred)
        if value > best_value:
            best_span, best_value = span, value
    start, end = best_span
    piece = sentence[start:end].strip().rstrip(",;")
    return ("…" if start > 0 else "") + piece + ("…" if end < len(sentence.rstrip()) else "")
