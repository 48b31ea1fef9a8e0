"""Answers that read as answers: a quoted statement said directly by its speaker, one paragraph
per article, and the quoted sentence kept verbatim as the citation."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.lead import compose_lead
from assistant.render import answer_blocks
from index.terms import terms
from index.types import Article


@pytest.mark.parametrize(
    ("text", "speaker", "question", "lead"),
    [
        # A pronoun subject becomes the speaker's name; the opening adjunct holds nothing asked.
        (
            "Speaking at the summit, she urged the council to raise the minimum wage.",
            "Maria Lopez",
            "What did Lopez urge on wages?",
            "Maria Lopez urged the council to raise the minimum wage.",
        ),
        # The adjunct holds a word of the question: it stays.
        (
            "Speaking at the summit, she urged the council to raise the minimum wage.",
            "Maria Lopez",
            "What did Lopez say at the summit?",
            "Speaking at the summit, Maria Lopez urged the council to raise the minimum wage.",
        ),
        # An opening adjunct with a figure or a name carries a fact: it stays.
        (
            "In an interview on 10 October, she said the tour would resume in May.",
            "Ana Ruiz",
            "What did Ruiz say about the tour?",
            "In an interview on 10 October, Ana Ruiz said the tour would resume in May.",
        ),
        # A description of the speaker.
        (
            "The finance minister reiterated that the budget would be balanced by 2027.",
            "Ana Ruiz",
            "What did Ruiz say about the budget?",
            "Ana Ruiz reiterated that the budget would be balanced by 2027.",
        ),
        # The attribution last.
        (
            "“We will not close the plant in Dunmore,” said the company's chief executive.",
            "Tom Hale",
            "What did Hale say about the plant?",
            "Tom Hale said: “We will not close the plant in Dunmore.”",
        ),
        # Already direct: the sentence itself.
        (
            "Peter Grant said the bridge will reopen in May after repairs.",
            "Peter Grant",
            "When will the bridge reopen?",
            "Peter Grant said the bridge will reopen in May after repairs.",
        ),
    ],
)
def test_a_statement_is_said_directly_by_its_speaker(text, speaker, question, lead):
    assert compose_lead(text, speaker, set(terms(question))) == lead


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Mayor Ellis said the bridge will reopen in May after repairs.", "Peter Grant"),  # someone else
        ("He and Mayor Ellis agreed to reopen the bridge in May.", "Peter Grant"),  # two subjects
        ("He built the bridge across the river in 1990.", "Peter Grant"),  # not a statement
        ("…the bridge will reopen in May, he said.", "Peter Grant"),  # an excerpt cut before it
        ("They said the bridge will reopen in May after repairs.", "Peter Grant"),  # not one person
        ("He’ll tell the council that the bridge will reopen in May.", "Peter Grant"),  # a clitic
    ],
)
def test_no_lead_where_the_words_do_not_make_one(text, speaker):
    assert compose_lead(text, speaker, set()) is None


TRAM_ARTICLE = (
    "Mayor Dana Whitfield said the new tram depot in Carrow had opened on Monday. Speaking at the opening "
    "ceremony, she promised that trams would run every six minutes on the harbour line by the summer. "
    "Critics said the depot had cost twice the original estimate of 40 million pounds."
)


def test_the_answer_names_the_speaker_and_cites_the_verbatim_sentence(fresh_assistant):
    fresh_assistant.library.add(
        Article(
            id="t1",
            title="Carrow opens tram depot",
            source="Carrow Post",
            date=dt.date(2025, 3, 3),
            text=TRAM_ARTICLE,
        )
    )
    answer = fresh_assistant.ask("What did Whitfield promise about how often trams run?")
    assert answer.found, answer.text
    lead = "Dana Whitfield promised that trams would run every six minutes"
    assert answer.text.startswith(lead), answer.text
    assert "she" not in answer.text.split()
    # The citation is the article's own sentence, word for word.
    assert answer.citations[0].sentence.startswith("Speaking at the opening ceremony, she promised")


def test_points_of_one_article_are_one_paragraph_and_of_several_labelled_by_date(fresh_assistant):
    library = fresh_assistant.library
    library.add(
        Article(
            id="h1",
            title="Harbour line plans",
            source="Carrow Post",
            date=dt.date(2025, 3, 3),
            text="The twelve new trams of the harbour line will be built in Derby by Alstom. "
            "Derby will also build the spare parts for the new trams of the harbour line.",
        )
    )
    one = fresh_assistant.ask("Where will the harbour line's new trams be built?")
    assert one.found and len(one.citations) == 2, one.text
    assert [b["kind"] for b in answer_blocks(one)] == ["paragraph"], one.text
    assert "Carrow Post" not in one.text and "2025" not in one.text  # one article: no label
    library.add(
        Article(
            id="h2",
            title="Harbour line update",
            source="Carrow Post",
            date=dt.date(2025, 9, 9),
            text="The twelve new trams of the harbour line will be built in Leeds by Alstom.",
        )
    )
    both = fresh_assistant.ask("Where will the harbour line's new trams be built?")
    assert {c.passage.article_id for c in both.citations} == {"h1", "h2"}, both.text
    # Points from two articles of different dates: one paragraph each, labelled with its date.
    blocks = answer_blocks(both)
    assert [b["kind"] for b in blocks] == ["paragraph", "paragraph"], both.text
    assert "3 Mar 2025 · " in both.text and "9 Sep 2025 · " in both.text, both.text


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # "he" is the search head named in the sentence, whoever the attribution says spoke.
        (
            "When the company's search head Paul Amory testified in court, he revealed that it had paid "
            "$2 billion to browsers.",
            "Lumo",
        ),
        # "she" is not a company.
        ("The practices were reasonable, she argued, claiming the fund acted legally.", "Alder Research"),
        # The quotation names someone before "she": who "she" is, is not certain.
        ("“Kestrel's decision does hurt,” she said in a message.", "Kestrel"),
    ],
)
def test_a_pronoun_is_not_replaced_where_it_may_be_someone_else(text, speaker):
    assert compose_lead(text, speaker, set()) is None


def test_a_quoted_pronoun_is_not_glossed_with_a_speaker_it_may_not_be():
    """Without a verifier (quotes only), "he" is glossed "(Lumo)" only where it can be no one else."""
    from assistant.compose import Composer
    from assistant.evidence import Candidate
    from index.types import Chunk, Passage, Sentence

    def statement(text: str, speaker: str) -> str:
        chunk = Chunk(
            article_id="a",
            position=0,
            start=0,
            end=len(text),
            text=text,
            sentences=(Sentence(start=0, end=len(text), speaker=speaker),),
        )
        passage = Passage(chunk=chunk, title="Report")
        cand = Candidate(passage, chunk.sentences[0], text)
        return Composer(lambda words: dict.fromkeys(words, 1.0)).statement(cand, 1, "What was revealed?")

    named = "When search head Paul Amory testified in court, he revealed that it paid $2 billion to browsers."
    assert statement(named, "Lumo") == f"{named} [1]"
    plain = "Asked about the deal, he revealed that the company paid $2 billion to browsers."
    assert statement(plain, "Paul Amory").startswith("Asked about the deal, he (Paul Amory) revealed")
