"""After a sitting ends the student sees their total over their own draw when the feedback
policy allows it (otherwise when it will), and the dashboard stops offering the quiz as open."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from freezegun import freeze_time

from exercises.models import QuizAttempt, Submission
from exercises.submissions import selectors
from tests.quizzes.conftest import answer_for, grade_now
from tests.quizzes.test_quizzes import drawn_items


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def answer_first_right(page, url: str, student) -> None:
    item = drawn_items(QuizAttempt.objects.get(user=student))[0]
    page.post(f"{url}/questions/1", {"q1-answer": str(answer_for(student, item))})
    grade_now(Submission.objects.get(user=student).pk)


def test_handing_in_shows_the_total_over_the_students_draw(make_quiz, student, t0):
    quiz = make_quiz(feedback_policy="after_submission")  # 3 questions of 2 points drawn
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        answer_first_right(page, url, student)
        assert "Your total" not in page.get(url).content.decode()
        page.post(f"{url}/finish")
        html = page.get(url).content.decode()
    assert "Your total: <strong>2 of 6 points</strong>." in html
    assert "still being graded" not in html


def test_the_total_says_when_an_answer_is_still_being_graded(make_quiz, student, t0):
    quiz = make_quiz(feedback_policy="after_submission")
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        page.post(f"{url}/questions/2", {"q2-answer": "5"})  # queued, not graded yet
        page.post(f"{url}/finish")
        html = page.get(url).content.decode()
    assert "Your total: <strong>0 of 6 points</strong> (1 answer still being graded" in html


def test_with_feedback_after_close_it_says_when_the_total_appears(make_quiz, student, t0):
    quiz = make_quiz(feedback_policy="after_close")  # open T0..T0+2h (UTC)
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        answer_first_right(page, url, student)
        page.post(f"{url}/finish")
        html = page.get(url).content.decode()
    assert "Your total:" not in html
    assert (
        "Your results and total appear when the quiz has closed for everyone, at "
        '<time datetime="2026-03-02T11:00:00+00:00">Mon 2 Mar 2026, 11:00 UTC</time>.' in html
    )
    with freeze_time(t0 + timedelta(hours=2, minutes=1)):
        after = page.get(url).content.decode()
    assert "Your total: <strong>2 of 6 points</strong>." in after


def test_the_dashboard_lists_a_quiz_as_open_only_while_the_student_can_work_on_it(
    make_quiz, student, other_student, t0
):
    quiz = make_quiz()
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"

    def listed(user=student) -> bool:
        return quiz in selectors.open_quizzes(user)

    with freeze_time(t0 + timedelta(minutes=1)):
        assert listed()
        page.post(f"{url}/start")
        assert listed()
        assert "Quizzes open now" in page.get("/").content.decode()
        page.post(f"{url}/finish")
        assert not listed()
        assert "Quizzes open now" not in page.get("/").content.decode()
        assert listed(other_student)  # the others have not taken it yet
    other = client_for(other_student)
    with freeze_time(t0 + timedelta(minutes=10)):
        other.post(f"{url}/start")
    with freeze_time(t0 + timedelta(minutes=26)):  # 15 minutes are up, the window is not
        assert not listed(other_student)
