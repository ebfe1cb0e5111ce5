"""The gradebook of a cohort (or one assignment): students x problems, and its CSV export.

A cell holds the best score, the attempts that count (infrastructure errors and unreadable
answers use none, as ``selectors.attempts_used`` counts them), whether the best score came
from a late submission, whether the problem was solved, and the hints the student unlocked
(a requested hint's cost is already in the scores: ``services.scored``). A quiz question outside
a student's own draw is "not drawn": no score, and no part of their maximum, so each student's
total is out of the points of the questions they were given (draws of different point values
give different maxima). A fixed number of queries whatever the size: three, plus three for the
quizzes' draws.

The CSV opens cleanly in a spreadsheet: UTF-8 with a BOM (Excel otherwise guesses a legacy code
page and mangles "김민준" or emoji), every field quoted where needed by the csv module, and any
text cell that a spreadsheet would run as a formula (starting with = + - @, tab or CR) prefixed
with an apostrophe (OWASP's CSV-injection advice). Numbers are written as numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from exercises.models import (
    Assignment,
    AssignmentProblem,
    Cohort,
    HintUnlock,
    Membership,
    QuizSettings,
    Role,
    Status,
    Submission,
    Verdict,
)
from exercises.quizzes import selectors as quiz_reports
from exercises.spreadsheets import spreadsheet_csv

NOT_DRAWN = "not drawn"


@dataclass(frozen=True)
class Column:
    assignment: Assignment
    item: AssignmentProblem

    @property
    def label(self) -> str:
        return f"{self.assignment.slug}/{self.item.problem.slug}"

    @property
    def max_points(self) -> float:
        return float(self.item.max_points)


@dataclass
class Cell:
    best: float | None = None
    attempts: int = 0
    late: bool = False
    solved: bool = False
    pending: int = 0
    drawn: bool = True  # False: a quiz question this student was not given
    hints: list[str] = field(default_factory=list)  # "2 (diagnosis)", in the hints' order


@dataclass
class Row:
    user_id: int
    username: str
    real_name: str
    display_name: str
    cells: list[Cell] = field(default_factory=list)
    max_total: float = 0.0  # the points of the columns this student was given

    @property
    def total(self) -> float:
        return round(sum(c.best or 0.0 for c in self.cells if c.drawn), 6)

    @property
    def late_count(self) -> int:
        return sum(1 for c in self.cells if c.late)

    @property
    def solved_count(self) -> int:
        return sum(1 for c in self.cells if c.solved)


@dataclass
class Gradebook:
    cohort: Cohort
    assignment: Assignment | None
    columns: list[Column]
    rows: list[Row]

    @property
    def max_total(self) -> float | None:
        """The maximum every student shares, or ``None`` when quiz draws make them differ
        (then each row's ``max_total`` is the one to show)."""
        maxima = {row.max_total for row in self.rows}
        if len(maxima) > 1:
            return None
        return maxima.pop() if maxima else sum(c.max_points for c in self.columns)

    @property
    def groups(self) -> list[tuple[Assignment, int]]:
        """The columns' assignments in order, each with how many columns it spans (the
        columns of one assignment are adjacent): the page's grouped header."""
        spans: list[tuple[Assignment, int]] = []
        for column in self.columns:
            if spans and spans[-1][0].pk == column.assignment.pk:
                spans[-1] = (spans[-1][0], spans[-1][1] + 1)
            else:
                spans.append((column.assignment, 1))
        return spans

    def by_assignment(self, row: Row) -> list[dict[str, Any]]:
        """One student's score, maximum and solved count per assignment, over what they were
        given (the per-student page)."""
        groups: dict[int, dict[str, Any]] = {}
        for column, cell in zip(self.columns, row.cells, strict=True):
            entry = groups.setdefault(
                column.assignment.pk,
                {
                    "assignment": column.assignment,
                    "score": 0.0,
                    "max": 0.0,
                    "solved": 0,
                    "items": [],
                },
            )
            if not cell.drawn:
                continue
            entry["score"] += cell.best or 0.0
            entry["max"] += column.max_points
            entry["solved"] += int(cell.solved)
            entry["items"].append((column, cell))
        return list(groups.values())


def build_gradebook(
    cohort: Cohort, assignment: Assignment | None = None, *, user_id: int | None = None
) -> Gradebook:
    """The gradebook; ``user_id`` keeps one student's row (the per-student page)."""
    items = (
        AssignmentProblem.objects.filter(assignment__cohort=cohort)
        .select_related("problem", "assignment")
        .prefetch_related("problem__texts")  # the columns' titles in the reader's language
    )
    if assignment is not None:
        items = items.filter(assignment=assignment)
    items = sorted(
        items,
        key=lambda i: (
            i.assignment.due_at is None,
            i.assignment.due_at.timestamp() if i.assignment.due_at else 0,
            i.assignment.title,
            i.order,
            i.pk,
        ),
    )
    columns = [Column(i.assignment, i) for i in items]
    index = {(i.assignment_id, i.problem_id): n for n, i in enumerate(items)}
    members = Membership.objects.filter(cohort=cohort, role=Role.STUDENT)
    if user_id is not None:
        members = members.filter(user_id=user_id)
    members = members.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__username"
    )
    rows: dict[int, Row] = {}
    for m in members:
        full = f"{m.user.first_name} {m.user.last_name}".strip()
        rows[m.user_id] = Row(
            user_id=m.user_id,
            username=m.user.username,
            real_name=full,
            display_name=m.display_name,
            cells=[Cell() for _ in columns],
        )
    subs = (
        Submission.objects.filter(assignment__cohort=cohort, user_id__in=list(rows))
        .counting()
        .order_by("created_at", "id")
        .values_list("user_id", "assignment_id", "problem_id", "status", "verdict", "score", "late")
    )
    if assignment is not None:
        subs = subs.filter(assignment=assignment)
    for user_id, assignment_id, problem_id, status, verdict, score, late in subs:
        col = index.get((assignment_id, problem_id))
        if col is None:
            continue  # the problem was removed from the assignment
        cell = rows[user_id].cells[col]
        cell.attempts += 1
        if status != Status.GRADED:
            cell.pending += 1
            continue
        if cell.best is None or (score or 0.0) > cell.best:
            cell.best = score or 0.0
            cell.late = late
        cell.solved = cell.solved or verdict == Verdict.CORRECT
    unlocks = (
        HintUnlock.objects.filter(assignment__cohort=cohort, user_id__in=list(rows))
        .order_by("hint_index")
        .values_list("user_id", "assignment_id", "problem_id", "hint_index", "how", "cost")
    )
    if assignment is not None:
        unlocks = unlocks.filter(assignment=assignment)
    for user_id, assignment_id, problem_id, hint_index, how, cost in unlocks:
        col = index.get((assignment_id, problem_id))
        if col is not None:
            rows[user_id].cells[col].hints.append(hint_label(hint_index, how, cost))
    _mark_draws(columns, rows)
    for row in rows.values():
        row.max_total = sum(
            column.max_points for column, cell in zip(columns, row.cells, strict=True) if cell.drawn
        )
    return Gradebook(cohort, assignment, columns, list(rows.values()))


