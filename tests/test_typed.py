"""A question as typed in a chat is read as if written out: names capitalised as the articles
write them, and its question mark."""

from __future__ import annotations

from assistant.typed import as_written, cased_forms, truecased

PASSAGES = [
    "State President Luong Cuong held talks with President Xi Jinping in Beijing. Xi proposed a "
    "railway committee, and Luong Cuong thanked Xi. The Party said the party congress would meet.",
    "Luong Cuong welcomed Xi Jinping in Hanoi. Hanoi hosted a banquet, the first in Hanoi.",
]


def test_names_the_passages_always_capitalise_are_capitalised():
    assert truecased("what did xi propose on railways", PASSAGES) == "what did Xi propose on railways"
    assert truecased("who welcomed xi jinping in hanoi?", PASSAGES) == "who welcomed Xi Jinping in Hanoi?"
    assert truecased("luong cuong's talks", PASSAGES) == "Luong Cuong's talks"


def test_words_written_both_ways_or_only_at_a_sentence_start_keep_their_case():
    forms = cased_forms(PASSAGES)
    assert "party" not in forms  # "The Party said the party congress": either way
    assert "in" not in forms and "state" not in forms  # capitalised only where a sentence starts
    assert forms["xi"] == "Xi"


def test_a_question_with_capitals_of_its_own_is_left_as_typed():
    assert truecased("What did Xi say about hanoi?", PASSAGES) == "What did Xi say about hanoi?"
    assert truecased("what did xi say", []) == "what did xi say"


def test_a_question_without_its_question_mark_gets_one():
    assert as_written("what did luong cuong thank xi for", PASSAGES) == "what did Luong Cuong thank Xi for?"
    assert as_written("Is Vietnam opposed to Taiwan independence  ", []).endswith("independence?")
    assert as_written("Tell me about the banquet", []) == "Tell me about the banquet"  # a request
    assert as_written("What happened?", []) == "What happened?"
