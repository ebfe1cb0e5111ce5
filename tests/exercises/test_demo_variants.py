"""The demo's students meet the lecture's "doesn't fit!": at least one of them draws an output
size that does not fit in "CNN basics", whatever ids the database hands out."""

from __future__ import annotations

import pytest
from django.conf import settings

from exercises.bank.importer import import_problems
from exercises.models import Assignment, Problem
from exercises.ops import demo
from exercises.submissions import services
from grader.grading import params_for
from grader.kinds import get_kind


def fitting_seed() -> int:
    """A seed whose variant fits for every does-not-fit problem of the bank."""
    problems = list(Problem.objects.filter(slug__in=demo.DOES_NOT_FIT_SLUGS))
    for seed in range(1000):
        if all(
            get_kind(p.kind).expected(p.spec, params_for(p.kind, p.spec, seed)) != "does-not-fit"
            for p in problems
        ):
            return seed
    raise AssertionError("no fitting seed")


@pytest.mark.django_db
def test_a_demo_student_draws_a_does_not_fit_variant(monkeypatch):
    import_problems(settings.STRIDE["CONTENT_DIR"])
    seed = fitting_seed()
    real = services.variant_seed
    unlucky: list[int] = []

    def variant_seed(user_id, problem, assignment, attempt_number):
        """The first assignment made is an unlucky one: every student's output sizes fit."""
        if assignment is not None and (not unlucky or unlucky[0] == assignment.pk):
            unlucky[:1] = [assignment.pk]
            return seed
        return real(user_id, problem, assignment, attempt_number)

    monkeypatch.setattr(services, "variant_seed", variant_seed)
    demo.setup_demo()
    assignment = Assignment.objects.get(slug="cnn-basics")
    students = [a for a in assignment.cohort.memberships.filter(role="student")]
    assert demo.meets_does_not_fit(assignment, [m.user for m in students])
    assert assignment.items.count() == Problem.objects.count()
    demo.setup_demo()  # idempotent: the same assignment
    assert Assignment.objects.get(slug="cnn-basics").pk == assignment.pk
