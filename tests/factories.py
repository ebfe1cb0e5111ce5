"""Plain factory functions: each makes one saved object with sensible defaults."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime

from django.contrib.auth import get_user_model

from exercises.models import Assignment, AssignmentProblem, Cohort, Membership, Problem, Role

_counter = itertools.count(1)

PASSWORD = "correct horse battery staple"


def make_user(username: str | None = None, **extra):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def make_cohort(slug: str | None = None, **extra) -> Cohort:
    n = next(_counter)
    slug = slug or f"cohort-{n}"
    return Cohort.objects.create(name=extra.pop("name", f"Cohort {n}"), slug=slug, **extra)


def add_member(user, cohort: Cohort, role: str = Role.STUDENT, **extra) -> Membership:
    return Membership.objects.create(user=user, cohort=cohort, role=role, **extra)


def make_problem(slug: str | None = None, *, kind: str, spec: dict, **extra) -> Problem:
    n = next(_counter)
    return Problem.objects.create(
        uuid=extra.pop("uuid", uuid.uuid4()),
        slug=slug or f"problem-{n}",
        kind=kind,
        title=extra.pop("title", f"Problem {n}"),
        statement=extra.pop("statement", "Compute it."),
        points=extra.pop("points", 1),
        spec={**spec, "kind": kind},
        **extra,
    )


def make_assignment(
    cohort: Cohort,
    problems: list[Problem],
    *,
    due_at: datetime | None = None,
    **extra,
) -> Assignment:
    n = next(_counter)
    assignment = Assignment.objects.create(
        cohort=cohort,
        title=extra.pop("title", f"Assignment {n}"),
        slug=extra.pop("slug", f"assignment-{n}"),
        due_at=due_at,
        **extra,
    )
    for order, problem in enumerate(problems):
        AssignmentProblem.objects.create(assignment=assignment, problem=problem, order=order)
    return assignment
