"""The demo cohort gets a "CNN basics quiz" from the lecture bank, idempotently."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import Assignment, QuizSettings
from exercises.ops import demo
from exercises.quizzes import services as quizzes
from tests import factories
from tests.quizzes.conftest import TEST_KIND


@pytest.fixture
def lecture_bank(db):
    return [
        factories.make_problem(slug, kind=TEST_KIND, spec={}, title=slug)
        for slug in demo.LECTURE_ORDER
    ]


def test_setup_demo_builds_the_cnn_basics_quiz_once(lecture_bank):
    demo.setup_demo()
    demo.setup_demo()
    quiz = QuizSettings.objects.select_related("assignment").get()
    assignment = quiz.assignment
    assert assignment.title == "CNN basics quiz" and assignment.published
    assert assignment.type == Assignment.Type.QUIZ
    assert quiz.time_limit_minutes == 15
    assert quiz.closes_at - quiz.opens_at == timedelta(days=7)
    assert quiz.opens_at <= timezone.now() < quiz.closes_at
    pools = [
        (p.draw_count, sorted(i.problem.slug for i in p.items.all())) for p in quiz.pools.all()
    ]
    assert pools == [
        (2, ["output-size-padding", "output-size-stride", "pool-output-size"]),
        (1, ["avg-pool", "conv-single-channel", "max-pool"]),
        (1, ["conv-layer-params", "fc-layer-params"]),
    ]


def test_student1_can_start_the_demo_quiz(lecture_bank):
    demo.setup_demo()
    quiz = QuizSettings.objects.get()
    student1 = Assignment.objects.get(pk=quiz.assignment_id).cohort.members.get(username="student1")
    attempt = quizzes.start_quiz(student1, quiz)
    assert len(attempt.drawn_item_ids) == 4


def test_rerunning_the_demo_reopens_an_expired_quiz_but_keeps_a_running_one(lecture_bank):
    demo.setup_demo()
    quiz = QuizSettings.objects.get()
    opened = quiz.opens_at
    demo.setup_demo()
    quiz.refresh_from_db()
    assert quiz.opens_at == opened
    QuizSettings.objects.update(
        opens_at=opened - timedelta(days=30), closes_at=opened - timedelta(days=23)
    )
    demo.setup_demo()
    quiz.refresh_from_db()
    assert quiz.closes_at > timezone.now()
    assert quiz.assignment.due_at == quiz.closes_at


def test_the_demo_quiz_uses_whatever_part_of_the_bank_exists(db):
    factories.make_problem("max-pool", kind=TEST_KIND, spec={})
    demo.setup_demo()
    quiz = QuizSettings.objects.get()
    assert [p.draw_count for p in quiz.pools.all()] == [1]


def test_there_is_no_demo_quiz_without_its_problems(db):
    demo.setup_demo()
    assert not QuizSettings.objects.exists()
