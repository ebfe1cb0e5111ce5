"""End to end in Chromium: a student takes a quiz under the server's countdown to the end."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import QuizAttempt, Submission
from exercises.quizzes import services as quizzes
from tests import factories
from tests.quizzes.conftest import answer_for, screenshot
from tests.quizzes.test_quizzes import drawn_items

pytestmark = pytest.mark.browser


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def seconds_shown(page) -> int:
    minutes, seconds = page.inner_text("#quiz-remaining").split(":")
    return int(minutes) * 60 + int(seconds)


def test_a_student_takes_a_quiz_to_the_end(
    browser_page, live_server, make_quiz, student, instructor, eager_celery
):
    page = browser_page
    now = timezone.now()
    quiz = make_quiz(
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=1),
        feedback_policy="after_submission",
        pools=[quizzes.PoolSpec(1, ("qn-1", "qn-2")), quizzes.PoolSpec(1, ("qn-5",))],
    )
    url = f"{live_server.url}/quizzes/{quiz.assignment_id}"
    log_in(page, live_server.url, "alice")
    page.goto(url)
    screenshot(page, "before-start")
    page.click("#quiz-start")
    page.wait_for_selector("#quiz-clock")
    first = seconds_shown(page)
    assert 14 * 60 + 50 <= first <= 15 * 60
    page.wait_for_timeout(2200)
    assert seconds_shown(page) < first  # it counts down

    # A reload and a second tab show the server's deadline, not a fresh 15 minutes.
    page.reload()
    after_reload = seconds_shown(page)
    assert after_reload <= first - 2
    second_tab = page.context.new_page()
    second_tab.goto(url)
    assert abs(seconds_shown(second_tab) - seconds_shown(page)) <= 2
    second_tab.close()
    assert QuizAttempt.objects.count() == 1

    # Answer question 1 right; the answer is recorded, its verdict held back until hand-in.
    attempt = QuizAttempt.objects.get()
    item = drawn_items(attempt)[0]
    page.fill("#id_q1-answer", str(answer_for(student, item)))
    page.click("text=Submit answer 1")
    page.wait_for_selector("#q1 .recorded")
    assert "Correct" not in page.inner_text("#q1")
    assert Submission.objects.get().status == "graded"
    screenshot(page, "answered")

    page.click("#quiz-finish")
    page.click("#confirm-ok")  # handing in asks first
    page.wait_for_selector("#quiz-over")
    summary = page.inner_text("#quiz-over")
    assert "You handed in this quiz" in summary
    assert "1 of 2 questions answered" in summary
    assert "Correct" in page.inner_text("#q1")  # released after submission
    assert page.locator("text=Submit answer 2").count() == 0
    screenshot(page, "handed-in")

    # The instructor sees it on the monitor and the results.
    page.context.clear_cookies()
    log_in(page, live_server.url, "iris")
    page.goto(f"{url}/results")
    assert "2 / 4" in page.inner_text("main")
    screenshot(page, "results")
    page.goto(f"{url}/monitor")
    assert "1 of 1 started" in page.inner_text("#quiz-live")
    assert "1 / 2" in page.inner_text("#quiz-students")
    screenshot(page, "monitor")


def test_the_countdown_closes_the_quiz_when_time_runs_out(
    browser_page, live_server, make_quiz, student, eager_celery
):
    page = browser_page
    now = timezone.now()
    quiz = make_quiz(opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=1))
    # Started 14 min 55 s ago (as if the student had been working): 5 seconds left.
    quizzes.start_quiz(student, quiz, now=now - timedelta(minutes=14, seconds=55))
    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/quizzes/{quiz.assignment_id}")
    assert seconds_shown(page) <= 5
    page.wait_for_selector("#quiz-over", timeout=15_000)  # the page reloads itself at zero
    assert "Time is up" in page.inner_text("#quiz-over")
    assert "0 of 3 questions answered" in page.inner_text("#quiz-over")
    assert page.locator("form[action$='/questions/1']").count() == 0
    screenshot(page, "time-up")
