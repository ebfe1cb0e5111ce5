"""The code kind names the known mistake a failed case's output matches (tests.py's variants()),
computed in the worker, without revealing a hidden case's data; and an author's malformed
variants() or MISCONCEPTIONS is a clear SpecError at import."""

import logging

import pytest

from grader.kinds.base import SpecError
from grader.kinds.code import KIND, _load_tests
from grader.results import Verdict
from tests.grader.kinds.test_code import SPEC, TESTS_PY
from tests.grader.sandbox.conftest import CONV2D

VARIANTS_PY = (
    TESTS_PY
    + """
from grader.checks import ARRAY_MISCONCEPTIONS, conv2d_variants

MISCONCEPTIONS = {
    "missing-bias": ARRAY_MISCONCEPTIONS["missing-bias"],
    "ignored-padding": {"title": "Padding ignored", "explanation": "Pad x first.", "step": "pad"},
    "flipped-kernel": ARRAY_MISCONCEPTIONS["flipped-kernel"],
}
VARIANT_CALLS = []

def variants(x, w, b, stride=1, pad=0):
    VARIANT_CALLS.append((stride, pad))
    out = conv2d_variants(x, w, b, stride, pad)
    return {k: v for k, v in out.items() if k in MISCONCEPTIONS}
"""
)
DIAGNOSED = {**SPEC, "tests_source": VARIANTS_PY}
PAD = "xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))"
# A consistent "padding ignored": no padding, and the output size computed without it.
NO_PADDING = CONV2D.replace(PAD, "xp = x").replace("2 * pad", "0 * pad")
# Ignores padding when there is some, and drops the bias when there is none.
MIXED = NO_PADDING.replace("xp = x", "xp = x\n    if not pad:\n        b = 0 * b")

pytestmark = pytest.mark.sandbox


def spec_error(spec) -> SpecError:
    with pytest.raises(SpecError) as err:
        KIND.validate_spec(spec)
    return err.value


def with_tests(extra: str, **spec) -> dict:
    return {**SPEC, "tests_source": TESTS_PY + extra, **spec}


# --- grading ------------------------------------------------------------------------------------


def test_a_hidden_case_with_the_wrong_shape_names_ignored_padding_but_not_its_data():
    grade = KIND.grade(DIAGNOSED, KIND.generate(DIAGNOSED, 7), NO_PADDING)
    assert grade.verdict is Verdict.PARTIAL
    hint = grade.feedback["misconception"]
    assert hint == {
        "key": "ignored-padding",
        "title": "Padding ignored",
        "explanation": "Pad x first.",
        "step": "pad",
        "tests": ["hidden 2", "hidden 3"],
    }
    assert "2 failed tests match a known mistake: Padding ignored." in grade.message
    failed = [t for t in grade.tests if not t.passed]
    assert [t.name for t in failed] == ["hidden 2", "hidden 3"]
    for test in failed:
        assert test.hidden and test.message == "Matches a known mistake: Padding ignored"
        # the mistake is named; of the output only a digest stays (the integrity report's)
        # and the message's text (its key and the mistake's title: no data), for Korean
        assert test.data.keys() == {"misconception", "output_digest", "texts"}
        assert set(test.data["texts"]) == {"message"}
        assert test.data["misconception"] == "ignored-padding"


def test_a_visible_case_keeps_its_diff_and_adds_the_mistake():
    visible = {
        **DIAGNOSED,
        "tests_source": VARIANTS_PY.replace('"points": 2}', '"points": 2, "hidden": False}'),
    }
    grade = KIND.grade(visible, KIND.generate(visible, 7), CONV2D.replace("+ b", ""))
    failed = [t for t in grade.tests if not t.passed]
    assert failed and all(not t.hidden for t in failed)
    for test in failed:
        assert "values differ" in test.message
        assert test.message.endswith("; matches a known mistake: Bias missing")
        assert test.data["misconception"] == "missing-bias" and test.data["diff_map"]
        # Where the map sits, so a page can say "image n, filter f, rows/cols from (r, c)".
        assert len(test.data["diff_map_slice"]) == 2 and len(test.data["diff_map_origin"]) == 2
    assert grade.feedback["misconception"]["key"] == "missing-bias"


def test_different_mistakes_name_the_most_common_and_list_the_others():
    grade = KIND.grade(DIAGNOSED, KIND.generate(DIAGNOSED, 7), MIXED)
    hint = grade.feedback["misconception"]
    assert hint["key"] == "ignored-padding" and hint["tests"] == ["hidden 2", "hidden 3"]
    assert hint["partial"] is True and hint["matched_tests"] == 2
    assert grade.feedback["also"] == [{"key": "missing-bias", "title": "Bias missing"}]
    by_name = {t.name: t.data.get("misconception") for t in grade.tests}
    assert by_name == {
        "example": None,
        "hidden 1": "missing-bias",
        "hidden 2": "ignored-padding",
        "hidden 3": "ignored-padding",
    }


def test_an_unknown_mistake_is_failed_without_a_diagnosis():
    grade = KIND.grade(DIAGNOSED, KIND.generate(DIAGNOSED, 7), CONV2D.replace("+ b", "+ 2 * b"))
    assert grade.verdict is Verdict.PARTIAL
    assert "misconception" not in grade.feedback and "also" not in grade.feedback
    assert all(
        t.message == "" and t.data.keys() <= {"output_digest"} for t in grade.tests if t.hidden
    )


