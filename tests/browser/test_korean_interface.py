"""A Korean student's interface in Chromium: the problem page's own words (the server's and
those its scripts write from the JavaScript catalogue) and a quiz's countdown are Korean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def korean_page(page_for, live_server, user):
    page = page_for(user)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ko", "url": live_server.url}]
    )
    return page


def test_a_korean_students_problem_page_is_korean_scripts_included(
    lecture_bank, student, page_for, live_server, screenshot
):
    page = korean_page(page_for, live_server, student)
    page.goto("/problems/conv-single-channel")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", name="내 답")).to_be_visible()
    expect(page.get_by_role("button", name="제출", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="대시보드").first).to_be_visible()
    # The grid's help, and the note stride.js writes (from /jsi18n/) after a pasted matrix.
    first = page.locator("input[data-row='0'][data-col='0']")
    first.focus()
    page.evaluate(
        """() => {
        const data = new DataTransfer();
        data.setData("text", "1 2 3\\n4 5 6\\n7 8 9");
        document.querySelector("input[data-row='0'][data-col='0']")
          .dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
    }"""
    )
    expect(page.locator("[data-paste-note]")).to_have_text("숫자 9개를 붙여 넣었습니다.")
    screenshot(page, "korean-interface-problem")

    page.goto("/problems/implement-conv2d")
    # CodeMirror's input is named by stride.js, through the catalogue.
    expect(page.get_by_label("내 코드(Python)").first).to_be_attached()
    assert page.locator(".CodeMirror textarea").get_attribute("aria-label") == "내 코드(Python)"


def test_a_korean_students_quiz_countdown_and_hand_in_dialog_are_korean(
    lecture_bank, student, instructor, cohort, page_for, live_server, screenshot
):
    from exercises.quizzes import services as quizzes

    now = timezone.now()
    quiz = quizzes.create_quiz(
        instructor,
        cohort,
        title="합성곱 퀴즈",
        slug="conv-quiz",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=1),
        time_limit_minutes=15,
        attempt_points=[100],
        feedback_policy="immediate",
        pools=[quizzes.PoolSpec(1, ("output-size-stride",))],
        published=True,
    )
    # Started 14 min 10 s ago: 50 seconds left, under the last minute's warning.
    quizzes.start_quiz(student, quiz, now=now - timedelta(minutes=14, seconds=10))
    page = korean_page(page_for, live_server, student)
    page.goto(f"/quizzes/{quiz.assignment_id}")
    clock = page.locator("#quiz-clock")
    expect(clock).to_contain_text("남은 시간:")
    expect(page.locator("#quiz-clock-note")).to_have_text("1분 남았습니다.")
    page.get_by_role("button", name="퀴즈 제출").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog.get_by_role("heading")).to_have_text("퀴즈 제출?")
    expect(dialog.get_by_role("button", name="취소")).to_be_focused()
    screenshot(page, "korean-interface-quiz")
    dialog.get_by_role("button", name="취소").click()
    expect(dialog).to_be_hidden()


@pytest.mark.sandbox
def test_a_korean_student_reads_a_code_problems_tests_by_their_korean_names(
    lecture_bank, student, page_for, live_server, screenshot
):
    """The tests' names on a graded code submission: Korean for a Korean reader (the hidden
    ones too, still without their data), English after switching back."""
    from exercises.models import Status, Submission
    from exercises.submissions.services import write_test_results
    from grader.kinds import get_kind
    from tests.grader.sandbox.conftest import CONV2D

    problem = lecture_bank["implement-conv2d"]
    kind = get_kind("code")
    grade = kind.grade(problem.spec, kind.generate(problem.spec, None), CONV2D)
    submission = Submission.objects.create(
        user=student,
        problem=problem,
        assignment=problem.assignments.get(slug="cnn-basics"),
        payload={"code": CONV2D},
        status=Status.GRADED,
        verdict=grade.verdict.value,
        score=grade.score * problem.points,
        max_score=problem.points,
        feedback=grade.feedback,
        graded_at=timezone.now(),
    )
    write_test_results(submission, grade)

    page = korean_page(page_for, live_server, student)
    page.goto(f"/submissions/{submission.pk}")
    names = page.locator(".tests li strong")
    expect(names.first).to_have_text("강의의 7x7x3 입력과 3x3x3 필터")
    expect(names.filter(has_text="1x1 합성곱")).to_have_count(1)
    expect(page.locator(".tests")).not_to_contain_text("filter")
    screenshot(page, "korean-test-names")

    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.reload()
    expect(names.first).to_have_text("the lecture's 7x7x3 input and 3x3x3 filter")
    expect(names.filter(has_text="a 1x1 convolution")).to_have_count(1)
