"""Assignments and extensions: dates are typed in the cohort's time zone and stored as instants."""

from __future__ import annotations

from datetime import UTC, datetime

from exercises.models import Assignment, Extension
from exercises.submissions import selectors


def test_dates_are_entered_in_the_cohort_time_zone(client_for, instructor, cohort, tally_problem):
    cohort.timezone = "Asia/Seoul"
    cohort.save()
    response = client_for(instructor).post(
        f"/teach/{cohort.slug}/assignments/new",
        {
            "title": "Week 3: pooling",
            "slug": "",
            "type": "practice",
            "published": "on",
            "opens_at": "2026-03-09T09:00",
            "due_at": "2026-03-16T23:59",
            "late_policy": "penalty",
            "late_penalty_percent": "20",
            "attempt_limit": "3",
            "variant_policy": "per_student",
            "counts_on_leaderboard": "on",
            "leaderboard_freeze_minutes": "60",
            "problems": [tally_problem.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    week = Assignment.objects.get(cohort=cohort, slug="week-3-pooling")
    assert week.due_at == datetime(2026, 3, 16, 14, 59, tzinfo=UTC)  # 23:59 KST
    assert week.opens_at == datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    assert (week.attempt_limit, week.late_penalty_percent) == (3, 20)
    assert [i.problem for i in week.items.all()] == [tally_problem]
    # And the edit form shows them back in Seoul time.
    page = client_for(instructor).get(f"/teach/{cohort.slug}/assignments/{week.slug}/edit")
    assert b'value="2026-03-16T23:59"' in page.content


def test_a_due_date_before_the_opening_is_refused(client_for, instructor, cohort):
    response = client_for(instructor).post(
        f"/teach/{cohort.slug}/assignments/new",
        {
            "title": "Backwards",
            "type": "practice",
            "opens_at": "2026-03-09T09:00",
            "due_at": "2026-03-08T09:00",
            "late_policy": "refuse",
            "late_penalty_percent": "0",
            "variant_policy": "per_student",
            "leaderboard_freeze_minutes": "0",
        },
    )
    assert response.status_code == 200
    assert b"must come after the opening date" in response.content
    assert not Assignment.objects.filter(title="Backwards").exists()


def test_a_problem_with_submissions_cannot_be_removed(
    client_for, instructor, student, assignment, tally_problem, second_problem, grade
):
    grade(student, tally_problem, assignment, 0)
    response = client_for(instructor).post(
        f"/teach/{assignment.cohort.slug}/assignments/{assignment.slug}/edit",
        {
            "title": assignment.title,
            "slug": assignment.slug,
            "type": "practice",
            "late_policy": "refuse",
            "late_penalty_percent": "0",
            "variant_policy": "per_student",
            "leaderboard_freeze_minutes": "0",
            "problems": [second_problem.pk],
        },
    )
    assert response.status_code == 200
    assert b"already has submissions" in response.content
    assert assignment.items.count() == 2


def test_an_extension_moves_one_students_deadline_and_adds_attempts(
    client_for, instructor, student, cohort, assignment, tally_problem
):
    cohort.timezone = "Europe/Berlin"
    cohort.save()
    response = client_for(instructor).post(
        f"/teach/{cohort.slug}/assignments/{assignment.slug}/extensions",
        {"username": "alice", "due_at": "2026-04-01T12:00", "extra_attempts": "2", "reason": "ill"},
    )
    assert response.status_code == 302
    extension = Extension.objects.get(assignment=assignment, user=student)
    assert extension.due_at == datetime(2026, 4, 1, 10, 0, tzinfo=UTC)  # CEST
    access = selectors.access_problem(student, tally_problem.slug)
    assert access.due_at == extension.due_at
    assert access.extra_attempts == 2


def test_an_extension_for_someone_outside_the_cohort_is_refused(
    client_for, instructor, outsider, cohort, assignment
):
    response = client_for(instructor).post(
        f"/teach/{cohort.slug}/assignments/{assignment.slug}/extensions",
        {"username": "oscar", "due_at": "2026-04-01T12:00", "extra_attempts": "0"},
    )
    assert response.status_code == 200
    assert b"is not in this cohort" in response.content
    assert not Extension.objects.exists()
