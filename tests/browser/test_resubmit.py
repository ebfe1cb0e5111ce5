"""In Chromium: a student whose Submit lost its answer on the way back clicks Submit again and
uses one attempt, not two; the next, different answer is a new attempt."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from exercises.models import Submission
from tests.workers import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "feature-map-volume"


def _fill_shape(page, dims: tuple[int, int, int]) -> None:
    for i, value in enumerate(dims):
        page.locator(f"#id_dim-{i}").fill(str(value))


def _wait_for_count(student, count: int, timeout: float = 15.0) -> None:
    wait_for(
        lambda: Submission.objects.filter(user=student).count() >= count,
        timeout=timeout,
        message=f"never {count} submissions",
    )


def test_clicking_submit_again_after_a_lost_answer_uses_one_attempt(
    lecture_bank, student, page_for, screenshot
):
    page = page_for(student)
    page.goto(f"/problems/{SLUG}")
    _fill_shape(page, (5, 5, 8))

    lost = []

    def lose_the_first_answer(route) -> None:
        """The request reaches the server, which stores the attempt; its answer never
        reaches the browser (a dropped connection)."""
        if route.request.method == "POST" and not lost:
            route.fetch()
            lost.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(rf"/problems/{SLUG}(\?assignment=[-\w]+)?$"), lose_the_first_answer)
    submit = page.get_by_role("button", name="Submit")
    submit.click()
    _wait_for_count(student, 1)
    expect(submit).to_be_enabled()  # htmx gave up on the request: the student tries again
    expect(page.get_by_test_id("status")).to_have_count(0)

    submit.click()
    expect(page.get_by_test_id("status")).to_be_visible()
    screenshot(page, "resubmit-after-lost-answer")
    assert lost
    assert Submission.objects.filter(user=student).count() == 1

    _fill_shape(page, (5, 5, 16))  # a different answer is a new attempt
    submit.click()
    _wait_for_count(student, 2)
    answers = sorted(s.payload["answer"] for s in Submission.objects.filter(user=student))
    assert answers == [[5, 5, 8], [5, 5, 16]]
    expect(page.locator(".error[role=alert]")).to_have_count(0)
