"""Writes about assignments: saving one with its problems, extensions. Cohort and roster writes
are in ``exercises.cohorts.services``, regrades in ``exercises.submissions.regrade``."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from exercises.errors import BadPayload
from exercises.leaderboards import services as leaderboards
from exercises.models import (
    Assignment,
    AssignmentProblem,
    Extension,
    Membership,
    Problem,
    Submission,
)


@transaction.atomic
def save_assignment(form, problems: list[Problem]) -> Assignment:
    """Save the assignment form and make its problem list exactly ``problems`` in that order.
    A problem with submissions cannot be removed (its submissions would lose their place).

    Quizzes are refused either way (made one, or already one): their problems are pools with
    draws stored at Start, which only ``exercises.quizzes.services`` may change (it locks the pools
    once a student has started)."""
    assignment: Assignment = form.save(commit=False)
    stored_type = (
        Assignment.objects.filter(pk=assignment.pk).values_list("type", flat=True).first()
        if assignment.pk
        else None
    )
    if Assignment.Type.QUIZ in (assignment.type, stored_type):
        raise BadPayload(
            "Quizzes are built and edited in the quiz editor, not with this form.", field="type"
        )
    assignment.cohort = form.cohort
    assignment.save()
    wanted = {p.pk: n for n, p in enumerate(problems)}
    existing = {i.problem_id: i for i in assignment.items.all()}
    removed = [pid for pid in existing if pid not in wanted]
    if removed:
        used = set(
            Submission.objects.filter(assignment=assignment, problem_id__in=removed).values_list(
                "problem__slug", flat=True
            )
        )
        if used:
            raise BadPayload(
                f"{', '.join(sorted(used))} already has submissions in this assignment; "
                "it cannot be removed.",
                field="problems",
            )
        AssignmentProblem.objects.filter(assignment=assignment, problem_id__in=removed).delete()
    for problem in problems:
        item = existing.get(problem.pk)
        if item is None:
            AssignmentProblem.objects.create(
                assignment=assignment, problem=problem, order=wanted[problem.pk]
            )
        elif item.order != wanted[problem.pk]:
            item.order = wanted[problem.pk]
            item.save(update_fields=["order"])

    leaderboards.boards_changed(
        leaderboards.BoardChange.ASSIGNMENT,
        cohort_id=assignment.cohort_id,
        assignment_id=assignment.pk,
    )
    return assignment


def grant_extension(
    assignment: Assignment,
    *,
    username: str,
    due_at: datetime,
    extra_attempts: int,
    reason: str = "",
) -> Extension:
    """Give one student of the assignment's cohort a later due date and/or more attempts."""
    user = get_user_model().objects.filter(username=username).first()
    if (
        user is None
        or not Membership.objects.filter(user=user, cohort=assignment.cohort_id).exists()
    ):
        raise BadPayload(f"{username!r} is not in this cohort.", field="username")
    extension, _ = Extension.objects.update_or_create(
        assignment=assignment,
        user=user,
        defaults={"due_at": due_at, "extra_attempts": extra_attempts, "reason": reason},
    )
    return extension


def revoke_extension(assignment: Assignment, extension_id: int) -> None:
    Extension.objects.filter(assignment=assignment, pk=extension_id).delete()
