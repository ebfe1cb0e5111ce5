"""The Celery app. Workers: ``celery -A config worker -Q grading``.

Settings come from Django's (``CELERY_*``). Tasks carry submission ids only; results are
written to the database by the task, so there is no result backend.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("stride")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["grader"])


@worker_process_init.connect
def _start_sandbox(**_: object) -> None:
    """Warm each worker process's sandbox fork-server before the first submission arrives, and
    log the isolation tier it got (full, reduced, or refused)."""
    import logging

    from grader.sandbox import SandboxUnavailable, health, warm_up

    log = logging.getLogger("grader.sandbox")
    try:
        warm_up()
    except SandboxUnavailable as exc:
        log.error("sandbox unavailable in this worker: %s", exc)
        return
    log.info("sandbox ready", extra={"sandbox": health()})
