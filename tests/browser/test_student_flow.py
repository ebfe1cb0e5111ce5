"""End to end in Chromium: a student solves problems in the browser while a real Celery worker
grades, and sees the feedback (heat map, diagnosis, step-through) arrive without a reload."""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from exercises.models import Submission
from grader.kinds import get_kind
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def _right_map(problem) -> np.ndarray:
    kind = get_kind(problem.kind)
    return np.array(kind.expected(problem.spec, kind.generate(problem.spec, None)))


def _a_diagnosed_wrong_map(problem, shape) -> tuple[np.ndarray, str]:
    """A wrong map of the right size that the kind diagnoses, and the diagnosis' title."""
    kind = get_kind(problem.kind)
    params = kind.generate(problem.spec, None)
    for answer in kind.wrong_answers(problem.spec, params).values():
        if np.shape(answer) == shape:
            grade = kind.grade(problem.spec, params, answer)
            if "misconception" in grade.feedback:
                return np.array(answer), grade.feedback["misconception"]["title"]
    raise AssertionError(f"{problem.slug} declares no misconception that a same-size map shows")


def _fill_grid_by_keyboard(page, matrix: np.ndarray) -> None:
    """Type every cell, moving with Enter as a student would (tests the grid's keys)."""
    page.locator("#id_cell-0-0").focus()
    for row in matrix:
        for value in row:
            page.keyboard.type(f"{value:g}")
            page.keyboard.press("Enter")


def test_a_wrong_map_shows_heat_map_and_diagnosis_then_the_right_one_is_correct(
    grading_worker, lecture_bank, student, page_for, screenshot
):
    problem = lecture_bank["conv-single-channel"]
    right = _right_map(problem)
    page = page_for(student)
    page.goto(f"/problems/{problem.slug}")
    expect(page.get_by_role("heading", name=problem.title)).to_be_visible()
    expect(page.locator("#attempts-line")).to_contain_text("unlimited attempts")
    # The statement's math is typeset by the vendored KaTeX (no CDN).
    expect(page.locator(".statement .katex").first).to_be_visible()
    screenshot(page, "problem-conv-single-channel-desktop")

    # A map one of the problem's declared misconceptions produces: every cell typed, the last
    # Enter submits.
    wrong, title = _a_diagnosed_wrong_map(problem, right.shape)
    _fill_grid_by_keyboard(page, wrong)
    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).to_contain_text("Incorrect", timeout=30_000)
    expect(result.get_by_test_id("heatmap")).to_be_visible()
    expect(result.get_by_test_id("diagnosis")).to_contain_text(title)
    # The heat map marks exactly the cells that differ.
    wrong_cells = int((right != wrong).sum())
    expect(result.locator(".heat-grid td.wrong")).to_have_count(wrong_cells)
    # The history refreshed by itself with the graded attempt.
    expect(page.locator("#history")).to_contain_text("Attempt 1")
    screenshot(page, "problem-conv-wrong-map-feedback")
    screenshot(result, "problem-conv-wrong-map-feedback-detail")

    # The right map, pasted as whitespace-separated rows into the first cell.
    page.locator("#id_cell-0-0").focus()
    rows = "\n".join(" ".join(f"{v:g}" for v in row) for row in right)
    page.evaluate(
        """text => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            const paste = new ClipboardEvent(
                'paste', {clipboardData: data, bubbles: true, cancelable: true});
            document.querySelector('#id_cell-0-0').dispatchEvent(paste);
        }""",
        rows,
    )
    expect(page.locator("#id_cell-4-4")).to_have_value(f"{right[4, 4]:g}")
    page.get_by_role("button", name="Submit").click()
    expect(result.get_by_test_id("verdict")).to_contain_text("Correct", timeout=30_000)
    expect(result.get_by_test_id("status")).to_have_text("Graded")

    # Solved: the step-through of the sliding window is offered on the student's numbers.
    steps = result.get_by_test_id("stepthrough")
    expect(steps).to_be_visible()
    expect(steps).to_contain_text(f"= {right[0, 0]:g}")
    first = steps.locator('.st-output a[data-row="0"][data-col="0"]')
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(steps.locator(".st-output a[aria-current=true]")).to_have_attribute("data-col", "1")
    expect(page.locator(".st-total")).to_contain_text(f"= {right[0, 1]:g}")
    screenshot(page, "problem-conv-correct-stepthrough")
    assert Submission.objects.filter(user=student, problem=problem).count() == 2
    # The dashboard counts it solved and moves "what to do next" on.
    page.goto("/")
    expect(page.locator(".assignment .meta")).to_contain_text("1 of")
    expect(page.locator(".next-up")).not_to_contain_text(problem.title)
    screenshot(page, "dashboard-desktop")


