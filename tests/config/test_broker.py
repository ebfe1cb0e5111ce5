"""Publishing through ``config.broker``: one Redis client per connection pool instead of one per
message, and messages that kombu's own ``redis`` transport (what any worker runs) reads as the
same Celery task message."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from kombu import Connection

from config.broker import Transport
from config.celery import app
from exercises import dispatch
from tests.conftest import need

TASK = "grader.tasks.grade_submission"


@pytest.fixture
def redis_broker():
    need(settings.REDIS_URL.startswith("redis://"), "REDIS_URL (Redis) for the broker")


@pytest.fixture
def scratch_queue(redis_broker):
    """A queue of its own, so no worker of the grading queue takes the test's messages."""
    name = f"test-broker-{uuid.uuid4().hex[:12]}"
    yield name
    with Connection(settings.REDIS_URL) as conn:
        conn.default_channel.queue_delete(name)


def test_the_settings_publish_through_this_transport(redis_broker):
    assert app.connection_for_write().transport_cls == "config.broker:Transport"


def test_a_channel_keeps_one_client_per_pool(redis_broker):
    with Connection(settings.REDIS_URL, transport=Transport) as conn:
        channel = conn.default_channel
        client = channel._create_client()
        assert channel._create_client() is client
        assert client.connection_pool is channel.pool
        client.ping()
        # the consumer's client (BRPOP, on the asynchronous pool) stays kombu's own, per call
        assert channel._create_client(asynchronous=True) is not client
        channel._disconnect_pools()  # what closing the channel does: a new pool, a new client
        renewed = channel._create_client()
        assert renewed is not client and renewed.connection_pool is channel.pool
        renewed.ping()


def _received(queue: str) -> tuple[dict, tuple, dict]:
    """The next message on ``queue`` as kombu's stock redis transport delivers it."""
    with Connection(settings.REDIS_URL) as conn:
        assert conn.transport_cls == "redis"
        message = conn.SimpleQueue(queue).get(timeout=5)
        message.ack()
        return message.headers, message.decode(), message.properties


def test_a_published_task_is_a_normal_celery_message(scratch_queue):
    assert not app.conf.task_always_eager  # published, not run here
    dispatch.publish(TASK, 42, queue=scratch_queue)
    dispatch.publish(TASK, 43, queue=scratch_queue)
    for expected in (42, 43):
        headers, body, properties = _received(scratch_queue)
        assert headers["task"] == TASK
        assert headers["lang"] == "py" and headers["retries"] == 0
        args, kwargs, _embed = body
        assert args == [expected] and kwargs == {}
        assert properties["delivery_info"]["routing_key"] == scratch_queue
