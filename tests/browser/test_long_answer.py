"""In Chromium: a 5000-digit answer, refused or echoed, wraps inside the page: the page never
becomes wider than the window (it was 51,559 px wide)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exercises.models import Status, Submission, Verdict

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIGITS = "7" * 5000


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_5000_digit_answer_does_not_widen_the_page(lecture_bank, student, page_for, width):
    problem = lecture_bank["conv-layer-params"]
    page = page_for(student, width=width)
    page.goto(f"/problems/{problem.slug}")
    page.locator("#id_answer").fill(DIGITS)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("777")
    assert page_width(page) <= width

    # One sent through the API as text: echoed on its attempt's page and in the history.
    sent = Submission.objects.create(
        user=student,
        problem=problem,
        assignment=problem.assignment_items.get().assignment,
        payload={"answer": DIGITS},
        status=Status.GRADED,
        verdict=Verdict.INVALID,
        score=0,
        feedback={"message": f"{DIGITS!r} is not a number."},
    )
    page.goto(f"/submissions/{sent.pk}")
    expect(page.locator("main")).to_contain_text("777")
    assert page_width(page) <= width
    page.goto(f"/problems/{problem.slug}")
    page.locator("#history summary").first.click()
    assert page_width(page) <= width
