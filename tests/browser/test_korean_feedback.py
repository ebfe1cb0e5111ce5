"""A Korean student in Chromium: a wrong map that matches a misconception gets the diagnosis in
Korean, with the student's own numbers, and the step-through speaks Korean around them."""

from __future__ import annotations

import numpy as np
import pytest
from django.conf import settings
from playwright.sync_api import expect

from grader.kinds import get_kind
from grader.texts import localize

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def _transposed_map(problem) -> tuple[np.ndarray, dict]:
    """The right map with rows and columns swapped (the lecture's symmetric filter makes the
    flipped one right) and its feedback, in Korean."""
    kind = get_kind(problem.kind)
    params = kind.generate(problem.spec, None)
    answer = kind.wrong_answers(problem.spec, params)["transposed"]
    grade = kind.grade(problem.spec, params, answer)
    assert grade.feedback["misconception"]["key"] == "transposed"
    return np.array(answer), localize(grade.feedback, "ko")


def _type_map(page, matrix: np.ndarray) -> None:
    """Every cell filled (over what an earlier attempt left there); Enter in the last submits."""
    rows, cols = matrix.shape
    for r in range(rows):
        for c in range(cols):
            page.locator(f"#id_cell-{r}-{c}").fill(f"{matrix[r, c]:g}")
    page.locator(f"#id_cell-{rows - 1}-{cols - 1}").press("Enter")


def test_a_korean_student_reads_the_diagnosis_and_the_step_through_in_korean(
    grading_worker, lecture_bank, student, page_for, live_server, screenshot
):
    problem = lecture_bank["conv-single-channel"]
    kind = get_kind(problem.kind)
    right = np.array(kind.expected(problem.spec, kind.generate(problem.spec, None)))
    wrong, korean = _transposed_map(problem)
    page = page_for(student)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ko", "url": live_server.url}]
    )
    page.goto(f"/problems/{problem.slug}")
    expect(page.locator("html")).to_have_attribute("lang", "ko")

    _type_map(page, wrong)
    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).to_be_visible(timeout=30_000)
    diagnosis = result.get_by_test_id("diagnosis")
    expect(diagnosis).to_contain_text("결과를 전치함")
    expect(diagnosis).to_contain_text("정답 맵의 행과 열을 맞바꾼 것입니다")
    # The explanation is the student's own numbers in the Korean sentence, as the grader wrote it.
    expect(diagnosis).to_contain_text(korean["misconception"]["explanation"])
    expect(result.locator("p.feedback")).to_contain_text("알려진 실수와 같은 답입니다")
    # The history comes with the grade (and no earlier refresh can replace it).
    expect(page.locator("#history")).to_contain_text("결과를 전치함")
    screenshot(result, "problem-conv-korean-diagnosis")

    # The right map: solved, the step-through is offered on the student's numbers, in Korean.
    _type_map(page, right)
    steps = result.get_by_test_id("stepthrough")
    expect(steps).to_be_visible(timeout=30_000)
    expect(steps.get_by_role("heading", name="슬라이딩 윈도우 따라가기")).to_be_visible()
    expect(steps).to_contain_text("필터가 입력 위를 한 번에 한 칸씩 움직입니다")
    expect(steps).to_contain_text("이번 시도의 숫자로 보여 줍니다")
    expect(steps.locator("caption").first).to_have_text("한 칸씩 만들어지는 출력 맵")
    expect(steps.get_by_role("columnheader", name="누적 합")).to_be_visible()
    first = steps.locator('.st-output a[data-row="0"][data-col="0"]')
    expect(first).to_have_attribute("aria-label", f"출력 0행 0열: {right[0, 0]:g}")
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(steps.locator(".st-output a[aria-current=true]")).to_have_attribute("data-col", "1")
    expect(page.locator(".st-terms caption")).to_have_text("출력 칸 (0, 1): 항마다 쌓이는 합")
    expect(page.locator(".st-total")).to_have_text(f"출력 (0, 1) = {right[0, 1]:g}")
    expect(page.get_by_role("link", name="← 이전 칸")).to_be_visible()
    screenshot(steps, "problem-conv-korean-stepthrough")


RETURNS_A_LIST = "import numpy as np\n\n\ndef conv2d(x, w, b, stride=1, pad=0):\n    return [0.0]\n"


def test_a_korean_student_reads_why_the_code_returned_the_wrong_type_in_korean(
    grading_worker, conv2d_problem, student, page_for, live_server, screenshot
):
    """The sandbox child names only the type it got back; the worker words it, and the page
    says it in the reader's language (the visible test's message)."""
    page = page_for(student)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ko", "url": live_server.url}]
    )
    page.goto(f"/problems/{conv2d_problem.slug}")
    expect(page.locator(".CodeMirror")).to_be_visible()
    page.evaluate(
        "code => document.querySelector('.CodeMirror').CodeMirror.setValue(code)", RETURNS_A_LIST
    )
    page.get_by_role("button", name="제출", exact=True).click()
    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).to_be_visible(timeout=60_000)
    expect(result).to_contain_text("list을(를) 반환했습니다. NumPy 배열을 반환해야 합니다")
    expect(result).not_to_contain_text("expected a NumPy array")
    # The hidden tests returned a list too: nothing raised, so no "exception" is reported.
    expect(result.locator(".tests")).not_to_contain_text("an exception")
    expect(result.locator(".tests")).not_to_contain_text("예외")
    screenshot(result, "problem-code-korean-wrong-type")
