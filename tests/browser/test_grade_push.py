"""In Chromium: after Submit, the problem page sends one request that waits for the grade
(``?wait=N``) instead of polling every 700 ms, and shows the verdict as soon as it is
committed (a worker's grade: the quick kinds' grading in the request turned off)."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection, transaction
from playwright.sync_api import expect

from exercises.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "feature-map-volume"


def _submit_a_shape_answer(page) -> list[str]:
    """Open the problem, answer and click Submit; returns the list that collects the URLs of
    every request for a submission the page sends from then on (its status box's asks)."""
    asked: list[str] = []
    page.on(
        "request",
        lambda r: asked.append(r.url) if re.search(r"/submissions/\d+(\?|$)", r.url) else None,
    )
    page.goto(f"/problems/{SLUG}")
    for i, value in enumerate((5, 5, 8)):
        page.locator(f"#id_dim-{i}").fill(str(value))
    page.get_by_role("button", name="Submit").click()
    return asked


def test_the_verdict_arrives_with_the_grade_through_one_waiting_request(
    lecture_bank, student, page_for, monkeypatch, screenshot, settings
):
    from exercises.submissions import services
    from exercises.submissions.tasks import grade_submission

    # The queued path: with its default on, the request would grade this shape answer itself
    # (tests/browser/test_grade_in_request.py).
    settings.STRIDE = {**settings.STRIDE, "GRADE_QUICK_KINDS_IN_REQUEST": False}
    # Nobody grades until the test does: the page has to wait for it.
    monkeypatch.setattr(services, "enqueue_grading", lambda submission_id: None)
    page = page_for(student)
    asked = _submit_a_shape_answer(page)
    expect(page.get_by_test_id("status")).to_have_text("Queued")
    submission = Submission.objects.get(user=student)

    page.wait_for_timeout(2_000)  # polling every 700 ms would have asked twice by now
    assert len(asked) == 1, asked
    assert "wait=" in asked[0]

    grade_submission.apply(args=[submission.pk])
    graded = time.monotonic()
    expect(page.get_by_test_id("verdict")).to_be_visible(timeout=5_000)
    on_screen = time.monotonic() - graded
    screenshot(page, "grade-pushed")
    assert on_screen < 1.0, f"the verdict took {on_screen:.2f} s after the grade"
    expect(page.get_by_test_id("status")).to_have_text("Graded")
    assert len(asked) == 1, asked


def test_a_grade_that_lands_at_once_comes_in_the_submits_own_answer(
    lecture_bank, student, page_for, monkeypatch, settings
):
    """A worker grading within ``PAGE_SUBMIT_WAIT_MS`` of the submit: the click's own answer
    shows the verdict, and the page never has to ask for it (one request, not two)."""
    from exercises.submissions import services
    from exercises.submissions.tasks import grade_submission

    settings.STRIDE = {
        **settings.STRIDE,
        "GRADE_QUICK_KINDS_IN_REQUEST": False,  # the worker's path, as for code
        "PAGE_SUBMIT_WAIT_MS": 5_000,  # generous: a loaded machine must not make this flaky
    }

    def worker(submission_id: int) -> None:
        try:
            grade_submission.apply(args=[submission_id])
        finally:
            connection.close()  # this thread's own connection

    # As the real one does: the task is sent once the submit's transaction has committed.
    monkeypatch.setattr(
        services,
        "enqueue_grading",
        lambda submission_id: transaction.on_commit(
            threading.Thread(target=worker, args=(submission_id,)).start
        ),
    )
    page = page_for(student)
    asked = _submit_a_shape_answer(page)
    expect(page.get_by_test_id("verdict")).to_be_visible(timeout=10_000)
    expect(page.get_by_test_id("status")).to_have_text("Graded")
    page.wait_for_timeout(500)  # a box still asking would have sent its request by now
    assert asked == [], asked
