"""A question as typed in a chat, read as if written out: its names capitalised as the
articles write them, and its question mark.

Chat users often type "what did xi propose on railways". Retrieval does not care (BM25 and
the embedder are case-blind), but reading the question does: spaCy tags "xi" as a common
noun, the speaker the question names is found by its capitals, and without the question mark
"What did Luong Cuong thank Xi for" parses as a statement. A question with no capitals after
its first letter gets, for each of its words, the form the retrieved passages write it in
when they capitalise it nearly always in mid-sentence ("Xi", "Hanoi", "Zhao Leji"); a
question with capitals of its own keeps them as the user wrote them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
# A word right after these starts a sentence (or a line, a quotation): its capital says nothing.
_STARTS = re.compile(r"(?:[.!?:;]\s+|\n\s*|[“\"(‘']\s*)$")
MIN_USES = 2  # a word the passages write capitalised at least this often ...
CAPITALISED_SHARE = 0.9  # ... and nearly always so (not "party" in "the Party" and "a party")


def cased_forms(texts: Iterable[str]) -> dict[str, str]:
    """Lower-case word -> its capitalised form, for the words ``texts`` write capitalised
    in mid-sentence at least ``MIN_USES`` times and ``CAPITALISED_SHARE`` of the time."""
    capital: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for match in _WORD.finditer(text):
            word = match.group()
            key = word.lower()
            if word[0].isupper():
                if not match.start() or _STARTS.search(text[max(0, match.start() - 4) : match.start()]):
                    continue  # a sentence's first word
                capital[key] += 1
                forms.setdefault(key, Counter())[word] += 1
            else:
                lower[key] += 1
    return {
        key: forms[key].most_common(1)[0][0]
        for key, uses in capital.items()
        if uses >= MIN_USES and uses >= CAPITALISED_SHARE * (uses + lower[key])
    }


# How a question opens: a question word or an auxiliary ("what did …", "is Vietnam …").
_QUESTION = re.compile(
    r"^\W*(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|has|have|had|"
    r"can|could|will|would|should|may|might)\b",
    re.IGNORECASE,
)


def as_written(question: str, texts: Iterable[str]) -> str:
    """``question`` with its names capitalised as ``texts`` write them when the user typed it
    without capitals (``truecased``), and a question mark when it opens as a question and
    ends without one."""
    question = truecased(question, texts)
    stripped = question.rstrip()
    if _QUESTION.match(stripped) and stripped[-1:].isalnum():
        return stripped + "?"
    return question


def truecased(question: str, texts: Iterable[str]) -> str:
    """``question`` with its words capitalised as ``texts`` write them, when the user typed it
    without capitals (but maybe the first letter); else unchanged."""
    if not any(c.isupper() for c in question[1:]):
        forms = cased_forms(texts)
        if forms:
            return _WORD.sub(lambda m: forms.get(m.group().lower(), m.group()), question)
    return question
