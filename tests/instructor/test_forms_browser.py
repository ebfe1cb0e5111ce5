"""In a real browser, as a new instructor: a taken slug is pointed out under the slug field, the
time zone is picked from a list, and an assignment's problems are chosen by title and put in
order; the student then sees them in that order, under the assignment's description."""

from __future__ import annotations

import pytest

from exercises.models import Assignment, Cohort
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_instructor_opens_a_cohort_and_orders_an_assignment_by_title(
    browser_for, live_server, instructor, student, cohort, artifacts
):
    for slug, title in (("z-dot", "Dot products"), ("a-size", "Output sizes")):
        factories.make_problem(slug, kind="tally", spec={"a": [1, 2], "b": [1, 2]}, title=title)
    page = browser_for(instructor)
    page.goto(f"{live_server.url}/teach/")
    page.get_by_label("Name").fill("Again")
    page.get_by_label("Slug").fill(cohort.slug)  # taken
    page.get_by_label("Timezone").select_option("Asia/Seoul")
    page.get_by_role("button", name="Create cohort").click()
    error = page.locator("#id_slug-error")
    assert "already exists" in error.inner_text()
    slug_box = page.get_by_label("Slug").bounding_box()
    zone_box = page.get_by_label("Timezone").bounding_box()
    error_box = error.bounding_box()
    assert slug_box["y"] + slug_box["height"] <= error_box["y"] < zone_box["y"]
    assert page.get_by_label("Timezone").input_value() == "Asia/Seoul"  # kept on the re-shown form
    page.screenshot(path=str(artifacts / "cohort-form-slug-error.png"), full_page=True)
    page.get_by_label("Slug").fill("cnn-spring")
    page.get_by_role("button", name="Create cohort").click()
    page.wait_for_url("**/teach/cnn-spring/")
    assert Cohort.objects.get(slug="cnn-spring").timezone == "Asia/Seoul"

    page.goto(f"{live_server.url}/teach/{cohort.slug}/assignments/new")
    page.get_by_label("Title").fill("Week 1")
    page.get_by_label("Description").fill("Start with **dot products**.")
    page.get_by_role("checkbox", name="Dot products").check()
    page.get_by_role("checkbox", name="Output sizes").check()
    page.get_by_label("Position of Dot products").fill("1")
    page.get_by_label("Position of Output sizes").fill("2")
    page.screenshot(path=str(artifacts / "assignment-form-order.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/teach/{cohort.slug}/")
    week = Assignment.objects.get(cohort=cohort, slug="week-1")
    assert [i.problem.slug for i in week.items.all()] == ["z-dot", "a-size"]

    mine = browser_for(student)
    mine.goto(f"{live_server.url}/")
    section = mine.locator("section.assignment", has_text="Week 1")
    assert section.locator("strong").inner_text() == "dot products"
    assert section.locator("tbody td:first-child").all_inner_texts() == [
        "Dot products",
        "Output sizes",
    ]
