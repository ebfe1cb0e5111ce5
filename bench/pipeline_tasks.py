"""The baseline task of ``bench_pipeline``: a Celery task that does nothing but say it ran.

The benchmark's worker imports this module (``celery worker --include bench.pipeline_tasks``),
so the no-op goes through the same broker, the same worker and the same settings (acks_late,
prefetch 1, prefork) as ``grade_submission``; the difference between the two round trips is
what Django, the database and the sandbox add. The task answers by RPUSHing to a Redis list
the client BLPOPs (there is no result backend in Stride).
"""

from __future__ import annotations

import os
from functools import cache

from celery import shared_task

NOOP_TASK = "bench.pipeline.noop"


@cache
def _redis():
    """One Redis client per worker process (created lazily, after the prefork fork)."""
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"])


@shared_task(name=NOOP_TASK, ignore_result=True)
def noop(reply_key: str) -> None:
    """Do nothing, then push one item onto ``reply_key`` so the client sees the round trip end."""
    _redis().rpush(reply_key, b"1")
