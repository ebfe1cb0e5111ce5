"""The cohort gradebook counts a quiz over each student's own draw: a question they were not
given is "not drawn" (not a zero), and their maximum is the points of their draw, so draws of
different point values give different maxima (page, CSV and the per-student page)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from freezegun import freeze_time

from exercises.models import QuizAttempt, Submission
from exercises.quizzes import services as quizzes
from exercises.teach import gradebook
from tests import factories
from tests.quizzes.conftest import TEST_KIND, answer_for, grade_now


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mixed_quiz(make_quiz, bank):
    """One question of two: ``qn-1`` (2 points) or ``big`` (5 points)."""
    factories.make_problem(
        "big", kind=TEST_KIND, spec={}, title="Big product", statement="{{ a }} x {{ b }}", points=5
    )
    return make_quiz(pools=[quizzes.PoolSpec(1, ("qn-1", "big"))], feedback_policy="immediate")


def sit(quiz, user, slug: str, t0, *, right: bool) -> None:
    """``user`` starts and is given the question ``slug`` (as if their seed had drawn it)."""
    attempt = quizzes.start_quiz(user, quiz, now=t0 + timedelta(minutes=1))
    item = quiz.assignment.items.select_related("problem", "assignment").get(problem__slug=slug)
    QuizAttempt.objects.filter(pk=attempt.pk).update(drawn_item_ids=[item.pk])
    if right:
        from exercises.submissions import services

        with freeze_time(t0 + timedelta(minutes=2)):
            sub = services.submit_answer(
                user, slug, {"answer": answer_for(user, item)}, assignment_id=quiz.assignment_id
            )
        grade_now(sub.pk)
        _wait_graded(sub.pk)


def _wait_graded(submission_id: int) -> None:
    """In a committed (live-server) test the submission's task may reach a session worker
    before ``grade_now`` claims it; then that worker grades it: wait for the grade."""
    from exercises.models import Status, Submission
    from tests.workers import wait_for

    wait_for(
        lambda: Submission.objects.get(pk=submission_id).status == Status.GRADED,
        message=f"submission {submission_id} never graded",
    )


def test_totals_and_maxima_follow_each_students_draw(
    mixed_quiz, cohort, student, other_student, t0
):
    sit(mixed_quiz, student, "qn-1", t0, right=True)  # 2 of 2
    sit(mixed_quiz, other_student, "big", t0, right=False)  # 0 of 5
    book = gradebook.build_gradebook(cohort)
    labels = [c.item.problem.slug for c in book.columns]
    rows = {r.username: r for r in book.rows}
    alice, bob = rows["alice"], rows["bob"]
    assert (alice.total, alice.max_total) == (2, 2)
    assert (bob.total, bob.max_total) == (0, 5)
    assert not alice.cells[labels.index("big")].drawn
    assert not bob.cells[labels.index("qn-1")].drawn
    assert bob.cells[labels.index("big")].drawn and bob.cells[labels.index("big")].best is None
    assert book.max_total is None  # no one maximum: each row has its own


def test_a_student_who_has_not_started_is_out_of_the_draw_start_would_give(
    mixed_quiz, cohort, student, t0
):
    book = gradebook.build_gradebook(cohort)
    (row,) = book.rows
    assert sum(1 for cell in row.cells if cell.drawn) == 1
    would_draw = quizzes.start_quiz(student, mixed_quiz, now=t0 + timedelta(minutes=1))
    item = mixed_quiz.assignment.items.get(pk=would_draw.drawn_item_ids[0])
    assert row.max_total == item.max_points  # 2 or 5, never 7
    assert row.total == 0


def test_the_csv_has_each_students_own_maximum_and_not_drawn_cells(
    mixed_quiz, cohort, instructor, student, other_student, t0
):
    sit(mixed_quiz, student, "qn-1", t0, right=True)
    sit(mixed_quiz, other_student, "big", t0, right=False)
    response = client_for(instructor).get(f"/teach/{cohort.slug}/gradebook.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_user = {r["username"]: r for r in rows}
    assert by_user["alice"]["quiz-1/qn-1 score"] == "2"
    assert by_user["alice"]["quiz-1/big score"] == "not drawn"
    assert by_user["alice"]["quiz-1/big attempts"] == ""
    assert (by_user["alice"]["total"], by_user["alice"]["max_total"]) == ("2", "2")
    assert by_user["bob"]["quiz-1/qn-1 score"] == "not drawn"
    assert by_user["bob"]["quiz-1/big score"] == ""  # drawn, not answered
    assert (by_user["bob"]["total"], by_user["bob"]["max_total"]) == ("0", "5")


def test_the_gradebook_and_student_pages_show_not_drawn_and_per_student_maxima(
    mixed_quiz, cohort, instructor, student, other_student, t0
):
    sit(mixed_quiz, student, "qn-1", t0, right=True)
    sit(mixed_quiz, other_student, "big", t0, right=False)
    page = client_for(instructor)
    html = page.get(f"/teach/{cohort.slug}/gradebook").content.decode()
    assert "Total /7" not in html
    assert html.count('<span class="meta">not drawn</span>') == 2
    assert "<strong>2</strong> / 2</td>" in html and "<strong>0</strong> / 5</td>" in html
    student_html = page.get(f"/teach/{cohort.slug}/students/{other_student.pk}").content.decode()
    assert "<td>0 / 5</td>" in student_html
    assert Submission.objects.count() == 1


def test_practice_columns_keep_one_shared_maximum(cohort, student, other_student, bank):
    factories.make_assignment(cohort, bank[:2], title="Practice", slug="practice")
    book = gradebook.build_gradebook(cohort)
    assert book.max_total == 4
    assert all(cell.drawn for row in book.rows for cell in row.cells)


def test_cells_read_as_points_and_attempts_under_their_assignments_header(
    mixed_quiz, cohort, instructor, student, other_student, bank, t0
):
    practice = factories.make_assignment(cohort, bank[:2], title="Week 1", slug="week-1")
    from exercises.submissions import services

    sub = services.submit_answer(student, "qn-1", {"answer": 1}, assignment_id=practice.pk)
    grade_now(sub.pk)
    sit(mixed_quiz, student, "qn-1", t0, right=True)
    html = client_for(instructor).get(f"/teach/{cohort.slug}/gradebook").content.decode()
    # One header per assignment over its own columns, not bare repeated slugs.
    assert '<th scope="colgroup" colspan="2" class="group">Week 1</th>' in html
    assert 'colspan="2" class="group">Quiz 1 <span class="pill">quiz</span></th>' in html
    # "2 / 1" read as a fraction: now points and attempts say what they are.
    assert (
        '<span class="score">2 pts</span><br><span class="meta attempts">1 attempt</span>' in html
    )
    assert (
        '<span class="score">0 pts</span><br><span class="meta attempts">1 attempt</span>' in html
    )
    assert '<span class="meta"> / 1</span>' not in html
