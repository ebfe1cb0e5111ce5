"""In Chromium: a number answer is graded by the request that stores it, so the verdict comes
back with the submit's own answer and the status box sends no ``?wait=`` request (nor any other
request for the submission)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from exercises.models import Status, Submission
from grader.grading import params_for
from grader.kinds import get_kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "conv-layer-params"  # a number problem: (f*f*c + 1) * k


def test_a_number_answers_verdict_appears_without_a_waiting_request(
    lecture_bank, student, page_for, screenshot
):
    problem = lecture_bank[SLUG]
    right = get_kind(problem.kind).expected(
        problem.spec, params_for(problem.kind, problem.spec, None)
    )
    page = page_for(student)
    asked = []
    page.on(
        "request",
        lambda r: asked.append(r.url) if re.search(r"/submissions/\d+|wait=", r.url) else None,
    )
    page.goto(f"/problems/{SLUG}")
    page.locator('main input[name="answer"]').fill(str(right))
    page.get_by_role("button", name="Submit").click()

    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).to_contain_text("Correct")
    expect(result.get_by_test_id("status")).to_have_text("Graded")
    page.wait_for_timeout(1_000)  # whatever the swapped box would ask, it would have by now
    screenshot(page, "number-graded-in-the-request")
    assert asked == [], asked
    assert Submission.objects.get(user=student).status == Status.GRADED
