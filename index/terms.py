"""Content terms of a text: the unit for lexical overlap and document frequencies."""

from __future__ import annotations

import re

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


def stem(word: str) -> str:
    """Truncation stemming: 'railways', 'railway' -> 'railwa'; 'proposed' -> 'propos'."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return word if word[0].isdigit() else word[:6]


def terms(text: str) -> list[str]:
    """Stemmed content terms of ``text`` in order (stopwords dropped, repeats kept)."""
    return [stem(w) for w in _TOKEN.findall(text) if w.lower() not in STOPWORDS]