def test_the_three_channel_step_through_sums_27_products_and_the_bias(
    grading_worker, lecture_bank, student, page_for, screenshot
):
    problem = lecture_bank["conv-three-channels"]
    right = _right_map(problem)
    page = page_for(student, width=390, height=844)
    page.goto(f"/problems/{problem.slug}")
    # The no-grid way in: the whole matrix typed into the text box.
    page.get_by_text("Or type or paste the whole matrix as text").click()
    page.get_by_label("Rows of numbers, one row per line").fill(
        "\n".join(" ".join(f"{v:g}" for v in row) for row in right)
    )
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("verdict")).to_contain_text("Correct", timeout=30_000)
    steps = page.get_by_test_id("stepthrough")
    expect(steps.locator("table.terms tbody tr")).to_have_count(27)
    expect(steps.locator(".st-total")).to_contain_text("+ bias")
    expect(steps.locator(".st-total")).to_contain_text(f"= {right[0, 0]:g}")
    steps.get_by_role("link", name="Next cell").click()
    expect(steps.locator(".st-total")).to_contain_text("Output (0, 1) = ")
    expect(page.locator(".st-total")).to_contain_text(f"= {right[0, 1]:g}")
    screenshot(page, "problem-conv3-stepthrough-phone")
    screenshot(steps, "problem-conv3-stepthrough-phone-detail")


def test_the_max_pool_step_through_keeps_the_running_maximum(
    grading_worker, lecture_bank, student, page_for, screenshot
):
    problem = lecture_bank["max-pool"]
    right = _right_map(problem)
    page = page_for(student)
    page.goto(f"/problems/{problem.slug}")
    _fill_grid_by_keyboard(page, right)
    steps = page.get_by_test_id("stepthrough")
    expect(page.get_by_test_id("verdict")).to_contain_text("Correct", timeout=30_000)
    expect(steps).to_contain_text("the largest value under the window")
    expect(steps.locator(".st-total")).to_contain_text(f"= {right[0, 0]:g}")
    steps.locator('.st-output a[data-row="1"][data-col="1"]').click()
    expect(page.locator(".st-total")).to_contain_text(f"Output (1, 1) = {right[1, 1]:g}")
    screenshot(page.get_by_test_id("stepthrough"), "problem-max-pool-stepthrough")


def test_the_problem_page_fits_a_phone(lecture_bank, student, page_for, screenshot):
    page = page_for(student, width=390, height=844)
    page.goto("/problems/conv-single-channel")
    expect(page.locator("#id_cell-4-4")).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling of the whole page.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    screenshot(page, "problem-conv-single-channel-phone")
    page.goto("/")
    expect(page.get_by_role("heading", name="What to do next")).to_be_visible()
    screenshot(page, "dashboard-phone")


def test_a_shape_answer_is_graded_live(grading_worker, lecture_bank, student, page_for, screenshot):
    problem = lecture_bank["feature-map-volume"]
    kind = get_kind(problem.kind)
    right = kind.expected(problem.spec, kind.generate(problem.spec, None))
    page = page_for(student)
    page.goto(f"/problems/{problem.slug}")
    for i, value in enumerate(right):
        page.locator(f"#id_dim-{i}").fill(str(value))
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("verdict")).to_contain_text("Correct", timeout=30_000)
    screenshot(page, "problem-shape-correct")


