"""What a code submission's author learns: what their code printed (only when no case is hidden),
where a hidden test crashed (the exception's type and the line of their code, never the hidden
data), and that a syntax error ran nothing and so uses no attempt."""

from __future__ import annotations

import pytest

from exercises.models import Submission
from grader.kinds.code import KIND
from grader.results import Verdict
from tests import factories
from tests.grader.kinds.test_code import SPEC, TESTS_PY

pytestmark = pytest.mark.sandbox

VISIBLE_ONLY = TESTS_PY.replace('"points": 2})', '"points": 2, "hidden": False})')
VISIBLE_SPEC = {**SPEC, "tests_source": VISIBLE_ONLY}

PRINTS = """
import numpy as np

def conv2d(x, w, b, stride=1, pad=0):
    print("shape of x:", x.shape)
    return np.zeros(1)
"""

#: Crashes on every hidden case (stride 2 or padding) on line 6, with the hidden shape in the
#: exception's message: the message must never reach the student.
CRASHES_ON_HIDDEN = """
import numpy as np

def conv2d(x, w, b, stride=1, pad=0):
    if stride != 1 or pad:
        raise IndexError("LEAK" + f"ED {x.shape} {x[0, 0, 0, 0]!r}")
    return np.full((1, 1, 2, 2), 4.0)
"""


def test_printed_output_is_kept_when_no_case_is_hidden_and_only_then():
    shown = KIND.grade(VISIBLE_SPEC, KIND.generate(VISIBLE_SPEC, 1), PRINTS)
    assert "shape of x: (1, 1, 3, 3)" in shown.feedback["stdout"]
    hidden = KIND.grade(SPEC, KIND.generate(SPEC, 1), PRINTS)
    assert "stdout" not in hidden.feedback
    assert hidden.feedback["output_withheld"] is True  # the page says why nothing is shown


def test_a_crash_in_a_hidden_case_names_the_exception_and_line_not_the_data():
    grade = KIND.grade(SPEC, KIND.generate(SPEC, 1), CRASHES_ON_HIDDEN)
    crashes = grade.feedback["crashes"]
    # hidden 1 is stride 1, pad 0: it returns (and fails); hidden 2 and 3 raise.
    assert crashes == [
        {"test": "hidden 2", "exception": "IndexError", "line": 6},
        {"test": "hidden 3", "exception": "IndexError", "line": 6},
    ]
    assert "LEAKED" not in repr(grade.feedback) and "LEAKED" not in repr(grade.tests)


def test_a_crash_location_believes_only_builtin_exceptions_and_lines_of_the_code():
    from grader.kinds.code import crash_location

    source = "a\nb\nc\n"
    text = 'Traceback:\n  File "submission.py", line 2, in f\nZeroDivisionError: division by zero'
    assert crash_location(text, source) == ("ZeroDivisionError", 2)
    # A made-up exception class could spell hidden data in its name; a line past the end of
    # the code is not one of its lines.
    forged = 'File "submission.py", line 99\nsubmission.Shape_5_8: x'
    assert crash_location(forged, source) == ("an exception", None)
    assert crash_location("", source) is None


def test_a_syntax_error_runs_nothing_and_is_invalid():
    grade = KIND.grade(SPEC, KIND.generate(SPEC, 1), "def conv2d(x, w, b:\n    return x\n")
    assert grade.verdict == Verdict.INVALID  # an invalid answer uses no attempt
    assert grade.tests == ()
    assert "line 1" in grade.message and "SyntaxError" in grade.message
    assert "does not count" in grade.message


@pytest.mark.django_db
def test_the_submission_page_shows_printed_output_and_a_hidden_crash(client, student, cohort):
    from exercises.submissions.tasks import grade_submission

    def send(slug: str, code: str) -> Submission:
        client.post(f"/problems/{slug}", {"code": code})
        submission = Submission.objects.order_by("id").last()
        grade_submission.apply(args=[submission.pk]).get()
        submission.refresh_from_db()
        return submission

    visible = factories.make_problem("code-visible", kind="code", spec=VISIBLE_SPEC)
    hidden = factories.make_problem("code-hidden", kind="code", spec=SPEC)
    factories.make_assignment(cohort, [visible, hidden], attempt_limit=2)
    client.force_login(student)
    printed = send("code-visible", PRINTS)
    crashed = send("code-hidden", CRASHES_ON_HIDDEN)
    html = client.get(f"/submissions/{printed.pk}").content.decode()
    assert "What your code printed" in html and "shape of x: (1, 1, 3, 3)" in html
    html = client.get(f"/submissions/{crashed.pk}").content.decode()
    assert "Raised IndexError at line 6 of your code" in html
    assert "LEAKED" not in html
    assert "What your code printed is not shown" not in html  # it printed nothing

    # A syntax error: shown with its line, and the attempt does not count.
    broken = send("code-hidden", "def conv2d(:\n")
    assert broken.verdict == Verdict.INVALID
    page = client.get("/problems/code-hidden").content.decode()
    assert "<strong>1</strong> attempt left of 2" in page  # the crash counted, not this


