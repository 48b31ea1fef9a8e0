"""Follow-up questions rewritten into standalone queries, without a language model."""

from __future__ import annotations

from assistant.followup import standalone_query


def test_follow_up_keeps_the_topic_and_drops_the_replaced_person():
    earlier = ["What did Xi propose on railways?"]
    query = standalone_query("And what did Luong Cuong propose on that?", earlier)
    assert "railways" in query and "Xi" not in query and query.startswith("And what did Luong Cuong")


def test_follow_up_without_a_new_person_keeps_the_old_one():
    query = standalone_query("And what about trade?", ["What did Xi propose on railways?"])
    assert "Xi" in query and "trade" in query


def test_only_the_subject_is_dropped_not_other_names():
    earlier = ["What did Xi Jinping say about the United Nations in April?"]
    query = standalone_query("And what did Luong Cuong say on that?", earlier)
    assert "United Nations" in query and "April" in query and "Xi" not in query


def test_standalone_questions_are_left_alone():
    assert standalone_query("What did Xi propose on railways?", ["Who is Luong Cuong?"]) == (
        "What did Xi propose on railways?"
    )
    assert standalone_query("  What about it?  ", None) == "What about it?"
    # The conversation may end with the question itself (the UI sends the whole history).
    question = "And what did he say on that?"
    assert standalone_query(question, [question]) == question


def test_a_question_that_names_nothing_leans_on_the_turn_before():
    earlier = ["Why are the two sisters suing Harbor Freight?"]
    assert standalone_query("What did the company say back?", earlier) == (
        "What did the company say back? (Why are the two sisters suing Harbor Freight?)"
    )
    # One that names its own subject stands alone.
    assert standalone_query("What did Harbor Freight say?", earlier) == "What did Harbor Freight say?"
