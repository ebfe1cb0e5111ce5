"""In Chromium: a size typed and "It does not fit" ticked are one answer or the other. Using one
disables the other; without scripts the server refuses both together with a message."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exercises.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "output-size-stride"  # pinned: N = 7, F = 3, stride 3, which does not fit


def test_typing_a_size_and_ticking_the_box_exclude_each_other(lecture_bank, student, page_for):
    page = page_for(student)
    page.goto(f"/problems/{SLUG}")
    number = page.locator("#id_answer")
    box = page.locator("#id_does_not_fit")

    number.fill("6")
    expect(box).to_be_disabled()
    number.fill("")
    expect(box).to_be_enabled()
    box.check()
    expect(number).to_be_disabled()
    box.uncheck()
    expect(number).to_be_enabled()

    box.check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("status")).to_be_visible()
    assert Submission.objects.get(user=student).payload == {"answer": "does-not-fit"}


def test_without_scripts_both_together_are_refused_with_a_message(lecture_bank, student, page_for):
    page = page_for(student, javascript=False)
    page.goto(f"/problems/{SLUG}")
    page.locator("#id_answer").fill("6")
    page.locator("#id_does_not_fit").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("not both")
    assert not Submission.objects.filter(user=student).exists()
