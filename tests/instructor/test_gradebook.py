"""The gradebook: best score, attempts, late per cell; a CSV that survives a round trip with
odd names and cannot run formulas in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import translation

from exercises import spreadsheets
from exercises.models import LatePolicy, Role, Status, Submission, Verdict
from exercises.teach import gradebook
from tests import factories

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_a_cell_holds_best_score_attempts_late_and_solved(
    student, assignment, tally_problem, second_problem, grade
):
    grade(student, tally_problem, assignment, 0, at=T0)
    grade(student, tally_problem, assignment, "correct", at=T0 + timedelta(minutes=1))
    grade(student, tally_problem, assignment, "abc", at=T0 + timedelta(minutes=2))  # invalid
    Submission.objects.create(
        user=student,
        problem=second_problem,
        assignment=assignment,
        payload={"answer": 1},
        status=Status.ERROR,
    )
    book = gradebook.build_gradebook(assignment.cohort, assignment)
    [row] = [r for r in book.rows if r.username == "alice"]
    first, second = row.cells
    assert (first.best, first.attempts, first.solved, first.late) == (2.0, 2, True, False)
    assert (second.best, second.attempts) == (None, 0)
    assert row.total == 2.0 and book.max_total == 3.0


def test_the_late_flag_follows_the_best_submission(student, cohort, tally_problem, grade):
    week = factories.make_assignment(
        cohort,
        [tally_problem],
        due_at=T0,
        late_policy=LatePolicy.PENALTY,
        late_penalty_percent=50,
    )
    submission = grade(student, tally_problem, week, "correct", at=T0 + timedelta(hours=1))
    Submission.objects.filter(pk=submission.pk).update(late=True, score=1.0)
    cell = gradebook.build_gradebook(cohort, week).rows[0].cells[0]
    assert (cell.best, cell.late) == (1.0, True)


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Ann", "Ann"),
        (3, 3),
        (-1.5, -1.5),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_defused(value, safe):
    assert spreadsheets.spreadsheet_safe(value) == safe


ODD_PEOPLE = [
    ("kim", "민준", "김", 'Kim, the "Kernel"'),
    ("emoji", "Zoë", "O'Brien", "🚀 Rocket 🧠"),
    ("formula", "=cmd|' /C calc'!A0", "Lee, Jr.", "@evil"),
]


@pytest.fixture
def odd_cohort(cohort, assignment, tally_problem, grade):
    users = []
    for username, first, last, display in ODD_PEOPLE:
        user = factories.make_user(username, first_name=first, last_name=last)
        factories.add_member(user, cohort, Role.STUDENT, display_name=display)
        users.append(user)
    grade(users[0], tally_problem, assignment, "correct", at=T0)
    grade(users[1], tally_problem, assignment, 0, at=T0)
    return cohort


def test_the_csv_round_trips_odd_names(odd_cohort):
    data = gradebook.gradebook_csv(gradebook.build_gradebook(odd_cohort))
    rows = parse(data)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["username", "name", "display_name"]
    assert header[3] == "week-1/tally-sum score"
    by_user = {r[0]: r for r in body}
    assert by_user["kim"][1:3] == ["민준 김", 'Kim, the "Kernel"']
    assert by_user["emoji"][1:3] == ["Zoë O'Brien", "🚀 Rocket 🧠"]
    # Formula-looking text comes back with the guarding apostrophe, and nothing else changed.
    assert by_user["formula"][1:3] == ["'=cmd|' /C calc'!A0 Lee, Jr.", "'@evil"]
    assert by_user["kim"][3:6] == ["2", "1", ""]
    assert by_user["emoji"][3:6] == ["0", "1", ""]
    assert by_user["formula"][3:6] == ["", "0", ""]
    assert all(len(r) == len(header) for r in body)
    assert data.count(b"\r\n") == len(rows)


def test_the_csv_export_is_an_attachment(client_for, instructor, odd_cohort, assignment):
    response = client_for(instructor).get(
        f"/teach/{odd_cohort.slug}/gradebook.csv?assignment={assignment.slug}"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ml-101-week-1-gradebook.csv"'
    assert parse(response.content)[0][0] == "username"


def test_the_gradebook_page_lists_students_and_cells(client_for, instructor, odd_cohort):
    page = client_for(instructor).get(f"/teach/{odd_cohort.slug}/gradebook").content.decode()
    assert "민준 김" in page and "🚀" not in page.split("<tbody>")[0]
    assert 'data-user="kim"' in page


def test_the_student_page_shows_progress_and_every_submission(
    client_for, instructor, student, assignment, tally_problem, grade
):
    grade(student, tally_problem, assignment, 0, at=T0)
    grade(student, tally_problem, assignment, "correct", at=T0 + timedelta(minutes=1))
    page = (
        client_for(instructor)
        .get(f"/teach/{assignment.cohort.slug}/students/{student.pk}")
        .content.decode()
    )
    assert "Every submission (2)" in page
    assert "2 / 3" in page  # score of the assignment
    assert Verdict.CORRECT in page and Verdict.INCORRECT in page


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(1, "1 pt"), (1.0, "1 pt"), (0, "0 pts"), (1.5, "1.50 pts"), (2, "2 pts"), (None, "… pts")],
)
def test_points_take_their_plural_form_whole_fractional_or_pending(amount, shown):
    """The gradebook's wording through the page's own filter: only exactly 1 is singular."""
    template = Template(
        "{% load i18n stride_numbers %}{% blocktranslate count n=v|plural_count with "
        'points=v|floatformat:"-2"|default:"…" %}{{ points }} pt{% plural %}{{ points }} pts'
        "{% endblocktranslate %}"
    )
    with translation.override("en"):
        assert template.render(Context({"v": amount})) == shown
