"""The grading Celery tasks: ids in, the grader does the work, results go out through services.
The bank's self-check and the workers' heartbeat are tasks of ``exercises.bank.tasks`` and
``exercises.ops.tasks``.

Workers import this module (``config.celery`` discovers it); the web process never does: it
queues work by task name (``exercises.dispatch``). The grading tasks keep the names they had
when they lived in ``grader.tasks``, so queued messages, routes and the beat schedule go on
working across the move.
"""

from __future__ import annotations

import contextlib
import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError

from exercises import dispatch
from exercises.submissions import regrade, services
from grader import sandbox

log = logging.getLogger(__name__)

INFRA_FAULTS = (sandbox.SandboxUnavailable, DatabaseError, InterfaceError)
MAX_RETRIES = 5


@shared_task(
    bind=True,
    name=dispatch.GRADE_SUBMISSION,
    acks_late=True,
    max_retries=MAX_RETRIES,
    time_limit=settings.GRADING_TASK_TIME_LIMIT,
    soft_time_limit=settings.GRADING_TASK_TIME_LIMIT - 10,
)
def grade_submission(self, submission_id: int) -> str:
    """Claim, grade and record one submission (``services.grade_and_record``, which the web
    request runs itself for the quick kinds). Idempotent: a duplicate delivery finds the
    submission claimed or graded and returns without doing anything."""
    token = self.request.id or f"local-{submission_id}"
    try:
        written = services.grade_and_record(submission_id, token)
        return "skipped" if written is None else written["verdict"]
    except INFRA_FAULTS as exc:
        if self.request.retries >= self.max_retries:
            log.error(
                "submission %s: giving up after %s retries: %s",
                submission_id,
                self.request.retries,
                exc,
            )
            try:
                services.record_error(submission_id, f"Grading failed: {exc.__class__.__name__}")
            except INFRA_FAULTS:
                log.exception("submission %s left for the sweeper", submission_id)
            return "error"
        # If the database itself is down this fails too: the retry (same token) reclaims it.
        with contextlib.suppress(*INFRA_FAULTS):
            services.release_submission(submission_id, token)
        countdown = min(60, 2**self.request.retries)
        log.warning("submission %s: %s, retry in %ss", submission_id, exc, countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name=dispatch.SWEEP_STUCK_SUBMISSIONS)
def sweep_stuck_submissions() -> dict[str, int]:
    """Periodic (beat): re-queue what the broker lost."""
    return services.requeue_stuck()


@shared_task(name=dispatch.REGRADE_PROBLEM, acks_late=False, ignore_result=True)
def regrade_problem(job_id: int) -> str:
    """Run one regrade job (low-priority ``regrade`` queue). Acked on receipt, not at the end:
    a long job would outlive the broker's visibility timeout and be delivered twice; a job
    whose worker died stays ``running`` and the instructor starts a new one."""
    return regrade.run_job(job_id)
