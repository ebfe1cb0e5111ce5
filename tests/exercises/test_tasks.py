"""The grading pipeline: claim, grade, record, retry, sweep. Exactly once, nothing lost."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.db import OperationalError
from django.utils import timezone

from exercises.models import LatePolicy, QuizSettings, Status, Submission, TestResult
from exercises.submissions import services, tasks
from grader import sandbox
from grader.grading import params_for
from grader.kinds import get_kind
from grader.results import Grade, TestOutcome, Verdict
from tests import factories

PARAMS_SPEC = {"recipe": "conv-layer-params"}


@pytest.fixture
def problem(db):
    return factories.make_problem("conv-layer-params", kind="number", spec=PARAMS_SPEC, points=4)


@pytest.fixture
def assignment(cohort, problem):
    return factories.make_assignment(cohort, [problem])


def right_answer(submission: Submission):
    spec = submission.problem.spec
    params = params_for("number", spec, submission.variant_seed)
    return get_kind("number").expected(spec, params)


def queued(student, problem, assignment, answer=0) -> Submission:
    return Submission.objects.create(
        user=student,
        problem=problem,
        assignment=assignment,
        payload={"answer": answer},
        variant_seed=services.variant_seed(student.pk, problem, assignment, 1),
        max_score=4,
    )


def test_a_claim_moves_queued_to_running_once(student, problem, assignment):
    sub = queued(student, problem, assignment)
    job = services.claim_submission(sub.pk, "task-a")
    assert job is not None and job.kind == "number" and job.seed == sub.variant_seed
    assert services.claim_submission(sub.pk, "task-b") is None  # another worker has it
    sub.refresh_from_db()
    assert (sub.status, sub.worker_id) == (Status.RUNNING, "task-a")
    assert services.claim_submission(sub.pk, "task-a") is not None  # a retry of the same run


@pytest.mark.parametrize("path", ["one statement", "update then read"])
@pytest.mark.parametrize(
    ("kind", "late", "tries", "expected"),
    [
        ("practice", False, None, services.ScoringTerms(4, 0, 1.0)),
        ("practice", True, None, services.ScoringTerms(4, 20, 1.0)),
        ("quiz", False, [], services.ScoringTerms(4, 0, 1.0)),
        ("quiz", True, [100, 60, 30], services.ScoringTerms(4, 20, 0.3)),
    ],
)
def test_the_claim_reads_the_terms_the_score_depends_on(
    student, problem, cohort, kind, late, tries, expected, path, monkeypatch
):
    """Both claim paths (PostgreSQL's ``UPDATE ... RETURNING``, the portable update-then-read)
    read the terms ``ScoringTerms.of`` computes from the loaded submission."""
    from django.db import connection

    if path == "one statement" and connection.vendor != "postgresql":
        pytest.skip("the one-statement claim is PostgreSQL's")
    if path == "update then read":
        monkeypatch.setattr(services, "_claim_returning", services._claim_then_read)
    assignment = factories.make_assignment(
        cohort, [problem], type=kind, late_policy=LatePolicy.PENALTY, late_penalty_percent=20
    )
    if tries is not None:
        now = timezone.now()
        QuizSettings.objects.create(
            assignment=assignment, opens_at=now, closes_at=now, attempt_points=tries
        )
    sub = queued(student, problem, assignment)
    Submission.objects.filter(pk=sub.pk).update(late=late, attempt_number=3)

    job = services.claim_submission(sub.pk, "t")

    assert job.terms == expected
    loaded = Submission.objects.select_related("assignment").get(pk=sub.pk)
    assert services.ScoringTerms.of(loaded) == expected
    assert (job.kind, job.spec, job.seed, job.payload) == (
        "number",
        problem.spec,
        sub.variant_seed,
        {"answer": 0},
    )


def test_grading_writes_result_tests_and_status_in_one_go(student, problem, assignment):
    sub = queued(student, problem, assignment)
    sub.payload = {"answer": right_answer(sub)}
    sub.save()
    assert tasks.grade_submission.apply(args=[sub.pk]).get() == "correct"
    sub.refresh_from_db()
    assert sub.status == Status.GRADED and sub.verdict == "correct"
    assert sub.score == 4 and sub.graded_at is not None


def test_a_duplicate_delivery_grades_nothing_twice(student, problem, assignment):
    sub = queued(student, problem, assignment)
    tasks.grade_submission.apply(args=[sub.pk])
    first = Submission.objects.get(pk=sub.pk).graded_at
    assert tasks.grade_submission.apply(args=[sub.pk]).get() == "skipped"
    assert Submission.objects.get(pk=sub.pk).graded_at == first


@pytest.fixture(params=["one statement", "update then insert"])
def record_path(request, monkeypatch):
    """Both ways ``record_grade`` writes: PostgreSQL's single ``WITH`` statement, and the
    portable UPDATE + INSERT in a transaction."""
    from django.db import connection

    if request.param == "one statement" and connection.vendor != "postgresql":
        pytest.skip("the one-statement record is PostgreSQL's")
    if request.param == "update then insert":
        portable = services._record_update_then_insert
        monkeypatch.setattr(services, "_record_in_one_statement", portable)
    return request.param


def test_a_grade_from_a_run_that_lost_its_claim_is_dropped(
    student, problem, assignment, record_path
):
    sub = queued(student, problem, assignment)
    services.claim_submission(sub.pk, "old-run")
    Submission.objects.filter(pk=sub.pk).update(status=Status.QUEUED, worker_id="")  # swept
    services.claim_submission(sub.pk, "new-run")
    grade = Grade(1.0, Verdict.CORRECT, {"message": "ok"}, tests=(TestOutcome("t", True, 1, 1),))
    assert services.record_grade(sub.pk, "old-run", grade) is None
    assert not TestResult.objects.filter(submission=sub).exists()  # nothing half-written
    assert Submission.objects.get(pk=sub.pk).status == Status.RUNNING
    assert services.record_grade(sub.pk, "new-run", grade) is not None
    assert TestResult.objects.filter(submission=sub).count() == 1


def test_the_result_and_its_test_rows_are_written_alike_on_both_paths(
    student, problem, assignment, record_path
):
    sub = queued(student, problem, assignment)
    job = services.claim_submission(sub.pk, "t")
    feedback = {"message": "half", "diagnosis": {"id": "no-bias", "hint": "add the bias"}}
    grade = Grade(
        0.5,
        Verdict.PARTIAL,
        feedback,
        tests=(
            TestOutcome("visible", True, 1.5, 2, message="ok", data={"diff": [[0.25, None]]}),
            TestOutcome("hidden", False, 0, 1, message="wrong", hidden=True, data={"x": [1]}),
        ),
    )
    assert services.record_grade(sub.pk, "t", grade, job.terms)

    sub.refresh_from_db()
    assert (sub.status, sub.verdict, sub.score, sub.error_message) == ("graded", "partial", 2.0, "")
    assert sub.feedback == feedback
    assert sub.graded_at is not None
    rows = TestResult.objects.filter(submission=sub).order_by("order")
    assert [
        (r.order, r.name, r.passed, r.points, r.max_points, r.message, r.hidden, r.data)
        for r in rows
    ] == [
        (0, "visible", True, 1.5, 2.0, "ok", False, {"diff": [[0.25, None]]}),
        (1, "hidden", False, 0.0, 1.0, "wrong", True, {}),
    ]


def test_the_database_failing_at_write_time_is_retried_and_graded_once(
    student, problem, assignment
):
    sub = queued(student, problem, assignment)
    real = services.record_grade
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    with mock.patch.object(services, "record_grade", side_effect=flaky):
        # Eagerly, the retry runs inline and the first run then reports Retry.
        tasks.grade_submission.apply(args=[sub.pk], throw=False)
    sub.refresh_from_db()
    assert calls["n"] == 2
    assert sub.status == Status.GRADED


def test_an_infrastructure_fault_that_persists_ends_as_error_without_using_an_attempt(
    student, problem, assignment
):
    sub = queued(student, problem, assignment)
    down = mock.patch.object(
        services, "grade_payload", side_effect=sandbox.SandboxUnavailable("down")
    )
    with down, mock.patch.object(tasks.grade_submission, "retry", side_effect=Retry) as retry:
        with pytest.raises(Retry):
            tasks.grade_submission.apply(args=[sub.pk], retries=0)
        retry.assert_called_once()
        assert retry.call_args.kwargs["countdown"] == 1
        sub.refresh_from_db()
        assert sub.status == Status.QUEUED  # released for the retry to claim again
        tasks.grade_submission.apply(args=[sub.pk], retries=tasks.MAX_RETRIES)
    sub.refresh_from_db()
    assert sub.status == Status.ERROR and "Grading failed" in sub.error_message
    from exercises.submissions import selectors

    assert selectors.attempts_used(student, problem, assignment) == 0


def test_the_sweeper_requeues_stuck_submissions_and_gives_up_after_max_requeues(
    student, problem, assignment, settings, eager_celery
):
    settings.STRIDE = {**settings.STRIDE, "STUCK_AFTER_SECONDS": 60, "MAX_REQUEUES": 2}
    lost = queued(student, problem, assignment)
    Submission.objects.filter(pk=lost.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    hopeless = queued(student, problem, assignment)
    Submission.objects.filter(pk=hopeless.pk).update(
        status=Status.RUNNING, started_at=timezone.now() - timedelta(minutes=5), requeue_count=2
    )
    fresh = queued(student, problem, assignment)
    with mock.patch.object(services, "enqueue_grading") as enqueue:
        result = services.requeue_stuck()
    assert result == {"requeued": 1, "failed": 1}
    enqueue.assert_called_once_with(lost.pk)
    assert Submission.objects.get(pk=hopeless.pk).status == Status.ERROR
    assert Submission.objects.get(pk=fresh.pk).status == Status.QUEUED
    assert Submission.objects.get(pk=lost.pk).requeue_count == 1
    with mock.patch.object(services, "enqueue_grading") as enqueue:
        assert services.requeue_stuck()["requeued"] == 0  # its clock restarted
    enqueue.assert_not_called()
