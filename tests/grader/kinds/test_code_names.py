"""A code case's name written per language: stored and keyed by its English, its texts kept in
the test's data so that a reader sees it in their language; a plain name is unchanged."""

import numpy as np
import pytest
from django.utils import translation

from exercises import grading_texts
from grader.kinds.base import SpecError
from grader.kinds.code import KIND
from grader.results import Verdict
from tests.grader.kinds.test_code import SPEC, TESTS_PY
from tests.grader.sandbox.conftest import CONV2D

NAMED = TESTS_PY.replace(
    '[{"name": "example",', '[{"name": {"en": "example {1}", "ko": "예시 {1}"},'
).replace('"name": f"hidden {k + 1}"', '"name": {"en": f"hidden {k + 1}", "ko": f"숨은 {k + 1}"}')
NAMED_SPEC = {**SPEC, "tests_source": NAMED}


def _shown(test, language):
    with translation.override(language):
        return grading_texts.shown_test_name(test.name, test.data)


def test_a_named_case_is_keyed_by_its_english():
    assert NAMED != TESTS_PY
    KIND.validate_spec(NAMED_SPEC)
    expected = KIND.expected(NAMED_SPEC, KIND.generate(NAMED_SPEC, 3))
    assert list(expected) == ["example {1}", "hidden 1", "hidden 2", "hidden 3"]
    plain = KIND.expected(SPEC, KIND.generate(SPEC, 3))
    assert [np.asarray(v).shape for v in expected.values()] == [
        np.asarray(v).shape for v in plain.values()
    ]


@pytest.mark.parametrize(
    "name",
    [
        {"ko": "영어 없음"},
        {"en": "x", "fr": "y"},
        {"en": "x", "ko": 3},
        {"en": "  ", "ko": "빈 영어"},
    ],
)
def test_a_name_per_language_needs_english_and_known_languages(name):
    source = TESTS_PY.replace('[{"name": "example",', f'[{{"name": {name!r},')
    with pytest.raises(SpecError) as err:
        KIND.validate_spec({**SPEC, "tests_source": source})
    assert err.value.path == "tests_source.cases[0].name"


@pytest.mark.sandbox
def test_a_graded_named_case_reads_in_the_readers_language_and_a_plain_one_as_written():
    grade = KIND.grade(NAMED_SPEC, KIND.generate(NAMED_SPEC, 7), CONV2D)
    assert grade.verdict is Verdict.CORRECT
    assert [t.name for t in grade.tests] == ["example {1}", "hidden 1", "hidden 2", "hidden 3"]
    assert [_shown(t, "en") for t in grade.tests] == [t.name for t in grade.tests]
    assert [_shown(t, "ko") for t in grade.tests] == ["예시 {1}", "숨은 1", "숨은 2", "숨은 3"]
    plain = KIND.grade(SPEC, KIND.generate(SPEC, 7), CONV2D)
    assert all("texts" not in t.data for t in plain.tests)
    assert [_shown(t, "ko") for t in plain.tests] == [t.name for t in plain.tests]


@pytest.mark.sandbox
def test_a_diagnosis_and_a_hidden_crash_name_their_tests_in_the_readers_language():
    raises = CONV2D.replace(
        "def conv2d(",
        "def conv2d(*a, **k):\n    if k.get('pad'):\n"
        "        raise IndexError('no')\n    return _c(*a, **k)\n\ndef _c(",
    )
    grade = KIND.grade(NAMED_SPEC, KIND.generate(NAMED_SPEC, 7), raises)
    assert {c["test"] for c in grade.feedback["crashes"]} == {"hidden 2", "hidden 3"}
    korean = grading_texts.texts.localize(grade.feedback, "ko")
    assert {c["test"] for c in korean["crashes"]} == {"숨은 2", "숨은 3"}
    hidden = [t for t in grade.tests if t.hidden and not t.passed]
    assert {_shown(t, "ko") for t in hidden} == {c["test"] for c in korean["crashes"]}
