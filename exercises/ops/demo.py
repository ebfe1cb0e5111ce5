"""The demo cohort: accounts, the lecture's problems in a "CNN basics" assignment.

Only ``make demo`` calls this (through ``manage.py setup_demo``); it is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from exercises.models import (
    Assignment,
    AssignmentProblem,
    Cohort,
    FeedbackPolicy,
    Membership,
    Problem,
    QuizSettings,
    Role,
)
from exercises.quizzes import services as quizzes
from exercises.submissions.services import variant_seed
from grader.grading import params_for
from grader.kinds import get_kind
from grader.recipes import DOES_NOT_FIT

DEMO_PASSWORD = "stride-demo"  # noqa: S105 - printed on start; demo mode only
DEMO_COHORT = "demo"
DEMO_JOIN_CODE = "DEMO2026"
STUDENTS = ("student1", "student2", "student3")
INSTRUCTOR = "instructor"

# The lecture's order: from one dot product to a whole forward pass.
LECTURE_ORDER = [
    "dot-product-3x3",
    "dot-product-27",
    "conv-single-channel",
    "conv-three-channels",
    "output-size-stride",
    "output-size-padding",
    "same-padding",
    "shrinking-volumes",
    "feature-map-volume",
    "conv-layer-params",
    "conv-layer-output-volume",
    "max-pool",
    "avg-pool",
    "pool-output-size",
    "flatten-size",
    "fc-layer-params",
    "cnn-concepts",
    "implement-conv2d-single",
    "implement-conv2d",
    "implement-max-pool",
    "implement-avg-pool",
    "implement-cnn-forward",
]


@dataclass(frozen=True)
class DemoAccounts:
    instructor: str
    students: tuple[str, ...]
    password: str
    cohort: str
    join_code: str


def _user(username: str, *, staff: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.is_staff = staff
    user.is_superuser = staff
    user.save()
    return user


@transaction.atomic
def setup_demo() -> DemoAccounts:
    cohort, _ = Cohort.objects.get_or_create(
        slug=DEMO_COHORT,
        defaults={"name": "CNN course (demo)", "join_code": DEMO_JOIN_CODE, "timezone": "UTC"},
    )
    teacher = _user(INSTRUCTOR, staff=True)
    Membership.objects.update_or_create(
        user=teacher,
        cohort=cohort,
        defaults={"role": Role.INSTRUCTOR, "display_name": "Instructor"},
    )
    for index, name in enumerate(STUDENTS, start=1):
        student = _user(name)
        Membership.objects.get_or_create(
            user=student,
            cohort=cohort,
            defaults={"role": Role.STUDENT, "display_name": f"Demo student {index}"},
        )
    assignment = Assignment.objects.filter(cohort=cohort, slug="cnn-basics").first()
    for _ in range(MAX_FRESH_ASSIGNMENTS):
        if assignment is not None:
            break
        fresh = Assignment.objects.create(
            cohort=cohort,
            slug="cnn-basics",
            title="CNN basics",
            description="The lecture, one problem at a time.",
        )
        _add_bank(fresh)
        if meets_does_not_fit(fresh, [_user(name) for name in STUDENTS]):
            assignment = fresh
        else:
            fresh.delete()  # just made, nothing in it yet: its successor draws other variants
    if assignment is None:
        raise RuntimeError("no demo assignment where a demo student meets a does-not-fit variant")
    _add_bank(assignment)
    setup_demo_quiz(cohort, teacher)
    return DemoAccounts(INSTRUCTOR, STUDENTS, DEMO_PASSWORD, cohort.slug, cohort.join_code)


#: Fresh "CNN basics" assignments tried before one gives a demo student a variant that does not
#: fit (each fails with a chance of about (2/3)**6, so a second is rarely needed).
MAX_FRESH_ASSIGNMENTS = 50
#: The bank's questions whose variants may not fit (the lecture's "doesn't fit!").
DOES_NOT_FIT_SLUGS = ("output-size-stride", "output-size-padding")


def _add_bank(assignment: Assignment) -> None:
    """Every bank problem in the lecture's order (new ones are added on a later run)."""
    rank = {slug: i for i, slug in enumerate(LECTURE_ORDER)}
    problems = sorted(Problem.objects.all(), key=lambda p: (rank.get(p.slug, len(rank)), p.slug))
    for order, problem in enumerate(problems):
        AssignmentProblem.objects.update_or_create(
            assignment=assignment, problem=problem, defaults={"order": order}
        )


def meets_does_not_fit(assignment: Assignment, students) -> bool:
    """Does one of ``students`` draw a variant that does not fit in ``assignment``? A demo where
    every output size fits never shows the "It does not fit" box doing its job. True when the
    bank has none of those problems (nothing to show)."""

    problems = [
        p
        for p in Problem.objects.filter(slug__in=DOES_NOT_FIT_SLUGS)
        if DOES_NOT_FIT
        in get_kind(p.kind)
        .answer_format(p.spec, params_for(p.kind, p.spec, None))
        .get("accepts", ())
    ]
    if not problems:
        return True
    for problem in problems:
        kind = get_kind(problem.kind)
        for student in students:
            seed = variant_seed(student.pk, problem, assignment, 1)
            params = params_for(problem.kind, problem.spec, seed)
            if kind.expected(problem.spec, params) == DOES_NOT_FIT:
                return True
    return False


# The demo quiz: (how many to draw, from which lecture problems), 15 minutes, open for a week.
DEMO_QUIZ_SLUG = "cnn-basics-quiz"
DEMO_QUIZ_POOLS = [
    (2, ("output-size-stride", "output-size-padding", "pool-output-size"), "output sizes"),
    (1, ("conv-single-channel", "max-pool", "avg-pool"), "feature maps"),
    (1, ("conv-layer-params", "fc-layer-params"), "parameter counts"),
]


def setup_demo_quiz(cohort: Cohort, teacher, now: datetime | None = None) -> QuizSettings | None:
    """The "CNN basics quiz" from the lecture bank, idempotent: an existing quiz keeps its pools
    and sittings; only a window that has already closed is reopened for another week. Pools use
    the bank problems that exist (``None`` when none of them does)."""

    now = now or timezone.now()
    existing = QuizSettings.objects.filter(
        assignment__cohort=cohort, assignment__slug=DEMO_QUIZ_SLUG
    ).first()
    if existing is not None:
        if existing.effective_closes_at() <= now:
            existing.opens_at, existing.closes_at = now, now + timedelta(days=7)
            existing.closed_early_at = None
            existing.save(update_fields=["opens_at", "closes_at", "closed_early_at"])
            Assignment.objects.filter(pk=existing.assignment_id).update(due_at=existing.closes_at)
        return existing
    available = set(Problem.objects.values_list("slug", flat=True))
    pools = []
    for draw, slugs, label in DEMO_QUIZ_POOLS:
        present = tuple(slug for slug in slugs if slug in available)
        if present:
            pools.append(quizzes.PoolSpec(min(draw, len(present)), present, label))
    if not pools:
        return None
    return quizzes.create_quiz(
        teacher,
        cohort,
        title="CNN basics quiz",
        slug=DEMO_QUIZ_SLUG,
        description="Four questions: output sizes, a feature map, a parameter count.",
        opens_at=now,
        closes_at=now + timedelta(days=7),
        time_limit_minutes=15,
        attempt_points=[100, 50],
        feedback_policy=FeedbackPolicy.AFTER_SUBMISSION,
        pools=pools,
        counts_on_leaderboard=False,
        published=True,
    )
