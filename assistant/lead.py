"""The lead of an answer: a quoted statement said directly, with its speaker as the subject.

News sentences name their speaker by a pronoun or a description ("he suggested …", "The
Chinese leader reiterated …"), open with an adjunct before the statement ("Emphasizing the
importance of …, he suggested …") or put the attribution last ("“We feel good about the
market,” said the chief executive."). The lead says the same directly:

    "Xi Jinping suggested that the two sides soon organize the first meeting of …"
    "Xi Jinping reiterated China's support for Vietnam …"
    "John Donahoe said: “We feel good about the market.”"

Only the quoted words are used, with the speaker the article attributes the sentence to
(``index/speakers.py``) in the place of the pronoun or description that refers to them, and
only when the sentence's main verb is one of reporting ("say", "suggest", "reiterate" …),
whose subject is the speaker; a pronoun only when no other name comes before it in the
sentence and the speaker is not a company or a place (attribution resolves a pronoun to the
last speaker, which is where it errs). An opening adjunct is left out only when it holds
none of the question's terms and no name or figure. The caller keeps a lead only when the
citation verifier finds the cited passage supports it (``assistant/verify.py``), as for a
language model's sentences; otherwise the answer quotes the sentence.
"""

from __future__ import annotations

import functools
import re

from index.nlp import SpacyPipeline
from index.speakers import JOINT, REPORTING_LEMMAS
from index.terms import terms

_NLP = SpacyPipeline()  # the parse, and NER: a month is no name, a company is no person
_PRONOUNS = frozenset({"he", "she"})
_NOT_NAMES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL"})  # "On 10 October, she said …"
# Heads of the adjuncts that may open a sentence before its subject.
_ADJUNCTS = frozenset({"advcl", "prep", "npadvmod", "advmod", "pcomp"})
_OPEN_QUOTE = '“"'


def compose_lead(text: str, speaker: str | None, question_terms: set[str] = frozenset()) -> str | None:
    """``text`` (a quoted sentence or excerpt) as a direct statement by ``speaker``: ``text``
    itself when it already is one ("State President Luong Cuong proposed …"), None when it
    cannot be made one from its own words."""
    if not speaker or speaker == JOINT or text.startswith("…") or len(text) < 20:
        return None
    doc = _parse(text)
    sentences = list(doc.sents)
    if len(sentences) != 1:
        return None
    root = sentences[0].root
    if root.pos_ != "VERB" or root.lemma_.lower() not in REPORTING_LEMMAS:
        return None
    subjects = [t for t in root.children if t.dep_ == "nsubj"]
    if len(subjects) != 1:
        return None
    subject = subjects[0]
    first, last = subject.left_edge.i, subject.right_edge.i
    if not _refers_to_speaker(doc[first : last + 1], speaker):
        return None
    if doc[first].lower_ in _PRONOUNS and not _pronoun_is_speaker(doc, first, speaker):
        return None
    if last + 1 < len(doc) and doc[last + 1].text[:1] in "’'":  # "He’ll", "She's": a clitic
        return None
    if first > root.i:  # the attribution comes last: "“…,” said the chief executive."
        return _attribution_first(doc, root, first, last, speaker)
    before = doc[:first].text.strip()
    if not any(ch.isalnum() for ch in before):  # a stray quotation mark left from the sentence before
        before = ""
    after = doc[last + 1 :].text_with_ws
    named = _name_of(doc[first : last + 1], speaker)
    if before:
        opener = [t for t in root.children if t.i < first and not t.is_punct]
        droppable = (
            before.endswith(",")
            and all(t.dep_ in _ADJUNCTS for t in opener)
            and not set(terms(before)) & question_terms - set(terms(after))
            # names and numbers carry facts ("When Apple announced the iPhone 15, …")
            and not any(t.pos_ == "PROPN" or any(c.isdigit() for c in t.text) for t in doc[:first])
        )
        lead = f"{named} {after}" if droppable else f"{before} {named} {after}"
    else:
        lead = f"{named} {after}"
    lead = " ".join(lead.split())
    return text if lead == " ".join(text.split()) else lead[0].upper() + lead[1:]


