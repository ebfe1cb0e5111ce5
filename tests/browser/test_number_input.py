"""A number typed with separators that could mean two things, in Chromium: refused on the spot
with both readings, the box keeping what was typed, no attempt used; a number sent is shown
back with every digit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exercises.models import Submission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def test_a_thousands_comma_is_refused_and_a_decimal_answer_echoed_in_full(
    grading_worker, lecture_bank, student, page_for, screenshot
):
    problem = lecture_bank["receptive-field-stacked"]
    page = page_for(student)
    page.goto(f"/problems/{problem.slug}")
    answer = page.locator('main input[name="answer"]')

    answer.fill("45,126")
    page.get_by_role("button", name="Submit").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("'45,126' is ambiguous")
    expect(alert).to_contain_text("Write 45126 or 45.126")
    expect(answer).to_have_value("45,126")
    screenshot(page, "problem-number-ambiguous-separator")
    assert not Submission.objects.filter(user=student).exists()

    answer.fill("45126.4")
    page.get_by_role("button", name="Submit").click()
    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).to_contain_text("Incorrect", timeout=30_000)
    expect(result).to_contain_text("Attempt 1")
    history = page.locator("#history")
    history.locator("summary").first.click()
    expect(history).to_contain_text("Your answer: 45126.4")
    expect(page.locator("body")).not_to_contain_text("e+04")
    screenshot(page, "problem-number-echoed-in-full")
    assert Submission.objects.get(user=student).payload == {"answer": 45126.4}
