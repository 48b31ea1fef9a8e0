"""Check a generated answer against the passages it cites, sentence by sentence.

A language model's ``[n]`` markers are claims, not facts. Each answer sentence is kept
as a ``Statement`` that records which markers survived (those pointing at no passage are
removed), whether a cited passage really supports it, and the source sentence that does:

- meaning: the statement's embedding must be close to a sentence (or two adjacent
  sentences) of a cited passage, with the bundled embedder;
- facts: every capitalised name of the statement must occur in that passage (its text,
  title, source, date or the speakers attributed in it), every number in the supporting
  sentence, the sentences beside it or the article's date. A fluent sentence that swaps
  "Xi" for "Luong Cuong" or "2025" for "2024" fails here even when its embedding is close;
- roles (spaCy's parse): a verb of the statement that the supporting sentence also uses
  must have the same named subject and object there ("China is willing to manage
  differences with China" against "Viet Nam is willing …"), and the same polarity ("did
  not agree" against "agreed"); a name the statement repeats more often than the source
  while leaving out a name the source uses is a swap;
- every clause: each clause of a long statement (", and …") must itself be close to the
  passage, so a true clause cannot carry an invented one;
- words: at most ``MAX_NEW_TERMS`` content terms of the statement (``index/terms.py``
  ``terms``, the unit the clause check uses) may be absent from the cited passage. A
  sentence that restates the question as a fact, or a second citation to a neighbouring
  sentence of the same article, is close in meaning (similarity 0.64–0.78) but says words
  the passage does not.

The thresholds were chosen on one half of a labelled set and measured on the other
(``bench/verifier_eval.py``, results in ``bench/results/verifier.md``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.asked import PROPOSING, realis
from assistant.sentences import EmbeddingCache, clauses
from assistant.types import Statement
from index.chunk import split_sentences
from index.embed import SentenceEmbedder
from index.nlp import SpacyPipeline
from index.speakers import JOINT
from index.terms import terms
from index.types import Passage

# Clauses of a statement, each checked on its own: ", and …", "; …", ", while …", ", where …".
_CLAUSE_BREAK = re.compile(r",\s+(?:and|but|while|whereas|where|as well as)\s+|;\s+|\s+while\s+")
CLAUSE_WORDS = 5  # shorter pieces (list items) are not clauses of their own
NEGATIONS = frozenset("not n't never no none nobody nothing neither nor cannot without".split())

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
    conflicts: tuple[str, ...] = ()  # roles or polarity that differ from the source sentence
    clause_similarity: float = 1.0  # the weakest clause's best similarity to the passage
    new_words: tuple[str, ...] = ()  # words of the statement whose content term the passage lacks
    within: bool = False  # every content term of the statement is in the supporting sentence(s) or date


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
    parts.append(date_words(passage))
    return " ".join(parts)


def date_words(passage: Passage) -> str:
    """The passage's date as a statement may write it: "2025-09-04 4 September Sep 2025"."""
    d = passage.date
    return f"{d.isoformat()} {d.day} {d.strftime('%B %b %Y')}" if d else ""


# How many content terms of a statement its cited passage may lack (words, not names or
# numbers: those must all be there). Paraphrases bring a word or two of their own; 2 was
# measured on the 30 hand-labelled sentences a 1.5B model got verified
# (bench/data/llm_answers_labels.jsonl: rejects 5 of the 6 unsupported, keeps all 24
# supported) and on the labelled set's held-out half (bench/results/verifier.md: faithful
# acceptance 95% -> 93%, merged sentences 83% -> 77%; unfaithful rejection unchanged).
MAX_NEW_TERMS = 2
# A statement made only of the words of its supporting sentence (and the article's date) is
# a shortened copy: it is embedded far from a long sentence it takes a few words of ("The
# talks in Beijing were held on September 4, 2025." against a 45-word sentence: 0.52), so it
# needs less similarity; the role, negation and number checks still apply.
WITHIN_SIMILARITY = 0.45


def new_words(statement: str, passage: Passage) -> tuple[str, ...]:
    """Words of ``statement`` whose content term ``passage`` (text, title, source, speakers,
    date) lacks, one per term, in order."""
    have = set(terms(_evidence_text(passage)))
    found: dict[str, str] = {}
    for word in statement.split():
        for term in terms(word):
            if term not in have:
                found.setdefault(term, word.strip(".,;:!?()\"“”'‘’"))
    return tuple(found.values())