def test_variants_are_computed_in_the_worker_only_for_failed_cases():
    calls = _load_tests(VARIANTS_PY)["VARIANT_CALLS"]
    calls.clear()
    KIND.grade(DIAGNOSED, KIND.generate(DIAGNOSED, 7), CONV2D)
    assert calls == []  # a right answer costs no diagnosis
    KIND.grade(DIAGNOSED, KIND.generate(DIAGNOSED, 7), NO_PADDING)
    assert calls == [(2, 1), (1, 1)]


def test_misconceptions_in_problem_yaml_narrow_the_diagnosis():
    narrowed = {**DIAGNOSED, "misconceptions": ["missing-bias"]}
    KIND.validate_spec(narrowed)
    grade = KIND.grade(narrowed, KIND.generate(narrowed, 7), MIXED)
    assert grade.feedback["misconception"]["key"] == "missing-bias"
    assert "also" not in grade.feedback
    off = {**DIAGNOSED, "misconceptions": []}
    KIND.validate_spec(off)
    assert "misconception" not in KIND.grade(off, KIND.generate(off, 7), MIXED).feedback


def test_a_variants_function_that_breaks_on_a_students_seed_costs_the_hint_not_the_grade(caplog):
    # grade() does not re-validate: this stands for a variants() that fails on one seed only
    broken = with_tests(
        "\nMISCONCEPTIONS = {'missing-bias': ('Bias', 'Add b.')}\n"
        "def variants(*args, **kwargs):\n    raise RuntimeError('author bug')\n"
    )
    with caplog.at_level(logging.ERROR, logger="grader.kinds.code_misconceptions"):
        grade = KIND.grade(broken, KIND.generate(broken, 7), CONV2D.replace("+ b", ""))
    assert grade.verdict is Verdict.PARTIAL and "misconception" not in grade.feedback
    assert "variants() failed" in caplog.text and "author bug" in caplog.text


# --- validation ---------------------------------------------------------------------------------


def test_variants_and_misconceptions_are_optional_together():
    KIND.validate_spec(SPEC)
    KIND.validate_spec(DIAGNOSED)
    err = spec_error(with_tests("\ndef variants(*a, **k):\n    return {}\n"))
    assert err.path == "tests_source" and "no MISCONCEPTIONS" in err.message
    err = spec_error(with_tests("\nMISCONCEPTIONS = {'x': ('T', 'E')}\n"))
    assert err.path == "tests_source" and "no variants()" in err.message
    err = spec_error(with_tests("\nMISCONCEPTIONS = {}\nvariants = 3\n"))
    assert "variants must be a function" in err.message


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ("'T and E'", "expected (title, explanation)"),
        ("('T',)", "expected (title, explanation)"),
        ("('', 'E')", "the title must be non-empty"),
        ("{'title': 'T'}", "the explanation must be non-empty"),
        ("{'title': 'T', 'explanation': 'E', 'hint': 'h'}", "unknown keys ['hint']"),
        ("{'title': 'T', 'explanation': 'E', 'step': 3}", "the step must be text"),
    ],
)
def test_a_malformed_misconception_entry_is_named(declared, message):
    bad = with_tests(
        f"\nMISCONCEPTIONS = {{'missing-bias': {declared}}}\n"
        "def variants(*a, **k):\n    return {}\n"
    )
    err = spec_error(bad)
    assert err.path == "tests_source" and "MISCONCEPTIONS['missing-bias']" in err.message
    assert message in err.message


def test_variants_must_return_declared_keys_and_numbers_on_the_pinned_cases():
    head = "\nMISCONCEPTIONS = {'missing-bias': ('T', 'E')}\ndef variants(x, w, b, **k):\n"
    err = spec_error(with_tests(head + "    return {'flipped': x}\n"))
    assert err.path == "tests_source.cases[0]" and "'flipped'" in err.message
    err = spec_error(with_tests(head + "    return [x]\n"))
    assert "must return a dict" in err.message
    err = spec_error(with_tests(head + "    return {'missing-bias': 'abc'}\n"))
    assert err.path == "tests_source.cases[0]" and "variants() failed" in err.message
    err = spec_error(with_tests(head + "    return {'missing-bias': x * float('nan')}\n"))
    assert "NaN" in err.message
    err = spec_error(with_tests(head + "    raise KeyError('w2')\n"))
    assert "variants() failed: KeyError('w2')" in err.message


def test_problem_yaml_misconceptions_must_be_declared_and_produced():
    err = spec_error({**DIAGNOSED, "misconceptions": ["missing-bias", "transposed"]})
    assert err.path == "misconceptions[1]" and "unknown misconception 'transposed'" in err.message
    err = spec_error({**DIAGNOSED, "misconceptions": "missing-bias"})
    assert err.path == "misconceptions" and "a list of keys or 'all'" in err.message
    err = spec_error({**SPEC, "misconceptions": ["missing-bias"]})
    assert err.path == "misconceptions[0]" and "tests.py defines no MISCONCEPTIONS" in err.message
    never = with_tests(
        "\nMISCONCEPTIONS = {'missing-bias': ('T', 'E'), 'transposed': ('T', 'E')}\n"
        "def variants(x, w, b, **k):\n    return {'missing-bias': x}\n",
        misconceptions=["missing-bias", "transposed"],
    )
    err = spec_error(never)
    assert err.path == "misconceptions[1]" and "never returns 'transposed'" in err.message
