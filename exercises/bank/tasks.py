"""The bank's Celery task: a problem's self-check, run on a worker (``dispatch`` queues it by
name; the web process never imports this module)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from exercises import dispatch
from exercises.bank import authoring, soundness
from exercises.models import Problem


@shared_task(
    name=dispatch.SELF_CHECK_PROBLEM,
    acks_late=False,
    ignore_result=True,
    time_limit=settings.GRADING_TASK_TIME_LIMIT,
    soft_time_limit=settings.GRADING_TASK_TIME_LIMIT - 10,
)
def self_check_problem(problem_id: int, digest: str) -> str:
    """Check a problem's soundness on a worker: a code problem's check executes its author's
    ``tests.py`` and runs the starter code in the sandbox, neither of which belongs in a web
    process. The result goes to the shared cache under ``digest`` (the spec it was computed
    for), where the preview page picks it up. A problem edited since it was queued is skipped:
    the page asks again for the new spec."""
    problem = Problem.objects.filter(pk=problem_id).first()
    if problem is None or authoring.spec_digest(problem) != digest:
        return "skipped"
    authoring.store_self_check(problem, soundness.self_check(problem))
    return "done"