@functools.lru_cache(maxsize=256)
def _parse(text: str):  # noqa: ANN202 (a spaCy Doc; a statement without a lead is parsed again for its pronoun)
    return _NLP([text])[0]


def _refers_to_speaker(subject, speaker: str) -> bool:  # noqa: ANN001 (a spaCy Span)
    """A pronoun ("he"), a description ("the Chinese leader", "the company") or the speaker's
    own name; not another name ("Luong Cuong" for a sentence attributed to Xi)."""
    words = [t for t in subject if not t.is_punct]
    if any(t.dep_ in ("conj", "cc") for t in words):  # "Xi and Luong Cuong": not one speaker
        return False
    if len(words) == 1 and words[0].lower_ in _PRONOUNS:
        return True
    names = {t.text for t in words if t.pos_ == "PROPN"}
    if names:
        return bool(names & set(speaker.split()))
    head = subject.root
    return head.pos_ == "NOUN" and any(t.lower_ in ("the", "this", "that") for t in words)


def pronoun_is_speaker(text: str, at: int, speaker: str) -> bool:
    """Whether the "he" or "she" at character ``at`` of ``text`` can only be ``speaker``."""
    doc = _parse(text)
    token = next((t for t in doc if t.idx == at), None)
    return token is not None and _pronoun_is_speaker(doc, token.i, speaker)


def _pronoun_is_speaker(doc, pronoun: int, speaker: str) -> bool:  # noqa: ANN001 (a spaCy Doc)
    """Whether "he" or "she" can only be the attributed speaker: a person (not a company or a
    place: "he argued" is not Alameda Research's), and no other name comes before it in the
    sentence ("When Google's search head Prabhakar Raghavan testified, he revealed …": "he"
    is Raghavan, whoever spoke last), nor any name in a quotation before it."""
    own = set(speaker.split())
    quoted = [m.span() for m in re.finditer(r"“[^”]*”|\"[^\"]*\"", doc.text)]
    for t in doc[:pronoun]:
        inside = any(a <= t.idx < b for a, b in quoted)
        # A name in a quotation is what was said about ("“Kick's decision hurts,” she said").
        if t.pos_ == "PROPN" and t.ent_type_ not in _NOT_NAMES and (inside or t.text not in own):
            return False
    return not _not_a_person(speaker)


@functools.lru_cache(maxsize=1024)
def _not_a_person(name: str) -> bool:
    """Whether spaCy's NER reads ``name`` as a company, place or group ("Alameda Research",
    "Google"), in the context it reads speakers best (tried on three templates)."""
    kinds = {e.label_ for e in _NLP([f"“We will see,” said {name}."])[0].ents}
    return bool(kinds & {"ORG", "GPE", "NORP", "PRODUCT", "FAC", "LOC"})


def _name_of(subject, speaker: str) -> str:  # noqa: ANN001 (a spaCy Span)
    """The subject as the lead says it: the speaker's name for a pronoun or a description,
    the article's own words when they already name them ("State President Luong Cuong",
    "Governor Bryan")."""
    if set(speaker.split()) & {t.text for t in subject}:  # "Governor Bryan" for "Bryan Jr"
        return subject.text
    return speaker


def _attribution_first(doc, root, first: int, last: int, speaker: str) -> str | None:  # noqa: ANN001
    """'“We feel good about the market,” said the chief executive.' → 'John Donahoe said:
    “We feel good about the market.”' (only when the sentence is one quotation and its
    attribution)."""
    text = doc.text.strip()
    if text[:1] not in _OPEN_QUOTE:
        return None
    quoted = re.match(r"^[“\"](?P<q>[^“”\"]+?)[,.]?[”\"],?\s+", text)
    if quoted is None or quoted.end() > doc[min(root.i, first)].idx:
        return None
    rest = doc[max(root.i, last) + 1 :].text.strip(" .")
    if rest:  # more than the attribution after the quotation
        return None
    named = _name_of(doc[first : last + 1], speaker)
    return f"{named} {root.text}: “{quoted.group('q').strip()}.”"
