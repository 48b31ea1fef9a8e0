"""The answer's stages one by one: understand -> evidence -> choose -> compose (assistant/extractive.py
runs them; each is tested here on its own, with the real tagger, parser and embedder)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from assistant.asked import AnswerKinds
from assistant.choose import SentenceChooser, distinct, repeats
from assistant.compose import Composer, excerpt
from assistant.evidence import Candidate, EvidenceScorer, abbreviates, candidates_of, spelled_out
from assistant.hyponyms import Hyponyms
from assistant.meaning import Closeness, WordVectors
from assistant.news import reported_date
from assistant.nouns import NounFinder
from assistant.sentences import EmbeddingCache
from assistant.understand import QuestionReader
from index.chunk import split_sentences
from index.types import Chunk, Passage, Sentence


def passage(
    article_id: str,
    text: str,
    date: dt.date | None = None,
    speakers: dict[int, str] | None = None,
    source: str = "Carrow Post",
) -> Passage:
    """A one-chunk passage of ``text`` cut into sentences (``speakers``: by sentence number)."""
    spans = split_sentences(text)
    sentences = tuple(
        Sentence(start=s, end=e, speaker=(speakers or {}).get(i)) for i, (s, e) in enumerate(spans)
    )
    chunk = Chunk(article_id=article_id, position=0, start=0, end=len(text), text=text, sentences=sentences)
    return Passage(chunk=chunk, title=f"Report {article_id}", date=date, source=source)


def flat_idf(words: list[str]) -> dict[str, float]:
    return dict.fromkeys(words, 1.0)


@pytest.fixture(scope="module")
def kinds() -> AnswerKinds:
    return AnswerKinds(WordVectors())


@pytest.fixture(scope="module")
def reader(kinds) -> QuestionReader:
    return QuestionReader(kinds)


# -- understand ------------------------------------------------------------------------------


def test_understand_reads_shape_kind_and_statement(reader):
    q = reader.read("How many seats did the Green party win in the council vote?")
    assert (q.kind, q.asked.kind, q.asked.counted, q.statement) == ("plain", "number", "seats", False)
    said = reader.read("What did the mayor say about the tram depot?")
    assert said.asked.kind is None and said.statement
    who = reader.read("Who opened the tram depot?")
    assert (who.kind, who.asked.kind) == ("who", "person")


def test_understand_a_timeline_asks_for_statements_not_a_kind_of_thing(reader):
    q = reader.read("When did the tram project change, step by step?")
    assert q.kind == "timeline" and q.expected.kind == "date" and q.asked.kind is None


def test_understand_a_follow_up_carries_the_earlier_turn(reader):
    q = reader.read("How much did it cost?", "How much did it cost? (What is Lumo Glide?)")
    assert q.follow_up and q.carried == " (What is Lumo Glide?)"
    assert not reader.read("How much did it cost?").follow_up


# -- evidence --------------------------------------------------------------------------------


def test_evidence_skips_restatements_and_keeps_the_speakers_earlier_sentence_as_context():
    text = (
        "Will the depot open in May? Mayor Dana Whitfield spoke on Monday about the depot. "
        "The depot will open on 12 May with forty trams, she said."
    )
    cands = candidates_of(
        [passage("a", text, speakers={1: "Dana Whitfield", 2: "Dana Whitfield"})],
        "Will the depot open in May?",
    )
    texts = [c.text for c in cands]
    assert "Will the depot open in May?" not in texts  # a question answers nothing
    last = next(c for c in cands if c.text.startswith("The depot will open"))
    assert last.context.startswith("Mayor Dana Whitfield spoke")


def scorer_of(kinds: AnswerKinds, embedder, hyponyms: Hyponyms | None = None) -> EvidenceScorer:  # noqa: ANN001
    embed = EmbeddingCache(embedder)
    return EvidenceScorer(embed, Closeness(kinds.vectors, embed), kinds, flat_idf, hyponyms=hyponyms)


def test_evidence_ranks_the_asked_speakers_statement_first(reader, kinds, embedder):
    text = (
        "Councillor Omar Reyes said the harbour line should close at night. "
        "Mayor Dana Whitfield said the harbour line will run all night from June."
    )
    p = passage("a", text, speakers={0: "Omar Reyes", 1: "Dana Whitfield"})
    scorer = scorer_of(kinds, embedder)
    ranked, people = scorer.rank(reader.read("What did Whitfield say about the harbour line?"), [p])
    assert people == {"Dana Whitfield"}
    assert ranked[0].sentence.speaker == "Dana Whitfield"
    assert ranked[0].rank > ranked[1].rank and ranked[0].evidence > 0


def test_a_credit_line_of_names_alone_is_no_candidate():
    text = (
        "“We call on the EU to act and exert trade pressure on the USA.”\n\nHelen Smith, IMPALA\n\n"
        "The label group IMPALA, Helen Smith said, wants the directive rewritten."
    )
    texts = [c.text for c in candidates_of([passage("a", text)], "What did Helen Smith call for?")]
    assert not any(t.strip() == "Helen Smith, IMPALA" for t in texts), texts
    assert any(t.startswith("The label group IMPALA") for t in texts)


def test_a_statement_a_document_makes_is_not_the_running_speakers(reader, kinds, embedder):
    """The article's attribution carries the person quoted before onto '“…,” the plea agreement
    said' (``index/speakers.py``); a thing is no person, and the sentence is nobody's."""
    text = (
        "Dana Whitfield admitted the charges in court on Monday. "
        "“She was told the punishments were needed,” the plea agreement said. "
        "“We will appeal,” the company said."
    )
    p = passage("a", text, speakers={0: "Dana Whitfield", 1: "Dana Whitfield", 2: "Harbour Lines"})
    scorer = scorer_of(kinds, embedder, Hyponyms())
    ranked, _ = scorer.rank(reader.read("What did Whitfield say about the punishments?"), [p])
    speakers = {c.text.split("”")[-1].strip(" ."): c.sentence.speaker for c in ranked}
    assert speakers["the plea agreement said"] is None
    assert speakers["the company said"] == "Harbour Lines"  # a company is one


def test_a_name_the_passage_gives_counts_for_the_sentence_that_refers_to_it(reader, kinds, embedder):
    """News names a person once a paragraph: "Judge Omar Reyes scheduled sentencing …" is
    about Dana Whitfield where its passage names her, not in a report that never does."""
    sentence = "Judge Omar Reyes scheduled sentencing for Feb. 20."
    named = passage("a", f"Dana Whitfield pleaded guilty on Monday to four charges of fraud. {sentence}")
    unnamed = passage("b", f"A harbour clerk pleaded guilty on Monday to four charges of fraud. {sentence}")
    scorer = scorer_of(kinds, embedder)
    question = reader.read("When is Dana Whitfield's sentencing?")
    evidence = [
        next(c.evidence for c in scorer.rank(question, [p])[0] if c.text == sentence)
        for p in (named, unnamed)
    ]
    assert evidence[0] > evidence[1]


# -- choose ----------------------------------------------------------------------------------


def cand(
    article_id: str, text: str, rank: float, evidence: float | None = None, date: dt.date | None = None
) -> Candidate:
    p = passage(article_id, text, date)
    return Candidate(
        p, p.chunk.sentences[0], text, evidence=rank if evidence is None else evidence, rank=rank
    )


def test_choose_a_caption_repeats_its_sentence_but_a_disagreeing_copy_does_not():
    full = cand("a", "The final was played at Harbour Stadium in Portmere on 7 March.", 0.6)
    caption = cand("a", "The final at Harbour Stadium in Portmere.", 0.5)
    other = cand("b", "The final was played at Harbour Stadium in Eastbrook on 7 March.", 0.6)
    assert repeats(caption, full)
    assert not repeats(other, full)
    copy = cand("c", "the final was played at Harbour Stadium in Portmere on 7 March.", 0.5)  # syndicated
    assert distinct([full, copy]) == [full]


def test_choose_best_few_within_the_margin_and_not_repeating(kinds, embedder):
    chooser = SentenceChooser(kinds, Closeness(kinds.vectors, EmbeddingCache(embedder)), min_evidence=0.3)
    ranked = [
        cand("a", "The depot cost 40 million pounds to build.", 0.70),
        cand("a", "The depot cost 40 million pounds.", 0.68),  # a caption: says nothing more
        cand("a", "Trams will run every six minutes from June.", 0.60),
        cand("a", "The weather was fine.", 0.40),  # outside the margin
    ]
    chosen = chooser.best_few(ranked)
    assert [c.text for c in chosen] == [ranked[0].text, ranked[2].text]
    assert chooser.answers(ranked) and not chooser.answers([cand("a", "x y z", 0.2)])


def test_choose_per_article_keeps_every_article_oldest_first(kinds, embedder):
    chooser = SentenceChooser(kinds, Closeness(kinds.vectors, EmbeddingCache(embedder)), min_evidence=0.3)
    new = cand("n", "In September the council approved the harbour line.", 0.7, date=dt.date(2025, 9, 1))
    old = cand("o", "In April the council debated the harbour line.", 0.65, date=dt.date(2025, 4, 1))
    chosen = chooser.per_article([new, old], new, per_article=1)
    assert [c.passage.article_id for c in chosen] == ["o", "n"]


def test_who_is_someone_is_answered_by_the_sentence_that_gives_their_title(kinds, embedder):
    assert kinds.expected("Who is Vera Jourova?").about == "Vera Jourova"
    chooser = SentenceChooser(kinds, Closeness(kinds.vectors, EmbeddingCache(embedder)), min_evidence=0.3)
    spoke = cand("a", "Vera Jourova welcomed the efforts of the platforms in a speech today.", 0.7)
    titled = cand("b", "The EU commissioner for values, Vera Jourova, said X did worst.", 0.6)
    ranked = chooser.describing([spoke, titled], "Vera Jourova")
    assert ranked[0] is titled and titled.text[slice(*titled.answer_span)] == "Jourova"


# -- compose ---------------------------------------------------------------------------------


def test_compose_never_cuts_a_long_sentence_before_the_asked_thing():
    sentence = (
        "The council, which met on Monday evening in the old town hall after a long delay caused by "
        "the storm, heard from residents, shop owners, bus drivers and the harbour master, and after "
        "a debate that ran past midnight and several failed amendments from the opposition benches, "
        "finally approved the harbour line at a cost of 240 million pounds, to be paid over ten years."
    )
    at = sentence.index("240 million pounds")
    piece = excerpt(sentence, "How much will the harbour line cost?", flat_idf, keep=(at, at + 18))
    assert "240 million pounds" in piece and len(piece) < len(sentence)


def test_compose_cuts_at_an_em_dash_to_keep_the_asked_thing_with_its_clause():
    sentence = (
        "The regulator is turning up the pressure on the ferry operator. Late Thursday, the regulator "
        "sent the company a formal request for more information — after issuing a public warning about "
        "reports that overcrowded sailings and missed safety drills were continuing on the harbour route "
        "all through the summer season, and the operator's chief executive sending a brief reply."
    )
    at = sentence.index("Thursday")
    piece = excerpt(sentence, "When did the regulator send a formal request?", flat_idf, keep=(at, at + 8))
    assert "Late Thursday, the regulator sent the company a formal request for more information…" in piece


def test_compose_one_article_one_paragraph_several_articles_labelled():
    composer = Composer(flat_idf)
    a1 = cand("a", "The harbour line will open in June.", 0.7, date=dt.date(2025, 3, 3))
    a2 = cand("a", "Trams will run every six minutes.", 0.6, date=dt.date(2025, 3, 3))
    text, cites = composer.answer_text([a1, a2], "plain", "When will the harbour line open?", set())
    assert "\n" not in text and text.endswith("[2]") and [c.n for c in cites] == [1, 2]
    b = cand("b", "The harbour line will open in August.", 0.7, date=dt.date(2025, 9, 9))
    text, _ = composer.answer_text([a1, b], "plain", "When will the harbour line open?", set())
    assert text.split("\n\n") == [
        "3 Mar 2025 · The harbour line will open in June. [1]",
        "9 Sep 2025 · The harbour line will open in August. [2]",
    ]


def test_compose_two_articles_of_one_date_are_told_apart_by_source():
    composer = Composer(flat_idf)
    a = cand("a", "The harbour line will open in June.", 0.7, date=dt.date(2025, 3, 3))
    b = cand("b", "The harbour line will open in July.", 0.7, date=dt.date(2025, 3, 3))
    c = cand("c", "The harbour line will open in August.", 0.7, date=dt.date(2025, 9, 9))
    b.passage = Passage(chunk=b.passage.chunk, title=b.passage.title, date=b.passage.date, source="Bay Times")
    text, _ = composer.answer_text([a, b, c], "plain", "When will the harbour line open?", set())
    assert [p.split(" · ")[0] for p in text.split("\n\n")] == [
        "3 Mar 2025, Carrow Post",
        "3 Mar 2025, Bay Times",
        "9 Sep 2025",
    ]


def test_compose_numbers_the_points_in_reading_order_when_articles_alternate():
    composer = Composer(flat_idf)
    a1 = cand("a", "The harbour line will open in June.", 0.7, date=dt.date(2025, 3, 3))
    b = cand("b", "The harbour line will open in August.", 0.7, date=dt.date(2025, 9, 9))
    a2 = cand("a", "Trams will run every six minutes on it.", 0.6, date=dt.date(2025, 3, 3))
    text, cites = composer.answer_text([a1, b, a2], "plain", "When will the harbour line open?", set())
    assert re.findall(r"\[(\d)\]", text) == ["1", "2", "3"]
    assert [c.passage.article_id for c in cites] == ["a", "a", "b"]


def test_an_acronym_is_matched_by_what_it_abbreviates_only():
    assert abbreviates("UN", "the role of the United Nations has been challenged")
    assert abbreviates("BoE", "the Bank of England raised rates")
    assert abbreviates("FTC", "the Federal Trade Commission sued")
    assert not abbreviates("UN", "the United States and China")
    assert not abbreviates("Putin", "President Xi Jinping")  # a name is no acronym
    text = "Expand cooperation in Emerging Fields Such AS 5G, Artificial Intelligence and Green Development"
    start, end = spelled_out("AI", text)
    assert text[start:end] == "Artificial Intelligence"


def test_a_word_with_an_auxiliary_is_a_verb_not_a_noun_the_articles_lack():
    nouns = NounFinder()
    assert "host" not in nouns("Which summit did China host?")  # "did … host"
    assert "host" in nouns("What did the summit's host say?")


def test_a_statement_is_dated_by_the_event_its_article_reports():
    opening = "On the morning of April 15, 2025, local time, the two presidents met in Hanoi."
    assert reported_date(opening, dt.date(2025, 4, 16)) == "April 15, 2025"
    assert reported_date("The talks were held on September 4 in Beijing.", dt.date(2025, 9, 5)) == (
        "September 4, 2025"
    )
    assert reported_date("No date is stated here.", dt.date(2025, 9, 4)) == "September 4, 2025"
    assert reported_date("No date is stated here.", None) is None
