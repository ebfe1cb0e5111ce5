"""In Chromium: the instructor forms' date and time inputs look like every other input of the
site (the same border, padding, corners and width as a text input beside them)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOK = [
    "borderTopWidth",
    "borderTopStyle",
    "borderTopColor",
    "borderRadius",
    "paddingLeft",
    "paddingTop",
    "fontFamily",
    "fontSize",
    "width",
]


def _look(page, selector: str) -> dict:
    return page.eval_on_selector(
        selector,
        "(el, names) => { const s = getComputedStyle(el); "
        "return Object.fromEntries(names.map(n => [n, s[n]])); }",
        LOOK,
    )


def test_the_assignment_forms_datetime_input_looks_like_its_text_input(
    cohort, instructor, page_for
):
    page = page_for(instructor)
    page.goto(f"/teach/{cohort.slug}/assignments/new")
    dates = page.locator("input[type=datetime-local]")
    assert dates.count() >= 1
    text = _look(page, "form input[type=text]")
    assert text["paddingLeft"] != "0px" and text["borderTopStyle"] == "solid"
    assert _look(page, "form input[type=datetime-local]") == text
