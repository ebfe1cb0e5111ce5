"""The gradebook of a cohort (or one assignment): students x problems, and its CSV export.

A cell holds the best score, the attempts that count (infrastructure errors and unreadable
answers use none, as ``selectors.attempts_used`` counts them), whether the best score came
from a late submission, and whether the problem was solved. Two queries whatever the size.

The CSV opens cleanly in a spreadsheet: UTF-8 with a BOM (Excel otherwise guesses a legacy code
page and mangles "김민준" or emoji), every field quoted where needed by the csv module, and any
text cell that a spreadsheet would run as a formula (starting with = + - @, tab or CR) prefixed
with an apostrophe (OWASP's CSV-injection advice). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from exercises.models import (
    Assignment,
    AssignmentProblem,
    Cohort,
    Membership,
    Role,
    Status,
    Submission,
    Verdict,
)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


@dataclass
class Row:
    user_id: int
    username: str
    real_name: str
    display_name: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round(sum(c.best or 0.0 for c in self.cells), 6)

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
    def max_total(self) -> float:
        return sum(c.max_points for c in self.columns)


def build_gradebook(
    cohort: Cohort, assignment: Assignment | None = None, *, user_id: int | None = None
) -> Gradebook:
    """The gradebook; ``user_id`` keeps one student's row (the per-student page)."""
    items = AssignmentProblem.objects.filter(assignment__cohort=cohort).select_related(
        "problem", "assignment"
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
    return Gradebook(cohort, assignment, columns, list(rows.values()))


# --- CSV ----------------------------------------------------------------------------------------
def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would evaluate gets a leading apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.6g}" if value != int(value) else str(int(value))


def gradebook_csv(book: Gradebook) -> bytes:
    """The gradebook as CSV bytes (UTF-8 with BOM, CRLF rows, minimal quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    header = ["username", "name", "display_name"]
    for column in book.columns:
        header += [f"{column.label} score", f"{column.label} attempts", f"{column.label} late"]
    header += ["total", "max_total", "solved", "late"]
    writer.writerow([spreadsheet_safe(h) for h in header])
    for row in book.rows:
        cells: list[Any] = [row.username, row.real_name, row.display_name]
        for cell in row.cells:
            cells += [_number(cell.best), cell.attempts, "yes" if cell.late else ""]
        cells += [_number(row.total), _number(book.max_total), row.solved_count, row.late_count]
        writer.writerow([spreadsheet_safe(c) for c in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