CLAUSE_COVERAGE = 0.8  # share of a clause's terms that, found in the passage, support it


def _covered(clause: str, have: set[str]) -> bool:
    wanted = set(terms(clause))
    return bool(wanted) and len(wanted & have) >= CLAUSE_COVERAGE * len(wanted)


def statement_clauses(statement: str) -> list[str]:
    """The clauses of ``statement`` long enough to be checked on their own (else none)."""
    parts = [p.strip(" ,;.") for p in _CLAUSE_BREAK.split(statement)]
    parts = [p for p in parts if len(p.split()) >= CLAUSE_WORDS]
    return parts if len(parts) > 1 else []


_NLP = SpacyPipeline(exclude=("ner",))


def _name_words(token, speaker: str | None) -> frozenset[str] | None:  # noqa: ANN001 - spaCy Token
    """The proper-noun words of the phrase ``token`` heads; a pronoun is the ``speaker``.

    None when the phrase names nobody (a common noun: "the two sides" compares with nothing).
    """
    if token.pos_ == "PRON":
        if token.lower_ in ("he", "she") and speaker and speaker != JOINT:
            return frozenset(speaker.lower().split())
        return None
    # every proper noun of the phrase: "General Secretary and President Xi" names Xi too
    words = [t for t in token.subtree if t.pos_ == "PROPN"]
    if token.pos_ != "PROPN" or not words:
        return None
    return frozenset(t.lower_ for t in words)


def _predicate(token) -> str | None:  # noqa: ANN001 - spaCy Token
    """What a verb says, for aligning it with the source: its lemma; "be" with its complement."""
    if token.pos_ not in ("VERB", "AUX") or token.dep_ in ("aux", "auxpass"):
        return None
    lemma = token.lemma_.lower()
    if lemma == "be":
        comp = next((c for c in token.children if c.dep_ in ("acomp", "attr")), None)
        return f"be:{comp.lemma_.lower()}" if comp is not None else None
    return lemma


def _done(verb) -> bool:  # noqa: ANN001 - spaCy Token
    """Whether the verb reports something done or so (``realis``), not proposed, planned or
    modal: no verb of proposing governs it ("he suggested that the two sides organize …"),
    unless only as the first of two coordinated verbs ("agreed and signed", "agreed to talk
    and then signed")."""
    token = verb
    while token.head.i != token.i:  # up to the root, whose head is itself
        if token.dep_ == "conj" and token.tag_ != token.head.tag_:
            break  # "agreed to talk and then signed": "signed" has a tense of its own
        if token.dep_ != "conj" and token.head.lemma_.lower() in PROPOSING:
            return False
        token = token.head
    return realis(verb)


def _negated(token) -> bool:  # noqa: ANN001 - spaCy Token
    return any(c.dep_ == "neg" or c.lower_ in NEGATIONS for c in token.children)


def role_conflicts(statement: str, source: str, speaker: str | None) -> tuple[str, ...]:
    """Where ``statement`` gives a verb of ``source`` another named actor, flips it, or
    reports done what the source only proposes, plans or expects ("the two sides organized"
    for "he suggested that the two sides organize").

    Only verbs both use are compared, and only named subjects/objects (a pronoun of the
    source stands for its ``speaker``): a paraphrase with other words has nothing to align.
    """
    mine, theirs = _NLP([statement, source])
    by_predicate: dict[str, list] = {}
    for t in theirs:
        key = _predicate(t)
        if key:
            by_predicate.setdefault(key, []).append(t)
    found: list[str] = []
    for verb in mine:
        key = _predicate(verb)
        if not key or key not in by_predicate:
            continue
        sources = by_predicate[key]
        if all(_negated(verb) != _negated(s) for s in sources):
            found.append(f"negation:{verb.text}")
        elif _done(verb) and not any(_done(s) for s in sources):
            found.append(f"mood:{verb.text}")
        for dep in ("nsubj", "nsubjpass", "dobj"):
            child = next((c for c in verb.children if c.dep_ == dep), None)
            named = _name_words(child, None) if child is not None else None
            if not named:
                continue
            others = [_name_words(c, speaker) for s in sources for c in s.children if c.dep_ == dep]
            others = [o for o in others if o]
            if others and not any(named & o for o in others):
                found.append(f"role:{' '.join(sorted(named))}")
    if any(t.lower_ in NEGATIONS for t in mine) and not any(t.lower_ in NEGATIONS for t in theirs):
        found.append("negation")
    return tuple(dict.fromkeys(found))


