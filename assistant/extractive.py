"""The default answerer: quotes the sentences that answer the question, each cited.

No language model: every statement is a sentence (or an excerpt of one) from a passage,
so it cannot misquote. The answer is made in stages, each a module of its own:

    understand (assistant/understand.py)  what the question asks: its shape, the kind of
                                          thing its answer holds, nouns no article uses
    -> score   (assistant/evidence.py)    every sentence of the retrieved passages, ranked
    -> choose  (assistant/choose.py)      whether they answer; which sentences, which span
    -> compose (assistant/compose.py)     the answer's text and citations; a sentence it
                                          composes (assistant/lead.py) is said only when
    -> verify  (assistant/verify.py)      finds the cited passage supports it

The best evidence below ``min_evidence`` means the articles do not answer the question;
when the question asks for a kind of thing (a number, a date, a person) and no good
sentence holds one, the answer is a near miss: what the articles do say, and that they do
not say this.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.asked import AnswerKinds
from assistant.choose import SentenceChooser, distinct
from assistant.compose import EXCERPT_CHARS, Composer, cite
from assistant.evidence import Candidate, EvidenceScorer, abbreviates, spelled_out
from assistant.hyponyms import Hyponyms
from assistant.meaning import Closeness, WordVectors
from assistant.news import EVENT_DATE, reported_date, without_dates
from assistant.sentences import EmbeddingCache
from assistant.typed import as_written
from assistant.types import Answer
from assistant.understand import QuestionReader, Understood
from assistant.verify import CitationVerifier
from index.embed import SentenceEmbedder
from index.types import Passage

# How many passages are searched for one that spells out an abbreviation no article uses, and
# how many of those are added.
WIDE_SEARCH = 50
MAX_SPELLED_OUT = 3


class ExtractiveAnswerer:
    """Answers from the retrieved passages by selecting and citing their best sentences."""

    def __init__(
        self,
        embedder: SentenceEmbedder,
        idf: Callable[[list[str]], dict[str, float]],
        min_evidence: float,
        max_sentences: int = 3,
        closest: int = 3,
        unmentioned: Callable[[str], list[str]] | None = None,
        article_text: Callable[[str], str] | None = None,
        verifier: CitationVerifier | None = None,
    ) -> None:
        """``unmentioned(question)`` names the question's nouns that no article mentions;
        ``article_text(article_id)`` reads an article (where speakers' titles are found);
        ``verifier`` checks the sentences an answer composes from its quotes (without one,
        answers only quote)."""
        self.embed = EmbeddingCache(embedder)
        self.vectors = WordVectors()
        self.hyponyms = Hyponyms()
        self.kinds = AnswerKinds(self.vectors, self.hyponyms.wordnet)
        closeness = Closeness(self.vectors, self.embed)
        self.idf = idf
        self.min_evidence = min_evidence
        self.closest = closest
        self.reader = QuestionReader(self.kinds, unmentioned)
        self.article_text = article_text
        self.scorer = EvidenceScorer(self.embed, closeness, self.kinds, idf, article_text, self.hyponyms)
        self.chooser = SentenceChooser(self.kinds, closeness, min_evidence, max_sentences)
        self.verifier = verifier
        self.composer = Composer(idf, verifier.supports if verifier is not None else None)

    def warm_up(self) -> None:
        """Load the tagger, the parser and the word vectors now rather than on the first question."""
        self.reader.unseen_nouns("Warm up the tagger.")
        self.kinds.holds(["The strike lasted three days."], self.kinds.expected("How long?"), "How long?")
        self.vectors.known(["warm"])
        self.hyponyms.warm_up()
        if self.verifier is not None:
            self.verifier.warm_up()

    def score(self, question: str, passages: Sequence[Passage], query: str | None = None) -> list[Candidate]:
        """Every distinct sentence of the passages with its evidence and rank, best first."""
        return self.scorer.rank(self.reader.read(question, query), passages)[0]

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        query: str | None = None,
        search: Callable[..., list[Passage]] | None = None,
    ) -> Answer:
        """Answer ``question`` from ``passages``; ``query`` is the standalone form used for
        scoring; ``search(text, k=None)`` retrieves more passages where the question asks what someone
        said on a topic their retrieved statements do not name: their statements on kinds of
        it ("What did Xi propose on technology?": his "5G, artificial intelligence").

        A question as typed in a chat is read as if written out: its names capitalised as the
        passages write them ("what did xi propose": "Xi"), its question mark added
        (``assistant/typed.py``)."""
        texts = [p.chunk.text for p in passages]
        written = as_written(question, texts)
        # A standalone question is its own query: read once.
        written_query = written if query in (None, question) else as_written(query, texts)
        answer = self._answer(written, passages, written_query, search)
        return answer if written == question else answer.model_copy(update={"question": question})

    def _answer(
        self,
        question: str,
        passages: Sequence[Passage],
        query: str | None,
        search: Callable[..., list[Passage]] | None,
    ) -> Answer:
        q = self.reader.read(question, query)
        if search is not None:
            passages = [*passages, *self._spelled_out(q, passages, search)]
        ranked, named = self.scorer.rank(q, passages)
        expansion = self.scorer.kinds_query(q, ranked, named) if search is not None else ""
        if expansion and search is not None:
            seen = {p.id for p in passages}
            more = [p for p in search(expansion) if p.id not in seen]
            if more:
                ranked, named = self.scorer.rank(q, [*passages, *more])
        if not self.chooser.answers(ranked):
            closest = tuple(cite(i + 1, c) for i, c in enumerate(distinct(ranked)[: self.closest]))
            # Nouns no article uses and nothing in the best sentences comes close to: they have
            # lowered the evidence already (score); here they only word the refusal.
            text = self.composer.refusal(self.chooser.unrelated(q.unseen, ranked))
            return Answer(question=question, text=text, found=False, closest=closest)

        silent = self.chooser.silent(question, ranked) if q.statement else None
        if silent:  # "What did Kmart say …?" where "Kmart did not respond to requests for comment"
            return self._near_miss(question, f"what {silent[0]} said about it", silent[1], q.query)
        unquoted = self.chooser.unquoted(question, ranked, self.article_text) if q.statement else None
        if unquoted:  # "What did Edward Rogers say …?" where no article quotes him
            return self._near_miss(question, f"what {unquoted} said about it", ranked[0], q.query)
        if q.asked.about:  # "Who is Vera Jourova?": a sentence that gives her title
            ranked = self.chooser.describing(ranked, q.asked.about)
        best = ranked[0]
        if q.asked.kind is not None:
            # "When did X say …?" is answered by the date of the statement: first when it asks
            # when X said it ("When did Xi propose X?", not a date inside what he proposed),
            # else where no sentence states a date of what was said.
            when_said = q.asked.kind == "date" and q.statement
            answered = False
            if when_said and self.kinds.asks_when_said(question):
                ranked, answered = self._dated_statements(ranked, named)
                when_said = False  # tried already
            if not answered:
                ranked, answered = self.chooser.holding(q.query, q.asked, ranked, q.carried)
            if not answered and when_said:
                ranked, answered = self._dated_statements(ranked, named)
            # The passages discuss the topic but hold no such answer. "Where" is only a
            # preference: it often asks for a situation ("where might … be at odds"), not a place.
            if not answered and q.asked.kind != "place":
                return self._near_miss(question, self.kinds.what(q.asked), ranked[0], q.query)
            best = ranked[0]
        query, kind = q.query, q.kind
        if kind == "timeline":  # an item of a timeline is a dated event: dated sentences first
            dated = sorted(ranked, key=lambda c: EVENT_DATE.search(c.text) is None)
            chosen = self.chooser.per_article(dated, best, 1)
            query = without_dates(query)
        elif kind == "comparison":
            # What the asked person said in each article ("What did Hoffman say was the
            # difference …?" compares nothing across articles when one article quotes her).
            said = [c for c in ranked if c.sentence.speaker in named] if q.statement and named else []
            chosen = self.chooser.per_article(said or ranked, best, 2)
            query = without_dates(query)
            if len({c.passage.article_id for c in chosen}) < 2:  # one article: no list to compare
                kind, query = "plain", q.query
        if kind not in ("timeline", "comparison"):
            chosen = self.chooser.best_few(ranked)
        if q.asked.noun:  # "Which convention …?": a long sentence is cut around the one it names
            for cand in chosen:
                if cand.answer_span is None and cand.kind_span is None and len(cand.text) > EXCERPT_CHARS:
                    cand.answer_span = self.kinds.phrase(cand.text, q.asked.noun)
        for cand in chosen if q.acronyms else ():  # "AI": cut around "Artificial Intelligence"
            if cand.answer_span is None and cand.kind_span is None:
                cand.kind_span = next((span for a in q.acronyms if (span := spelled_out(a, cand.text))), None)
        text, citations = self.composer.answer_text(chosen, kind, query, named)
        return Answer(question=question, text=text, found=True, citations=citations)

    @staticmethod
    def _spelled_out(
        q: Understood, passages: Sequence[Passage], search: Callable[..., list[Passage]]
    ) -> list[Passage]:
        """For an abbreviation no article uses ("AI"), the passages of a wider search that
        spell it out ("Artificial Intelligence"): the words the search matches are not there,
        and a long passage that names it once in passing may rank below the first ``k``."""
        if not q.acronyms:
            return []
        seen = {p.id for p in passages}
        wider = [p for p in search(q.query, k=WIDE_SEARCH) if p.id not in seen]
        return [p for p in wider if any(abbreviates(a, p.chunk.text) for a in q.acronyms)][:MAX_SPELLED_OUT]

    def _dated_statements(self, ranked: list[Candidate], named: set[str]) -> tuple[list[Candidate], bool]:
        """For "When did X say …?" where no statement states a date: the statements, each
        dated by when its article's event took place (``news.reported_date``)."""
        said = self.chooser.statements(ranked, named) if self.article_text is not None else []
        dates: dict[str, str | None] = {}  # each article read once
        for cand in said:
            article = cand.passage.article_id
            if article not in dates:
                dates[article] = reported_date(self.article_text(article), cand.passage.date)
            cand.reported = dates[article]
        said = [c for c in said if c.reported]
        return (said + [c for c in ranked if c not in said], True) if said else (ranked, False)

    def _near_miss(self, question: str, what: str, closest: Candidate, query: str) -> Answer:
        text, citations = self.composer.near_miss(what, closest, query)
        return Answer(question=question, text=text, found=False, citations=citations)
