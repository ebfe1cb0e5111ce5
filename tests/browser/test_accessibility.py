"""Keyboard, screen reader and no-JavaScript use of the problem pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exercises.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNLABELLED_INPUTS = """() => [
    ...document.querySelectorAll('main input:not([type=hidden]), main textarea')
    ].filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map(el => el.name)"""


@pytest.mark.parametrize(
    "slug", ["conv-single-channel", "output-size-stride", "feature-map-volume"]
)
def test_every_input_has_a_name_a_screen_reader_can_say(lecture_bank, student, page_for, slug):
    page = page_for(student)
    page.goto(f"/problems/{slug}")
    assert page.evaluate(UNLABELLED_INPUTS) == []
    assert page.locator("#result").get_attribute("aria-live") == "polite"
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.worker
def test_a_problem_can_be_answered_with_the_keyboard_alone(
    grading_worker, lecture_bank, student, page_for, screenshot
):
    page = page_for(student)
    page.goto("/problems/feature-map-volume")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(12):  # from the top of the content to the first box of the answer
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_dim-0":
            break
    expect(page.locator("#id_dim-0")).to_be_focused()
    for value in ("5", "5", "2"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Submit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("status")).to_have_text("Graded", timeout=30_000)
    assert Submission.objects.get().payload == {"answer": [5, 5, 2]}
    screenshot(page, "problem-shape-keyboard")


@pytest.mark.worker
def test_without_javascript_a_problem_reads_and_submits(
    grading_worker, live_server, lecture_bank, student, page_for, screenshot
):
    page = page_for(student, javascript=False)
    page.goto("/problems/conv-single-channel")
    expect(page.locator(".statement")).to_be_visible()
    expect(page.get_by_role("heading", name="Your numbers")).to_be_visible()
    page.get_by_text("Or type or paste the whole matrix as text").click()
    page.get_by_label("Rows of numbers, one row per line").fill("\n".join(["1 2 3 4 5"] * 5))
    page.get_by_role("button", name="Submit").click()
    # No htmx: the plain form posts and lands on the attempt's own page.
    expect(page).to_have_url(f"{live_server.url}/submissions/{Submission.objects.get().pk}")
    for _ in range(60):
        if "Graded" in page.get_by_test_id("status").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.get_by_test_id("verdict")).to_be_visible()
    screenshot(page, "submission-without-javascript")


def test_every_problem_page_of_the_bank_fits_a_phone(lecture_bank, student, page_for, screenshot):
    page = page_for(student, width=390, height=844)
    too_wide = {}
    for slug in sorted(lecture_bank):
        page.goto(f"/problems/{slug}")
        expect(page.get_by_role("button", name="Submit")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 391:
            too_wide[slug] = width
        screenshot(page, f"bank-phone-{slug}")
    assert too_wide == {}


def test_the_code_editor_is_no_keyboard_trap(conv2d_problem, student, page_for):
    page = page_for(student)
    page.goto(f"/problems/{conv2d_problem.slug}")
    page.locator(".CodeMirror").click()
    page.keyboard.press("Tab")  # in the editor Tab indents...
    expect(page.locator(".CodeMirror textarea")).to_be_focused()
    page.keyboard.press("Escape")  # ...and Esc leaves it for the Submit button
    expect(page.get_by_role("button", name="Submit")).to_be_focused()
    label = page.locator(".CodeMirror textarea").get_attribute("aria-label")
    assert label == "Your code (Python)"


CONTRAST = """(selector) => {
    const el = document.querySelector(selector);
    const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => {
        const [r, g, b] = c.map((v) => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    let back = el;
    while (back && getComputedStyle(back).backgroundColor === 'rgba(0, 0, 0, 0)') {
        back = back.parentElement;
    }
    const a = lum(rgb(getComputedStyle(el).color));
    const b = lum(rgb(back ? getComputedStyle(back).backgroundColor : 'rgb(255, 255, 255)'));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_the_code_editors_line_numbers_are_readable(conv2d_problem, student, page_for):
    """The line numbers are how a traceback's "line 2" is found: they meet WCAG AA's 4.5:1
    against the gutter (CodeMirror's own grey, #999 on white, is 2.8:1)."""
    page = page_for(student)
    page.goto(f"/problems/{conv2d_problem.slug}")
    expect(page.locator(".CodeMirror-linenumber").first).to_be_visible()
    ratio = page.evaluate(CONTRAST, ".CodeMirror-gutter-wrapper .CodeMirror-linenumber")
    assert ratio >= 4.5, ratio
