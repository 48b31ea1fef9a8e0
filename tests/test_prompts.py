"""Every prompt template in prompts/ renders with its variables and refuses to without."""

from __future__ import annotations

import pytest

from assistant import prompts

NAMES = prompts.names()


def test_prompts_exist():
    assert {"answer", "condense_question", "passage", "refusal"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_prompt_renders_with_its_variables(name):
    template = prompts.load(name)
    values = {var: f"<<value of {var}>>" for var in template.input_variables}
    text = prompts.render(name, **values)
    assert text.strip()
    for value in values.values():
        assert value in text
    for var in template.input_variables:
        assert "{" + var + "}" not in text, f"unfilled placeholder {var!r} left in {name}"


@pytest.mark.parametrize(
    ("name", "variable"),
    [(n, v) for n in NAMES for v in prompts.load(n).input_variables],
)
def test_prompt_without_a_variable_raises(name, variable):
    template = prompts.load(name)
    values = {var: "x" for var in template.input_variables if var != variable}
    with pytest.raises(KeyError):
        prompts.render(name, **values)


def test_refusal_is_plain_text():
    assert prompts.load("refusal").input_variables == []
    text = prompts.render("refusal")
    assert text == (prompts.PROMPTS_DIR / "refusal.txt").read_text(encoding="utf-8").strip()
    assert "{" not in text


def test_unknown_prompt_names_the_known_ones():
    with pytest.raises(KeyError) as err:
        prompts.load("no-such-prompt")
    assert "refusal" in str(err.value)
