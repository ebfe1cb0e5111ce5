"""The workers' own tasks: the heartbeat that tells ``/healthz`` which sandbox tier the workers
have, and the sandbox's warm-up when a worker process starts. The sandbox is loaded here, in the
worker, and never by a web process (``/healthz`` reads what this module recorded)."""

from __future__ import annotations

import logging
import socket

from celery import shared_task
from celery.signals import worker_process_init

from exercises import dispatch
from exercises.ops import health
from grader import sandbox

log = logging.getLogger(__name__)


@shared_task(name=dispatch.WORKER_HEARTBEAT, acks_late=False, ignore_result=True)
def worker_heartbeat() -> str:
    """Periodic (beat): tell ``/healthz`` which sandbox tier the workers have, and that one
    is alive."""
    return _beat()


def _beat() -> str:
    report = sandbox.health()
    health.record_worker_heartbeat(report, worker=socket.gethostname())
    return str(report["tier"])


@worker_process_init.connect
def _start_sandbox(**_: object) -> None:
    """Warm each worker process's sandbox fork-server before the first submission arrives, log
    the isolation tier it got (full, reduced, or refused) and report it to ``/healthz`` at once
    rather than at the first beat."""
    try:
        sandbox.warm_up()
    except sandbox.SandboxUnavailable as exc:
        log.error("sandbox unavailable in this worker: %s", exc)
    else:
        log.info("sandbox ready", extra={"sandbox": sandbox.health()})
    try:
        _beat()
    except Exception:  # the cache being down must not keep a worker from grading
        log.exception("could not record the worker heartbeat")
