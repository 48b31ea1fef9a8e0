"""Stage 4 of an answer: the chosen sentences become the answer's text and its citations.

Every statement is a sentence of an article, or the excerpt of a long one that holds the
asked-for thing, quoted verbatim and followed by its marker ``[n]``; the speaker is named
where the quoted words only say "he". The question's shape decides the layout:

- one point, or several from one article: one paragraph;
- points from several articles: one line each, labelled with the article's date when the
  dates differ, else its source;
- timelines and comparisons: one labelled line per article, oldest first;
- ``who`` questions lead each statement with its speaker, ``when`` questions with the date
  the sentence states for the event.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from assistant import prompts
from assistant.evidence import Candidate, mentions, quotation
from assistant.lead import compose_lead, pronoun_is_speaker
from assistant.news import Kind, article_label, event_date, source_label
from assistant.roles import SPEECH_STEMS, asks_for_statement
from assistant.types import Citation
from index.speakers import JOINT
from index.terms import same_word, terms
from index.types import Passage

EXCERPT_CHARS = 300
_LEADING_PRONOUN = re.compile(r"(?:^|,\s+)(he|she)\s+(?=\w)", re.IGNORECASE)


def cite(n: int, cand: Candidate) -> Citation:
    return Citation(
        n=n,
        passage=cand.passage,
        sentence=cand.text,
        start=cand.sentence.start,
        end=cand.sentence.end,
        speaker=cand.sentence.speaker,
        score=cand.evidence,
    )


def quoted_list(words: Sequence[str]) -> str:
    """'football'; 'Joe' or 'Biden'; 'a', 'b' or 'c'."""
    quoted = [f"“{w}”" for w in words]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def excerpt(
    sentence: str,
    question: str,
    idf: Callable[[list[str]], dict[str, float]],
    keep: tuple[int, int] | None = None,
) -> str:
    """A long sentence cut to the run of clauses that best covers the question's terms and
    holds ``sentence[keep[0]:keep[1]]`` (the asked-for thing) when given: never cut before it."""
    if len(sentence) <= EXCERPT_CHARS:
        return sentence
    clauses = [m for m in re.finditer(r"[^,;—]+(?:[,;—]|$)", sentence)]  # an em dash ends one too
    wanted = set(terms(question)) - SPEECH_STEMS
    weights = idf(list(wanted)) if wanted else {}
    hits = [i for i, c in enumerate(clauses) if _matched(wanted, set(terms(c.group())))]
    best_span, best_value = (0, EXCERPT_CHARS), (-1.0, 0.0)
    if keep is not None:  # if no window holds the thing, the one that starts with it
        first = next((i for i, c in enumerate(clauses) if c.end() > keep[0]), 0)
        best_span = (clauses[first].start(), max(keep[1], clauses[first].end()))
    for i in range(len(clauses)):
        j = i
        while j + 1 < len(clauses) and clauses[j + 1].end() - clauses[i].start() <= EXCERPT_CHARS:
            j += 1
        span = (clauses[i].start(), clauses[j].end())
        if keep is not None and not (span[0] <= keep[0] and keep[1] <= span[1]):
            continue
        have = set(terms(sentence[span[0] : span[1]]))
        inside = [h for h in hits if i <= h <= j]
        # Most question terms first; then the matching clauses nearest the middle.
        centred = -abs((sum(inside) / len(inside)) - (i + j) / 2) if inside else 0.0
        found = _matched(wanted, have)
        value = (sum(w for t, w in weights.items() if t in found), centred)
        if value > best_value:
            best_span, best_value = span, value
    start, end = best_span
    piece = sentence[start:end].strip().rstrip(",;—").rstrip()
    return ("…" if start > 0 else "") + piece + ("…" if end < len(sentence.rstrip()) else "")


def _matched(wanted: set[str], have: set[str]) -> set[str]:
    """The terms of ``wanted`` that ``have`` holds, in any form ("young" in "younger")."""
    return {t for t in wanted if t in have or any(same_word(t, h) for h in have)}


class Composer:
    """Writes the answer text from the chosen sentences (``idf`` weighs which clauses to keep).

    ``supported(statement, passage)``, when given, is the citation verifier's verdict on a
    composed sentence: a lead (``assistant/lead.py``) is said only when it passes; without a
    verifier every statement is the quoted sentence.
    """

    def __init__(
        self,
        idf: Callable[[list[str]], dict[str, float]],
        supported: Callable[[str, Passage], bool] | None = None,
    ) -> None:
        self.idf = idf
        self.supported = supported

    def statement(
        self, cand: Candidate, n: int, query: str, lead: Kind = "plain", date_said: str | None = None
    ) -> str:
        """The sentence (or its most relevant excerpt) with the speaker made explicit: said
        directly when it can be ("Xi Jinping suggested that …" for "Emphasizing …, he
        suggested that …"), else quoted with the speaker named beside it.
        ``date_said``: the date a ``when`` answer already led with (not repeated).

        ``who`` questions lead with the speaker ("Xi Jinping: … [1]"); ``when`` questions
        with the date the sentence states for the event ("September 4, 2025: … [1]").
        """
        keep = cand.answer_span or cand.kind_span
        if keep is None and asks_for_statement(query):  # what someone said: their words
            keep = quotation(cand.text)
        text = excerpt(cand.text, query, self.idf, keep=keep)
        speaker = cand.sentence.speaker
        direct = self._lead(text, cand, query)
        if direct is not None:
            text = direct
        elif lead == "who" and speaker:
            return f"{'Both sides' if speaker == JOINT else speaker}: {text} [{n}]"
        date = event_date(cand.text, cand.passage.date) or cand.reported
        date = date if lead == "when" and date != date_said else None
        if direct is None and speaker and speaker != JOINT and not mentions(text, speaker):
            pronoun = _LEADING_PRONOUN.search(text)
            if pronoun is None:
                text = f"{date}, {speaker}: {text}" if date else f"{speaker}: {text}"
                date = None
            elif pronoun_is_speaker(text, pronoun.start(1), speaker):
                text = f"{text[: pronoun.end(1)]} ({speaker}){text[pronoun.end(1) :]}"
            # else "he" may be someone the sentence names: the quote stands as written
        return f"{date}: {text} [{n}]" if date else f"{text} [{n}]"

    def _lead(self, text: str, cand: Candidate, query: str) -> str | None:
        """The excerpt said directly by its speaker, when the cited passage supports that."""
        if self.supported is None:
            return None
        lead = compose_lead(text, cand.sentence.speaker, set(terms(query)))
        if lead is None or (lead != text and not self.supported(lead, cand.passage)):
            return None
        return lead

    def answer_text(
        self, chosen: list[Candidate], kind: Kind, query: str, named: set[str]
    ) -> tuple[str, tuple[Citation, ...]]:
        """The answer's text and citations for the chosen sentences (best first, or oldest
        article first for a timeline or comparison); ``named``: the people the question asks
        to be quoted.

        A timeline or comparison is a list, one item per article. Otherwise the points of one
        article are one paragraph, and the points of several articles one paragraph each,
        labelled with the article's date when their dates differ (else its source).
        """
        if kind not in ("timeline", "comparison"):  # one article's points together, numbered in order
            order = list(dict.fromkeys(c.passage.article_id for c in chosen))
            chosen = sorted(chosen, key=lambda c: order.index(c.passage.article_id))
        citations = tuple(cite(i + 1, c) for i, c in enumerate(chosen))
        statements = []
        for i, cand in enumerate(chosen):
            said = event_date(chosen[i - 1].text, chosen[i - 1].passage.date) if i else None
            statements.append(self.statement(cand, i + 1, query, lead=kind, date_said=said))
        if kind in ("timeline", "comparison"):
            text = _by_article(chosen, statements)
        else:
            paragraphs: dict[str, list[str]] = {}
            for cand, statement in zip(chosen, statements, strict=True):
                paragraphs.setdefault(cand.passage.article_id, []).append(statement)
            if len(paragraphs) == 1:
                text = " ".join(statements)
            else:  # say which article each paragraph is from
                by_date = len({c.passage.date for c in chosen}) > 1
                first = {}
                for cand in chosen:
                    first.setdefault(cand.passage.article_id, cand.passage)
                labels = {a: _point_label(p, by_date) for a, p in first.items()}
                uses = Counter(labels.values())
                for a, label in labels.items():  # two articles of one date: say which is which
                    if by_date and uses[label] > 1:
                        labels[a] = f"{label}, {source_label(first[a])}"
                text = "\n\n".join(f"{labels[a]} · {' '.join(parts)}" for a, parts in paragraphs.items())
        said = {c.sentence.speaker for c in chosen}
        if named and not named & said and said - {None, JOINT}:
            others = ", ".join(sorted(said - {None, JOINT}))
            text = (
                f"The articles do not attribute this to {' or '.join(sorted(named))}; "
                f"the closest statements are by {others}:\n\n{text}"
            )
        return text, citations

    def near_miss(self, what: str, closest: Candidate, query: str) -> tuple[str, tuple[Citation, ...]]:
        """Not found: what the best passage does say [1], and that it does not say ``what``."""
        statement = self.statement(closest, 1, query)
        return prompts.render("near_miss", what=what, statement=statement), (cite(1, closest),)

    @staticmethod
    def refusal(unmentioned: list[str]) -> str:
        """The articles do not answer; naming the question's nouns none of them mentions."""
        if unmentioned:
            return prompts.render("unmentioned", terms=quoted_list(unmentioned))
        return prompts.render("refusal")


def _by_article(chosen: list[Candidate], statements: list[str]) -> str:
    """One line per article, labelled with its date and place, in the order given."""
    lines: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for cand, statement in zip(chosen, statements, strict=True):
        lines.setdefault(cand.passage.article_id, []).append(statement)
        labels[cand.passage.article_id] = article_label(cand.passage)
    return "\n".join(f"- {labels[a]} — {' '.join(parts)}" for a, parts in lines.items())


def _point_label(passage: Passage, by_date: bool) -> str:
    """Which article a point is from: its date when the points' dates differ, else its source,
    else its (short) title."""
    if by_date and passage.date:
        return passage.date.strftime("%-d %b %Y")
    return source_label(passage)
