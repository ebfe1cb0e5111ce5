"""Number problems written as formulas: ``answer:`` over the params instead of ``recipe:``.

The bank's formula problem (``receptive-field-stacked``) grades its own answer and names each
declared misconception, with its explanation in the student's numbers, on hundreds of seeds;
a formula that would fail a student on some variant is refused at import with file:line.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from exercises.bank.importer import ImportFailed, import_problems, parse_folder
from grader.kinds import SpecError
from grader.results import Verdict
from grader.selfcheck import check_problem

BANK = Path(settings.STRIDE["CONTENT_DIR"])
SEEDS = range(300)

OUTPUT_SIZE = {
    "kind": "number",
    "answer": "(n - f) / s + 1",
    "does_not_fit_if": "f > n or (n - f) % s != 0",
    "params": {"n": {"min": 5, "max": 15}, "f": {"choices": [3, 5]}, "s": {"min": 1, "max": 3}},
    "pinned": {"n": 7, "f": 3, "s": 3},
    "misconceptions": {
        "rounded-down": {
            "answer": "(n - f) // s + 1",
            "title": "Rounded a size that doesn't fit",
            "explain": "{wrong_work} rounds down: the last step would hang over the edge.",
        },
        "forgot-plus-one": {"answer": "(n - f) / s", "explain": "Add 1: {work} = {right}."},
    },
}


def shown(grade) -> str:
    """What a student reads: the feedback paragraph, then the diagnosis (title, explanation)."""
    m = grade.feedback.get("misconception") or {}
    return f"{grade.message} {m.get('title', '')}. {m.get('explanation', '')}"


def bank_spec() -> dict:
    errors: list[str] = []
    parsed = parse_folder(BANK / "receptive-field-stacked", errors)
    assert errors == []
    return parsed.fields["spec"]


def roundtrip(value):
    return json.loads(json.dumps(value))


def test_the_receptive_field_problem_imports_with_the_lectures_numbers_pinned(number):
    spec = bank_spec()
    params = number.generate(spec, None)
    assert params == {"k": 3, "n": 2}
    assert number.expected(spec, params) == 5  # two 3x3 layers see a 5x5 window
    assert number.answer_format(spec, params) == {"type": "number", "accepts": ["number"]}


def test_the_receptive_field_problem_grades_its_answer_and_each_misconception_on_many_seeds(
    number,
):
    spec = bank_spec()
    declared = set(spec["misconceptions"])
    named: set[str] = set()
    for seed in [None, *SEEDS]:
        params = roundtrip(number.generate(spec, seed))
        right = number.expected(spec, params)
        assert right == 1 + params["n"] * (params["k"] - 1)
        assert number.grade(spec, params, right).verdict == Verdict.CORRECT
        wrong = number.wrong_answers(spec, params)
        assert set(wrong) == declared
        for key, answer in wrong.items():
            grade = number.grade(spec, params, roundtrip(answer))
            assert grade.verdict == Verdict.INCORRECT
            hint = grade.feedback["misconception"]
            assert hint["key"] == key or key in [a["key"] for a in grade.feedback.get("also", [])]
            if hint["key"] == key:
                named.add(key)
                # the explanation speaks in the student's own numbers
                assert f"= {right}" not in hint["explanation"]  # left for the student
                assert str(answer) in hint["explanation"]
                assert "{" not in hint["explanation"] + hint["step"]
    assert named == declared
    assert check_problem(spec, seeds=SEEDS) == []


def test_a_misconception_explains_itself_with_the_students_numbers(number):
    grade = number.grade(bank_spec(), {"n": 3, "k": 5}, 15)
    assert grade.feedback["misconception"]["title"] == "Added up the filter sizes"
    explanation = grade.feedback["misconception"]["explanation"]
    assert explanation.startswith("3 layers of 5x5 do not see")
    assert explanation.endswith("1 + 3*(5 - 1) = ?.")


def test_an_answer_matching_no_misconception_gets_the_summary_not_the_formula(number):
    grade = number.grade(bank_spec(), {"n": 3, "k": 5}, 99)
    assert grade.verdict == Verdict.INCORRECT and "misconception" not in grade.feedback
    assert "1 + n*(k - 1)" not in shown(grade) and "one layer at a time" in shown(grade)


def test_a_formula_with_a_does_not_fit_condition_grades_both_outcomes(number):
    number.validate_spec(OUTPUT_SIZE)
    assert number.generate(OUTPUT_SIZE, None) == {"f": 3, "n": 7, "s": 3}
    assert number.expected(OUTPUT_SIZE, {"f": 3, "n": 7, "s": 3}) == "does-not-fit"
    assert number.grade(OUTPUT_SIZE, {"f": 3, "n": 7, "s": 3}, "does-not-fit").score == 1.0
    rounded = number.grade(OUTPUT_SIZE, {"f": 3, "n": 7, "s": 3}, 2)
    assert rounded.feedback["misconception"]["key"] == "rounded-down"
    assert "(7 - 3) // 3 + 1 rounds down" in shown(rounded)
    assert rounded.feedback["fit"] == {
        "fits": False,
        "step": "3 > 7 or (7 - 3) % 3 != 0",
        "message": "It doesn't fit: 3 > 7 or (7 - 3) % 3 != 0 holds for these numbers. "
        "Answer that it does not fit: tick “It does not fit” in the form, or send "
        '"does-not-fit" through the API.',
    }
    fits = number.grade(OUTPUT_SIZE, {"f": 3, "n": 7, "s": 2}, "does-not-fit")
    assert fits.verdict == Verdict.INCORRECT and fits.feedback["fit"]["fits"] is True
    assert number.answer_format(OUTPUT_SIZE, {"f": 3, "n": 7, "s": 2})["accepts"] == [
        "number",
        "does-not-fit",
    ]
    outcomes = {number.expected(OUTPUT_SIZE, number.generate(OUTPUT_SIZE, s)) for s in SEEDS}
    assert "does-not-fit" in outcomes and len(outcomes) > 3
    assert check_problem(OUTPUT_SIZE, seeds=range(100)) == []


def test_a_real_valued_formula_is_graded_within_its_tolerance(number):
    spec = {
        "kind": "number",
        "answer": "sqrt(n) / 2",
        "integer": False,
        "params": {"n": {"min": 2, "max": 30}},
        "tolerance": {"abs": 0.01, "rel": 0},
    }
    number.validate_spec(spec)
    assert number.grade(spec, {"n": 2}, 0.71).verdict == Verdict.CORRECT
    assert number.grade(spec, {"n": 2}, 0.73).verdict == Verdict.INCORRECT
    assert check_problem(spec) == []


def test_recipe_problems_refuse_the_formula_keys(number):
    with pytest.raises(SpecError, match="only formula problems"):
        number.validate_spec({"kind": "number", "recipe": "conv-layer-params", "summary": "x"})
    with pytest.raises(SpecError, match="either answer"):
        number.validate_spec({"kind": "number", "recipe": "conv-layer-params", "answer": "1"})


# --- a bad formula fails at import with file:line -----------------------------------------------

GOOD = """\
uuid: {uuid}
title: Parameters of a conv layer
kind: number
answer: "(f*f*c + 1)*k"
params:
  f: {{choices: [1, 3, 5]}}
  c: {{min: 1, max: 8}}
  k: {{min: 1, max: 16}}
