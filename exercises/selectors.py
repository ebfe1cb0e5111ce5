"""Reads that pages and the API share. Every read that a user triggers goes through an
``access_*`` function here, which checks membership: a missing permission reads as 404, so
nobody learns what exists in a cohort they are not part of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from exercises import access
from exercises.errors import NotFound
from exercises.models import (
    Assignment,
    AssignmentProblem,
    Cohort,
    Extension,
    Membership,
    Problem,
    Role,
    Submission,
)
from exercises.models.submission import PENDING_STATUSES, Status, Verdict


def memberships_of(user: AbstractBaseUser) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("cohort")


def visible_assignments(
    user: AbstractBaseUser, now: datetime | None = None
) -> QuerySet[Assignment]:
    """Assignments the user may see: staff see all of their cohorts'; students the published,
    opened ones."""
    now = now or timezone.now()
    opened = Q(opens_at__isnull=True) | Q(opens_at__lte=now)
    return (
        Assignment.objects.filter(
            Q(cohort__in=access.staff_cohorts(user))
            | (Q(cohort__in=access.student_cohorts(user), published=True) & opened)
        )
        .select_related("cohort")
        .distinct()
    )


@dataclass(frozen=True)
class ProblemAccess:
    """A problem as one user meets it: through one assignment, with that assignment's rules."""

    problem: Problem
    item: AssignmentProblem
    role: str
    due_at: datetime | None
    extra_attempts: int

    @property
    def assignment(self) -> Assignment:
        return self.item.assignment

    @property
    def is_staff(self) -> bool:
        return access.is_staff_role(self.role)

    @property
    def attempt_limit(self) -> int | None:
        limit = self.assignment.attempt_limit
        return None if limit is None else limit + self.extra_attempts

    def is_late(self, when: datetime) -> bool:
        return self.due_at is not None and when > self.due_at


def _pick_item(items: list[AssignmentProblem], now: datetime) -> AssignmentProblem:
    """Of several assignments holding one problem, the one a student is working on: open and
    not yet due (soonest due first), else the one that closed last."""

    def still_open(i: AssignmentProblem) -> bool:
        return i.assignment.due_at is None or i.assignment.due_at >= now

    current = [i for i in items if still_open(i)]
    if current:
        return min(
            current,
            key=lambda i: (i.assignment.due_at or datetime.max.replace(tzinfo=now.tzinfo), i.pk),
        )
    return max(items, key=lambda i: (i.assignment.due_at, i.pk))


def access_problem(
    user: AbstractBaseUser,
    slug: str,
    *,
    assignment_id: int | None = None,
    now: datetime | None = None,
) -> ProblemAccess:
    now = now or timezone.now()
    items = list(
        AssignmentProblem.objects.filter(
            problem__slug=slug, assignment__in=visible_assignments(user, now)
        ).select_related("problem", "assignment", "assignment__cohort")
    )
    if assignment_id is not None:
        items = [i for i in items if i.assignment_id == assignment_id]
    else:  # quiz questions are reached only by naming the quiz (?assignment=<id>)
        items = [i for i in items if i.assignment.type != Assignment.Type.QUIZ]
    if not items:
        raise NotFound(f"No problem {slug!r} is open to you.", code="problem_not_found")
    item = _pick_item(items, now)
    role = access.role_in(user, item.assignment.cohort) or Role.STUDENT
    if item.assignment.type == Assignment.Type.QUIZ and not access.is_staff_role(role):
        from exercises import quiz_rules  # started, and this question is in the student's draw

        quiz_rules.require_drawn(user, item)
    extension = Extension.objects.filter(assignment=item.assignment, user=user).first()
    due_at = extension.due_at if extension else item.assignment.due_at
    return ProblemAccess(
        problem=item.problem,
        item=item,
        role=role,
        due_at=due_at,
        extra_attempts=extension.extra_attempts if extension else 0,
    )


