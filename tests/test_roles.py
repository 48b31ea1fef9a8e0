"""People asked for by their role ("the chief executive", "the governor"), on text written
for this test: titles read beside a name's mentions, abbreviations spelled out."""

from __future__ import annotations

from assistant.roles import (
    asked_by_role,
    asks_for_statement,
    names_speaker,
    role_words,
    speaker_phrases,
    titles,
)
from index.terms import stem

ARTICLE = (
    'Harbor Freight reported weaker orders. "We expect demand to recover," said CEO Maria '
    "Okafor. Finance chief Tom Reyes said margins would narrow. Okafor has run the company "
    "since 2019. Lena Ortiz, governor of the state, said the plant would stay open. "
    "Analyst Sam Becker said the shares were cheap."
)
SPEAKERS = [("Maria Okafor", "a1"), ("Tom Reyes", "a1"), ("Lena Ortiz", "a1"), ("Sam Becker", "a1")]


def read(article_id: str) -> str:
    assert article_id == "a1"
    return ARTICLE


def test_titles_are_the_words_beside_a_name():
    assert {"chief", "execut"} <= titles("Maria Okafor", ARTICLE)  # "CEO" spelled out
    assert {"financ", "chief"} <= titles("Tom Reyes", ARTICLE)
    assert "govern" in titles("Lena Ortiz", ARTICLE)  # an apposition after the name (stemmed)
    assert "maria" not in titles("Maria Okafor", ARTICLE)


def test_the_role_picks_the_person():
    assert asked_by_role("What did the company's chief executive say about demand?", SPEAKERS, read) == {
        "Maria Okafor"
    }
    assert asked_by_role("What does the CFO think about margins?", SPEAKERS, read) == {"Tom Reyes"}
    assert asked_by_role("How did the governor respond?", SPEAKERS, read) == {"Lena Ortiz"}
    assert asked_by_role("What did the analyst say?", SPEAKERS, read) == {"Sam Becker"}


def test_no_role_no_preference():
    assert asked_by_role("What did they say about demand next spring?", SPEAKERS, read) == set()
    # Not a question about a statement: a role word is a topic there.
    assert not asks_for_statement("How many governors attended?")
    assert asked_by_role("How many governors attended?", SPEAKERS, read) == set()


def test_role_words_are_the_common_nouns():
    assert role_words("What did Nike's CEO say?") >= {"chief", "execut"}
    assert "nike" not in role_words("What did Nike's CEO say?")


def test_contractions_and_possessives_are_read():
    assert role_words("What's Harbor Freight's CEO saying about the outlook?") >= {"chief", "execut"}
    question = "When's the best time to buy, according to the company's analyst?"
    assert role_words(question) == {"compan", "analys"}  # stems


def test_words_of_the_sentence_outside_the_name_are_no_title():
    """A role word elsewhere in a sentence that mentions someone is not their title: the
    governor who texted the attorney general is the governor, not she."""
    article = (
        "Denise George, the attorney general of the territory, sued the bank. Governor Albert "
        "Bryan Jr. texted George in May. The governor gave his blessing when George filed. "
        "Officially, George, not the governor, decided. Bryan said the matter was closed."
    )
    assert "govern" not in titles("Denise George", article)
    assert {stem("attorney"), stem("general")} <= titles("Denise George", article)
    assert "govern" in titles("Albert Bryan Jr", article)
    speakers = [("Denise George", "a2"), ("Albert Bryan Jr", "a2")]
    assert asked_by_role("What did the governor say?", speakers, lambda _: article) == {"Albert Bryan Jr"}


def test_a_verb_that_attributes_a_statement_names_its_speaker():
    """ "thank", "congratulate" attribute statements in articles: the question asks for the
    subject's statement, as "say" does; "arrive" does not."""
    assert names_speaker("What did the governor thank the volunteers for?")
    assert speaker_phrases("What did the governor thank the volunteers for?") == ["the governor"]
    assert not names_speaker("When did the governor arrive in Juneau?")


def test_the_owner_of_what_was_said_is_its_speaker():
    question = "What was the governor's response to the audit?"
    assert speaker_phrases(question) == []
    assert speaker_phrases(question, ("response",)) == ["the governor"]
