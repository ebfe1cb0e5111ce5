"""/healthz reports what the grading workers report about their sandbox (tier, last
heartbeat), not the web process's own: the web process runs no sandbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from exercises.ops import health, tasks
from grader import sandbox
from tests.conftest import need
from tests.workers import running_worker, wait_for


def test_without_a_worker_report_the_tier_is_unknown(client, db):
    body = client.get("/healthz").json()
    assert body["sandbox"] == {"tier": "unknown", "error": "no worker has reported"}


def test_healthz_shows_the_tier_a_worker_reported_and_how_old_the_report_is(
    client, db, monkeypatch
):
    monkeypatch.setattr(sandbox, "detect_tier", lambda: "unavailable")  # this process's own
    start = timezone.now()
    with freeze_time(start):
        health.record_worker_heartbeat({"tier": "reduced"}, worker="grader-7")
    with freeze_time(start + timedelta(seconds=90)):
        body = client.get("/healthz").json()
    assert body["sandbox"] == {
        "tier": "reduced",
        "worker": "grader-7",
        "heartbeat": start.isoformat(),
        "age_seconds": 90.0,
    }


def test_the_heartbeat_task_reports_the_workers_sandbox_tier(client, db, monkeypatch):
    monkeypatch.setattr(sandbox, "health", lambda: {"tier": "full", "zygote_alive": True})
    assert tasks.worker_heartbeat.apply().get() == "full"
    assert client.get("/healthz").json()["sandbox"]["tier"] == "full"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_running_worker_and_its_beat_keep_the_heartbeat_fresh(client):
    with running_worker("health", beat=True, STRIDE_HEARTBEAT_EVERY_SECONDS="1"):
        first = wait_for(
            lambda: (s := client.get("/healthz").json()["sandbox"]).get("heartbeat") and s,
            timeout=60,
            message="no worker heartbeat reached /healthz",
        )
        assert first["tier"] == sandbox.detect_tier()
        assert first["worker"] and first["age_seconds"] < 30
        wait_for(
            lambda: client.get("/healthz").json()["sandbox"]["heartbeat"] != first["heartbeat"],
            timeout=30,
            message="the beat never renewed the heartbeat",
        )


def _counting_connects(monkeypatch) -> list[int]:
    """Every broker connection kombu opens in this process, counted."""
    from kombu import Connection

    opened: list[int] = []
    establish = Connection._establish_connection

    def counted(self):
        opened.append(1)
        return establish(self)

    monkeypatch.setattr(Connection, "_establish_connection", counted)
    return opened


def test_healthz_checks_the_broker_over_a_pooled_connection(client, db, monkeypatch):
    """/healthz reaches the broker every time, but connects once: each new connection cost
    most of a /healthz's CPU (``make bench BENCH_ARGS=webcpu``)."""
    from django.conf import settings

    need(bool(settings.REDIS_URL), "REDIS_URL is not set: the demo's broker has no connection")
    assert client.get("/healthz").json()["broker"] == "ok"  # the pool holds one from here on
    opened = _counting_connects(monkeypatch)
    for _ in range(5):
        assert client.get("/healthz").json()["broker"] == "ok"
    assert opened == []


def test_a_broker_that_stops_answering_is_reported_and_its_connection_dropped(
    client, db, monkeypatch
):
    from django.conf import settings
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    need(bool(settings.REDIS_URL), "REDIS_URL is not set: the demo's broker has no connection")
    assert client.get("/healthz").json()["broker"] == "ok"

    def down(self, *args, **kwargs):
        raise RedisConnectionError("the broker went away")

    with monkeypatch.context() as patched:
        patched.setattr(Redis, "ping", down)
        body = client.get("/healthz").json()
    assert body["broker"] == "error: ConnectionError"
    assert body["ok"] is False
    opened = _counting_connects(monkeypatch)
    assert client.get("/healthz").json()["broker"] == "ok"
    assert opened == [1]  # the broken connection was not pooled again: a new one was made
