"""The deadline storm of ``bench/bench_pipeline.py`` at a small size, through a real worker:
a correctness test (every submission graded exactly once, none lost), no timing asserts."""

from __future__ import annotations

import pytest

from bench.pipeline_storm import (
    TRIVIAL_CODE,
    GradeAudit,
    check_exactly_once,
    make_course,
    queue_storm,
    wait_until_done,
)
from exercises.models import Status, Submission
from exercises.submissions import services
from grader.grading import grade_payload
from grader.sandbox import detect_tier
from tests.conftest import need, psycopg_params
from tests.workers import running_worker

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def audit():
    grade_audit = GradeAudit()
    grade_audit.install()
    yield grade_audit
    grade_audit.uninstall()


def test_a_deadline_storm_is_graded_exactly_once_and_loses_nothing(audit):
    need(detect_tier() != "unavailable", "no sandbox tier on this machine")
    course = make_course("storm", 20)

    # Its own worker, stopped afterwards: the session worker would outlive this test and take
    # tasks meant for the workers that test_faults starts and kills.
    with running_worker("storm"):
        storm = queue_storm(course, per_student=3)
        assert len(storm.ids) == 60
        assert wait_until_done(storm.ids, timeout=240), "the worker left submissions pending"
    check = check_exactly_once(course, storm.ids, audit)
    assert check.ok, check.summary()
    assert check.graded == 60
    rows = Submission.objects.filter(pk__in=storm.ids)
    assert rows.filter(problem=course.code_problem).count() == 30
    assert set(rows.filter(problem=course.code_problem).values_list("verdict", flat=True)) == {
        "correct"
    }
    assert set(rows.filter(problem=course.number_problem).values_list("verdict", flat=True)) == {
        "correct",
        "incorrect",
    }


def test_the_audit_catches_a_submission_graded_twice(audit):
    """The exactly-once check can fail: a second ``record_grade`` under a re-taken claim (what
    a duplicate delivery racing a sweeper would do without the claim guard) is reported."""
    need(detect_tier() != "unavailable", "no sandbox tier on this machine")
    course = make_course("twice", 2)
    # Stored without publishing a task (a session worker may be running): graded by hand.
    submission = Submission.objects.create(
        user=course.students[0],
        problem=course.code_problem,
        assignment=course.assignment,
        payload={"code": TRIVIAL_CODE},
        status=Status.QUEUED,
    )
    job = services.claim_submission(submission.pk, "first")
    grade = grade_payload(job.kind, job.spec, job.seed, job.payload)
    assert services.record_grade(submission.pk, "first", grade)
    assert check_exactly_once(course, [submission.pk], audit).ok

    Submission.objects.filter(pk=submission.pk).update(status=Status.RUNNING, worker_id="second")
    assert services.record_grade(submission.pk, "second", grade)

    check = check_exactly_once(course, [submission.pk], audit)
    assert not check.ok
    assert check.graded_twice == {submission.pk: 2}


def test_the_audit_reports_a_lost_submission(audit):
    course = make_course("lost", 1)
    queued = Submission.objects.create(
        user=course.students[0],
        problem=course.number_problem,
        assignment=course.assignment,
        payload={"answer": 1},
        status=Status.QUEUED,
    )

    check = check_exactly_once(course, [queued.pk, queued.pk + 1000], audit)

    assert check.lost == [queued.pk + 1000]
    assert check.not_graded == {queued.pk: Status.QUEUED}
    assert not check.ok


def test_the_audit_notifies_only_while_told_to_and_always_records(audit):
    """The latency phase listens for each grade; the throughput rounds turn the NOTIFY off
    (it serialises commits) but every graded write is still recorded."""
    import psycopg
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's")
    course = make_course("notify", 2)
    ids = []
    with psycopg.connect(**psycopg_params(connection), autocommit=True) as listener:
        listener.execute(f"LISTEN {GradeAudit.CHANNEL}")
        for student, notify in zip(course.students, (True, False), strict=True):
            audit.notify(notify)
            submission = Submission.objects.create(
                user=student,
                problem=course.number_problem,
                assignment=course.assignment,
                payload={"answer": 1},
                status=Status.RUNNING,
                worker_id="t",
            )
            Submission.objects.filter(pk=submission.pk).update(status=Status.GRADED)
            ids.append(submission.pk)
        heard = [int(n.payload) for n in listener.notifies(timeout=1.0)]
    assert heard == [ids[0]]
    assert audit.graded_writes(ids) == {ids[0]: 1, ids[1]: 1}