NO_BIAS = """import numpy as np


def conv2d(x, w, b, stride=1, pad=0):
    n, c, h, wd = x.shape
    f, _, hh, ww = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = (h + 2 * pad - hh) // stride + 1, (wd + 2 * pad - ww) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride : i * stride + hh, j * stride : j * stride + ww]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    return out
"""
WITH_BIAS = NO_BIAS.replace("    return out", "    return out + b[None, :, None, None]")
# Rows and columns swapped: wrong on every case, visible ones included (whatever their bias).
TRANSPOSED = WITH_BIAS.replace(
    "return out + b[None, :, None, None]", "return (out + b[None, :, None, None]).swapaxes(2, 3)"
)


def _set_code(page, code: str) -> None:
    """Put code in the editor (CodeMirror's own API: typing would auto-indent it)."""
    page.evaluate("code => document.querySelector('.CodeMirror').CodeMirror.setValue(code)", code)


def test_code_is_graded_live_from_the_editor(
    grading_worker, conv2d_problem, student, page_for, screenshot
):
    page = page_for(student)
    page.goto(f"/problems/{conv2d_problem.slug}")
    # The editor: the starter, line numbers, Python highlighting.
    expect(page.locator(".CodeMirror")).to_be_visible()
    expect(page.locator(".CodeMirror-linenumber").first).to_be_visible()
    expect(page.locator(".CodeMirror .cm-keyword").first).to_have_text("import")
    expect(page.locator(".CodeMirror")).to_contain_text("def conv2d")
    screenshot(page, "problem-code-editor")

    _set_code(page, TRANSPOSED)
    page.get_by_role("button", name="Submit").click()
    status = page.get_by_test_id("status")
    expect(status).to_have_text(re.compile("Queued|Running|Graded"))
    expect(status).to_have_text("Graded", timeout=60_000)
    result = page.locator("#result")
    expect(result.get_by_test_id("verdict")).not_to_contain_text("Correct")
    # The visible case draws its |yours - expected| map; the hidden one says only that it is.
    expect(result.get_by_test_id("heatmap").first).to_be_visible()
    graded = Submission.objects.get(problem=conv2d_problem)
    if "misconception" in graded.feedback:  # the kind recognised the mistake: say which
        title = graded.feedback["misconception"]["title"]
        expect(result.get_by_test_id("diagnosis")).to_contain_text(title)
    hidden = graded.tests.filter(hidden=True).count()
    assert hidden >= 1
    expect(result.locator(".tests .tag", has_text="hidden")).to_have_count(hidden)
    screenshot(page, "problem-code-wrong")
    screenshot(result, "problem-code-wrong-detail")

    _set_code(page, WITH_BIAS)
    page.get_by_role("button", name="Submit").click()
    expect(result.get_by_test_id("verdict")).to_contain_text("Correct", timeout=60_000)
    screenshot(page, "problem-code-correct")


def test_a_student_joins_a_cohort_by_code(db, cohort, login_page, screenshot):
    factories.make_user("newcomer")
    page = login_page("newcomer")
    expect(page.get_by_text("You are not in a cohort yet")).to_be_visible()
    page.get_by_role("link", name="Join a cohort").first.click()
    page.get_by_label("Join code").fill(cohort.join_code.lower())
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text(f"You joined {cohort.name}")).to_be_visible()
    expect(page.locator(".pill")).to_contain_text(cohort.name)
    screenshot(page, "dashboard-after-join")


def test_the_api_docs_page_reads_without_javascript(browser, live_server, screenshot):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/api/docs")
    expect(page.get_by_role("heading", name="Submit from a notebook")).to_be_visible()
    expect(page.locator(".api-op").first).to_be_visible()
    expect(page.get_by_text("/api/v1/problems/{slug}/submissions").first).to_be_visible()
    screenshot(page, "api-docs")
    context.close()


def test_the_interactive_api_reference_runs_from_our_own_files(new_page, screenshot):
    page = new_page()
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith(("http://localhost", "data:")) else None
        ),
    )
    page.goto("/api/docs/swagger")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/api/v1/problems/{slug}/submissions").first).to_be_visible()
    assert outside == []
    screenshot(page, "api-docs-swagger")
