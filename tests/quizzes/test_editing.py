"""Editing a quiz after it was built: everything before anyone starts; after, neither the pools
nor the points per try. Through the service and through the instructor's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from exercises.errors import BadPayload, Closed, NotFound
from exercises.models import Assignment, QuizSettings
from exercises.quizzes import services as quizzes
from tests.quizzes.conftest import staff_url


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def settings_of(quiz: QuizSettings, **changes) -> dict:
    settings = {
        "title": quiz.assignment.title,
        "slug": quiz.assignment.slug,
        "opens_at": quiz.opens_at,
        "closes_at": quiz.closes_at,
        "time_limit_minutes": quiz.time_limit_minutes,
        "attempt_points": list(quiz.attempt_points),
        "feedback_policy": quiz.feedback_policy,
        "pools": quizzes.pools_of(quiz),
        "counts_on_leaderboard": quiz.assignment.counts_on_leaderboard,
    }
    return {**settings, **changes}


def test_the_pools_read_back_as_the_builder_wrote_them(make_quiz):
    quiz = make_quiz()
    text = quizzes.format_pools(quizzes.pools_of(quiz))
    assert text == "2: qn-1, qn-2, qn-3, qn-4 [products]\n1: qn-5, qn-6"
    assert quizzes.parse_pools(text) == quizzes.pools_of(quiz)


def test_before_anyone_starts_everything_changes(make_quiz, instructor, t0):
    quiz = make_quiz()
    pools = [quizzes.PoolSpec(1, ("qn-1", "qn-6"), "pair")]
    quizzes.update_quiz(
        instructor,
        quiz,
        **settings_of(
            quiz,
            title="Quiz one",
            closes_at=t0 + timedelta(hours=3),
            time_limit_minutes=20,
            attempt_points=[100, 50],
            feedback_policy="immediate",
            pools=pools,
            counts_on_leaderboard=True,
        ),
    )
    quiz = QuizSettings.objects.get(pk=quiz.pk)
    assert quizzes.pools_of(quiz) == pools
    assert quizzes.question_count(quiz) == 1
    assert (quiz.time_limit_minutes, quiz.attempt_points, quiz.feedback_policy) == (
        20,
        [100, 50],
        "immediate",
    )
    assignment = Assignment.objects.get(pk=quiz.assignment_id)
    assert assignment.title == "Quiz one" and assignment.counts_on_leaderboard
    assert assignment.due_at == t0 + timedelta(hours=3) and assignment.attempt_limit == 2
    assert sorted(assignment.items.values_list("problem__slug", flat=True)) == ["qn-1", "qn-6"]


def test_after_a_start_pools_and_points_are_locked_but_the_rest_changes(
    make_quiz, instructor, student, t0
):
    quiz = make_quiz()
    quizzes.start_quiz(student, quiz, now=t0 + timedelta(minutes=5))
    with pytest.raises(Closed, match="pools can no longer change"):
        quizzes.update_quiz(
            instructor, quiz, **settings_of(quiz, pools=[quizzes.PoolSpec(1, ("qn-1",))])
        )
    with pytest.raises(Closed, match="points per try can no longer change"):
        quizzes.update_quiz(instructor, quiz, **settings_of(quiz, attempt_points=[100, 50]))
    later = t0 + timedelta(hours=4)
    quizzes.update_quiz(instructor, quiz, **settings_of(quiz, closes_at=later, title="Moved"))
    quiz = QuizSettings.objects.get(pk=quiz.pk)
    assert quiz.closes_at == later and quiz.assignment.title == "Moved"


def test_edits_are_checked_like_a_new_quiz(make_quiz, instructor, t0):
    quiz = make_quiz()
    make_quiz(slug="quiz-2", title="Quiz 2")
    with pytest.raises(BadPayload, match="already has an assignment 'quiz-2'"):
        quizzes.update_quiz(instructor, quiz, **settings_of(quiz, slug="quiz-2"))
    with pytest.raises(BadPayload, match="close after it opens"):
        quizzes.update_quiz(instructor, quiz, **settings_of(quiz, closes_at=t0))
    with pytest.raises(BadPayload, match="No problem 'nope'"):
        pools = [quizzes.PoolSpec(1, ("nope",))]
        quizzes.update_quiz(instructor, quiz, **settings_of(quiz, pools=pools))
    quizzes.update_quiz(instructor, quiz, **settings_of(quiz))  # its own slug is fine


def test_students_cannot_edit_a_quiz(make_quiz, student):
    quiz = make_quiz()
    with pytest.raises(NotFound):
        quizzes.update_quiz(student, quiz, **settings_of(quiz, title="Mine"))
    page = client_for(student)
    assert page.get(staff_url(quiz, "edit")).status_code == 404
    assert page.post(staff_url(quiz, "edit"), {"title": "x"}).status_code == 404
    assert Assignment.objects.get(pk=quiz.assignment_id).title == "Quiz 1"


def test_the_edit_page_shows_the_quiz_in_the_cohorts_time_zone_and_saves_changes(
    make_quiz, instructor, cohort
):
    cohort.timezone = "Europe/Berlin"
    cohort.save()
    quiz = make_quiz()
    page = client_for(instructor)
    html = page.get(staff_url(quiz, "edit")).content.decode()
    assert 'value="2026-03-02T10:00"' in html  # T0 = 09:00 UTC = 10:00 in Berlin
    assert "2: qn-1, qn-2, qn-3, qn-4 [products]" in html
    assert "No student has started yet" in html

    response = page.post(
        staff_url(quiz, "edit"),
        {
            "title": "Quiz 1 (moved)",
            "slug": "quiz-1",
            "opens_at": "2026-03-02T10:00",
            "closes_at": "2026-03-02T13:30",
            "time_limit_minutes": "25",
            "attempt_points": "100, 60",
            "feedback_policy": "after_submission",
            "pools": "1: qn-1, qn-2 [first]\n1: qn-5",
        },
    )
    assert response.status_code == 302 and response.url == staff_url(quiz, "preview")
    quiz = QuizSettings.objects.get(pk=quiz.pk)
    assert quiz.closes_at.isoformat() == "2026-03-02T12:30:00+00:00"
    assert (quiz.time_limit_minutes, quiz.attempt_points) == (25, [100, 60])
    assert quizzes.format_pools(quizzes.pools_of(quiz)) == "1: qn-1, qn-2 [first]\n1: qn-5"
    assert not quiz.assignment.counts_on_leaderboard  # an unticked box is False


def test_once_started_the_edit_page_locks_pools_and_points_and_ignores_posted_ones(
    make_quiz, instructor, student, t0
):
    quiz = make_quiz()
    quizzes.start_quiz(student, quiz, now=t0 + timedelta(minutes=5))
    page = client_for(instructor)
    html = page.get(staff_url(quiz, "edit")).content.decode()
    assert "Students have started this quiz" in html
    assert html.count("disabled") >= 2

    response = page.post(
        staff_url(quiz, "edit"),
        {
            "title": "Quiz 1",
            "slug": "quiz-1",
            "opens_at": "2026-03-02T09:00",
            "closes_at": "2026-03-02T12:00",
            "time_limit_minutes": "15",
            "attempt_points": "50",  # disabled: the form keeps the quiz's own
            "feedback_policy": "after_close",
            "pools": "1: qn-1",  # disabled too
        },
    )
    assert response.status_code == 302, response.content.decode()
    quiz = QuizSettings.objects.get(pk=quiz.pk)
    assert quiz.attempt_points == [100] and quizzes.question_count(quiz) == 3
    assert quiz.closes_at.isoformat() == "2026-03-02T12:00:00+00:00"


def test_the_preview_links_to_the_edit_page(make_quiz, instructor):
    quiz = make_quiz()
    html = client_for(instructor).get(staff_url(quiz, "preview")).content.decode()
    assert f'href="{staff_url(quiz, "edit")}"' in html