misconceptions:
  forgot-bias:
    answer: "f*f*c*k"
    explain: "Each of the {{k}} filters has one bias: {{work}} = {{right}}, not {{wrong}}."
"""


def write_problem(root: Path, yaml_text: str) -> Path:
    folder = root / "conv-params"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "problem.yaml").write_text(yaml_text, encoding="utf-8")
    (folder / "statement.md").write_text("{{ k }} filters of {{ f }}x{{ f }}x{{ c }}.\n")
    return folder / "problem.yaml"


def import_errors(tmp_path: Path, yaml_text: str) -> list[str]:
    write_problem(tmp_path, yaml_text)
    errors: list[str] = []
    parse_folder(tmp_path / "conv-params", errors)
    return errors


def good() -> str:
    return GOOD.format(uuid=uuid.uuid4())


@pytest.mark.django_db
def test_the_good_formula_problem_imports_and_grades(tmp_path, number):
    write_problem(tmp_path, good())
    assert import_problems(tmp_path).created == ["conv-params"]
    from exercises.models import Problem

    spec = Problem.objects.get(slug="conv-params").spec
    assert number.grade(spec, {"f": 5, "c": 3, "k": 10}, 760).verdict == Verdict.CORRECT
    assert number.grade(spec, {"f": 5, "c": 3, "k": 10}, 750).feedback["misconception"] == {
        "key": "forgot-bias",
        "title": "Forgot bias",
        "explanation": "Each of the 10 filters has one bias: (5*5*3 + 1)*10 = ?, not 750.",
        "step": "(5*5*3 + 1)*10",
    }


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        ('"(f*f*c + 1)*k"', '"(f*f*c + 1)*kk"', 4, "answer: unknown name 'kk'"),
        ('"(f*f*c + 1)*k"', "\"__import__('os').getpid()\"", 4, "only these functions"),
        ('"(f*f*c + 1)*k"', '"f.__class__"', 4, "attribute access is not allowed"),
        ('"(f*f*c + 1)*k"', '"(f*f*c + 1)**k"', 4, "1e+13 is too large to type (when c=1"),
        ('"(f*f*c + 1)*k"', '"2**(k*100)"', 4, "the exponent 100 is beyond 64"),
        ('"(f*f*c + 1)*k"', '"k // (f - 3)"', 4, "division by zero in 'k // (f - 3)' when"),
        ('"(f*f*c + 1)*k"', '"(f*f*c + 1)*k / 2"', 4, "is not a whole number (when c="),
        ('"(f*f*c + 1)*k"', '"(f*f*c + 1)*k > 3"', 4, "this is a condition"),
        ('"f*f*c*k"', '"f*f*c*k / (c - 1)"', 11, "misconceptions.forgot-bias.answer: division"),
        ('"f*f*c*k"', '"(f*f*c*k + k)"', 11, "gives the right answer on 100% of the variants"),
        ("{work}", "{wrk}", 12, "misconceptions.forgot-bias.explain: unknown field {wrk}"),
        ("max: 16}", "max: 16}\ndoes_not_fit_if: k + 1", 9, "this is a number, not a condition"),
        ("max: 16}", "max: 16}\ndoes_not_fit_if: k > 0", 9, "holds on every variant"),
        ("{min: 1, max: 16}", "{min: 1, max: 9999999}", 8, "params.k.max: must be <= 1000000"),
    ],
)
def test_a_bad_formula_fails_at_import_with_its_file_and_line(tmp_path, old, new, line, says):
    text = good()
    assert old in text
    errors = import_errors(tmp_path, text.replace(old, new, 1))
    [error] = errors
    assert error.startswith(f"{tmp_path / 'conv-params' / 'problem.yaml'}:{line}: "), error
    assert says in error


@pytest.mark.django_db
def test_a_bad_formula_imports_nothing(tmp_path):
    write_problem(tmp_path, good().replace("(f*f*c + 1)*k", "k / (c - 2)"))
    with pytest.raises(ImportFailed) as err:
        import_problems(tmp_path)
    assert "problem.yaml:4: answer: division by zero" in err.value.errors[0]


def test_a_students_variant_does_not_depend_on_the_order_of_the_spec_keys(number):
    """PostgreSQL's jsonb reorders mapping keys: the spec read back must draw the same numbers."""
    spec = bank_spec()
    reordered = {
        **spec,
        "params": dict(reversed(list(spec["params"].items()))),
        "misconceptions": dict(reversed(list(spec["misconceptions"].items()))),
    }
    assert list(reordered["params"]) != list(spec["params"])
    for seed in range(50):
        params = number.generate(spec, seed)
        assert number.generate(reordered, seed) == params
        assert number.wrong_answers(reordered, params) == number.wrong_answers(spec, params)
