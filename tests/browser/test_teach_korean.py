"""The instructor's side in Korean, in Chromium: after the header's switch, the gradebook reads
in Korean (headings, cells, the late mark's tooltip) and the quiz monitor's "close for
everyone" question comes up in Korean, naming the quiz and how many are still working."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exercises.models import ProblemText, Status, Submission, Verdict
from exercises.quizzes import services as quizzes
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_gradebook_and_the_quiz_monitor_in_korean(
    cohort, student, instructor, page_for, screenshot
):
    problem = factories.make_problem(
        "output-size-stride", kind="number", spec={"recipe": "output-size-stride"}
    )
    assignment = factories.make_assignment(cohort, [problem], slug="week-1", title="Week one")
    for verdict, score, late in ((Verdict.INCORRECT, 0, False), (Verdict.CORRECT, 1, True)):
        Submission.objects.create(
            user=student,
            problem=problem,
            assignment=assignment,
            payload={"answer": 7},
            status=Status.GRADED,
            verdict=verdict,
            score=score,
            late=late,
        )
    factories.make_problem("quiz-size", kind="number", spec={"recipe": "output-size-stride"})
    now = timezone.now()
    quiz = quizzes.create_quiz(
        instructor,
        cohort,
        title="Pop quiz",
        slug="pop-quiz",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=1),
        time_limit_minutes=30,
        attempt_points=[100],
        feedback_policy="after_close",
        pools=[quizzes.PoolSpec(1, ("quiz-size",))],
        published=True,
    )
    quizzes.start_quiz(student, quiz)

    page = page_for(instructor)
    page.goto(f"/teach/{cohort.slug}/gradebook")
    expect(page.get_by_role("heading", name="Gradebook", exact=True)).to_be_visible()
    page.get_by_label("Language").select_option("ko")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", name="성적부", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="CSV 내보내기")).to_be_visible()
    expect(page.get_by_role("columnheader", name="학생")).to_be_visible()
    row = page.locator(f'tr[data-user="{student.username}"]')
    expect(row.locator(".attempts").first).to_have_text("2회 시도")
    expect(row.locator('abbr[title="지각"]')).to_have_count(1)
    expect(page.get_by_role("button", name="보기")).to_be_visible()
    screenshot(page, "teach-gradebook-korean")

    page.goto(f"/teach/{cohort.slug}/quizzes/{quiz.assignment_id}/monitor")
    expect(page.get_by_role("heading", name="Pop quiz: 실시간")).to_be_visible()
    expect(page.get_by_role("heading", name="점수 분포")).to_be_visible()
    students = page.locator("#quiz-students")
    expect(students.get_by_role("columnheader", name="남은 시간")).to_be_visible()
    expect(students.locator(f'tr[data-user="{student.username}"]')).to_contain_text("푸는 중")
    page.get_by_role("button", name="모두에게 퀴즈 닫기").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#confirm-title")).to_contain_text("모두에게 퀴즈 닫기")
    expect(dialog.locator("#confirm-message")).to_contain_text(
        "Pop quiz이(가) 모든 학생에게 지금 끝납니다. 아직 푸는 중인 1명은 바로 멈추고"
    )
    screenshot(page, "teach-quiz-monitor-close-korean")


def test_the_staff_pages_name_a_problem_by_its_korean_title(
    cohort, student, instructor, page_for, screenshot
):
    """A problem has its title in both languages; after the switch to Korean, the staff pages
    that name it (the cohort page, the bank, the quiz builder's and the assignment form's
    lists, analytics, regrade, the regrade's job page) show the Korean title, not the English
    one."""
    problem = factories.make_problem(
        "output-size-stride",
        kind="number",
        spec={"recipe": "output-size-stride"},
        title="Output size with stride",
    )
    ProblemText.objects.create(
        problem=problem, language="en", title="Output size with stride", statement="N, F, S."
    )
    ProblemText.objects.create(
        problem=problem, language="ko", title="스트라이드에 따른 출력 크기", statement="N, F, S."
    )
    factories.make_assignment(cohort, [problem], slug="week-1", title="Week one")

    page = page_for(instructor)
    page.goto(f"/teach/{cohort.slug}/")
    page.get_by_label("Language").select_option("ko")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    korean, english = "스트라이드에 따른 출력 크기", "Output size with stride"

    for url in (
        f"/teach/{cohort.slug}/",
        "/teach/problems/",
        f"/teach/{cohort.slug}/quizzes/new",
        f"/teach/{cohort.slug}/assignments/new",
        f"/teach/{cohort.slug}/problems/{problem.slug}/analytics",
        f"/teach/{cohort.slug}/problems/{problem.slug}/regrade",
    ):
        page.goto(url)
        expect(page.locator("main")).to_contain_text(korean)
        expect(page.locator("main")).not_to_contain_text(english)
    expect(page.get_by_role("heading", level=1)).to_contain_text(korean)
    page.get_by_role("button", name="변경 미리 보기").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(korean)
    screenshot(page, "teach-regrade-korean-title")
