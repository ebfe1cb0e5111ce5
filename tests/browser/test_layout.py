"""In Chromium, what a page looks like rather than what it says: matrix tables without an empty
header row, figure labels inside their figure (not "ingle depth slice"), and the API docs within
a 390 px phone's width, and the staff pages a teacher opens from a phone (the cohort, a quiz's
live monitor and results) too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.quizzes import services as quizzes
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 390

#: Every <text> of every statement figure whose box leaves its <svg>'s viewBox (half a unit of
#: slack for anti-aliasing): "slug: label".
CLIPPED_LABELS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('.statement svg')) {
    const vb = svg.viewBox.baseVal;
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5
          || b.y + b.height > vb.y + vb.height + 0.5) out.push(t.textContent);
    }
  }
  return out;
}"""

#: Table rows of the statement whose cells are all empty (a Markdown table's blank header).
EMPTY_ROWS = """() => [...document.querySelectorAll('.statement table tr')]
  .filter(tr => [...tr.cells].every(c => c.textContent.trim() === '')).length"""


@pytest.mark.parametrize("language", ["en", "ko"])
def test_no_figure_label_is_cut_off_by_its_figure(lecture_bank, student, page_for, language):
    page = page_for(student)
    if language == "ko":
        page.goto("/")
        page.get_by_label("Language").select_option("ko")
        page.get_by_role("button", name="Change language").click()
        page.wait_for_load_state()
    clipped = {}
    figures = 0
    for slug in sorted(lecture_bank):
        page.goto(f"/problems/{slug}")
        assert page.locator(".statement").get_attribute("lang") == language
        figures += page.locator(".statement svg").count()
        labels = page.evaluate(CLIPPED_LABELS)
        if labels:
            clipped[slug] = labels
    assert figures >= 10  # the bank draws the lecture's figures
    assert clipped == {}


def test_matrix_tables_have_no_empty_header_row(lecture_bank, student, page_for):
    problem = lecture_bank["conv-single-channel"]
    page = page_for(student)
    page.goto(f"/problems/{problem.slug}")
    tables = page.locator(".statement table")
    assert tables.count() >= 2  # the input and the filter
    assert tables.first.locator("tr").count() == 7  # the 7 x 7 input's rows, nothing more
    assert page.evaluate(EMPTY_ROWS) == 0


def test_the_api_docs_fit_a_phone(new_page):
    page = new_page(width=PHONE, height=844)
    page.goto("/api/docs")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"/api/docs is {width} px wide on a {PHONE} px phone"


def test_the_cohort_and_quiz_staff_pages_fit_a_phone(cohort, instructor, student, page_for):
    """Wide tables (the assignments with their links, the members, a quiz's students and
    questions) scroll inside their box; the page itself never scrolls sideways."""
    problem = factories.make_problem(
        "output-size-stride", kind="number", spec={"recipe": "output-size-stride"}
    )
    factories.make_assignment(cohort, [problem], slug="week-3", title="Week 3: convolutions")
    now = timezone.now()
    quiz = quizzes.create_quiz(
        instructor,
        cohort,
        title="Quiz 1: sizes",
        slug="quiz-1",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=1),
        time_limit_minutes=15,
        attempt_points=[100],
        feedback_policy="immediate",
        pools=[quizzes.PoolSpec(1, ("output-size-stride",))],
        published=True,
    )
    quizzes.start_quiz(student, quiz)
    page = page_for(instructor, width=PHONE, height=844)
    for url in (
        f"/teach/{cohort.slug}/",
        f"/teach/{cohort.slug}/quizzes/{quiz.assignment_id}/monitor",
        f"/teach/{cohort.slug}/quizzes/{quiz.assignment_id}/results",
    ):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE, f"{url} is {width} px wide on a {PHONE} px phone"