def swapped_names(statement: str, source: str, speaker: str | None = None) -> tuple[str, ...]:
    """Names the statement repeats more often than ``source`` while dropping one it uses
    (not the name of the source's ``speaker``: "Xi Jinping agreed" for "President Xi agreed")."""
    own = set(speaker.split()) if speaker and speaker != JOINT else set()
    said = {
        n: len(re.findall(rf"\b{re.escape(n)}\b", statement))
        for n in facts(statement)
        if not n[0].isdigit() and n not in own
    }
    more = [n for n, k in said.items() if k > len(re.findall(rf"\b{re.escape(n)}\b", source))]
    dropped = [n for n in facts(source) if not n[0].isdigit() and n not in statement]
    return tuple(f"swap:{n}" for n in more) if more and dropped else ()


def missing_facts(statement: str, passage: Passage, around: str | None = None) -> tuple[str, ...]:
    """Names of ``statement`` that ``passage`` does not contain, and numbers that ``around``
    (the supporting sentences; default the whole passage) and the article's date lack."""
    haystack = _evidence_text(passage)
    near = haystack if around is None else f"{around} {date_words(passage)}"
    numbers = {n.replace(",", "") for n in _NUMBER.findall(near)}
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


def _problem(support: Support, min_similarity: float, max_new_terms: int | None = MAX_NEW_TERMS) -> str:
    """Why ``support`` does not support its statement, for the user."""
    said_by = [m for m in support.missing if m.startswith("said by ")]
    if said_by:
        return "the cited source attributes this to " + " and ".join(
            m.removeprefix("said by ") for m in said_by
        )
    if support.missing:
        return "the cited source does not contain " + ", ".join(f"“{m}”" for m in support.missing)
    if support.similarity < (WITHIN_SIMILARITY if support.within else min_similarity):
        return "not supported by the cited source"
    if max_new_terms is not None and len(support.new_words) > max_new_terms:
        return "the cited source does not mention " + ", ".join(f"“{w}”" for w in support.new_words)
    if any(c.startswith("negation") for c in support.conflicts):
        return "the cited source says the opposite"
    if any(c.startswith("mood") for c in support.conflicts):
        return "the cited source only proposes or expects this"
    if support.conflicts:
        return "the cited source says this of someone else"
    return "part of it is not in the cited source"


