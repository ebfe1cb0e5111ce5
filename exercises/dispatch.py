"""Publishing Celery tasks by name, so that the web process never imports the task modules.

The task bodies (``exercises.submissions.tasks``) load the grader, the code kind and the sandbox; a
page that only *queues* work must not pay for them or be able to run them. ``send_task`` routes by
name (``CELERY_TASK_ROUTES``), which is also why the names are pinned: a queued message, a route
and the beat schedule all refer to a task by its name, not by the module it lives in.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction

GRADE_SUBMISSION = "grader.tasks.grade_submission"
SWEEP_STUCK_SUBMISSIONS = "grader.tasks.sweep_stuck_submissions"
REGRADE_PROBLEM = "grader.tasks.regrade_problem"
SELF_CHECK_PROBLEM = "exercises.tasks.self_check_problem"
WORKER_HEARTBEAT = "exercises.tasks.worker_heartbeat"
INTEGRITY_REPORT = "exercises.integrity.build_report"
INTEGRITY_LEAK_CHECK = "exercises.integrity.check_leak"


def publish(name: str, *args: Any, queue: str | None = None) -> None:
    """Queue the task ``name`` now. In eager mode (tests, a demo run without a worker) the task
    runs here instead, exactly as ``apply_async`` would run it.

    ``declare=[]``: our queues are direct, so Celery publishes to the queue by name (the
    default exchange) and there is nothing to declare or bind for the message to arrive;
    declaring is the consuming worker's business. Celery otherwise checks the queue against
    the connection's declared entities on every publish, a tenth of ``send_task``'s CPU
    (``make bench BENCH_ARGS=webcpu``). The message is the same."""
    app = current_app
    if app.conf.task_always_eager:
        app.loader.import_default_modules()  # what a worker does at start: find the tasks
        app.tasks[name].apply_async(args=args, queue=queue)
    else:
        app.send_task(name, args=args, queue=queue, declare=[])


def publish_on_commit(name: str, *args: Any, queue: str | None = None) -> None:
    """Queue the task after the surrounding transaction commits: the worker must find the
    rows the task is about."""
    transaction.on_commit(lambda: publish(name, *args, queue=queue))
