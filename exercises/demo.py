"""The demo cohort: accounts, the lecture's problems in a "CNN basics" assignment.

Only ``make demo`` calls this (through ``manage.py setup_demo``); it is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from exercises.models import Assignment, AssignmentProblem, Cohort, Membership, Problem, Role

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
    assignment, _ = Assignment.objects.get_or_create(
        cohort=cohort,
        slug="cnn-basics",
        defaults={"title": "CNN basics", "description": "The lecture, one problem at a time."},
    )
    rank = {slug: i for i, slug in enumerate(LECTURE_ORDER)}
    problems = sorted(Problem.objects.all(), key=lambda p: (rank.get(p.slug, len(rank)), p.slug))
    for order, problem in enumerate(problems):
        AssignmentProblem.objects.update_or_create(
            assignment=assignment, problem=problem, defaults={"order": order}
        )
    return DemoAccounts(INSTRUCTOR, STUDENTS, DEMO_PASSWORD, cohort.slug, cohort.join_code)
