"""The Celery app. Workers: ``celery -A config worker -Q grading``.

Settings come from Django's (``CELERY_*``). Tasks carry submission ids only; results are
written to the database by the task, so there is no result backend.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("stride")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["grader"])
