"""A student's progress for the dashboard: per assignment, each problem's best score, attempts
used, and what to do next. Reads only (selectors-style), through ``selectors.visible_assignments``
so a student sees exactly the assignments they may open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from exercises.models import Assignment, AssignmentProblem, Status, Submission
from exercises.models.submission import COUNTS
from exercises.submissions import selectors

#: What each ``ProblemProgress.state`` is called on the pages.
STATE_LABELS = {
    "solved": pgettext_lazy("problem state", "solved"),
    "grading": pgettext_lazy("problem state", "grading"),
    "no attempts left": pgettext_lazy("problem state", "no attempts left"),
    "partly solved": pgettext_lazy("problem state", "partly solved"),
    "tried": pgettext_lazy("problem state", "tried"),
    "not started": pgettext_lazy("problem state", "not started"),
}


@dataclass(frozen=True)
class ProblemProgress:
    item: AssignmentProblem
    best: float | None  # best score so far (points), None: never graded
    attempts_used: int
    attempts_left: int | None
    pending: bool

    @property
    def problem(self):
        return self.item.problem

    @property
    def max_points(self) -> int:
        return self.item.max_points

    @property
    def solved(self) -> bool:
        return self.best is not None and self.best >= self.max_points - 1e-9

    @property
    def state(self) -> str:
        """One word for the table and for screen readers."""
        if self.solved:
            return "solved"
        if self.pending:
            return "grading"
        if self.attempts_left == 0:
            return "no attempts left"
        if self.best is not None and self.best > 0:
            return "partly solved"
        if self.attempts_used:
            return "tried"
        return "not started"

    @property
    def state_label(self) -> str:
        """``state`` in the reader's language (``state`` itself stays English: it names a CSS
        class)."""
        return STATE_LABELS[self.state]


@dataclass
class AssignmentProgress:
    assignment: Assignment
    due_at: datetime | None
    problems: list[ProblemProgress] = field(default_factory=list)
    closed: bool = False

    @property
    def earned(self) -> float:
        return sum(p.best or 0.0 for p in self.problems)

    @property
    def possible(self) -> int:
        return sum(p.max_points for p in self.problems)

    @property
    def solved(self) -> int:
        return sum(p.solved for p in self.problems)

    @property
    def percent(self) -> int:
        return round(100 * self.earned / self.possible) if self.possible else 0


def dashboard_progress(
    user: AbstractBaseUser, now: datetime | None = None
) -> list[AssignmentProgress]:
    """Open assignments first (soonest due first), then closed ones."""
    now = now or timezone.now()
    assignments = list(
        selectors.visible_assignments(user, now)
        .exclude(type=Assignment.Type.QUIZ)  # quizzes keep scores to their own page and policy
        .order_by("due_at", "title")
    )
    if not assignments:
        return []
    extensions = {
        e.assignment_id: e for e in user.extensions.filter(assignment__in=assignments).all()
    }
    items = (
        AssignmentProblem.objects.filter(assignment__in=assignments)
        .select_related("problem", "assignment")
        .prefetch_related("problem__texts")  # titles in the reader's language
        .order_by("order", "id")
    )
    stats = {
        (row["problem_id"], row["assignment_id"]): row
        for row in Submission.objects.filter(user=user, assignment__in=assignments)
        .values("problem_id", "assignment_id")
        .annotate(
            best=Max("score", filter=Q(status=Status.GRADED)),
            used=Count("id", filter=COUNTS),
            pending=Count("id", filter=Q(status__in=[Status.QUEUED, Status.RUNNING])),
        )
    }
    by_assignment: dict[int, AssignmentProgress] = {}
    terms: dict[int, selectors.Terms] = {}
    for assignment in assignments:
        terms[assignment.pk] = selectors.terms_for(assignment, extensions.get(assignment.pk))
        by_assignment[assignment.pk] = AssignmentProgress(
            assignment, terms[assignment.pk].due_at, closed=terms[assignment.pk].is_late(now)
        )
    for item in items:
        group = by_assignment[item.assignment_id]
        row = stats.get((item.problem_id, item.assignment_id), {})
        used = row.get("used", 0)
        group.problems.append(
            ProblemProgress(
                item=item,
                best=row.get("best"),
                attempts_used=used,
                attempts_left=terms[item.assignment_id].attempts_left(used),
                pending=bool(row.get("pending")),
            )
        )
    ordered = sorted(
        by_assignment.values(),
        key=lambda g: (g.closed, g.due_at is None, g.due_at or now, g.assignment.title),
    )
    return [g for g in ordered if g.problems]


def next_problem(progress: list[AssignmentProgress]) -> ProblemProgress | None:
    """What to do next: the first unsolved problem, with attempts left, of the open assignment
    due soonest (problems in the assignment's order)."""
    for group in progress:
        if group.closed:
            continue
        for p in group.problems:
            if not p.solved and p.attempts_left != 0:
                return p
    return None
