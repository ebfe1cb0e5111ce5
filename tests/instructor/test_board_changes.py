"""Every write that changes what a leaderboard shows tells the boards through one function,
``leaderboards.boards_changed``, which acts once the write has committed and never fails it."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from exercises.cohorts import services as roster
from exercises.leaderboards import services as leaderboards
from exercises.leaderboards.services import BoardChange
from exercises.models import Assignment, Membership, Role
from exercises.submissions import regrade
from tests import factories
from tests.instructor.test_regrade import change_problem


@pytest.fixture
def told(monkeypatch):
    """The calls of ``boards_changed`` (each still does its work)."""
    calls = []
    real = leaderboards.boards_changed

    def spy(change, **where):
        calls.append((change, where))
        real(change, **where)

    monkeypatch.setattr(leaderboards, "boards_changed", spy)
    return calls


def test_a_grade_goes_through_it(student, assignment, tally_problem, grade, told):
    submission = grade(student, tally_problem, assignment, "correct")
    assert told == [(BoardChange.GRADED, {"submission_id": submission.pk})]


def test_a_regrade_goes_through_it(
    eager_celery,
    django_capture_on_commit_callbacks,
    student,
    instructor,
    cohort,
    assignment,
    tally_problem,
    grade,
    told,
):
    grade(student, tally_problem, assignment, "correct")
    told.clear()
    change_problem(tally_problem, 1)
    with django_capture_on_commit_callbacks(execute=True):
        regrade.start_regrade(cohort, tally_problem, instructor, mode="apply")
    assert told == [(BoardChange.REGRADED, {"cohort_id": cohort.pk})]


def test_roster_changes_go_through_it(student, instructor, cohort, told):
    roster.import_roster(cohort, "username,display_name\nalice,Alice Renamed\nnewbie,New B.\n")
    assert told == [(BoardChange.ROSTER, {"cohort_id": cohort.pk})]  # bulk: said once
    told.clear()
    membership = Membership.objects.get(user=student, cohort=cohort)
    roster.set_role(cohort, membership.pk, Role.ASSISTANT, by=instructor)
    roster.set_leaderboard_profile(instructor, cohort, display_name="Iris", show=False)
    factories.add_member(factories.make_user("joiner"), cohort, Role.STUDENT)
    membership.delete()
    assert told == [(BoardChange.ROSTER, {"cohort_id": cohort.pk})] * 4


def test_an_assignment_edit_goes_through_it(client_for, instructor, cohort, tally_problem, told):
    response = client_for(instructor).post(
        f"/teach/{cohort.slug}/assignments/new",
        {
            "title": "Week 3",
            "slug": "week-3",
            "type": "practice",
            "published": "on",
            "late_policy": "refuse",
            "late_penalty_percent": "0",
            "variant_policy": "per_student",
            "counts_on_leaderboard": "on",
            "leaderboard_freeze_minutes": "0",
            "problems": [tally_problem.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    week = Assignment.objects.get(slug="week-3")
    assert told == [(BoardChange.ASSIGNMENT, {"cohort_id": cohort.pk, "assignment_id": week.pk})]


def test_an_admin_edit_or_deletion_of_an_assignment_goes_through_it(
    admin_user, assignment, cohort, told
):
    model_admin = admin_site._registry[Assignment]
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    assignment.counts_on_leaderboard = False
    model_admin.save_model(request, assignment, form=None, change=True)
    model_admin.delete_queryset(request, Assignment.objects.filter(pk=assignment.pk))
    expected = (BoardChange.ASSIGNMENT, {"cohort_id": cohort.pk, "assignment_id": assignment.pk})
    assert told == [expected, expected]


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [e["name"] for e in response.json()["entries"]]


def test_a_roster_import_renames_a_student_on_every_board(
    redis_db,
    student,
    cohort,
    assignment,
    tally_problem,
    grade,
    django_capture_on_commit_callbacks,
):
    """The import writes in bulk (no signals): every board of the cohort, the assignment's too,
    shows the new name at once, not a view kept for the old roster."""
    grade(student, tally_problem, assignment, "correct")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=student).key}")
    boards = [
        f"/api/v1/cohorts/{cohort.slug}/leaderboard",
        f"/api/v1/cohorts/{cohort.slug}/leaderboard?assignment={assignment.slug}",
    ]
    for board in boards:
        assert _names(client.get(board)) == ["Alice A."]
    with django_capture_on_commit_callbacks(execute=True):
        roster.import_roster(cohort, "username,display_name\nalice,Alice Renamed\n")
    for board in boards:
        assert _names(client.get(board)) == ["Alice Renamed"], board


def test_a_board_hears_of_a_change_only_once_it_is_committed(
    redis_db, instructor, cohort, assignment, django_capture_on_commit_callbacks
):
    leaderboards.board_for(cohort, instructor)  # built: it has a version
    key = leaderboards.version_key(leaderboards.scope_name(cohort.pk))
    version = redis_db.get(key)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        roster.set_role(
            cohort,
            Membership.objects.get(user=instructor).pk,
            Role.INSTRUCTOR,
            by=instructor,
        )
        leaderboards.boards_changed(
            BoardChange.ASSIGNMENT, cohort_id=cohort.pk, assignment_id=assignment.pk
        )
        assert redis_db.get(key) == version  # not yet: the transaction may still roll back
    for callback in pending:
        callback()
    assert int(redis_db.get(key)) > int(version)


def test_a_redis_failure_never_fails_the_write(
    monkeypatch, student, cohort, caplog, django_capture_on_commit_callbacks
):
    import redis

    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise redis.exceptions.ConnectionError("Redis is down")

            return fail

    monkeypatch.setattr(leaderboards, "redis_client", lambda: Down())
    with django_capture_on_commit_callbacks(execute=True):
        report = roster.import_roster(cohort, "username,display_name\nalice,Alice Again\n")
    assert report.updated == ["alice"]
    assert "leaderboards not told of roster" in caplog.text
