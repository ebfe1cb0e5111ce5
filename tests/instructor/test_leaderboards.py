"""Leaderboards: sums of best scores, ties by time, privacy, freeze, Redis upkeep and rebuild."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings

from exercises.leaderboards import services as leaderboards
from exercises.models import Membership, Role
from tests import factories

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def names(board):
    return [(e.rank, e.name, e.score, e.solved) for e in board.entries]


@pytest.fixture
def carol(cohort):
    user = factories.make_user("carol")
    factories.add_member(user, cohort, Role.STUDENT, display_name="Carol C.")
    return user


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    """Every ordering test runs against both paths: the pure database and Redis."""
    if request.param == "database":
        settings.REDIS_URL = ""
        return None
    return request.getfixturevalue("redis_db")


def test_it_sums_the_best_score_per_problem_and_counts_solved(
    store, student, instructor, assignment, tally_problem, second_problem, grade
):
    grade(student, tally_problem, assignment, 0, at=T0)
    grade(student, tally_problem, assignment, "correct", at=T0 + timedelta(minutes=1))
    grade(student, tally_problem, assignment, 0, at=T0 + timedelta(minutes=2))  # worse: ignored
    grade(student, second_problem, assignment, 8, at=T0 + timedelta(minutes=3))  # 7 +- 1: half

    board = leaderboards.board_for(assignment.cohort, student)
    top = board.entries[0]
    assert (top.name, top.score, top.solved) == ("Alice A.", 2.5, 1)
    assert top.last_improved_at == T0 + timedelta(minutes=3)
    assert top.is_viewer


def test_it_breaks_ties_by_who_reached_the_score_first(
    store, student, other_student, carol, assignment, tally_problem, grade
):
    grade(other_student, tally_problem, assignment, "correct", at=T0 + timedelta(minutes=5))
    grade(student, tally_problem, assignment, "correct", at=T0 + timedelta(minutes=9))
    # Carol is first in time but reaches her (equal) score later by improving.
    grade(carol, tally_problem, assignment, 0, at=T0)
    grade(carol, tally_problem, assignment, "correct", at=T0 + timedelta(minutes=12))

    board = leaderboards.board_for(assignment.cohort, student)
    assert [e.name for e in board.entries] == ["Bob B.", "Alice A.", "Carol C."]
    assert [e.rank for e in board.entries] == [1, 2, 3]


def test_a_student_without_submissions_is_ranked_last_with_zero(
    store, student, other_student, assignment, tally_problem, grade
):
    grade(student, tally_problem, assignment, "correct", at=T0)
    board = leaderboards.board_for(assignment.cohort, student)
    assert names(board) == [(1, "Alice A.", 2.0, 1), (2, "Bob B.", 0.0, 0)]


def test_opted_out_students_vanish_for_students_but_not_for_staff(
    store, student, other_student, instructor, assignment, tally_problem, grade
):
    grade(student, tally_problem, assignment, "correct", at=T0)
    grade(other_student, tally_problem, assignment, 0, at=T0)
    Membership.objects.filter(user=student).update(show_on_leaderboard=False)

    seen_by_bob = leaderboards.board_for(assignment.cohort, other_student)
    assert names(seen_by_bob) == [(1, "Bob B.", 0.0, 0)]

    seen_by_staff = leaderboards.board_for(assignment.cohort, instructor)
    assert [(e.rank, e.real_name, e.hidden) for e in seen_by_staff.entries] == [
        (1, "alice", True),
        (2, "bob", False),
    ]


def test_students_see_the_frozen_board_and_staff_the_live_one(
    store, student, other_student, instructor, cohort, tally_problem, grade
):
    due = T0 + timedelta(hours=2)
    week = factories.make_assignment(
        cohort, [tally_problem], due_at=due, leaderboard_freeze_minutes=60
    )
    grade(student, tally_problem, week, "correct", at=T0)
    grade(other_student, tally_problem, week, "correct", at=due - timedelta(minutes=30))
    during_freeze = due - timedelta(minutes=10)

    frozen = leaderboards.board_for(cohort, student, now=during_freeze)
    assert frozen.frozen_at == due - timedelta(minutes=60)
    assert names(frozen) == [(1, "Alice A.", 2.0, 1), (2, "Bob B.", 0.0, 0)]

    live = leaderboards.board_for(cohort, instructor, now=during_freeze)
    assert live.frozen_at is None
    assert [e.score for e in live.entries] == [2.0, 2.0]

    after_deadline = leaderboards.board_for(cohort, student, now=due + timedelta(minutes=1))
    assert after_deadline.frozen_at is None
    assert [e.score for e in after_deadline.entries] == [2.0, 2.0]


def test_a_per_assignment_board_counts_only_that_assignment(
    store, student, other_student, cohort, assignment, tally_problem, grade
):
    later = factories.make_assignment(cohort, [tally_problem], title="Week 2", slug="week-2")
    grade(student, tally_problem, assignment, "correct", at=T0)
    grade(other_student, tally_problem, later, "correct", at=T0 + timedelta(minutes=1))

    week2 = leaderboards.board_for(cohort, student, assignment=later)
    assert names(week2)[0] == (1, "Bob B.", 2.0, 1)
    whole = leaderboards.board_for(cohort, student)
    assert [e.name for e in whole.entries] == ["Alice A.", "Bob B."]


def test_assignments_that_do_not_count_stay_off_the_cohort_board(
    store, student, cohort, tally_problem, grade
):
    practice = factories.make_assignment(cohort, [tally_problem], counts_on_leaderboard=False)
    grade(student, tally_problem, practice, "correct", at=T0)
    assert leaderboards.board_for(cohort, student).entries[0].score == 0.0


# --- Redis upkeep --------------------------------------------------------------------------------
def _redis_standing(client, scope, user_id):
    zkey, skey, _built, _lock = leaderboards._keys(scope)
    return client.zscore(zkey, str(user_id)), client.hget(skey, str(user_id))


def test_a_graded_submission_updates_the_redis_board_in_place(
    redis_db, student, cohort, assignment, tally_problem, grade
):
    leaderboards.board_for(cohort, student)  # builds the (empty) boards
    leaderboards.board_for(cohort, student, assignment=assignment)
    grade(student, tally_problem, assignment, "correct", at=T0)
    score, packed = _redis_standing(redis_db, f"c{cohort.pk}", student.pk)
    assert score == 2.0
    assert packed.decode().startswith("1|")
    # and the per-assignment board
    assert _redis_standing(redis_db, f"a{assignment.pk}", student.pk)[0] == 2.0


def test_an_update_computed_from_fewer_submissions_does_not_overwrite_a_newer_one(
    redis_db, student, cohort, assignment, tally_problem, grade
):
    leaderboards.board_for(cohort, student)
    grade(student, tally_problem, assignment, 0, at=T0)
    grade(student, tally_problem, assignment, "correct", at=T0 + timedelta(minutes=1))
    stale = leaderboards.Standing(student.pk, 0.0, 0, None, graded=1)
    zkey, skey, built, _ = leaderboards._keys(f"c{cohort.pk}")
    script = redis_db.register_script(leaderboards._UPDATE_SCRIPT)
    assert script(keys=[zkey, skey, built], args=[str(student.pk), 0.0, "0||1", 1]) == 0
    assert leaderboards.board_for(cohort, student).entries[0].score == 2.0
    del stale


def test_the_board_is_rebuilt_from_the_database_after_flushdb(
    redis_db, student, other_student, cohort, assignment, tally_problem, grade
):
    grade(student, tally_problem, assignment, "correct", at=T0 + timedelta(minutes=1))
    grade(other_student, tally_problem, assignment, "correct", at=T0)
    before = names(leaderboards.board_for(cohort, student))
    redis_db.flushdb()
    assert names(leaderboards.board_for(cohort, student)) == before
    assert redis_db.exists(leaderboards._keys(f"c{cohort.pk}")[2])


def test_updates_while_the_board_is_missing_are_not_lost(
    redis_db, student, other_student, cohort, assignment, tally_problem, grade
):
    grade(other_student, tally_problem, assignment, "correct", at=T0)
    redis_db.flushdb()
    grade(student, tally_problem, assignment, 0, at=T0)  # board missing: update skipped
    board = leaderboards.board_for(cohort, student)  # rebuild reads the database
    assert names(board) == [(1, "Bob B.", 2.0, 1), (2, "Alice A.", 0.0, 0)]


def test_redis_and_the_database_agree_on_the_order(
    redis_db,
    student,
    other_student,
    carol,
    cohort,
    assignment,
    tally_problem,
    second_problem,
    grade,
):
    grade(carol, second_problem, assignment, 8, at=T0)
    grade(student, tally_problem, assignment, "correct", at=T0 + timedelta(seconds=1))
    grade(other_student, tally_problem, assignment, "correct", at=T0 + timedelta(seconds=1))
    grade(carol, tally_problem, assignment, 99, at=T0 + timedelta(seconds=2))
    via_redis = leaderboards.current_standings(cohort.pk)
    assert via_redis == leaderboards.compute_standings(cohort.pk)


def test_rebuild_leaderboards_command_rebuilds_every_board(
    redis_db, student, cohort, assignment, tally_problem, grade, capsys
):
    grade(student, tally_problem, assignment, "correct", at=T0)
    redis_db.flushdb()
    call_command("rebuild_leaderboards")
    assert "rebuilt 2 board(s)" in capsys.readouterr().out
    assert _redis_standing(redis_db, f"c{cohort.pk}", student.pk)[0] == 2.0


def test_rebuild_leaderboards_says_so_without_redis(capsys, db):
    with override_settings(REDIS_URL=""):
        call_command("rebuild_leaderboards")
    assert "computed from the database" in capsys.readouterr().out


# --- The API and the page ------------------------------------------------------------------------
def test_the_api_keeps_its_documented_shape(
    store, api, student, other_student, cohort, assignment, tally_problem, grade
):
    grade(student, tally_problem, assignment, "correct", at=T0)
    response = api(other_student).get(f"/api/v1/cohorts/{cohort.slug}/leaderboard")
    assert response.status_code == 200
    data = response.json()
    assert data["cohort"] == cohort.slug
    first = data["entries"][0]
    assert {"rank", "name", "score", "solved", "last_improved_at"} <= set(first)
    assert (first["rank"], first["name"], first["score"], first["solved"]) == (
        1,
        "Alice A.",
        2.0,
        1,
    )
    assert first["last_improved_at"] == "2026-03-02T09:00:00Z"
    assert "real_name" not in first
    assert data["entries"][1]["you"] is True


def test_the_api_hides_other_cohorts_boards(api, outsider, cohort):
    response = api(outsider).get(f"/api/v1/cohorts/{cohort.slug}/leaderboard")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "cohort_not_found"


def test_the_api_serves_an_assignment_board(api, student, cohort, assignment):
    response = api(student).get(
        f"/api/v1/cohorts/{cohort.slug}/leaderboard?assignment={assignment.slug}"
    )
    assert response.status_code == 200
    assert response.json()["assignment"] == assignment.slug


def test_a_student_chooses_a_name_and_can_opt_out_on_the_page(
    client_for, student, other_student, cohort, assignment
):
    client = client_for(student)
    url = f"/cohorts/{cohort.slug}/leaderboard"
    response = client.post(url, {"display_name": "  Conv   Queen ", "show_on_leaderboard": ""})
    assert response.status_code == 302
    membership = Membership.objects.get(user=student, cohort=cohort)
    assert (membership.display_name, membership.show_on_leaderboard) == ("Conv Queen", False)
    page = client_for(other_student).get(url)
    assert b"Conv Queen" not in page.content
    assert b"Bob B." in page.content


def test_the_page_polls_itself_and_answers_htmx_with_the_table(client_for, student, cohort):
    client = client_for(student)
    page = client.get(f"/cohorts/{cohort.slug}/leaderboard")
    # Only while the page is visible, and at once when it becomes visible again.
    assert b"every 5s [document.visibilityState === 'visible']" in page.content
    assert b"visibilitychange[document.visibilityState === 'visible'] from:document" in page.content
    fragment = client.get(f"/cohorts/{cohort.slug}/leaderboard", HTTP_HX_REQUEST="true")
    assert fragment.content.lstrip().startswith(b'<div id="leaderboard"')


# --- Quizzes whose results are held back ---------------------------------------------------------
def test_an_unreleased_quiz_stays_off_the_board_until_it_closes(
    store, student, other_student, cohort, tally_problem, grade
):
    from exercises.models import Assignment, FeedbackPolicy, QuizSettings

    opens = T0 - timedelta(hours=1)
    quiz = factories.make_assignment(cohort, [tally_problem], type=Assignment.Type.QUIZ)
    settings_row = QuizSettings.objects.create(
        assignment=quiz,
        opens_at=opens,
        closes_at=datetime(2099, 1, 1, tzinfo=UTC),
        time_limit_minutes=20,
        feedback_policy=FeedbackPolicy.AFTER_CLOSE,
    )
    leaderboards.board_for(cohort, student)  # a board built before the quiz
    grade(student, tally_problem, quiz, "correct", at=T0)
    assert leaderboards.board_for(cohort, other_student).entries[0].score == 0.0
    # The quiz closes (a point in time, no event needed): the next read shows it.
    QuizSettings.objects.filter(pk=settings_row.pk).update(
        closes_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    top = leaderboards.board_for(cohort, other_student).entries[0]
    assert (top.name, top.score) == ("Alice A.", 2.0)


# --- The update after a graded submission (the hot path) ----------------------------------------
def test_an_update_counts_only_the_submissions_of_the_submissions_cohort(
    redis_db, student, cohort, other_cohort, assignment, tally_problem, second_problem, grade
):
    factories.add_member(student, other_cohort, Role.STUDENT)
    elsewhere = factories.make_assignment(other_cohort, [tally_problem, second_problem])
    leaderboards.board_for(cohort, student)
    leaderboards.board_for(other_cohort, student)
    grade(student, second_problem, elsewhere, "correct", at=T0)
    grade(student, tally_problem, assignment, "correct", at=T0 + timedelta(minutes=1))
    # second_problem's "correct" is worth 1 and tally_problem's 2: a leak would show 3.
    assert _redis_standing(redis_db, f"c{cohort.pk}", student.pk)[0] == 2.0
    assert _redis_standing(redis_db, f"c{other_cohort.pk}", student.pk)[0] == 1.0
    for c in (cohort, other_cohort):
        assert leaderboards.current_standings(c.pk) == leaderboards.compute_standings(c.pk)


def test_an_update_reloads_its_script_after_redis_lost_it(
    redis_db, student, cohort, assignment, tally_problem, grade
):
    leaderboards.board_for(cohort, student)
    redis_db.script_flush()  # as after a Redis restart
    grade(student, tally_problem, assignment, "correct", at=T0)
    assert _redis_standing(redis_db, f"c{cohort.pk}", student.pk)[0] == 2.0


def test_an_update_for_a_submission_not_graded_changes_nothing(
    redis_db, student, cohort, assignment, tally_problem
):
    from exercises.models import Submission

    leaderboards.board_for(cohort, student)
    queued = Submission.objects.create(
        user=student, problem=tally_problem, assignment=assignment, payload={"answer": 1}
    )
    loose = Submission.objects.create(user=student, problem=tally_problem, payload={"answer": 1})
    leaderboards.on_graded(queued.pk)
    leaderboards.on_graded(loose.pk)
    leaderboards.on_graded(10**9)  # gone
    assert _redis_standing(redis_db, f"c{cohort.pk}", student.pk) == (None, None)