class CitationVerifier:
    """Decides, per answer sentence, whether the passages it cites support it."""

    def __init__(
        self,
        embedder: SentenceEmbedder,
        min_similarity: float = 0.6,
        min_clause_similarity: float = 0.5,
        check_roles: bool = True,
        max_new_terms: int | None = MAX_NEW_TERMS,
    ) -> None:
        """``max_new_terms``: content terms a statement may have that its passage lacks
        (``None``: no word check)."""
        self.embed = EmbeddingCache(embedder)
        self.min_similarity = min_similarity
        self.min_clause_similarity = min_clause_similarity
        self.check_roles = check_roles
        self.max_new_terms = max_new_terms

    def warm_up(self) -> None:
        """Load the parser the role checks use now rather than on the first generated answer."""
        if self.check_roles:
            _NLP(["Warm up the parser."])

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
        # the supporting window: the best window and the sentences either side of it
        first = max((i for i, sp in enumerate(spans) if sp[0] <= windows[best][1][0]), default=0)
        last = max((i for i, sp in enumerate(spans) if sp[0] < windows[best][1][1]), default=first)
        lo, hi = spans[max(0, first - 1)][0], spans[min(len(spans) - 1, last + 1)][1]
        around = passage.chunk.text[lo - offset : hi - offset]
        missing = missing_facts(statement, passage, around) + wrong_speaker(
            statement, passage, start, end, people
        )
        source = windows[best][0]
        speaker = next(
            (
                x.speaker
                for x in passage.chunk.sentences
                if x.start <= windows[best][1][0] < x.end and x.speaker
            ),
            None,
        )
        conflicts = role_conflicts(statement, source, speaker) + swapped_names(statement, source, speaker)
        parts = statement_clauses(statement)
        clause_similarity = 1.0
        if parts:
            # A clause is supported by meaning (close to a window) or by its words: a short
            # clause out of context ("but it only covers survivors in that state") embeds far
            # from everything, yet every one of its terms is in the passage.
            have = set(terms(passage.chunk.text))
            part_vectors = self.embed(parts)
            by_meaning = (part_vectors @ vectors[1:].T).max(axis=1)
            clause_similarity = float(
                min(
                    max(float(m), 1.0 if _covered(p, have) else 0.0)
                    for p, m in zip(parts, by_meaning, strict=True)
                )
            )
        return Support(
            marker,
            float(sims[best]),
            start,
            end,
            text,
            missing,
            conflicts,
            clause_similarity,
            new_words(statement, passage),
            not set(terms(statement)) - set(terms(f"{text} {windows[best][0]} {date_words(passage)}")),
        )

    def passes(self, support: Support) -> bool:
        """The statement is supported by this passage."""
        close = support.similarity >= self.min_similarity
        return (
            (close or (support.within and support.similarity >= WITHIN_SIMILARITY))
            and not support.missing
            and (not self.check_roles or not support.conflicts)
            and support.clause_similarity >= self.min_clause_similarity
            and (self.max_new_terms is None or len(support.new_words) <= self.max_new_terms)
        )

    def problem(self, support: Support) -> str:
        return _problem(support, self.min_similarity, self.max_new_terms)

    def supports(self, statement: str, passage: Passage) -> bool:
        """Whether ``passage`` alone supports ``statement`` (a sentence an extractive answer
        composes from its quotes, ``assistant/lead.py``)."""
        people = {x.speaker for x in passage.chunk.sentences if x.speaker} - {JOINT}
        return self.passes(self.support(statement, 1, passage, people))

    def check(self, text: str, passages: Sequence[Passage], reattribute: bool = False) -> list[Statement]:
        """One ``Statement`` per sentence of ``text``; markers refer to ``passages`` (1-based).

        ``reattribute``: a sentence that no passage it cites supports (or that cites none) is
        checked against the other passages too, and cites the one that supports it best, if
        any. For a small model's answers: it restates the right sentence but numbers it
        wrongly ("[1][2][3]" for sentence 6). The check is the same; only whose passage is
        shown changes, and ``cited`` keeps what the model wrote.
        """
        statements: list[Statement] = []
        people = {x.speaker for p in passages for x in p.chunk.sentences if x.speaker} - {JOINT}
        for sentence in answer_sentences(text):
            clean, markers, unknown = split_markers(sentence, len(passages))
            clean = _BULLET.sub("", clean)
            if not clean:
                continue
            supports = [self.support(clean, n, passages[n - 1], people) for n in markers]
            passing = [s for s in supports if self.passes(s)]
            if not passing and reattribute:
                others = [self.support(clean, n, passages[n - 1], people) for n in _others(markers, passages)]
                passing = sorted((s for s in others if self.passes(s)), key=lambda s: -s.similarity)[:1]
                supports = supports or others
            if not supports or (not markers and not passing):
                problem = "cites a source that does not exist" if unknown else "cites no source"
                statements.append(Statement(text=clean, problem=problem))
                continue
            best = max(passing or supports, key=lambda s: (not s.missing, not s.conflicts, s.similarity))
            problem = "" if passing else self.problem(best)
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


def _others(markers: Sequence[int], passages: Sequence[Passage]) -> list[int]:
    """One number for each passage not among those ``markers`` cite (a passage may be given
    under several numbers: one per evidence sentence)."""
    seen = {(passages[n - 1].article_id, passages[n - 1].chunk.start) for n in markers}
    out = []
    for n, p in enumerate(passages, 1):
        if (p.article_id, p.chunk.start) not in seen:
            seen.add((p.article_id, p.chunk.start))
            out.append(n)
    return out