def visible_problem_items(
    user: AbstractBaseUser, now: datetime | None = None
) -> list[AssignmentProblem]:
    """One row per problem the user can open (the assignment they'd work on it in)."""
    now = now or timezone.now()
    items = (
        AssignmentProblem.objects.filter(assignment__in=visible_assignments(user, now))
        .exclude(assignment__type=Assignment.Type.QUIZ)  # listed on their quiz's page instead
        .select_related("problem", "assignment", "assignment__cohort")
        .order_by("assignment__due_at", "assignment_id", "order", "id")
    )
    by_problem: dict[int, list[AssignmentProblem]] = {}
    for item in items:
        by_problem.setdefault(item.problem_id, []).append(item)
    chosen = [_pick_item(group, now) for group in by_problem.values()]
    return sorted(
        chosen,
        key=lambda i: (
            i.assignment.due_at is None,
            i.assignment.due_at or now,
            i.assignment_id,
            i.order,
        ),
    )


def attempts_used(user: AbstractBaseUser, problem: Problem, assignment: Assignment) -> int:
    """Attempts that count: infrastructure errors and unreadable answers use none."""
    return (
        Submission.objects.filter(user=user, problem=problem, assignment=assignment)
        .exclude(status=Status.ERROR)
        .exclude(verdict=Verdict.INVALID)
        .count()
    )


def pending_count(user: AbstractBaseUser) -> int:
    return Submission.objects.filter(user=user, status__in=PENDING_STATUSES).count()


def access_submission(user: AbstractBaseUser, submission_id: int) -> Submission:
    """The owner and the staff of the submission's cohort may read it; others get 404."""
    submission = (
        Submission.objects.select_related("problem", "assignment", "assignment__cohort", "user")
        .prefetch_related(Prefetch("tests"))
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise NotFound(f"No submission {submission_id}.", code="submission_not_found")
    if submission.user_id == user.pk:
        return submission
    if submission.assignment and access.staff_of(user, submission.assignment.cohort_id):
        return submission
    raise NotFound(f"No submission {submission_id}.", code="submission_not_found")


def submissions_of(user: AbstractBaseUser, problem: Problem) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(user=user, problem=problem)
        .exclude(assignment__type=Assignment.Type.QUIZ)  # shown, within its policy, on the quiz
        .select_related("assignment")
    )


def latest_code(user: AbstractBaseUser, problem: Problem, assignment_id: int | None) -> str | None:
    """The code of the user's latest submission to ``problem`` in this assignment (any status:
    what they last sent is what they were working on), or None."""
    payload = (
        Submission.objects.filter(user=user, problem=problem, assignment_id=assignment_id)
        .order_by("-created_at", "-id")
        .values_list("payload", flat=True)
        .first()
    )
    code = payload.get("code") if isinstance(payload, dict) else None
    return code if isinstance(code, str) else None


def visible_quizzes(user: AbstractBaseUser):
    """Quizzes the user may see: all of their staff cohorts', the published ones of their
    student cohorts; soonest first."""
    from exercises.models.quiz import QuizSettings

    return (
        QuizSettings.objects.filter(
            Q(assignment__cohort__in=access.staff_cohorts(user))
            | Q(assignment__cohort__in=access.student_cohorts(user), assignment__published=True)
        )
        .select_related("assignment", "assignment__cohort")
        .order_by("opens_at")
    )


def open_quizzes(user: AbstractBaseUser, now: datetime | None = None) -> list:
    """The visible quizzes whose window is open now and that the user can still work on (for
    the dashboard): a sitting handed in or out of time is over for them, whatever the window."""
    from exercises.models.quiz import QuizAttempt

    now = now or timezone.now()
    over = QuizAttempt.objects.filter(user=user).filter(
        Q(finished_at__isnull=False) | Q(deadline__lte=now)
    )
    return [
        q
        for q in visible_quizzes(user)
        .filter(opens_at__lte=now, closes_at__gt=now)
        .exclude(assignment_id__in=over.values("assignment_id"))
        if q.closed_early_at is None
    ]


def students_of(cohort: Cohort) -> QuerySet[Membership]:
    """The cohort's student memberships, with their users (rosters, forms, monitors)."""
    return Membership.objects.filter(cohort=cohort, role=Role.STUDENT).select_related("user")
