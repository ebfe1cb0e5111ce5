"""The quiz page's queries do not grow with the number of questions: the drawn questions, their
submissions and their attempt counts are each read in one query, whatever the draw."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from freezegun import freeze_time

from exercises.models import QuizAttempt, Submission
from exercises.quizzes import services as quizzes
from tests.quizzes.conftest import answer_for, grade_now
from tests.quizzes.test_quizzes import drawn_items

QUIZ_PAGE_MAX_QUERIES = 15  # 13 with immediate feedback, 15 held back (statements: 1, any draw)


def _page_queries(make_quiz, user, t0, questions, slug, policy, assert_max) -> int:
    """Start a quiz drawing ``questions`` questions, answer each (graded), then count the
    queries of one view of the quiz page."""
    bank = tuple(f"qn-{i}" for i in range(1, 7))
    quiz = make_quiz(
        slug=slug,
        title=slug,
        pools=[quizzes.PoolSpec(questions, bank)],
        feedback_policy=policy,
        attempt_points=[100, 50],
    )
    client = Client()
    client.force_login(user)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        assert client.post(f"{url}/start").status_code == 302
        attempt = QuizAttempt.objects.get(assignment_id=quiz.assignment_id, user=user)
        for position, item in enumerate(drawn_items(attempt), start=1):
            answer = str(answer_for(user, item))
            client.post(f"{url}/questions/{position}", {f"q{position}-answer": answer})
            grade_now(Submission.objects.filter(user=user).latest("id").pk)
        client.get(url)  # the session's first read, the same for any quiz
        with assert_max(QUIZ_PAGE_MAX_QUERIES) as queries:
            page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<section class="quiz-question"') == questions
    if policy == "immediate":  # each question shows its graded answer
        assert html.count('data-status="graded"') == questions
    return len(queries)


@pytest.mark.parametrize("policy", ["immediate", "after_close"])
def test_the_quiz_page_costs_the_same_for_two_and_six_questions(
    make_quiz, student, other_student, t0, policy, django_assert_max_num_queries
):
    two = _page_queries(
        make_quiz, student, t0, 2, "quiz-two", policy, django_assert_max_num_queries
    )
    six = _page_queries(
        make_quiz, other_student, t0, 6, "quiz-six", policy, django_assert_max_num_queries
    )
    assert two == six, f"2 questions: {two} queries, 6 questions: {six}"
