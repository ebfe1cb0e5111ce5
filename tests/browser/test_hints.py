"""Hints in Chromium: a wrong answer whose misconception the grader diagnoses makes the hint
tied to it appear on the problem page, beside the feedback, without a reload; before that its
text is nowhere in the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

BIAS_HINT = "Each filter has one bias"


def test_a_diagnosed_misconception_unlocks_its_hint_on_the_page(
    grading_worker, lecture_bank, student, page_for, screenshot
):
    problem = lecture_bank["conv-layer-params"]
    page = page_for(student)
    page.goto(f"/problems/{problem.slug}")
    expect(page.get_by_role("heading", name=problem.title)).to_be_visible()
    assert BIAS_HINT not in page.content()  # locked: absent from the HTML, not hidden
    expect(page.get_by_test_id("hint")).to_have_count(0)
    expect(page.get_by_role("button", name="Show a hint (costs 10% of the points)")).to_be_visible()

    # The lecture's numbers: 10 filters of 5x5 on depth 3; without the biases, 750.
    page.locator('main input[name="answer"]').fill("750")
    page.get_by_role("button", name="Submit").click()
    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).to_contain_text("Incorrect", timeout=30_000)
    expect(result.get_by_test_id("diagnosis")).to_contain_text("bias")
    hint = page.locator("#hints").get_by_test_id("hint").filter(has_text=BIAS_HINT)
    expect(hint).to_have_count(1, timeout=10_000)
    expect(hint).to_contain_text("unlocked by the diagnosis of your answer")
    expect(hint.locator(".katex").first).to_be_visible()  # its $b$ rendered by KaTeX
    # The conceptual hint waits for a wrong attempt too: it came with this one.
    expect(page.locator("#hints")).to_contain_text("count the numbers inside")
    screenshot(page, "problem-hint-unlocked")
