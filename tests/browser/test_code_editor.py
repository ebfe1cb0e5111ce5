"""In Chromium: the code editor opens with the student's latest submitted code, so a reload (or
coming back another day) does not put the starter back over their work."""

from __future__ import annotations

import pytest

from exercises.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINE = "def conv2d(x, w, b, conv_param):\n    # my work so far\n    return x\n"


def editor_text(page) -> str:
    page.wait_for_selector(".CodeMirror")
    return page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")


def test_the_editor_starts_from_the_latest_submitted_code_after_a_reload(
    conv2d_problem, student, page_for
):
    page = page_for(student)
    page.goto(f"/problems/{conv2d_problem.slug}")
    starter = editor_text(page)
    assert starter == conv2d_problem.starter_code.replace("\r\n", "\n")

    page.evaluate("code => document.querySelector('.CodeMirror').CodeMirror.setValue(code)", MINE)
    page.get_by_role("button", name="Submit").click()
    page.get_by_test_id("status").wait_for()
    assert Submission.objects.get().payload == {"code": MINE}

    page.reload()
    assert editor_text(page) == MINE