def _mark_draws(columns: list[Column], rows: dict[int, Row]) -> None:
    """Mark each quiz question a student was not given as not drawn."""
    quiz_ids = {c.assignment.pk for c in columns if c.assignment.type == Assignment.Type.QUIZ}
    if not quiz_ids or not rows:
        return
    quiz_list = list(QuizSettings.objects.filter(assignment_id__in=quiz_ids))
    draws = quiz_reports.drawn_items_by_quiz(quiz_list, list(rows))
    for quiz in quiz_list:
        drawn = draws[quiz.pk]
        for n, column in enumerate(columns):
            if column.assignment.pk != quiz.assignment_id:
                continue
            for user_id, row in rows.items():
                row.cells[n].drawn = column.item.pk in drawn[user_id]


def hint_label(index: int, how: str, cost: float) -> str:
    """How the gradebook names a used hint: its number and how it unlocked, in the reader's
    language."""
    if how == HintUnlock.How.REQUEST:
        if cost:
            return _("%(n)s (asked, -%(cost)s%%)") % {"n": index, "cost": f"{cost * 100:g}"}
        return _("%(n)s (asked)") % {"n": index}
    if how == HintUnlock.How.MISCONCEPTION:
        return _("%(n)s (diagnosis)") % {"n": index}
    return _("%(n)s (attempts)") % {"n": index}


# --- CSV ----------------------------------------------------------------------------------------
def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.6g}" if value != int(value) else str(int(value))


def gradebook_csv(book: Gradebook) -> bytes:
    """The gradebook as CSV bytes (``spreadsheet_csv``)."""
    header = ["username", "name", "display_name"]
    for column in book.columns:
        header += [f"{column.label} score", f"{column.label} attempts", f"{column.label} late"]
    header += ["total", "max_total", "solved", "late"]
    rows: list[list[Any]] = [header]
    for row in book.rows:
        cells: list[Any] = [row.username, row.real_name, row.display_name]
        for cell in row.cells:
            if not cell.drawn:  # not a zero: the question was never theirs
                cells += [NOT_DRAWN, "", ""]
                continue
            cells += [_number(cell.best), cell.attempts, "yes" if cell.late else ""]
        cells += [_number(row.total), _number(row.max_total), row.solved_count, row.late_count]
        rows.append(cells)
    return spreadsheet_csv(rows)
