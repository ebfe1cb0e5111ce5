"""In a real browser: the analytics page groups wrong answers by the diagnosed misconception and
reads them against each student's own variant, with every student's raw answers one click away."""

from __future__ import annotations

import pytest

from exercises.models import Role
from exercises.submissions import services
from grader.grading import params_for
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_the_instructor_sees_one_mistake_on_different_numbers_as_one_relation(
    browser_for, live_server, instructor, student, other_student, cohort, grade, artifacts
):
    # The lecture's parameter count, with 10 filters for everyone but inputs of their own:
    # forgetting the bias is 10 short for every student, whatever number each one typed.
    problem = factories.make_problem(
        "conv-params",
        kind="number",
        spec={
            "recipe": "conv-layer-params",
            "params": {
                "c": {"min": 1, "max": 64},
                "f": {"choices": [3, 5, 7]},
                "k": {"choices": [10]},
            },
            "misconceptions": ["forgot-bias", "forgot-input-depth"],
        },
        title="Parameters of a conv layer",
    )
    carol = factories.make_user("carol")
    factories.add_member(carol, cohort, Role.STUDENT)
    assignment = factories.make_assignment(cohort, [problem], title="Week 2", slug="week-2")
    typed = {}
    for user in (student, other_student, carol):
        seed = services.variant_seed(user.pk, problem, assignment, 1)
        p = params_for("number", problem.spec, seed)
        typed[user.username] = p["f"] * p["f"] * p["c"] * p["k"]  # the weights, no bias
        grade(user, problem, assignment, typed[user.username])
    assert len(set(typed.values())) == 3  # three different numbers for one mistake

    page = browser_for(instructor)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/teach/{cohort.slug}/")
    page.get_by_role("link", name="analytics").first.click()
    page.wait_for_url(f"**/problems/{problem.slug}/analytics")
    group = page.locator('section.wrong-group[data-key="forgot-bias"]')
    assert "3 answers from 3 students" in group.locator("h3").inner_text()
    relations = group.locator("ul.relations li")
    assert relations.count() == 1
    assert (
        relations.first.inner_text()
        == "answer \u2212 expected = \u221210 for 3 students (3 answers)"
    )

    raw = group.locator("details.raw-answers")
    assert not raw.locator("table").is_visible()  # one click away, not in the way
    raw.locator("summary").click()
    rows = raw.locator("tbody tr")
    assert rows.count() == 3
    shown = {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").all_inner_texts()
        for i in range(3)
    }
    assert shown == {
        name: [str(n), str(n + 10), "answer \u2212 expected = \u221210", "1"]
        for name, n in typed.items()
    }
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"
    page.screenshot(path=str(artifacts / "instructor-analytics.png"), full_page=True)
