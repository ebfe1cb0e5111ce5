"""The choice kind: one key, or several with all-or-nothing or partial scoring."""

import pytest

from grader.kinds.base import SpecError
from grader.results import Verdict

WHY = {
    "kind": "choice",
    "multiple": True,
    "scoring": "partial",
    "shuffle": True,
    "options": [
        {"key": "local", "text": "Local connectivity"},
        {"key": "shared", "text": "Shared weights and biases"},
        {"key": "compose", "text": "Compositionality"},
        {
            "key": "dense",
            "text": "Every unit sees every pixel",
            "feedback": "That is a fully connected layer: a conv unit sees its receptive field.",
        },
    ],
    "correct": ["local", "shared", "compose"],
}
LAYERS = {
    "kind": "choice",
    "options": [
        {"key": "conv", "text": "Convolution + subsampling"},
        {"key": "fc", "text": "Fully connected", "feedback": "The FC layer classifies."},
    ],
    "correct": "conv",
}


def test_single_choice(choice):
    choice.validate_spec(LAYERS)
    params = choice.generate(LAYERS, 3)
    assert params == {"order": ["conv", "fc"]}  # no shuffle asked
    assert choice.expected(LAYERS, params) == "conv"
    assert choice.grade(LAYERS, params, "conv").verdict == Verdict.CORRECT
    assert choice.grade(LAYERS, params, ["conv"]).verdict == Verdict.CORRECT
    wrong = choice.grade(LAYERS, params, "fc")
    assert wrong.verdict == Verdict.INCORRECT
    assert wrong.message == "Not this one. The FC layer classifies."
    assert wrong.feedback["misconception"]["key"] == "option:fc"


def test_multiple_choice_with_partial_scoring(choice):
    choice.validate_spec(WHY)
    params = choice.generate(WHY, 11)
    assert sorted(params["order"]) == sorted(["local", "shared", "compose", "dense"])
    assert choice.grade(WHY, params, ["shared", "local", "compose"]).score == 1.0
    two = choice.grade(WHY, params, ["local", "shared"])
    assert two.verdict == Verdict.PARTIAL and two.score == pytest.approx(2 / 3)
    assert two.message == "2 of your 2 choices are right, and 1 right option is missing."
    mixed = choice.grade(WHY, params, ["local", "dense"])
    assert mixed.score == 0.0
    assert "That is a fully connected layer" in mixed.message


def test_all_or_nothing_scoring(choice):
    spec = {**WHY, "scoring": "all-or-nothing"}
    assert choice.grade(spec, choice.generate(spec, 1), ["local", "shared"]).score == 0.0


def test_shuffle_is_deterministic_per_seed_and_shown_in_that_order(choice):
    orders = {tuple(choice.generate(WHY, s)["order"]) for s in range(40)}
    assert len(orders) > 5
    assert choice.generate(WHY, 5) == choice.generate(WHY, 5)
    assert choice.generate(WHY, None)["order"] == ["local", "shared", "compose", "dense"]
    params = choice.generate(WHY, 5)
    fmt = choice.answer_format(WHY, params)
    assert fmt["type"] == "choice" and fmt["multiple"] is True
    assert [o["key"] for o in fmt["options"]] == params["order"]
    assert "feedback" not in fmt["options"][0]


@pytest.mark.parametrize(
    ("spec", "answer", "message"),
    [
        (LAYERS, 3, "the answer must be one option key, got an int"),
        (LAYERS, ["conv", "fc"], "choose one option, got 2"),
        (LAYERS, "pooling", 'unknown option "pooling"; the options are conv, fc'),
        (WHY, [], "choose at least one option"),
        (WHY, ["local", "local"], "an option is chosen twice"),
        (WHY, [True], "the answer must be a list of option keys, got a list"),
        (WHY, ["a"] * 9, "there are only 4 options"),
    ],
)
def test_bad_choices_are_invalid(choice, spec, answer, message):
    grade = choice.grade(spec, choice.generate(spec, None), answer)
    assert grade.verdict == Verdict.INVALID and grade.message == message


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"options": [{"key": "a", "text": "A"}]}, "options"),
        ({"options": [{"key": "a", "text": "A"}, {"key": "a", "text": "B"}]}, "options[1].key"),
        ({"options": [{"key": "a b", "text": "A"}, {"key": "b", "text": "B"}]}, "options[0].key"),
        ({"options": [{"key": "a", "text": ""}, {"key": "b", "text": "B"}]}, "options[0].text"),
        (
            {"options": [{"key": "a", "text": "A", "hint": 1}, {"key": "b", "text": "B"}]},
            "options[0].hint",
        ),
        ({"correct": "pool"}, "correct[0]"),
        ({"correct": ["conv", "fc"]}, "correct"),
        ({"scoring": "partial"}, "scoring"),
        ({"multiple": "yes"}, "multiple"),
        ({"shuffle": 1}, "shuffle"),
        ({"recipe": "x"}, "recipe"),
    ],
)
def test_spec_errors_carry_a_path(choice, change, path):
    with pytest.raises(SpecError) as info:
        choice.validate_spec({**LAYERS, **change})
    assert info.value.path == path
