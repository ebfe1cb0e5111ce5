"""Hints in a quiz follow its feedback policy: none (unlocked or on request) while the quiz
withholds feedback, in the question's detail, the submission's or by asking; then they show."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from exercises.models import HintUnlock, Problem
from exercises.quizzes import services as quizzes
from tests.quizzes.conftest import grade_now, wrong_sum_for
from tests.quizzes.test_quizzes import drawn_items

HINTS = [
    {"text": "QUIZ-HINT-AFTER-ONE", "after": 1},
    {"text": "QUIZ-HINT-ON-REQUEST", "on_request": True, "cost": 0.5},
]


def test_no_hint_while_feedback_is_withheld_then_they_show(
    make_quiz, student, api, t0, django_capture_on_commit_callbacks
):
    Problem.objects.update(hints=HINTS)
    quiz = make_quiz(feedback_policy="after_close")
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    client = api(student)
    detail_url = f"/api/v1/problems/{item.problem.slug}?assignment={quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=5)):
        sent = client.post(
            f"/api/v1/problems/{item.problem.slug}/submissions?assignment={quiz.assignment_id}",
            {"answer": wrong_sum_for(student, item)},
            format="json",
        ).json()
        with django_capture_on_commit_callbacks(execute=True):  # the committed grade's hooks
            grade_now(sent["id"])
        assert HintUnlock.objects.filter(user=student, hint_index=1).exists()
        detail = client.get(detail_url).json()
        assert (detail["hints"], detail["hints_on_request"]) == ([], [])
        assert "QUIZ-HINT" not in str(client.get(sent["url"]).json())
        asked = client.post(
            f"/api/v1/problems/{item.problem.slug}/hints/2?assignment={quiz.assignment_id}"
        )
        assert asked.status_code == 409 and asked.json()["error"]["code"] == "hints_withheld"
    with freeze_time(t0 + timedelta(hours=3)):  # closed for everyone: feedback released
        detail = client.get(detail_url).json()
        assert [h["text"] for h in detail["hints"]] == ["QUIZ-HINT-AFTER-ONE"]
        assert [h["index"] for h in client.get(sent["url"]).json()["hints"]] == [1]
