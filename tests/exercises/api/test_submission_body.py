"""``submission_body`` writes exactly what ``SubmissionSerializer`` (the schema) writes, for every
kind of submission the API serves: pending, graded with visible and hidden tests, in error,
outside an assignment, late, in another time zone, with grading's texts in either language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone, translation

from exercises.api.serializers import SubmissionSerializer, submission_body
from exercises.models import Status, Submission, TestResult, Verdict
from exercises.submissions.selectors import _submissions_with_results
from grader.kinds import get_kind
from tests import factories
from tests.exercises.conftest import SIZE_SPEC


@pytest.fixture
def submissions(cohort, student):
    problem = factories.make_problem("body-problem", kind="number", spec=SIZE_SPEC)
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
    kind = get_kind("number")
    real = kind.grade(SIZE_SPEC, kind.generate(SIZE_SPEC, 1), 12345)  # texts with keys and facts
    diagnosed = Submission.objects.create(
        **common,
        assignment=assignment,
        status=Status.GRADED,
        verdict=Verdict.INCORRECT,
        score=0.0,
        feedback=real.feedback,
    )
    return [graded.pk, pending.pk, error.pk, diagnosed.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Asia/Seoul"])
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_body_is_the_serializers_field_for_field(submissions, zone, language):
    with timezone.override(zone), translation.override(language):
        for submission in _submissions_with_results().filter(pk__in=submissions):
            expected = SubmissionSerializer(submission).data
            body = submission_body(submission)
            assert body == expected
            assert list(body) == list(expected)  # the same order too
