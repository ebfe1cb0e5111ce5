"""A problem as one user sees it: their variant's params, the rendered statement, how to
answer, what is left. Shared by the API and the pages so both show the same thing."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.urls import get_script_prefix, reverse

from exercises import grading_texts
from exercises.bank import hints
from exercises.models import Assignment, AssignmentProblem, HintUnlock, Problem
from exercises.submissions import selectors, services
from grader.grading import params_for
from grader.kinds import get_kind, render_statement


@functools.lru_cache(maxsize=4096)
def _detail_path(script_prefix: str, slug: str) -> str:
    """A problem's API URL, reversed once per process (the list asks for one per row, and
    ``reverse`` was a tenth of the list's CPU; ``make bench BENCH_ARGS=webcpu``). Keyed by the
    script prefix ``reverse`` itself reads, so a deployment under a sub-path stays right."""
    return reverse("api:problem-detail", args=[slug])


def problem_summary(item: AssignmentProblem) -> dict[str, Any]:
    problem = item.problem
    return {
        "slug": problem.slug,
        "title": problem.display_title,
        "kind": problem.kind,
        "points": item.max_points,
        "due": item.assignment.due_at,
        "assignment": item.assignment.slug,
        "cohort": item.assignment.cohort.slug,
        # The assignment travels in the URL: the problem may be in another one of yours too.
        "url": f"{_detail_path(get_script_prefix(), problem.slug)}"
        f"?assignment={item.assignment.slug}",
    }


def _next_params(
    user: AbstractBaseUser, access: selectors.ProblemAccess, used: int
) -> dict[str, Any]:
    """The params of the user's next attempt (``used`` attempts counted so far)."""
    problem = access.problem
    seed = services.variant_seed(user.pk, problem, access.assignment, used + 1)
    return params_for(problem.kind, problem.spec, seed)


def _answer_format(problem: Problem, params: dict[str, Any], language: str) -> dict[str, Any]:
    """How to answer, a choice's options in the statement's language (the same keys in every
    language)."""
    return grading_texts.rendered(
        get_kind(problem.kind).answer_format(problem.spec, params), language
    )


def answer_format(user: AbstractBaseUser, access: selectors.ProblemAccess) -> dict[str, Any]:
    """``problem_detail``'s ``answer_format`` alone: what reading a submitted form needs, without
    the statement, hints and the rest of the page."""
    problem = access.problem
    params = _next_params(user, access, selectors.attempts_used(user, problem, access.assignment))
    return _answer_format(problem, params, selectors.read_texts(problem).text().language)


def problem_detail(
    user: AbstractBaseUser, access: selectors.ProblemAccess, *, used: int | None = None
) -> dict[str, Any]:
    """The problem in the user's own variant. ``used``: their attempts that count, when the
    caller has already counted them (a quiz page counts every question's in one query)."""
    problem = access.problem
    if used is None:
        used = selectors.attempts_used(user, problem, access.assignment)  # once per open
    params = _next_params(user, access, used)
    # The active language's, else English: same params either way.
    text = selectors.read_texts(problem).text()
    data = problem_summary(access.item)
    data.update(
        {
            "title": text.title,
            "due": access.due_at,
            "statement": render_statement(text.statement, params),
            "language": text.language,
            "languages": problem.available_languages,
            "params": params,
            "answer_format": _answer_format(problem, params, text.language),
            "attempts_used": used,
            "attempts_left": access.terms.attempts_left(used),
        }
    )
    if problem.kind == "code":
        data["starter_code"] = problem.starter_code
    data.update(hints_payload(selectors.hint_state(user, access), problem.slug))
    return data


def hint_payload(hint: hints.Hint, unlock: HintUnlock) -> dict[str, Any]:
    """One unlocked hint as the API serves it (``text``: Markdown with $math$)."""
    return {
        "index": hint.index,
        "text": hint.text_in(),
        "unlocked_by": unlock.how,
        "misconception": unlock.misconception or None,
        "cost": unlock.cost,
        "unlocked_at": unlock.unlocked_at,
    }


def hints_payload(state: selectors.HintState, slug: str) -> dict[str, Any]:
    """The unlocked hints, and the on-request ones a student may still ask for: of those only
    the index, the cost and where to ask, never the text."""
    return {
        "hints": [hint_payload(h, u) for h, u in state.unlocked],
        "hints_on_request": [
            {
                "index": h.index,
                "cost": h.cost,
                "url": reverse("api:hint-request", args=[slug, h.index]),
            }
            for h in state.requestable
        ],
    }


def submission_hints(
    user_id: int, problem: Problem, assignment: Assignment | None
) -> list[dict[str, Any]]:
    """The hints the submission's author has unlocked on its problem (its detail shows them
    with the feedback; a quiz's policy may still withhold them, ``quiz_presenters``)."""
    return [hint_payload(h, u) for h, u in selectors.unlocked_hints(user_id, problem, assignment)]
