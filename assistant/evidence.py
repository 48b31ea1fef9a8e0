"""Stage 2 of an answer: every sentence of the retrieved passages, scored as evidence.

Each candidate sentence gets an evidence score

    evidence = 0.5 * cosine(question, sentence) + 0.5 * idf-weighted term coverage - unseen

where coverage counts the question's content terms found in the sentence or in the name
of its speaker ("he" in a sentence about Xi covers "Xi"), in part those found only in the
sentence before a statement by the same speaker or in the article's title, and in part a
word close in meaning to a term no candidate has (``assistant/meaning.py``) or one that
names a kind of it ("railways" for "transport", ``assistant/hyponyms.py``). ``unseen`` is
the graded penalty for a question noun that no article uses, by how far the sentence's
closest word is from it (for a name, only what it abbreviates counts: "UN", "United
Nations"). The cosine reads a statement with its speaker's name for its "he" or "she" when
the question names that speaker. The rank adds what the question's shape prefers: when it
asks what a person said (by any verb of saying, or a noun such as "message"), that person's
sentences rank up, the more so those that use the question's own verb ("agreed" for "What
did Xi agree to?"), and other speakers' down; a "when" question prefers sentences that state
a date.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.asked import AnswerKinds
from assistant.hyponyms import Hyponyms, KindFinder
from assistant.meaning import CLOSE, MAX_CREDIT, Closeness, credit, words_of
from assistant.news import EVENT_DATE, without_dates
from assistant.nouns import FRAME_NOUNS
from assistant.roles import (
    SPEECH_STEMS,
    asked_by_role,
    names_speaker,
    role_words,
    speaker_phrases,
    speaking_for,
)
from assistant.sentences import EmbeddingCache
from assistant.understand import Understood
from index.speakers import JOINT, REPORTING_VERBS
from index.terms import stem, terms
from index.types import Passage, Sentence

# Words that frame a comparison or timeline rather than say what it is about: "compare the
# April and September meetings on railways" is answered by what each says about railways.
FRAME_STEMS = frozenset(
    stem(w)
    for w in "compare comparison differ difference different change changed between each both "
    "meeting meetings visit visits develop developed evolve timeline".split()
)
SPEAKER_BONUS = 0.10
# And this much more for their own quoted words ("What did the governor say?": his quotation
# before the sentences that only report on him).
QUOTE_BONUS = 0.05
DATE_BONUS = 0.05  # "when" questions: a sentence stating a date answers them
OTHER_SPEAKER_PENALTY = 0.25
# A question term found only in the article's title counts this much: every sentence of an
# article is about what its title names ("the show" in a report titled "Beyoncé's Renaissance film …").
TITLE_CREDIT = 0.3
# A name the question gives that only the sentence's passage has counts this much.
NAME_CREDIT = 0.5
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*")
# A term of a follow-up's standalone query that only the earlier turn has ("Denise George" in
# "And what did the governor say?") weighs this much of its idf: it names what "she" or "it" is,
# the follow-up's own words say what is asked.
CARRIED_WEIGHT = 0.5
# A question term found only in the sentence before a statement (same speaker) counts this much.
CONTEXT_CREDIT = 0.5
# The question's verb of saying in the sentence ranks it up this much ("What did Xi agree
# to?": "Xi agreed to …" before his other statements); its absence costs nothing ("What did
# Xi say about railways?" is answered by what he said, which seldom says "said").
SPEECH_BONUS = 0.05
# A question noun that no article uses lowers a sentence's evidence by up to this much times
# its share of the question's term weight: nothing when a word of the sentence is CLOSE to it,
# in full when none is closer than UNRELATED (about the median closeness, 0.52, of the merely
# related word pairs of bench/data/word_pairs.jsonl).
UNSEEN_PENALTY = 0.4
UNRELATED = 0.5
# A sentence that names a kind of a question word ("railways" for "transport") earns what the
# closest synonym would: not all of an exact match.
KIND_CREDIT = MAX_CREDIT
MAX_KINDS_SEARCHED = 100  # kinds of a word searched for a person's statements on them
# "the company" or "the firm" (GloVe: company/firm 0.89; /group 0.67, /agency 0.58, /court 0.44):
# a speaker described so is the company an earlier turn named.
COMPANY_SIMILARITY = 0.85


@dataclass
class Candidate:
    """A sentence of a retrieved passage, with its evidence for the question and its rank."""

    passage: Passage
    sentence: Sentence
    text: str
    evidence: float = 0.0
    rank: float = 0.0
    answer_span: tuple[int, int] | None = None  # where in ``text`` the asked-for thing is
    # where ``text`` names a kind of what the question names ("railways" for "transport")
    kind_span: tuple[int, int] | None = None
    context: str = ""  # the sentence before, when the same person speaks in both
    reported: str | None = None  # a statement's date: when its article's event took place


_QUOTATION = re.compile(r"“[^”]{30,}”|\"[^\"]{30,}\"")


def quotation(text: str) -> tuple[int, int] | None:
    """Where the longest quotation of a sentence is (of 30 characters or more)."""
    quotes = [m.span() for m in _QUOTATION.finditer(text)]
    return max(quotes, key=lambda span: span[1] - span[0]) if quotes else None


_POSSESSOR = re.compile(r"\b(?:[A-Z][\w-]*\s)*[A-Z][\w-]*\s?[’']s\b(?=\s+\w)")


_LINKS = frozenset(("of", "the", "and", "for"))


def spelled_out(acronym: str, text: str) -> tuple[int, int] | None:
    """Where ``text`` spells out ``acronym`` ("UN", "BoE": two or more capitals) as the
    initials of consecutive capitalised words, "of", "the", "and", "for" between them skipped
    ("United Nations", "Bank of England"), or None."""
    letters = "".join(c for c in acronym if c.isalpha())
    if len(letters) < 2 or sum(c.isupper() for c in letters) < 2:
        return None
    wanted = "".join(c for c in letters if c.isupper())
    run: list[re.Match[str]] = []  # the capitalised words (links skipped) since the last break
    for match in re.finditer(r"[A-Za-z][\w’'-]*", text):
        word = match.group()
        if word[0].isupper() and len(word) > 1:  # "I", "A": no word spelled out
            run.append(match)
            if "".join(m.group()[0] for m in run).endswith(wanted):
                return run[-len(wanted)].start(), match.end()
        elif word.lower() not in _LINKS:
            run = []
    return None


def abbreviates(acronym: str, text: str) -> bool:
    """Whether ``text`` spells out ``acronym`` (``spelled_out``)."""
    return spelled_out(acronym, text) is not None


_NAME_WORD = re.compile(r"[\w’'-]+")


def mentions(text: str, person: str) -> bool:
    """Whether ``text`` names ``person`` by a word of their name ("Xi" or "Jinping" for "Xi
    Jinping", in "Xi’s" too)."""
    words = {re.sub(r"[’']s$", "", w) for w in _NAME_WORD.findall(text)}
    return bool(words & set(person.split()))


def named_people(question: str, speakers: set[str]) -> set[str]:
    """Speakers the question names: 'Xi' names 'Xi Jinping'."""
    words = set(re.findall(r"[A-Z][\w’'-]+", question))
    return {s for s in speakers if s != JOINT and words & set(s.split())}


_FRAMED = re.compile(r"\b(\w+) of\b", re.IGNORECASE)


def framing(question: str) -> frozenset[str]:
    """Stems of the nouns that frame what is asked rather than say what it is about: "the
    name of", "the date of", "what kind of" (``assistant/nouns.py`` FRAME_NOUNS); an article
    need not use them ("Namely" is no answer to "What is the name of …?")."""
    return frozenset(
        stem(m.group(1).lower()) for m in _FRAMED.finditer(question) if m.group(1).lower() in FRAME_NOUNS
    )


def says_nothing_new(text: str, query_terms: set[str]) -> bool:
    """Every content term of ``text`` is one of the question's (speech verbs aside)."""
    return not (set(terms(text)) - query_terms - SPEECH_STEMS)


def _restates(text: str, query_terms: set[str]) -> bool:
    """A sentence that only repeats the question (a headline, a quoted question) answers nothing."""
    return text.rstrip().endswith("?") or says_nothing_new(text, query_terms)


# A sentence of fewer words is a fragment the splitter left ("bilateral."), no answer.
MIN_WORDS = 3
MAX_CREDIT_WORDS = 6  # a line this short of capitalised words only is a credit or a heading
_WORDS = re.compile(r"\w+")
# A photo caption or credit describes a picture, not the event: "Luong Cuong (left) meets
# with Xi Jinping in Beijing on September 4.", "(Top photo of Game 2 …: Rob Tringali / MLB
# Photos via Getty Images)".
_CAPTION = re.compile(
    r"\((?:left|right|center|centre|top|bottom|front|back)\)|\(Photo\b|\bPhoto(?:graph)?:|"
    r"\bGetty Images\b|^\s*\(.*\)\W*$",
    re.IGNORECASE,
)
# A credit line alone ("(Photo: VNA)"): the sentence before it is a caption.
_CREDIT = re.compile(r"\s*\((?:Photo|Photograph|Image|Picture)s?\b[^)]*\)\W*$", re.IGNORECASE)


def _a_statement(text: str) -> bool:
    """Whether a sentence can answer: not a fragment, not a photo caption, not a credit line
    of names alone ("Helen Smith, IMPALA" under a pull quote)."""
    words = _WORDS.findall(text)
    if len(words) < MIN_WORDS or _CAPTION.search(text) is not None:
        return False
    return len(words) > MAX_CREDIT_WORDS or any(w[0].islower() for w in words)


# A sentence that opens by going on from the one before: a connective ("Next came …", "Then,
# …", "But …") or a pronoun for what that one named ("A year ago, it agreed to pay …").
_CONTINUES = re.compile(
    r"^\W*(?:(?:next|then|also|but|however|meanwhile|still|instead|later|yet|and|so|afterwards|"
    r"in addition|after that)\b|(?:[^,]{0,40},\s*)?(?:it|they|this|these|those)\s+(?!is\b|are\b)\w)",
    re.IGNORECASE,
)


def candidates_of(passages: Sequence[Passage], query: str) -> list[Candidate]:
    """Every distinct sentence of the passages (passages best first: a sentence keeps its best
    passage) that says more than the query, but fragments and photo captions, each with the
    sentence before it as its context when the same person speaks in both or it goes on from
    that one."""
    seen: dict[tuple[str, int], Candidate] = {}
    captions: set[tuple[str, int]] = set()  # sentences a photo credit follows
    for passage in passages:
        previous = None
        for sentence in passage.chunk.sentences:
            key = (passage.article_id, sentence.start)
            if previous is not None and _CREDIT.match(passage.sentence_text(sentence)):
                captions.add((passage.article_id, previous.start))
            if key not in seen and _a_statement(passage.sentence_text(sentence)):
                # A statement often follows the sentence that says who speaks and on what
                # ("…, said the chief executive. 'We feel good about the market.'"): that
                # sentence is its context.
                text = passage.sentence_text(sentence)
                same = previous is not None and sentence.speaker not in (None, JOINT)
                same = same and previous.speaker == sentence.speaker
                # So does a sentence that goes on from the one before: "Next came JPMorgan, in
                # September, for $75 million" (after "Leon Black settled for $62.5 million").
                goes_on = previous is not None and _CONTINUES.match(text) is not None
                context = passage.sentence_text(previous) if same or goes_on else ""
                seen[key] = Candidate(passage, sentence, text, context=context)
            previous = sentence
    asked = set(terms(query))
    return [c for k, c in seen.items() if k not in captions and not _restates(c.text, asked)]


# A statement a document or a thing is said to make, after a quotation or a comma: "“…,” the
# plea agreement said", ", court records said" (the group is the subject's last word).
_THING_SAID = re.compile(
    rf"(?:^|[,”\"]\s*)(?:(?:the|a|an|its|his|her|their)\s+)?(?:[a-z][\w-]*\s+){{0,2}}([a-z][\w-]*)\s+"
    rf"(?:{REPORTING_VERBS}|states|reads|shows|showed)\b"
)


# Pronouns ("it said": a company's statement) are the speaker's, whoever the article made them.
_PERSONAL = frozenset("i you he she it we they who one someone everyone nobody".split())


def said_by_a_thing(text: str, hyponyms: Hyponyms) -> bool:
    """Whether the sentence attributes its statement to a thing, not to a person or a group
    ("“…,” the plea agreement said": WordNet puts "agreement" under neither): the article's
    running speaker (``index/speakers.py`` carries the person quoted before) is not its
    speaker."""
    wordnet = hyponyms.wordnet
    nouns = [m.group(1) for m in _THING_SAID.finditer(text) if m.group(1) not in _PERSONAL]
    return any(
        (wordnet.senses(n) or wordnet.senses(n.rstrip("s")))
        and not (wordnet.is_a(n, "person") or wordnet.is_a(n, "social_group"))
        for n in nouns
    )


_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)


