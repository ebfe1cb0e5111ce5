"""A problem as one user sees it: their variant's params, the rendered statement, how to
answer, what is left. Shared by the API and the pages so both show the same thing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

from exercises import selectors, services
from exercises.models import AssignmentProblem
from grader.grading import params_for
from grader.kinds import get_kind, render_statement


def problem_summary(item: AssignmentProblem) -> dict[str, Any]:
    problem = item.problem
    return {
        "slug": problem.slug,
        "title": problem.title,
        "kind": problem.kind,
        "points": item.max_points,
        "due": item.assignment.due_at,
        "assignment": item.assignment.slug,
        "cohort": item.assignment.cohort.slug,
        # The assignment travels in the URL: the problem may be in another one of yours too.
        "url": f"{reverse('api:problem-detail', args=[problem.slug])}"
        f"?assignment={item.assignment.slug}",
    }


def problem_detail(user: AbstractBaseUser, access: selectors.ProblemAccess) -> dict[str, Any]:
    problem = access.problem
    seed = services.current_seed(user, access)
    params = params_for(problem.kind, problem.spec, seed)
    used = selectors.attempts_used(user, problem, access.assignment)
    limit = access.attempt_limit
    data = problem_summary(access.item)
    data.update(
        {
            "due": access.due_at,
            "statement": render_statement(problem.statement, params),
            "params": params,
            "answer_format": get_kind(problem.kind).answer_format(problem.spec, params),
            "attempts_used": used,
            "attempts_left": None if limit is None else max(0, limit - used),
        }
    )
    if problem.kind == "code":
        data["starter_code"] = problem.starter_code
    return data
