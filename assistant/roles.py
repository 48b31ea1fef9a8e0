"""People asked for by their role: "What did Nike's chief executive say?" asks for the person
the article introduces as "CEO John Donahoe".

A speaker's titles are the words of the noun phrase the article names them in ("finance chief
Matthew Friend", "Governor Albert Bryan Jr.", "Rolf Habben Jansen, chief executive of
Hapag-Lloyd,"), read from spaCy's parse, with the common executive abbreviations spelled
out. The question's role is the subject of its speech verb ("the governor" in "What did the
governor say?") or of "according to X", without the names in it; a speaker whose titles share
the most of its words is the one asked for.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator

from index.nlp import SpacyPipeline
from index.speakers import REPORTING_LEMMAS, country_key
from index.terms import same_word, stem

# Executive titles news writes as abbreviations: standard expansions.
ABBREVIATIONS = {
    "ceo": "chief executive",  # "officer" adds nothing: every chief is one
    "cfo": "chief financial",
    "coo": "chief operating",
    "cto": "chief technology",
    "cio": "chief information",
    "cmo": "chief marketing",
    "gov": "governor",
    "sen": "senator",
    "rep": "representative",
    "dr": "doctor",
    "prof": "professor",
}
_WORD = re.compile(r"[A-Za-z][\w-]*")
# Words that never make a role, in a title or a question.
_FUNCTION = frozenset(
    "a an the of for at and or to in on with by his her its their our your this that who what "
    "which when where why how did does do is was were be been has have had say said says think "
    "about according".split()
)
# Verbs of speech and view, as term stems: a question with one asks what someone said (only
# such a question asks for a speaker), and the speaker match covers them (they say *that*
# someone spoke, not what about: assistant/evidence.py leaves them out of term coverage).
SPEECH_STEMS = frozenset(
    stem(w)
    for w in "say said saying says tell told think thinks feel feels respond responded react reacted "
    "comment commented according warn warned expect expects predict claim argue explain describe "
    "propose proposed suggest answer reply replied view views stress emphasize emphasise call "
    "urge agree agreed state talk express announce pledge promise regret mention".split()
)
_NLP = SpacyPipeline()
# How much text around a mention is parsed for the noun phrase of the name (a sentence or two).
WINDOW_BEFORE = 160
WINDOW_AFTER = 200
MAX_MENTIONS = 12  # an article introduces a person early; later mentions add little
# Dependencies that join a name to the words of its noun phrase: "Governor Albert Bryan Jr.",
# "Denise George, the 16th attorney general of the US Virgin Islands", "CEO John Donahoe".
_PHRASE = frozenset(
    {"compound", "flat", "appos", "amod", "nmod", "npadvmod", "poss", "prep", "pobj", "nummod"}
)
_TITLE_POS = frozenset({"NOUN", "PROPN", "ADJ"})


def _words(text: str) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(text):
        lower = re.sub(r"[’']s$", "", word.lower())
        out.extend(ABBREVIATIONS.get(lower, lower).split())
    return [w for w in out if w not in _FUNCTION]


def title_stems(text: str) -> set[str]:
    """Stems of a title's words, abbreviations spelled out: "Beeper co-founder and CEO" ->
    beeper, co-found, chief, execut."""
    return {stem(w) for w in _words(text)}


@functools.lru_cache(maxsize=256)  # per (speaker, article text): the texts are kept alive
def titles(name: str, text: str) -> frozenset[str]:
    """Stems of the words of the noun phrase around any mention of ``name`` (or its last word)
    in ``text``: "Governor Albert Bryan Jr.", "Lena Ortiz, governor of the state,". Words of the
    sentence outside that phrase are no title ("Governor Bryan texted George" gives George none).
    """
    last = name.split()[-1]
    windows: list[tuple[str, int, int]] = []
    mentions = re.finditer(rf"\b(?:{re.escape(name)}|{re.escape(last)})\b", text)
    for mention in itertools.islice(mentions, MAX_MENTIONS):
        start = max(0, mention.start() - WINDOW_BEFORE)
        start = max(start, text.rfind("\n", start, mention.start()) + 1)
        end = text.find("\n", mention.end(), mention.end() + WINDOW_AFTER)
        end = end if end != -1 else min(len(text), mention.end() + WINDOW_AFTER)
        windows.append((text[start:end], mention.start() - start, mention.end() - start))
    found: set[str] = set()
    for doc, (_, begin, finish) in zip(_NLP([w for w, _, _ in windows]), windows, strict=True):
        span = doc.char_span(begin, finish, alignment_mode="expand")
        if span is None:
            continue
        head = span.root
        # Up from the name while it is part of a larger noun phrase ("John Donahoe" in "CEO
        # John Donahoe", "George" as the apposition of "the attorney general, George").
        while head.dep_ in ("compound", "flat", "appos") and head.head.i != head.i:
            head = head.head
        found.update(_words(" ".join(t.text for t in _phrase(head) if t.pos_ in _TITLE_POS)))
    return frozenset({stem(w) for w in found} - {stem(w) for w in name.lower().split()})


def _phrase(head) -> list:  # noqa: ANN001 (a spaCy Token -> Tokens)
    """The noun phrase of ``head``: its subtree through phrase-internal dependencies only (no
    relative or other clauses, no verbs)."""
    out, stack = [head], [head]
    while stack:
        parent = stack.pop()
        negations = [t.i for t in parent.children if t.dep_ == "neg"]
        for child in parent.children:
            if child.dep_ not in _PHRASE or child.pos_ in ("VERB", "AUX"):
                continue
            low, high = sorted((parent.i, child.i))
            if any(low < i < high for i in negations) or any(t.dep_ == "neg" for t in child.children):
                continue  # "George, not the governor, …"
            out.append(child)
            stack.append(child)
    return out


@functools.lru_cache(maxsize=256)
def _parse(question: str):  # noqa: ANN202 (a spaCy Doc; an answer reads its question's parse three times)
    return _NLP([question])[0]


@functools.lru_cache(maxsize=256)
def _speaker_phrases(question: str, said: tuple[str, ...] = ()) -> list[list]:
    """The noun phrases the question names as speakers (token lists): the subject of its
    speech verb, the object of "according to", or else the owner of a noun of ``said`` (nouns
    that name what someone said: "Xi's message"; not in "How did Roblox respond to Gellar's
    complaint?", which asks for Roblox's response)."""
    doc = _parse(question)
    heads, owners = [], []
    for token in doc:
        if token.lower_ == "according":  # "according to the doctor"
            to = [p for p in token.children if p.lower_ == "to"]
            heads += [o for p in to for o in p.children if o.dep_ == "pobj"]
        elif token.is_alpha and token.pos_ in ("VERB", "AUX") and _is_speech(token):
            heads += [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
        elif token.text in said:
            owners += [c for c in token.children if c.dep_ == "poss" and c.pos_ in ("NOUN", "PROPN")]
    return [[t for left in head.lefts for t in left.subtree] + [head] for head in heads or owners]


def speaker_phrases(question: str, said: tuple[str, ...] = ()) -> list[str]:
    """The text of the noun phrases the question names as speakers ("Edward Rogers" in
    "What did Edward Rogers say about his sisters' lawsuit?", "Xi" in "What was Xi's
    response?" when ``said`` holds "response")."""
    return [" ".join(t.text for t in phrase) for phrase in _speaker_phrases(question, said)]


def role_words(question: str) -> set[str]:
    """Stems of the role the question names as the speaker: the words of the subject of its
    speech verb, or of "according to X", but for names ("Nike's", "Seqirus"): "the Vietnamese
    president", "Nike's chief executive", "the CSL Seqirus doctor"."""
    words = [t.text for phrase in _speaker_phrases(question) for t in phrase if t.is_alpha and not _a_name(t)]
    return title_stems(" ".join(words))


def _is_speech(token) -> bool:  # noqa: ANN001 (a spaCy Token)
    """A verb of saying: the question's own ("say", "view"), or one that attributes a statement
    in the articles ("thank", "congratulate": ``index.speakers.REPORTING_LEMMAS``)."""
    if SPEECH_STEMS & {stem(token.lower_), stem(token.lemma_)}:
        return True
    return token.pos_ == "VERB" and token.lemma_.lower() in REPORTING_LEMMAS


def names_speaker(question: str, said: tuple[str, ...] = ()) -> bool:
    """Whether the question asks what someone said or did by a verb of saying ("What did
    Luong Cuong thank Xi for?") or a noun of ``said`` ("What was Xi's response?")."""
    return asks_for_statement(question) or bool(_speaker_phrases(question, said))


def _a_name(token) -> bool:  # noqa: ANN001 (a spaCy Token)
    """A name in a role ("Nike's"), not a title abbreviation ("CFO") or a nationality."""
    return token.pos_ == "PROPN" and token.ent_type_ != "NORP" and token.lower_ not in ABBREVIATIONS


def asks_for_statement(question: str) -> bool:
    """Whether the question asks what someone said ("What's Hapag-Lloyd's CEO saying…?")."""
    return any(stem(w.lower()) in SPEECH_STEMS for w in _WORD.findall(question))


def asked_by_role(
    question: str, speakers: Iterable[tuple[str, str]], article_text: Callable[[str], str]
) -> set[str]:
    """The speakers (of ``(speaker, article_id)`` pairs) whose titles share the most role
    words with the question; empty when none shares one."""
    asked = role_words(question) - SPEECH_STEMS
    if not asked or not names_speaker(question):
        return set()
    # A nationality is held by a title naming the country ("the Chinese president": "President
    # of China Xi Jinping"); word and country share a key (``index.speakers.country_key``:
    # "Chinese"/"China", "Vietnamese"/"Viet Nam").
    national = {
        stem(t.text) for phrase in _speaker_phrases(question) for t in phrase if t.ent_type_ == "NORP"
    }
    held: dict[str, set[str]] = {}  # speaker -> the asked role words their titles hold
    for speaker, mine in _pair_titles(speakers, article_text):
        held.setdefault(speaker, set()).update(
            w
            for w in asked
            if any(same_word(w, t) or (w in national and country_key(w) == country_key(t)) for t in mine)
        )
    # A word every speaker's titles hold ("chief") tells less than one only theirs do ("financial").
    holders = {w: sum(w in words for words in held.values()) for w in asked}
    score = {s: sum(1 / holders[w] for w in words) for s, words in held.items()}
    best = max(score.values(), default=0.0)
    return {s for s, v in score.items() if v == best} if best else set()


def speaking_for(
    names: Iterable[tuple[str, bool]], speakers: Iterable[tuple[str, str]], article_text: Callable[[str], str]
) -> set[str]:
    """The speakers (of ``(speaker, article_id)`` pairs) who speak for one of the companies
    ``names`` gives (``(name, read as an organisation)``): introduced with every word of its
    name among their titles ("Rogers Communications spokesperson Sarah Schmidt"), or, for a
    name read as an organisation, that name themselves ("Snap")."""
    wanted = [(frozenset(title_stems(n)), org) for n, org in names]
    wanted = [(n, org) for n, org in wanted if n]
    out: set[str] = set()
    for speaker, held in _pair_titles(speakers, article_text):
        own = frozenset(title_stems(speaker))
        if any(org and own and (own <= n or n <= own) for n, org in wanted) or any(
            n <= held for n, _ in wanted
        ):
            out.add(speaker)
    return out


def _pair_titles(
    speakers: Iterable[tuple[str, str]], article_text: Callable[[str], str]
) -> Iterator[tuple[str, frozenset[str]]]:
    """Each speaker of the ``(speaker, article_id)`` pairs with their titles in that article
    (each article read once)."""
    texts: dict[str, str] = {}
    for speaker, article_id in speakers:
        if article_id not in texts:
            texts[article_id] = article_text(article_id)
        yield speaker, titles(speaker, texts[article_id])
