"""Who may change a quiz: its cohort's instructors. An assistant reads the builder's preview, the
monitor and the results like the other /teach/ pages, but every quiz write answers 403 and changes
nothing, through the pages and through the services alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from exercises import quizzes
from exercises.errors import AccessDenied
from exercises.models import Assignment, QuizAccommodation, QuizAttempt, QuizSettings

BUILD = {
    "title": "Sneaky",
    "slug": "sneaky",
    "opens_at": "2026-03-02T10:00",
    "closes_at": "2026-03-02T12:00",
    "time_limit_minutes": "15",
    "attempt_points": "100",
    "feedback_policy": "immediate",
    "pools": "1: qn-1, qn-2",
}

# (method, path under the quiz or the cohort, form data). {q}: the quiz's id, {c}: its cohort,
# {s}: the student who started it.
WRITES = [
    ("get", "/quizzes/new/{c}", None),
    ("post", "/quizzes/new/{c}", BUILD),
    ("get", "/quizzes/{q}/edit", None),
    ("post", "/quizzes/{q}/edit", BUILD),
    ("post", "/quizzes/{q}/publish", {"published": "0"}),
    ("post", "/quizzes/{q}/extend", {"user_id": "{s}", "minutes": "7"}),
    ("post", "/quizzes/{q}/accommodations", {"user_id": "{s}", "time_factor": "1.5"}),
    ("post", "/quizzes/{q}/close", {}),
]
READS = ["/quizzes/{q}/preview", "/quizzes/{q}/monitor", "/quizzes/{q}/results"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def started_quiz(make_quiz, student, t0):
    quiz = make_quiz()
    quizzes.start_quiz(student, quiz, now=t0)
    return quiz


def fill(text: str, quiz: QuizSettings, student) -> str:
    return text.format(q=quiz.assignment_id, c=quiz.assignment.cohort.slug, s=student.pk)


def snapshot(quiz: QuizSettings) -> dict:
    """What any of the writes above would change."""
    quiz.refresh_from_db()
    quiz.assignment.refresh_from_db()
    return {
        "assignments": list(Assignment.objects.order_by("pk").values_list("pk", "slug", "title")),
        "published": quiz.assignment.published,
        "closed_early_at": quiz.closed_early_at,
        "extra_minutes": list(QuizAttempt.objects.values_list("extra_minutes", flat=True)),
        "accommodations": QuizAccommodation.objects.count(),
    }


@pytest.mark.parametrize(("method", "path", "data"), WRITES)
def test_an_assistant_gets_403_on_every_quiz_write_and_nothing_changes(
    started_quiz, assistant, student, method, path, data
):
    before = snapshot(started_quiz)
    form = {k: fill(v, started_quiz, student) for k, v in (data or {}).items()}
    url = fill(path, started_quiz, student)
    client = client_for(assistant)
    response = client.get(url) if method == "get" else client.post(url, form)
    assert response.status_code == 403
    assert snapshot(started_quiz) == before


@pytest.mark.parametrize("path", READS)
def test_an_assistant_reads_the_quiz_staff_pages(started_quiz, assistant, student, path):
    response = client_for(assistant).get(fill(path, started_quiz, student), follow=True)
    assert response.status_code == 200


def test_the_quiz_services_refuse_an_assistant(started_quiz, assistant, student, cohort, t0):
    settings = {
        "title": "Sneaky",
        "slug": "sneaky",
        "opens_at": t0,
        "closes_at": t0 + timedelta(hours=1),
        "time_limit_minutes": 10,
        "attempt_points": [100],
        "feedback_policy": "immediate",
        "pools": [quizzes.PoolSpec(1, ("qn-1",))],
    }
    before = snapshot(started_quiz)
    with pytest.raises(AccessDenied):
        quizzes.create_quiz(assistant, cohort, **settings)
    with pytest.raises(AccessDenied):
        quizzes.update_quiz(assistant, started_quiz, **settings, counts_on_leaderboard=False)
    with pytest.raises(AccessDenied):
        quizzes.publish_quiz(assistant, started_quiz, published=False)
    with pytest.raises(AccessDenied):
        quizzes.extend_time(assistant, started_quiz, student.pk, 7)
    with pytest.raises(AccessDenied):
        quizzes.set_accommodation(assistant, started_quiz, student.pk, time_factor=2)
    with pytest.raises(AccessDenied):
        quizzes.close_quiz(assistant, started_quiz)
    assert snapshot(started_quiz) == before
