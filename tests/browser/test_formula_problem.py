"""A number problem written as a formula, in Chromium: a student's mistake gets the same
diagnosis box as a recipe's, in the student's own numbers, and the right answer is correct."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def test_a_formula_misconception_shows_its_diagnosis_then_the_right_answer_is_correct(
    grading_worker, lecture_bank, student, page_for, screenshot
):
    problem = lecture_bank["receptive-field-stacked"]
    page = page_for(student)
    page.goto(f"/problems/{problem.slug}")
    expect(page.get_by_role("heading", name=problem.title)).to_be_visible()
    # The pinned variant: two stacked 3x3 layers. Adding the sizes gives 2*3 = 6.
    answer = page.locator('main input[name="answer"]')
    answer.fill("6")
    page.get_by_role("button", name="Submit").click()
    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).to_contain_text("Incorrect", timeout=30_000)
    diagnosis = result.get_by_test_id("diagnosis")
    expect(diagnosis).to_contain_text("Diagnosis: Added up the filter sizes")
    expect(diagnosis).to_contain_text("2 layers of 3x3 do not see 2*3 = 6 cells")
    expect(diagnosis).to_contain_text("1 + 2*(3 - 1) = ?")  # the answer (5) is left to the student
    screenshot(page, "problem-formula-diagnosis")

    answer.fill("5")
    page.get_by_role("button", name="Submit").click()
    expect(result.get_by_test_id("verdict")).to_contain_text("Correct", timeout=30_000)
    expect(result.get_by_test_id("diagnosis")).to_have_count(0)
