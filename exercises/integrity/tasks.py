"""Celery tasks of the integrity report: ids in, the services do the work. Both run on the
low-priority queue, beside regrades, so live grading never waits for them."""

from __future__ import annotations

from celery import shared_task

from exercises import dispatch
from exercises.integrity import services


@shared_task(name=dispatch.INTEGRITY_REPORT, acks_late=False, ignore_result=True)
def build_report(report_id: int) -> str:
    """Acked on receipt (like a regrade): a long run outliving the broker's visibility timeout
    must not run twice; a run whose worker died stays ``running`` and staff start a new one."""
    return services.build_report(report_id)


@shared_task(name=dispatch.INTEGRITY_LEAK_CHECK, ignore_result=True)
def check_leak(submission_id: int) -> bool:
    """Flag a just-graded wrong answer that is another student's variant's right answer."""
    return services.check_leak(submission_id) is not None
