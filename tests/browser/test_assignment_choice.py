"""In Chromium: a problem that is in two of a student's assignments. The dashboard opens it in
the assignment it is listed under, the page says which one that is and offers the other, and
the answer counts there."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exercises.models import Submission
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_chooses_the_assignment_of_a_problem_in_two(
    lecture_bank, cohort, student, page_for, screenshot
):
    problem = lecture_bank["output-size-stride"]
    factories.make_assignment(
        cohort, [problem], title="Revision", slug="revision", due_at=timezone.now() + timedelta(1)
    )
    page = page_for(student)
    page.goto("/")
    basics = page.locator("section.assignment", has_text="CNN basics")
    basics.get_by_role("link", name=problem.title).click()
    page.wait_for_url(re.compile(r"\?assignment=cnn-basics$"))
    choice = page.locator("#assignment-choice")
    expect(choice).to_contain_text("You are working on it in CNN basics")
    screenshot(page, "problem-in-two-assignments")
    choice.get_by_role("link", name="Revision").click()
    page.wait_for_url(re.compile(r"\?assignment=revision$"))
    expect(page.locator("#assignment-choice")).to_contain_text("working on it in Revision")
    expect(page.locator(".crumbs")).to_contain_text("Revision")
    page.get_by_label("Your answer (a number)").fill("3")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#result")).not_to_be_empty()
    assert Submission.objects.get(user=student).assignment.slug == "revision"
