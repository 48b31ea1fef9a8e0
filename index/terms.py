"""Content terms of a text: the unit for lexical overlap and document frequencies.

A term is a word's Snowball stem cut to six letters: the stemmer joins inflections of short
words ("trade"/"trading", "talk"/"talks", "sea"/"seas"), the cut joins derivations it keeps
apart ("economy"/"economic", "Vietnam"/"Vietnamese"). The catalogue stores chunk frequencies
of these terms under ``TERMS_VERSION`` and recounts them when it changes.
"""

from __future__ import annotations

import re
import threading

import Stemmer

TERMS_VERSION = "snowball-6"

_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*")

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves s t don shall may might must upon within without whether yet via per
    """.split()
)

_local = threading.local()  # a PyStemmer stemmer is not safe to share between threads


def snowball(words: list[str]) -> list[str]:
    """English Snowball stems of lower-case ``words`` (a stemmer per thread)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWords(words)


def _terms_of(words: list[str]) -> list[str]:
    """The term of each word: numbers unchanged, other words stemmed and cut to six letters."""
    normal = []
    for word in words:
        word = word.lower().replace("’", "'")
        normal.append(word[:-2] if word.endswith("'s") else word)
    return [w if w[:1].isdigit() else s[:6] for w, s in zip(normal, snowball(normal), strict=True)]


def stem(word: str) -> str:
    """'railways' -> 'railwa', 'trading' -> 'trade', 'economic' -> 'econom'; numbers unchanged."""
    return _terms_of([word])[0]


def same_word(a: str, b: str) -> bool:
    """Stems of one word's forms: equal, or one of five letters or more extends the other
    ("financ" / "financi", "injur" / "injuri")."""
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= 5 and long.startswith(short))


def terms(text: str) -> list[str]:
    """Stemmed content terms of ``text`` in order (stopwords dropped, repeats kept)."""
    return _terms_of([w for w in _TOKEN.findall(text) if w.lower() not in STOPWORDS])
