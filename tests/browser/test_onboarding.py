"""In Chromium: a newcomer finds "Sign up" on the login page and gets into their cohort with the
join code; a roster student gets in with the invitation link their instructor copied."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from exercises.cohorts import services as roster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-brand-new-passphrase-42"


def test_a_newcomer_signs_up_from_the_login_page_with_the_join_code(new_page, cohort, screenshot):
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Join code").fill("not-a-code")
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_contain_text("No cohort takes that join code")
    page.get_by_label("Join code").fill(cohort.join_code.lower())
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("body")).to_contain_text(f"You are a student of {cohort.name}")
    screenshot(page, "onboarding-signed-up")


def test_a_roster_student_gets_in_with_the_invitation_link(
    page_for, new_page, cohort, instructor, screenshot
):
    roster.import_roster(cohort, "username,first_name\r\nkim,Minjun\r\n")
    teacher = page_for(instructor)
    teacher.goto(f"/teach/{cohort.slug}/")
    teacher.get_by_role("link", name="Invitations").click()
    expect(teacher.locator("#invitations")).to_contain_text("kim")
    teacher.get_by_role("button", name="Show the links").click()
    link = teacher.get_by_label("Invitation link of kim").input_value()
    screenshot(teacher, "onboarding-invitations")

    page = new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Welcome, Minjun")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("body")).to_contain_text("Your password is set")
    page.goto(link)
    expect(page.get_by_role("heading", name="This invitation no longer works")).to_be_visible()
