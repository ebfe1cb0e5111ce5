"""``submission_body`` writes exactly what ``SubmissionSerializer`` (the schema) writes, for every
kind of submission the API serves: pending, graded with visible and hidden tests, in error,
outside an assignment, late, in another time zone, with grading's texts in either language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone, translation

from exercises.api.serializers import SubmissionSerializer, submission_body
from exercises.models import Status, Submission, TestResult, Verdict
from exercises.submissions import selectors
from grader.texts import Text, catalogue
from tests import factories
from tests.exercises.conftest import SIZE_SPEC


@pytest.fixture
def submissions(cohort, student):
    # Code: only code is graded by tests, and the body shows test rows only for it.
    problem = factories.make_problem("body-problem", kind="code", spec=SIZE_SPEC)
    assignment = factories.make_assignment(cohort, [problem], title="Week", slug="week")
    common = {"user": student, "problem": problem, "payload": {"answer": 3}, "max_score": 2.0}
    graded = Submission.objects.create(
        **common,
        assignment=assignment,
        status=Status.GRADED,
        verdict=Verdict.PARTIAL,
        score=0.5,
        late=True,
        feedback={"message": "close", "misconception": {"id": "m1", "title": "T"}, "n": None},
        graded_at=datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=UTC),
    )
    TestResult.objects.create(
        submission=graded,
        order=0,
        name="visible",
        passed=True,
        points=1,
        max_points=1,
        message="ok",
        data={"got": [1, 2]},
    )
    TestResult.objects.create(
        submission=graded,
        order=1,
        name="hidden",
        passed=False,
        points=0,
        max_points=1,
        message="input was 7",
        hidden=True,
        data={"input": 7},
    )
    pending = Submission.objects.create(**common, assignment=assignment)
    TestResult.objects.create(submission=pending, name="stale", passed=True)
    error = Submission.objects.create(
        **common, status=Status.ERROR, error_message="Grading failed: Timeout"
    )
    catalogue()  # the kinds define their texts when imported
    not_right = Text("number.not-right", {"value": 3})
    in_korean = Submission.objects.create(
        **common,
        assignment=assignment,
        status=Status.GRADED,
        verdict=Verdict.INCORRECT,
        score=0.0,
        feedback={"message": not_right.render(), "texts": {"message": not_right.to_json()}},
    )
    TestResult.objects.create(
        submission=in_korean,
        name="answer",
        passed=False,
        points=0,
        max_points=1,
        message=not_right.render(),
        data={"got": 3, "texts": {"message": not_right.to_json()}},
    )
    # A case named per language in tests.py: stored as its English, its texts beside (visible
    # and hidden: a hidden test's name is shown, its data is not).
    named = Text.inline({"en": "the lecture's input", "ko": "강의의 입력"})
    for order, hidden in ((1, False), (2, True)):
        TestResult.objects.create(
            submission=in_korean,
            order=order,
            name=named.render() + (" (hidden)" if hidden else ""),
            passed=True,
            points=1,
            max_points=1,
            hidden=hidden,
            data={"texts": {"name": named.to_json()}},
        )
    return [graded.pk, pending.pk, error.pk, in_korean.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Asia/Seoul"])
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_body_is_the_serializers_field_for_field(submissions, student, zone, language):
    """Field for field, with the feedback and the tests' messages in the reader's language
    (``feedback_language`` included: the body once left it out)."""
    with timezone.override(zone), translation.override(language):
        for pk in submissions:  # as the poll reads it: the prepared read, then its tests
            submission = selectors.access_submission(student, pk)
            expected = SubmissionSerializer(submission).data
            body = submission_body(submission)
            assert body == expected
            assert list(body) == list(expected)  # the same order too


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("en", ["answer", "the lecture's input", "the lecture's input (hidden)"]),
        ("ko", ["answer", "강의의 입력", "강의의 입력"]),
    ],
)
def test_a_named_case_reads_in_the_readers_language_in_both(submissions, student, language, names):
    """The tests' names as the reader reads them, the same in the body and the serializer; the
    texts behind a name never reach the client."""
    with translation.override(language):
        submission = selectors.access_submission(student, submissions[-1])
        body, expected = submission_body(submission), SubmissionSerializer(submission).data
    assert [t["name"] for t in body["tests"]] == names
    assert body["tests"] == expected["tests"]
    assert all("texts" not in t["data"] for t in body["tests"])
