"""In Chromium: a quiz question is answered with the problem page's inputs (a grid typed cell by
cell, a shape's fields, the does-not-fit box, the code editor), not one generic textarea."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from exercises.bank.importer import import_problems
from exercises.models import Submission
from exercises.quizzes import services as quizzes
from grader.kinds import get_kind
from tests.quizzes.conftest import screenshot
from tests.quizzes.test_answer_inputs import SLUGS, variant
from tests.quizzes.test_browser import log_in

pytestmark = pytest.mark.browser


def test_a_student_answers_quiz_questions_with_the_per_kind_inputs(
    browser_page, live_server, instructor, cohort, student, eager_celery
):
    import_problems(settings.STRIDE["CONTENT_DIR"])
    now = timezone.now()
    quiz = quizzes.create_quiz(
        instructor,
        cohort,
        title="Every kind",
        slug="every-kind",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=1),
        time_limit_minutes=60,
        attempt_points=[100, 50],
        feedback_policy="immediate",
        pools=[quizzes.PoolSpec(1, (slug,)) for slug in SLUGS],
        published=True,
    )
    page = browser_page
    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/quizzes/{quiz.assignment_id}")
    page.click("#quiz-start")
    page.wait_for_selector("#quiz-clock")
    assert page.locator("#q1 textarea:visible").count() == 0  # no generic box for the matrix
    assert page.locator("#q5 .CodeMirror").count() == 1  # the editor, enhanced by stride.js

    # The matrix, typed cell by cell; Enter moves to the next cell as on the problem page.
    problem, params = variant(student, quiz, "conv-single-channel")
    right = get_kind(problem.kind).expected(problem.spec, params)
    page.click("#id_q1-cell-0-0")
    for row in right:
        for value in row:
            page.keyboard.type(f"{value:g}")
            page.keyboard.press("Enter")
    page.wait_for_selector("#q1 [data-testid=verdict]")
    assert "Correct" in page.inner_text("#q1 [data-testid=verdict]")

    # The shape, one field per dimension.
    shape_problem, shape_params = variant(student, quiz, "conv-layer-output-volume")
    shape = get_kind(shape_problem.kind).expected(shape_problem.spec, shape_params)
    for i, value in enumerate(shape):
        page.fill(f"#id_q2-dim-{i}", str(value))
    page.click("text=Submit answer 2")
    page.wait_for_selector("#q2 [data-testid=verdict]")
    assert "Correct" in page.inner_text("#q2 [data-testid=verdict]")

    # The does-not-fit box, ticked.
    page.check("#id_q3-does_not_fit")
    page.click("text=Submit answer 3")
    page.wait_for_selector("#q3 [data-testid=status]")
    screenshot(page, "per-kind-inputs")
    payloads = [s.payload for s in Submission.objects.order_by("id")]
    assert payloads[1] == {"answer": list(shape)}
    assert payloads[2] == {"answer": "does-not-fit"}
