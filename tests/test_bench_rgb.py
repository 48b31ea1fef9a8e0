"""Answer matching of the RGB counterfactual benchmark (bench/counterfactual_rgb.py); no model needed."""

from __future__ import annotations

import pytest

from bench.counterfactual_rgb import (
    answer_forms,
    contains_answer,
    kind_of,
    normalise,
    passage_id,
    verdict,
)

# RGB writes date answers as one list of alternative spellings inside a list.
DATE = [["July 21 2017", "Jul 21, 2017", "21 July 2017"]]


def test_normalise_folds_case_nbsp_and_whitespace():
    assert normalise("  Tampa,\u00a0FLORIDA\n\tUSA ") == "tampa, florida usa"


def test_normalise_folds_accents_and_curly_apostrophes():
    assert normalise("Tadej Pogačar’s win") == "tadej pogacar's win"


def test_string_answer_is_case_insensitive():
    assert contains_answer("The game was in TAMPA, FLORIDA.", "Tampa, Florida")
    assert not contains_answer("The game was in Glendale, Arizona.", "Tampa, Florida")


def test_nbsp_in_text_or_answer_matches_a_space():
    assert contains_answer("played in Tampa,\u00a0Florida\u00a0...", "Tampa, Florida")
    assert contains_answer("played in Tampa, Florida", "Tampa,\u00a0Florida")
    assert contains_answer("Simona\n  Halep won", "Simona Halep")


def test_list_answer_matches_any_form():
    assert answer_forms(DATE) == ["July 21 2017", "Jul 21, 2017", "21 July 2017"]
    assert contains_answer("It was released on 21 July 2017 ...", DATE)
    assert contains_answer("released jul 21, 2017", DATE)
    assert not contains_answer("released on July 1, 2007", DATE)
    assert contains_answer("Facebook bought it", ["Meta", "Facebook"])


def test_whole_words_only():
    assert not contains_answer("in the 2010s", "2010")
    assert not contains_answer("won 1939 medals", "39")
    assert contains_answer("Facebook's bid", "Facebook")
    assert contains_answer("the U.S. team", "U.S.")
    assert contains_answer("Pogacar won", "Tadej Pogačar") is False
    assert contains_answer("Tadej Pogacar won", "Tadej Pogačar")


def test_empty_answer_never_matches():
    assert not contains_answer("anything", "")
    assert not contains_answer("anything", [])


@pytest.mark.parametrize(
    ("has_true", "has_fake", "found", "expected"),
    [
        (True, True, True, "both"),
        (True, False, True, "true"),
        (False, True, True, "fake"),
        (False, False, True, "neither"),
        (True, True, False, "refused"),
    ],
)
def test_verdict(has_true, has_fake, found, expected):
    assert verdict(has_true, has_fake, found) == expected


def test_passage_ids_carry_their_kind():
    assert passage_id(7, "wrong", 2) == "rgb-7-wrong-2"
    assert [kind_of(passage_id(7, k, 0)) for k in ("pos", "wrong", "neg")] == ["pos", "wrong", "neg"]
