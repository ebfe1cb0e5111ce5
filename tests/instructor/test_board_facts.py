"""A leaderboard read (200) reads the board's time-driven facts (the quizzes still hiding their
results, the freeze) at most once a second per process, and at once again after a cohort, an
assignment or a quiz changed in this process (``leaderboard_reads.time_facts``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from exercises.leaderboards import selectors as leaderboard_reads

BOARD = "/api/v1/cohorts/ml-101/leaderboard?top=10"


@pytest.fixture(autouse=True)
def fresh_facts():
    leaderboard_reads.forget_time_facts()
    yield
    leaderboard_reads.forget_time_facts()


def _read(user) -> tuple[dict, list[str]]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BOARD)
    assert response.status_code == 200
    return response.json(), [q["sql"] for q in queries]


def _reads_facts(sql: list[str]) -> bool:
    return any('"exercises_quizsettings"' in q for q in sql)


@pytest.mark.django_db
def test_a_second_read_within_the_second_reads_no_facts(
    redis_db, student, assignment, tally_problem, grade
):
    grade(student, tally_problem, assignment, "correct")
    start = timezone.now()
    with freeze_time(start) as clock:
        _, first = _read(student)
        assert _reads_facts(first)
        clock.tick(timedelta(seconds=leaderboard_reads.FACTS_SECONDS / 2))
        _, second = _read(student)
        assert not _reads_facts(second)
        assert len(second) < len(first)
        clock.tick(timedelta(seconds=leaderboard_reads.FACTS_SECONDS))
        _, third = _read(student)
        assert _reads_facts(third)  # a second later: read anew


@pytest.mark.django_db
def test_a_freeze_saved_in_this_process_shows_at_the_next_read(
    redis_db, student, assignment, tally_problem, grade
):
    grade(student, tally_problem, assignment, "correct")
    body, _ = _read(student)
    assert body["frozen_at"] is None
    assignment.due_at = timezone.now() + timedelta(minutes=30)
    assignment.leaderboard_freeze_minutes = 60
    assignment.save()
    body, _ = _read(student)
    assert body["frozen_at"] is not None
