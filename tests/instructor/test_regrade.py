"""Regrade after a problem changes: the preview shows exactly what applying writes; applying
goes through the same result writing as grading, can refuse to lower scores, reports progress
and refreshes the leaderboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exercises.errors import Closed
from exercises.leaderboards import services as leaderboards
from exercises.models import LatePolicy, RegradeJob, Submission
from exercises.submissions import regrade
from tests import factories

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def graded_class(student, other_student, assignment, tally_problem, grade):
    """Alice: right (2 pts); Bob: the sum + 2 (0 pts)."""
    alice = grade(student, tally_problem, assignment, "correct", at=T0)
    bob_seed_answer = grade(other_student, tally_problem, assignment, "correct", at=T0)
    Submission.objects.filter(pk=bob_seed_answer.pk).update(
        payload={"answer": bob_seed_answer.payload["answer"] + 2}, score=0.0, verdict="incorrect"
    )
    return alice, Submission.objects.get(pk=bob_seed_answer.pk)


def change_problem(problem, offset):
    """The author 'fixes' the expected answer: it is now a + b + offset."""
    problem.spec = {**problem.spec, "offset": offset}
    problem.changed_since_import = True
    problem.save()


def run(cohort, problem, mode, never_lower=False, by=None, eager=None):
    job = regrade.start_regrade(cohort, problem, by, mode=mode, never_lower=never_lower)
    return RegradeJob.objects.get(pk=job.pk)


def test_the_preview_equals_what_applying_writes(
    eager_celery,
    django_capture_on_commit_callbacks,
    instructor,
    cohort,
    tally_problem,
    graded_class,
):
    alice, bob = graded_class
    change_problem(tally_problem, 2)
    with django_capture_on_commit_callbacks(execute=True):
        preview = regrade.start_regrade(cohort, tally_problem, instructor, mode="preview")
    preview.refresh_from_db()
    assert (preview.state, preview.done, preview.total, preview.changed) == ("done", 2, 2, 2)
    proposed = {r["submission"]: (r["new"], r["new_verdict"]) for r in preview.results}
    assert proposed == {alice.pk: (0.0, "incorrect"), bob.pk: (2.0, "correct")}
    # The preview wrote nothing.
    assert Submission.objects.get(pk=alice.pk).score == 2.0

    with django_capture_on_commit_callbacks(execute=True):
        applied = regrade.start_regrade(cohort, tally_problem, instructor, mode="apply")
    applied.refresh_from_db()
    assert applied.state == "done"
    for submission_id, (score, verdict) in proposed.items():
        row = Submission.objects.get(pk=submission_id)
        assert (row.score, row.verdict) == (score, verdict)
        assert "regraded_at" in row.feedback


def test_never_lower_keeps_the_old_score(
    eager_celery,
    django_capture_on_commit_callbacks,
    instructor,
    cohort,
    tally_problem,
    graded_class,
):
    alice, bob = graded_class
    change_problem(tally_problem, 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade.start_regrade(
            cohort, tally_problem, instructor, mode="apply", never_lower=True
        )
    job.refresh_from_db()
    assert Submission.objects.get(pk=alice.pk).score == 2.0  # would have dropped to 0
    assert Submission.objects.get(pk=bob.pk).score == 2.0  # raised
    assert job.changed == 1


def test_a_regrade_keeps_the_late_penalty(
    eager_celery,
    django_capture_on_commit_callbacks,
    student,
    instructor,
    cohort,
    tally_problem,
    grade,
):
    week = factories.make_assignment(
        cohort,
        [tally_problem],
        due_at=T0,
        late_policy=LatePolicy.PENALTY,
        late_penalty_percent=25,
    )
    submission = grade(student, tally_problem, week, "correct", at=T0 + timedelta(hours=1))
    Submission.objects.filter(pk=submission.pk).update(
        late=True, score=0.0, verdict="incorrect", payload={"answer": -5}
    )
    change_problem(tally_problem, 0)
    Submission.objects.filter(pk=submission.pk).update(payload=submission.payload)
    with django_capture_on_commit_callbacks(execute=True):
        regrade.start_regrade(cohort, tally_problem, instructor, mode="apply")
    row = Submission.objects.get(pk=submission.pk)
    assert row.score == 1.5  # 2 points, 25 % off
    assert row.feedback["late_penalty_percent"] == 25


def test_applying_refreshes_the_leaderboard(
    eager_celery,
    django_capture_on_commit_callbacks,
    instructor,
    cohort,
    tally_problem,
    graded_class,
):
    before = [e.name for e in leaderboards.board_for(cohort, instructor).entries]
    assert before == ["Alice A.", "Bob B."]
    change_problem(tally_problem, 2)
    with django_capture_on_commit_callbacks(execute=True):
        regrade.start_regrade(cohort, tally_problem, instructor, mode="apply")
    after = [e.name for e in leaderboards.board_for(cohort, instructor).entries]
    assert after == ["Bob B.", "Alice A."]


def test_regrades_are_routed_to_the_low_priority_queue(
    django_capture_on_commit_callbacks, instructor, cohort, tally_problem, graded_class, monkeypatch
):
    sent = []
    from celery import current_app

    monkeypatch.setattr(
        current_app,
        "send_task",
        lambda name, args, queue, **options: sent.append((name, args, queue)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = regrade.start_regrade(cohort, tally_problem, instructor, mode="preview")
    assert sent == [("grader.tasks.regrade_problem", (job.pk,), "regrade")]
    from django.conf import settings

    assert settings.CELERY_TASK_ROUTES["grader.tasks.regrade_problem"] == {"queue": "regrade"}


def test_only_one_regrade_of_a_problem_runs_at_a_time(
    instructor, cohort, tally_problem, graded_class
):
    regrade.start_regrade(cohort, tally_problem, instructor, mode="preview")
    with pytest.raises(Closed, match="already running"):
        regrade.start_regrade(cohort, tally_problem, instructor, mode="apply")


def test_a_duplicate_delivery_does_not_run_twice(instructor, cohort, tally_problem, graded_class):
    job = regrade.start_regrade(cohort, tally_problem, instructor, mode="preview")
    assert regrade.run_job(job.pk) == "done"
    assert regrade.run_job(job.pk) == "skipped"


def test_a_failing_grader_marks_the_job_failed(
    instructor, cohort, tally_problem, graded_class, monkeypatch
):
    job = regrade.start_regrade(cohort, tally_problem, instructor, mode="preview")

    def boom(submission):
        raise RuntimeError("grader exploded")

    monkeypatch.setattr(regrade, "regrade_one", boom)
    assert regrade.run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.state == "failed" and "grader exploded" in job.error_message


def test_the_pages_start_a_job_and_show_its_progress(
    client_for, instructor, cohort, tally_problem, graded_class, monkeypatch
):
    from celery import current_app

    monkeypatch.setattr(current_app, "send_task", lambda name, args, queue, **options: None)
    client = client_for(instructor)
    url = f"/teach/{cohort.slug}/problems/{tally_problem.slug}/regrade"
    assert b"2 graded submissions" in client.get(url).content
    response = client.post(url, {"mode": "preview"})
    job = RegradeJob.objects.get()
    assert response["Location"] == f"/teach/{cohort.slug}/regrades/{job.pk}"
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "queued" in fragment
    regrade.run_job(job.pk)
    done = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done
    assert "No score changes." in done


def test_the_regrade_pages_are_the_instructors(
    client_for, assistant, cohort, tally_problem, graded_class
):
    url = f"/teach/{cohort.slug}/problems/{tally_problem.slug}/regrade"
    assert client_for(assistant).post(url, {"mode": "apply"}).status_code == 403
    assert not RegradeJob.objects.exists()