def as_said(cand: Candidate, named: set[str]) -> str:
    """The sentence as its embedding should read it for a question that names the speakers
    ``named``: its speaker's name for its first "he" or "she" where the speaker is one of them
    and the sentence does not name them ("Luong Cuong also expressed gratitude to … Xi …" is
    what "What did Luong Cuong thank Xi for?" asks about; a "who" question's answer is not
    put into the sentence). Not before a sentence without one: every statement of the person
    would gain, and their statements on other topics pass for an answer ("What did Xi say
    about education?")."""
    speaker = cand.sentence.speaker
    if speaker not in named:
        return cand.text
    if mentions(cand.text, speaker):
        return cand.text
    return _PRONOUN.sub(speaker, cand.text, count=1)


def word_columns(words: list[list[str]]) -> tuple[list[str], list[list[int]]]:
    """The distinct words of the candidates, and each candidate's words as columns into them."""
    vocab = list(dict.fromkeys(w for ws in words for w in ws))
    column = {w: j for j, w in enumerate(vocab)}
    return vocab, [[column[w] for w in ws] for ws in words]


class EvidenceScorer:
    """Scores and ranks the candidate sentences of the passages for an ``Understood`` question."""

    def __init__(
        self,
        embed: EmbeddingCache,
        closeness: Closeness,
        kinds: AnswerKinds,
        idf: Callable[[list[str]], dict[str, float]],
        article_text: Callable[[str], str] | None = None,
        hyponyms: Hyponyms | None = None,
    ) -> None:
        """``article_text(article_id)`` reads an article (where speakers' titles are found);
        ``hyponyms`` knows what is a kind of what (none: closeness alone bridges words)."""
        self.embed = embed
        self.closeness = closeness
        self.hyponyms = hyponyms
        self.kinds = kinds
        self.idf = idf
        self.article_text = article_text

    def rank(self, q: Understood, passages: Sequence[Passage]) -> tuple[list[Candidate], set[str]]:
        """Every distinct sentence of the passages with its evidence and rank, best first, and
        the people whose statements the question asks for (``speakers_asked``).

        The query (a follow-up's standalone form) is what is matched; the people the question
        itself names decide the speaker preference.
        """
        question, query, kind = q.question, q.query, q.kind
        candidates = candidates_of(passages, query)
        if not candidates:
            return [], set()
        if self.hyponyms is not None:
            for cand in candidates:
                if cand.sentence.speaker not in (None, JOINT) and said_by_a_thing(cand.text, self.hyponyms):
                    cand.sentence = cand.sentence.model_copy(update={"speaker": None})

        named = named_people(query, {c.sentence.speaker for c in candidates if c.sentence.speaker})
        vectors = self.embed([query] + [as_said(c, named) for c in candidates])
        cosine = vectors[1:] @ vectors[0]
        ignored = SPEECH_STEMS | (FRAME_STEMS if kind in ("comparison", "timeline") else frozenset())
        ignored |= framing(query) | {t for n in q.said for t in terms(n)}
        # The dates of a comparison pick its articles ("the April and September meetings");
        # what each says is about the rest ("on railways"). A timeline's items are dated events.
        matched = without_dates(query) if kind == "comparison" else query
        wanted = [t for t in dict.fromkeys(terms(matched)) if t not in ignored]
        weights = self.idf(wanted) if wanted else {}
        if q.follow_up:  # words carried over from the earlier turn count less
            own = set(terms(question))
            weights = {t: w if t in own else CARRIED_WEIGHT * w for t, w in weights.items()}
        total = sum(weights.values())
        vocab, columns = word_columns([words_of(c.text) for c in candidates])
        people = self.speakers_asked(question, candidates, q.carried, q.said)
        # The standalone query of a follow-up may name people the question does not; those of
        # the question itself ("the governor") replace the earlier turn's ("Denise George").
        query_people = people
        if q.follow_up and not people:
            query_people = self.speakers_asked(query, candidates, said=q.said)
        covered = self._coverage(
            query, wanted, weights, candidates, vocab, columns, query_people, q.abbreviations
        )
        spoken = {t for t in terms(question) if t in SPEECH_STEMS}
        dated = kind in ("when", "timeline")  # items of a timeline are dated events
        texts = [c.text for c in candidates]
        unseen = self._unseen_penalty(question, list(q.unseen), weights, total, texts, vocab, columns)
        for i, (cand, cos) in enumerate(zip(candidates, cosine, strict=True)):
            coverage = covered[i] / total if total else float(cos)
            cand.evidence = float(np.clip(0.5 * cos + 0.5 * coverage - unseen[i], 0.0, 1.0))
            cand.rank = cand.evidence
            speaker = cand.sentence.speaker
            if people and speaker in people:
                cand.rank += SPEAKER_BONUS
                if quotation(cand.text):  # what they said, in their own words
                    cand.rank += QUOTE_BONUS
            elif people and speaker and speaker != JOINT:
                cand.rank -= OTHER_SPEAKER_PENALTY
            if dated and EVENT_DATE.search(cand.text):
                cand.rank += DATE_BONUS
            if spoken and people and speaker in people and spoken & set(terms(cand.text)):
                cand.rank += SPEECH_BONUS
        return sorted(candidates, key=lambda c: c.rank, reverse=True), people

    def kinds_query(self, q: Understood, ranked: list[Candidate], people: set[str]) -> str:
        """A search for the asked people's statements on what the question names and on kinds
        of it, where none of their retrieved statements uses its words: "Xi Jinping technology
        artificial intelligence automation …" for "What did Xi propose on technology?" (""
        when their statements use every word of the question)."""
        if not people or self.hyponyms is None:
            return ""
        have = [set(terms(c.text)) for c in ranked]
        theirs = [h for h, c in zip(have, ranked, strict=True) if c.sentence.speaker in people]
        named = {t for p in people for t in terms(p)}
        ignored = SPEECH_STEMS | framing(q.query) | named
        words = []
        for word in words_of(q.query):
            found = terms(word)
            if not found or found[0] in ignored or any(found[0] in h for h in theirs):
                continue
            using = [c.text for c, h in zip(ranked, have, strict=True) if found[0] in h]
            kinds = sorted(self.hyponyms.kinds(word, using))  # sorted: the same search every time
            words += [word, *(" ".join(k) for k in kinds[:MAX_KINDS_SEARCHED])]
        return " ".join([*sorted(people), *words]) if words else ""

    def speakers_asked(
        self, question: str, candidates: list[Candidate], context: str = "", said: tuple[str, ...] = ()
    ) -> set[str]:
        """The people whose statements the question asks for: the speakers it names when it
        asks what someone said, thought or proposed, unless it asks who ("Who hosted the
        banquet for Xi?" names Xi as the guest, not the host; "Why did the Rogers sisters sit
        out the talks?" asks for a reason, not for a Rogers' statement); ``context``: the
        earlier turn a follow-up refers to (where "the company" is named); ``said``: the
        question's nouns that name what someone said (whose owner is asked: "Xi's message")."""
        if self.kinds.expected(question).kind == "person" or not names_speaker(question, said):
            return set()
        if re.match(r"\W*why\b", question, re.IGNORECASE):  # a reason, whoever gives it
            return set()
        # An outlet is named as where something was reported ("as reported by The Verge"),
        # not as a speaker, even where an article quotes it.
        outlets = [set(c.passage.source.lower().split()) for c in candidates if c.passage.source]
        speakers = {c.sentence.speaker for c in candidates if c.sentence.speaker}
        # The names of the phrase that says who speaks, where the parse finds one: "Flexport"
        # in "What did Dave Clark say he regrets about running Flexport?" is not asked to speak.
        # A name that only owns the speaker's role ("Nike's" in "Nike's chief executive") is
        # not the one asked to speak, unless no one holds that role.
        subjects = " ".join(speaker_phrases(question, said)) or question
        known = {s for s in speakers if not any(set(s.lower().split()) <= o for o in outlets)}
        named = named_people(_POSSESSOR.sub(" ", subjects), known)
        if named or self.article_text is None:
            return named or named_people(subjects, known)
        # Asked by role: "What did Nike's chief executive say?" asks for "CEO John Donahoe".
        pairs = sorted({(c.sentence.speaker, c.passage.article_id) for c in candidates if c.sentence.speaker})
        pairs = [(s, a) for s, a in pairs if s != JOINT]
        by_role = asked_by_role(question, pairs, self.article_text) or named_people(subjects, known)
        if by_role or not context:
            return by_role
        # "What did the company say?" asks for the company named before (in a follow-up's
        # earlier turn): its own statements and its spokespeople's.
        if not any(self._a_company(w) for p in speaker_phrases(question) for w in words_of(p)):
            return set()
        names = self.kinds.names(context)
        return speaking_for(names, pairs, self.article_text) if names else set()

    def _a_company(self, word: str) -> bool:
        return float(self.kinds.vectors.closest([word], ["company"])[0]) >= COMPANY_SIMILARITY

    def _unseen_penalty(
        self,
        question: str,
        nouns: list[str],
        weights: dict[str, float],
        total: float,
        texts: list[str],
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
        kept = [(n, share) for n, share in zip(nouns, shares, strict=True) if share > 0]
        if not kept:
            return out
        shares = [share for _, share in kept]
        # A name is no one else: word vectors put names of a kind together (Putin / Jinping),
        # so a name the articles lack is matched only by what it abbreviates ("UN": "United
        # Nations"), never by closeness.
        names = [k for k, (n, _) in enumerate(kept) if n[:1].isupper() and n not in question.split()[:1]]
        near = self.closeness.similarity([n.lower() for n, _ in kept], vocab)
        for i, cols in enumerate(columns):
            closest = near[:, cols].max(axis=1) if cols else np.zeros(len(kept))
            for k in names:
                closest[k] = 1.0 if abbreviates(kept[k][0], texts[i]) else 0.0
            gap = np.clip((CLOSE - closest) / (CLOSE - UNRELATED), 0.0, 1.0)
            out[i] = UNSEEN_PENALTY * float(np.dot(shares, gap))
        return out

    def _coverage(
        self,
        query: str,
        wanted: list[str],
        weights: dict[str, float],
        candidates: list[Candidate],
        vocab: list[str],
        columns: list[list[int]],
        people: set[str],
        acronyms: tuple[str, ...] = (),
    ) -> np.ndarray:
        """Idf-weighted coverage of the query's terms by each candidate (sentence and speaker);
        ``people``: the speakers the query asks for; ``acronyms``: the query's abbreviations
        (written in capitals: "CEO", "UN").

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
        # An abbreviation is covered by its words spelled out ("CEO": "Chief Executive
        # Officer"; "AI", which an article may never write: "Artificial Intelligence").
        spelled = [(t[0], w) for w in acronyms if (t := terms(w)) and t[0] in weights]
        for (t, w), (mine, cand) in itertools.product(spelled, zip(have, candidates, strict=True)):
            if t not in mine and abbreviates(w, cand.text):
                mine.add(t)
        out = np.array([sum(weights[t] for t in wanted if t in mine) for mine in have], dtype=float)
        titles: dict[str, set[str]] = {}
        # The question's names (capitalised words but the first): a sentence seldom repeats the
        # name its paragraph gave.
        names = {t for w in _CAPITALISED.findall(query[1:]) for t in terms(w) if t in weights}
        passage_terms: dict[str, set[str]] = {}
        for i, cand in enumerate(candidates):  # a term only in the context, title or passage counts in part
            around = set(terms(cand.context)) - have[i] if cand.context else set()
            out[i] += CONTEXT_CREDIT * sum(weights[t] for t in wanted if t in around)
            title = cand.passage.title or ""
            if title not in titles:
                titles[title] = set(terms(title))
            topic = titles[title] - have[i] - around
            out[i] += TITLE_CREDIT * sum(weights[t] for t in wanted if t in topic)
            # A name its passage gives that a sentence on the asked topic (it has a term of the
            # question's own) refers to ("the judge", "she").
            if names and any(t in have[i] for t in wanted if t not in names):
                passage = cand.passage.id
                if passage not in passage_terms:
                    passage_terms[passage] = set(terms(cand.passage.chunk.text))
                elsewhere = passage_terms[passage] - have[i] - around - topic
                out[i] += NAME_CREDIT * sum(weights[t] for t in names if t in elsewhere)
        theirs = [
            h for h, c in zip(have, candidates, strict=True) if not people or c.sentence.speaker in people
        ]
        bridged = [t for t in wanted if surface.get(t) and not any(t in h for h in theirs)]
        if not bridged:
            return out
        asked = [(t, w) for t in bridged for w in surface[t]]
        near = self.closeness.similarity([w for _, w in asked], vocab)
        credits = np.zeros((len(candidates), len(asked)))
        for i, cols in enumerate(columns):
            if cols:
                credits[i] = credit(near[:, cols].max(axis=1))
        if self.hyponyms is not None:  # a kind of what is asked ("railways" for "transport")
            for k, (t, w) in enumerate(asked):
                using = [c.text for c, h in zip(candidates, have, strict=True) if t in h]
                finder = KindFinder(self.hyponyms.kinds(w, using))
                for i, cand in enumerate(candidates if finder.by_first else ()):
                    span = finder.where(cand.text)
                    if span is not None:
                        credits[i, k] = max(credits[i, k], KIND_CREDIT)
                        cand.kind_span = cand.kind_span or span
        for i, mine in enumerate(have):
            for k, (t, _) in enumerate(asked):
                if t not in mine:
                    out[i] += weights[t] * float(credits[i, k]) / len(surface[t])
        return out
