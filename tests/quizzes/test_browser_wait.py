"""In Chromium: a quiz question whose verdict is withheld shows its status box the way the
problem page does: one request that waits for the grade (``?wait=N``) instead of a poll every
700 ms, and polling again only when the server says it is too busy to wait."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import QuizAttempt, Submission
from tests.quizzes.conftest import answer_for, grade_now, screenshot
from tests.quizzes.test_browser import log_in
from tests.quizzes.test_quizzes import drawn_items

pytestmark = pytest.mark.browser


def _answer_first_question(page, live_server, make_quiz, student, monkeypatch) -> list[str]:
    """Start a quiz that withholds verdicts until it closes, answer question 1 with nobody
    grading, and return the list the page's status requests are recorded in."""
    from exercises.submissions import services

    monkeypatch.setattr(services, "enqueue_grading", lambda submission_id: None)
    now = timezone.now()
    quiz = make_quiz(opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=1))
    asked: list[str] = []
    page.on(
        "request",
        lambda r: asked.append(r.url) if re.search(r"/submissions/\d+(\?|$)", r.url) else None,
    )
    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/quizzes/{quiz.assignment_id}")
    page.click("#quiz-start")
    page.wait_for_selector("#quiz-clock")
    item = drawn_items(QuizAttempt.objects.get())[0]
    page.fill("#id_q1-answer", str(answer_for(student, item)))
    page.click("text=Submit answer 1")
    page.wait_for_selector("#q1 .recorded")
    assert "Queued" in page.inner_text("#q1 .submission-status")
    return asked


def test_the_withheld_status_box_waits_for_the_grade_in_one_request(
    browser_page, live_server, make_quiz, student, monkeypatch
):
    page = browser_page
    asked = _answer_first_question(page, live_server, make_quiz, student, monkeypatch)
    page.wait_for_timeout(2_000)  # polling every 700 ms would have asked twice by now
    assert len(asked) == 1, asked
    assert "wait=" in asked[0]

    grade_now(Submission.objects.get().pk)
    graded = time.monotonic()
    page.wait_for_function(
        "() => document.querySelector('#q1 .submission-status').innerText.includes('Graded')",
        timeout=5_000,
    )
    on_screen = time.monotonic() - graded
    screenshot(page, "withheld-graded")
    assert on_screen < 1.0, f"the status took {on_screen:.2f} s after the grade"
    assert "Correct" not in page.inner_text("#q1")  # still withheld: only the status moved
    assert page.locator("#q1 .submission-status[hx-get]").count() == 0  # asks no more
    assert len(asked) == 1, asked


def test_when_the_server_is_too_busy_to_wait_the_box_polls(
    browser_page, live_server, make_quiz, student, monkeypatch, settings
):
    settings.STRIDE = settings.STRIDE | {"MAX_WAITS_PER_PROCESS": 0}  # every wait: busy
    page = browser_page
    asked = _answer_first_question(page, live_server, make_quiz, student, monkeypatch)
    page.wait_for_timeout(2_500)
    assert len(asked) >= 3, asked  # answered at once, asked again 700 ms later, and so on
    grade_now(Submission.objects.get().pk)
    page.wait_for_function(
        "() => document.querySelector('#q1 .submission-status').innerText.includes('Graded')",
        timeout=5_000,
    )
