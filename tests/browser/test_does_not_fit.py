"""In Chromium: a size typed and "It does not fit" ticked are one answer or the other. Using one
disables the other; without scripts the server refuses both together with a message. The
feedback on a size that does not fit names that box (and the API's "does-not-fit")."""

from __future__ import annotations

import pytest
from django.conf import settings
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


@pytest.mark.worker
@pytest.mark.parametrize(
    ("language", "box", "advice"),
    [
        ("en", "It does not fit", "tick “It does not fit” in the form"),
        ("ko", "맞지 않음", "양식에서는 “맞지 않음”에 표시하고"),
    ],
)
def test_the_feedback_on_a_size_that_does_not_fit_points_at_the_box_the_form_has(
    grading_worker, lecture_bank, student, page_for, live_server, language, box, advice
):
    """The feedback is written once for the pages and the API: on the page it names the box the
    form offers (the API's "does-not-fit" beside it), never only a word to type."""
    page = page_for(student)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto(f"/problems/{SLUG}")
    expect(page.get_by_label(box)).to_be_visible()  # the box the feedback will name
    page.locator("#id_answer").fill("17")  # no known mistake: only "it does not fit" is said
    page.locator("#id_answer").press("Enter")
    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).to_be_visible(timeout=30_000)
    feedback = result.locator("p.feedback")
    expect(feedback).to_contain_text(advice)
    expect(feedback).to_contain_text('"does-not-fit"')
    expect(feedback).not_to_contain_text('Answer "does-not-fit".')
    expect(feedback).not_to_contain_text('"does-not-fit"이라고 답하세요')
