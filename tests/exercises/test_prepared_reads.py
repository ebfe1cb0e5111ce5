"""``submissions.prepared``: a read compiled once answers exactly what its queryset answers,
for every value it is given afterwards, and refuses, when it compiles, a read whose values do
not reach the SQL as given."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import Status, Submission, Verdict
from exercises.models.submission import PENDING_STATUSES
from exercises.submissions import selectors
from exercises.submissions.prepared import Prepared
from tests import factories
from tests.exercises.conftest import SIZE_SPEC


@pytest.fixture
def world(cohort, student):
    problems = [
        factories.make_problem(f"prep-{i}", kind="number", spec=SIZE_SPEC) for i in range(2)
    ]
    assignment = factories.make_assignment(cohort, problems, title="Week", slug="week")
    now = timezone.now()
    rows = [
        (problems[0], Status.GRADED, Verdict.INCORRECT, now - timedelta(seconds=90)),
        (problems[0], Status.GRADED, Verdict.CORRECT, now - timedelta(seconds=30)),
        (problems[0], Status.ERROR, "", now - timedelta(seconds=20)),  # uses no attempt
        (problems[0], Status.GRADED, Verdict.INVALID, now - timedelta(seconds=10)),  # nor this
        (problems[1], Status.QUEUED, "", now - timedelta(seconds=5)),
    ]
    for n, (problem, status, verdict, created) in enumerate(rows):
        s = Submission.objects.create(
            user=student,
            problem=problem,
            assignment=assignment,
            payload={"answer": n},
            attempt_number=n + 1,
            max_score=1.0,
            status=status,
            verdict=verdict,
            idempotency_key=f"key-{n}",
            request_digest=f"digest-{n}",
        )
        Submission.objects.filter(pk=s.pk).update(created_at=created)
    return student, problems, assignment, now


@pytest.mark.django_db
def test_prepared_reads_answer_as_their_querysets_for_every_value(world, other_student):
    student, problems, assignment, now = world
    for user in (student, other_student):
        for problem in problems:
            expected = (
                Submission.objects.filter(user=user, problem=problem, assignment=assignment)
                .counting()
                .count()
            )
            assert selectors.attempts_used(user, problem, assignment) == expected
        for seconds in (1, 15, 60, 600):
            since = now - timedelta(seconds=seconds)
            mine = Submission.objects.filter(user=user)
            recent = mine.filter(created_at__gt=since)
            activity = selectors.recent_activity(user, since)
            assert activity.recent == recent.count()
            assert activity.first_recent_at == (
                recent.order_by("created_at").values_list("created_at", flat=True).first()
            )
            assert activity.pending == mine.filter(status__in=PENDING_STATUSES).count()
    assert student_keys(student) == {
        f"key-{n}": (pk, f"digest-{n}")
        for n, pk in enumerate(
            Submission.objects.filter(user=student).order_by("pk").values_list("pk", flat=True)
        )
    }
    assert selectors.submission_with_key(student, "no-such-key") is None
    assert selectors.submission_with_key(other_student, "key-0") is None
    for submission in Submission.objects.all():
        assert selectors.submission_is_final(submission.pk) == (not submission.is_pending)


def student_keys(user):
    return {f"key-{n}": selectors.submission_with_key(user, f"key-{n}") for n in range(5)}


@pytest.mark.django_db
def test_a_read_whose_value_the_orm_rewrites_is_refused_when_it_compiles(student):
    # icontains wraps the value in %...%: the marker does not reach the SQL as itself.
    read = Prepared(
        Submission,
        lambda key: Submission.objects.filter(idempotency_key__icontains=key).values_list("pk"),
        key=str,
    )
    with pytest.raises(ValueError, match="did not reach the SQL"):
        read.rows(key="abc")


@pytest.mark.django_db
def test_a_prepared_read_counts_as_one_query(world, django_assert_num_queries):
    student, problems, assignment, _ = world
    selectors.attempts_used(student, problems[0], assignment)  # compiled here
    with django_assert_num_queries(1):
        assert selectors.attempts_used(student, problems[0], assignment) == 2
