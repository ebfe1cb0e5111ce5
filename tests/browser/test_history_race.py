"""In Chromium: the problem page's history shows an attempt's grade even when the grade lands
before the history's refresh asked for by the submit has come back.

The race, made deterministic: the first refresh of the progress block (the one the submit's
``stride:submitted`` asks for, which reads the attempt while it is still queued) is held back
by ``page.route`` until the verdict is on screen, then let through. Whatever it carries is older
than what the page shows by then, and must not replace it."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from exercises.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "feature-map-volume"


def _until(page, predicate, message: str, timeout_ms: int = 10_000) -> None:
    """Wait on the page's clock: Playwright runs the route and event handlers only while the
    test is inside one of its calls, so a ``time.sleep`` loop would never see them."""
    for _ in range(timeout_ms // 50):
        if predicate():
            return
        page.wait_for_timeout(50)
    raise AssertionError(message)


def test_a_late_refresh_from_before_the_grade_does_not_undo_the_graded_history(
    lecture_bank, student, page_for, monkeypatch, screenshot, settings
):
    from exercises.submissions import services
    from exercises.submissions.tasks import grade_submission

    # The race is the queued path's (a quick kind graded in the request has no refresh before
    # its grade): the workers grade here.
    settings.STRIDE = {**settings.STRIDE, "GRADE_QUICK_KINDS_IN_REQUEST": False}
    # Nobody grades until the test does: the grade lands exactly when the test says.
    monkeypatch.setattr(services, "enqueue_grading", lambda submission_id: None)
    page = page_for(student)
    held, finished = [], []

    def hold_the_first_refresh(route) -> None:
        """The first refresh reaches the server at once (it reads the queued attempt); its
        answer reaches the page only when the test lets it."""
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    page.route(re.compile(rf"/problems/{SLUG}/progress(\?|$)"), hold_the_first_refresh)
    page.on(
        "requestfinished",
        lambda r: finished.append(r.url) if "/progress" in r.url else None,
    )
    page.goto(f"/problems/{SLUG}")
    history = page.locator("#history")
    for i, value in enumerate((5, 5, 8)):
        page.locator(f"#id_dim-{i}").fill(str(value))
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Queued")
    _until(page, lambda: held, "the submit asked for no refresh")

    submission = Submission.objects.get(user=student)
    grade_submission.apply(args=[submission.pk])
    submission.refresh_from_db()
    with translation.override("en"):  # the page's language, whatever an earlier test left
        verdict = submission.get_verdict_display()
    expect(page.get_by_test_id("verdict")).to_contain_text(verdict)
    expect(history).to_contain_text("Graded")  # shown with the verdict, whatever is in flight

    # Now the refresh read while the attempt was queued comes back, and any refresh waiting
    # behind it runs: when all are done, the history still shows the grade.
    route, answer = held[0]
    assert "Queued" in answer.text()  # read before the grade
    route.fulfill(response=answer)
    _until(page, lambda: finished, "the held refresh never finished")
    page.wait_for_load_state("networkidle")
    screenshot(page, "history-after-late-refresh")
    row = history.locator("li").first
    expect(row).to_contain_text("Attempt 1")
    expect(row.locator(".status-word")).to_have_text("Graded")
    expect(row).to_contain_text(verdict)
    expect(history.locator(".status-queued, .status-running")).to_have_count(0)