RETURNS_A_LIST = "def conv2d(x, w, b, stride=1, pad=0):\n    return [1.0]\n"


@pytest.mark.django_db
def test_a_wrong_return_type_reads_in_the_readers_language_on_the_page_and_in_the_api(
    client, api, student, cohort
):
    """The sandbox child names only the type; the worker's keyed text is stored with the
    grade, and each reader reads it in their language (the English exactly as before)."""
    from django.conf import settings

    from exercises.submissions.tasks import grade_submission

    problem = factories.make_problem("code-returns", kind="code", spec=VISIBLE_SPEC)
    factories.make_assignment(cohort, [problem])
    client.force_login(student)
    client.post("/problems/code-returns", {"code": RETURNS_A_LIST})
    submission = Submission.objects.order_by("id").last()
    grade_submission.apply(args=[submission.pk]).get()
    english = "returned a list, expected a NumPy array"
    korean = "list을(를) 반환했습니다. NumPy 배열을 반환해야 합니다"
    assert [t.message for t in submission.tests.all()] == [english] * 4

    url = f"/api/v1/submissions/{submission.pk}"
    body = api(student).get(url, HTTP_ACCEPT_LANGUAGE="ko").json()
    assert [t["message"] for t in body["tests"]] == [korean] * 4
    body = api(student).get(url).json()
    assert [t["message"] for t in body["tests"]] == [english] * 4

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = client.get(f"/submissions/{submission.pk}").content.decode()
    assert korean in html and english not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/submissions/{submission.pk}").content.decode()
    assert english in html and korean not in html


#: Raises its own exception class on every hidden case (line 9), named to carry data.
OWN_EXCEPTION_ON_HIDDEN = """
import numpy as np

class Shape_Leak(Exception):
    pass

def conv2d(x, w, b, stride=1, pad=0):
    if stride != 1 or pad:
        raise Shape_Leak(str(x.shape))
    return np.full((1, 1, 2, 2), 4.0)
"""


def test_a_hidden_crash_of_an_unnamed_type_keeps_its_line_and_reads_in_each_language():
    from grader.texts import localize

    grade = KIND.grade(SPEC, KIND.generate(SPEC, 1), OWN_EXCEPTION_ON_HIDDEN)
    crashes = grade.feedback["crashes"]
    assert crashes == [
        {"test": "hidden 2", "exception": "an exception", "line": 9},
        {"test": "hidden 3", "exception": "an exception", "line": 9},
    ]
    assert "Shape_Leak" not in repr(grade.feedback) and "Shape_Leak" not in repr(grade.tests)
    korean = localize(grade.feedback, "ko")["crashes"]
    assert [c["exception"] for c in korean] == ["예외", "예외"]


def test_a_hidden_case_that_returned_the_wrong_type_is_not_reported_as_a_crash():
    """Nothing was raised: the visible test says what came back, in the reader's language."""
    grade = KIND.grade(SPEC, KIND.generate(SPEC, 1), RETURNS_A_LIST)
    assert "crashes" not in grade.feedback
    [visible] = [t for t in grade.tests if not t.hidden]
    assert visible.message == "returned a list, expected a NumPy array"


@pytest.mark.django_db
def test_a_korean_reader_reads_a_hidden_crash_of_an_unnamed_type_in_korean(
    client, api, student, cohort
):
    from django.conf import settings

    from exercises.submissions.tasks import grade_submission

    problem = factories.make_problem("code-own-error", kind="code", spec=SPEC)
    factories.make_assignment(cohort, [problem])
    client.force_login(student)
    client.post("/problems/code-own-error", {"code": OWN_EXCEPTION_ON_HIDDEN})
    submission = Submission.objects.order_by("id").last()
    grade_submission.apply(args=[submission.pk]).get()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    html = client.get(f"/submissions/{submission.pk}").content.decode()
    assert "내 코드 9번째 줄의 예외 발생" in html and "an exception" not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/submissions/{submission.pk}").content.decode()
    assert "Raised an exception at line 9 of your code" in html
    body = api(student).get(f"/api/v1/submissions/{submission.pk}", HTTP_ACCEPT_LANGUAGE="ko")
    assert [c["exception"] for c in body.json()["feedback"]["crashes"]] == ["예외", "예외"]
