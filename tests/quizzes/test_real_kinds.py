"""A quiz over real bank kinds (``grader.kinds`` number recipes), not the test double: the
variant, the grade and the diagnosed misconception reach the quiz's results."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from exercises.models import Submission
from exercises.quizzes import selectors as quiz_reports
from exercises.quizzes import services as quizzes
from tests import factories
from tests.quizzes.conftest import grade_now


def test_a_diagnosed_misconception_shows_in_the_quiz_results(cohort, instructor, student, api, t0):
    factories.make_problem(
        "conv-layer-params", kind="number", spec={"recipe": "conv-layer-params"}, points=3
    )
    quiz = quizzes.create_quiz(
        instructor,
        cohort,
        title="Params",
        slug="params",
        opens_at=t0,
        closes_at=t0 + timedelta(hours=1),
        time_limit_minutes=10,
        attempt_points=[100, 50],
        feedback_policy="immediate",
        pools=[quizzes.PoolSpec(1, ("conv-layer-params",))],
        published=True,
    )
    client = api(student)
    with freeze_time(t0 + timedelta(minutes=1)):
        body = client.post(f"/api/v1/quizzes/{quiz.assignment_id}/start").json()
        question = body["questions"][0]
        p = client.get(question["url"]).json()["params"]
        weights = p["f"] * p["f"] * p["c"] * p["k"]  # forgot the biases
        first = client.post(question["submit_url"], {"answer": weights}, format="json").json()
        grade_now(first["id"])
        second = client.post(
            question["submit_url"], {"answer": weights + p["k"]}, format="json"
        ).json()
        grade_now(second["id"])
        wrong = client.get(first["url"]).json()
        right = client.get(second["url"]).json()
    assert wrong["verdict"] == "incorrect"
    key = wrong["feedback"]["misconception"]["key"]
    assert right["verdict"] == "correct" and right["score"] == 1.5  # second try: 50% of 3
    stats = quiz_reports.question_stats(quiz)
    assert stats[0].correct == 1 and stats[0].misconceptions[0][0] == key
    assert stats[0].misconceptions[0][2] == 1
    assert Submission.objects.count() == 2


def test_the_quiz_page_renders_a_real_kinds_statement_for_the_students_variant(
    cohort, instructor, student, t0
):
    from django.test import Client

    factories.make_problem(
        "output-size-stride",
        kind="number",
        spec={"recipe": "output-size-stride"},
        title="Output size with a stride",
        statement="An input of size {{ n }} with a filter of size {{ f }} at stride {{ stride }}.",
    )
    quiz = quizzes.create_quiz(
        instructor,
        cohort,
        title="Sizes",
        slug="sizes",
        opens_at=t0,
        closes_at=t0 + timedelta(hours=1),
        time_limit_minutes=10,
        attempt_points=[100],
        feedback_policy="after_close",
        pools=[quizzes.PoolSpec(1, ("output-size-stride",))],
        published=True,
    )
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    client = Client()
    client.force_login(student)
    with freeze_time(t0 + timedelta(minutes=1)):
        html = client.get(f"/quizzes/{quiz.assignment_id}").content.decode()
    assert "Output size with a stride" in html
    assert "{{" not in html and "An input of size " in html
    assert "Your answer to question 1" in html
    assert len(attempt.drawn_item_ids) == 1
