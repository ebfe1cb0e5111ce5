"""The Celery app. Workers: ``celery -A config worker -Q grading``.

Settings come from Django's (``CELERY_*``); the tasks are ``exercises.submissions.tasks``. Tasks
carry ids only; results are written to the database (or, for what the web pages only display, the
``workers`` cache) by the task, so there is no result backend.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("stride")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    ["exercises.submissions", "exercises.bank", "exercises.ops", "exercises.integrity"]
)


@worker_init.connect
def _tune_worker_connections(**_: object) -> None:
    """Before the pool forks: how a grading worker's PostgreSQL connections behave.

    * ``synchronous_commit=off`` (a libpq startup option: no extra round trip). A worker's
      writes are claims, grades and re-queues, all derived from a submission that the web
      request committed durably; a server crash can undo the last few hundred ms of them, which
      leaves those submissions ``queued``/``running`` and the sweeper grades them again (the
      database stays exactly-once). Waiting for the WAL flush instead cost a disk flush per
      task and its kernel CPU (``make bench BENCH_ARGS=pipeline``).
    * No health-check ``SELECT 1`` before each task: a dead connection makes the task's first
      query fail, the task retries as for any database fault, and ``_release_connections``
      closes every connection after a task that did not succeed.
    """
    from django.db import connections

    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict["ENGINE"] != "django.db.backends.postgresql":
            continue
        settings_dict["CONN_HEALTH_CHECKS"] = False
        options = settings_dict.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


def _runs_in_worker(task: object) -> bool:
    """False for a task applied in-process (eager, tests): its caller owns the connection."""
    request = getattr(task, "request", None)
    return not getattr(request, "is_eager", False)


@task_prerun.connect
def _check_connections(sender: object = None, **_: object) -> None:
    """Reuse database connections across tasks as Django does across requests.

    Celery's Django fixup closes every connection before and after every task; a new PostgreSQL
    connection costs ~18 ms on the project machine, more than a whole trivial grading. So the
    fixup only recycles them every ``CELERY_DB_REUSE_MAX`` tasks (settings) and this handler
    applies Django's request rules instead: ``CONN_MAX_AGE``, health checks, and closing a
    connection that raised an error.
    """
    from django.db import close_old_connections

    if _runs_in_worker(sender):
        close_old_connections()


@task_postrun.connect
def _release_connections(sender: object = None, state: str | None = None, **_: object) -> None:
    """After a task that did not succeed (failure, retry, a time limit that may have interrupted
    a query mid-protocol, which Django cannot detect), close every connection outright; after a
    success keep them per ``CONN_MAX_AGE``."""
    from django.db import close_old_connections, connections

    if not _runs_in_worker(sender):
        return
    if state == "SUCCESS":
        close_old_connections()
    else:
        connections.close_all()
