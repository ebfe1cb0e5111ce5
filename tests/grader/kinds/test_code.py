"""The code kind: cases built and checked in the worker, only inputs sent to the sandbox."""

import pytest

pytest.importorskip("grader.kinds.base", reason="needs the kinds branch (ProblemKind, SpecError)")
from grader.kinds.base import SpecError
from grader.kinds.code import KIND
from grader.results import Verdict
from grader.sandbox import SandboxUnavailable
from tests.grader.sandbox.conftest import CONV2D

pytestmark = pytest.mark.sandbox

TESTS_PY = """
import numpy as np

def reference(x, w, b, stride=1, pad=0):
    n, c, h, wd = x.shape
    f, _, hh, ww = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = (h + 2 * pad - hh) // stride + 1, (wd + 2 * pad - ww) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * stride:i * stride + hh, j * stride:j * stride + ww]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out

def cases(rng):
    out = [{"name": "example", "args": [np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), np.zeros(1)],
            "hidden": False}]
    for k, (stride, pad) in enumerate([(1, 0), (2, 1), (1, 1)]):
        x = rng.standard_normal((2, 3, 7, 7))
        w = rng.standard_normal((4, 3, 3, 3))
        b = rng.standard_normal(4)
        out.append({"name": f"hidden {k + 1}", "args": [x, w, b],
                    "kwargs": {"stride": stride, "pad": pad}, "points": 2})
    return out
"""
SPEC = {
    "kind": "code",
    "entry": "conv2d",
    "signature": "def conv2d(x, w, b, stride=1, pad=0)",
    "starter": "def conv2d(x, w, b, stride=1, pad=0):\n    raise NotImplementedError\n",
    "tests_source": TESTS_PY,
    "limits": {"cpu_seconds": 1},
}


def test_a_valid_spec_passes_validation_and_a_broken_one_names_the_key():
    KIND.validate_spec(SPEC)
    with pytest.raises(SpecError) as err:
        KIND.validate_spec({**SPEC, "entry": "not a name"})
    assert err.value.path == "entry"
    with pytest.raises(SpecError) as err:
        KIND.validate_spec({**SPEC, "limits": {"cpu": 1}})
    assert err.value.path == "limits"
    with pytest.raises(SpecError) as err:
        KIND.validate_spec({**SPEC, "tests_source": "def cases(rng):\n    return []\n"})
    assert err.value.path == "tests_source"


def test_a_correct_submission_scores_full_marks_and_hidden_cases_show_no_data():
    grade = KIND.grade(SPEC, KIND.generate(SPEC, 7), CONV2D)
    assert grade.score == 1.0 and grade.verdict is Verdict.CORRECT
    assert [t.name for t in grade.tests] == ["example", "hidden 1", "hidden 2", "hidden 3"]
    assert all(t.passed for t in grade.tests)
    assert sum(t.max_points for t in grade.tests) == 7
    assert "stdout" not in grade.feedback  # hidden cases: printed output could leak inputs


def test_a_submission_that_ignores_padding_fails_the_padded_cases_with_partial_credit():
    wrong = CONV2D.replace("xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))", "xp = x")
    grade = KIND.grade(SPEC, KIND.generate(SPEC, 7), wrong)
    assert grade.verdict is Verdict.PARTIAL
    passed = {t.name: t.passed for t in grade.tests}
    assert passed == {"example": True, "hidden 1": True, "hidden 2": False, "hidden 3": False}
    hidden_failure = grade.tests[2]
    assert hidden_failure.message == "" and hidden_failure.data == {}


def test_a_wrong_hidden_output_keeps_only_its_digest_the_same_for_the_same_numbers():
    """For the integrity report: never the output, the inputs or a message."""
    forgot_bias = CONV2D.replace(") + b", ")")
    grade = KIND.grade(SPEC, KIND.generate(SPEC, 7), forgot_bias)
    failed = [t for t in grade.tests if t.hidden and not t.passed]
    assert failed and all(t.message == "" for t in failed)
    assert all(set(t.data) == {"output_digest"} for t in failed)
    digest = failed[0].data["output_digest"]
    assert len(digest) == 16 and int(digest, 16) >= 0
    renamed = forgot_bias.replace("xp", "padded")
    again = {t.name: t for t in KIND.grade(SPEC, KIND.generate(SPEC, 7), renamed).tests}
    assert again[failed[0].name].data["output_digest"] == digest
    doubled = CONV2D.replace(") + b", ") + 2 * b")
    other = KIND.grade(SPEC, KIND.generate(SPEC, 7), doubled)
    assert {t.data["output_digest"] for t in other.tests if t.hidden and not t.passed} - {
        t.data["output_digest"] for t in failed
    }


def test_student_faults_are_graded_with_a_clear_message():
    grade = KIND.grade(SPEC, KIND.generate(SPEC, 1), "def conv2d(x:\n")
    # Nothing ran: invalid, so that it uses no attempt (test_code_feedback).
    assert grade.score == 0 and grade.verdict is Verdict.INVALID
    assert "line 1" in grade.message and grade.feedback["status"] == "syntax_error"
    loop = "def conv2d(*a, **k):\n    while True:\n        pass\n"
    grade = KIND.grade(SPEC, KIND.generate(SPEC, 1), loop)
    assert grade.feedback["status"] == "timeout" and "time limit" in grade.message
    assert KIND.grade(SPEC, KIND.generate(SPEC, 1), 42).verdict is Verdict.INVALID


def test_the_expected_outputs_never_reach_the_sandbox(monkeypatch):
    seen = []

    def spy(source, entry, calls, limits=None, **kwargs):
        seen.append(calls)
        raise SandboxUnavailable("spy")

    monkeypatch.setattr("grader.sandbox.run_calls", spy)
    with pytest.raises(SandboxUnavailable):
        KIND.grade(SPEC, KIND.generate(SPEC, 3), CONV2D)
    assert all(set(call) == {"args", "kwargs"} for call in seen[0])


ORDER_TESTS_PY = """
import numpy as np

def reference(x):
    return x * 2

def cases(rng):
    return [
        {"name": "secret", "args": [np.full(3, 5.0)], "hidden": True},
        {"name": "shown", "args": [np.full(3, 1.0)], "hidden": False},
    ]
"""
ORDER_SPEC = {**SPEC, "entry": "f", "signature": "def f(x)", "tests_source": ORDER_TESTS_PY}


def test_visible_cases_run_first_and_the_results_keep_the_problems_order():
    source = (
        "SEEN = []\n\ndef f(x):\n    SEEN.append(float(x[0]))\n"
        "    if len(SEEN) == 1:\n        raise ValueError('first call saw ' + repr(SEEN))\n"
        "    return x * 2\n"
    )
    grade = KIND.grade(ORDER_SPEC, KIND.generate(ORDER_SPEC, 0), source)
    secret, shown = grade.tests
    assert (secret.name, secret.passed) == ("secret", True)
    assert (shown.name, shown.passed) == ("shown", False)
    assert "first call saw [1.0]" in shown.message


def test_an_exit_code_chosen_from_a_hidden_input_does_not_reach_the_feedback():
    hidden_only = ORDER_TESTS_PY.replace('"hidden": False', '"hidden": True')
    spec = {**ORDER_SPEC, "tests_source": hidden_only}
    source = "import os\n\ndef f(x):\n    os._exit(int(x[0]) + 40)\n"
    grade = KIND.grade(spec, KIND.generate(spec, 0), source)
    assert grade.feedback["status"] == "crashed"
    assert "45" not in grade.message and "exit code" not in grade.message
