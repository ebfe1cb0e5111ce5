"""Grade events: a committed grade reaches whoever waits for it at once, not at the next poll.

A client asks ``GET /api/v1/submissions/<id>?wait=N`` (the problem page does the same for its
status box); the request returns as soon as the submission is final (``graded`` or ``error``),
or after N seconds (at most ``MAX_WAIT_SECONDS``) with the pending state.

How the news travels:

- The grading worker, once the grade is committed (``services.after_graded``), publishes the
  submission id on one Redis channel, ``<cache prefix>:graded``.
- Each web process runs one listener thread subscribed to that channel: one Redis connection
  per process however many requests wait. A waiting request registers an event under its
  submission id, reads the database once (the grade may have landed before it registered), and
  sleeps on the event; the listener wakes it, and the request reads the result.
- When Redis is not configured (``make demo``: SQLite and the embedded broker) or the listener
  has lost Redis, a waiting request reads the database every ``WAIT_POLL_MS`` instead (50 ms by
  default). A listener that loses its connection wakes every waiter, so they switch at once.
- A waiter also reads the database every ``RECHECK_SECONDS`` while it sleeps: a message
  published while the listener was reconnecting is not needed for the grade to be seen.

Threads: a waiting request holds one of its gunicorn process's threads (gthread). So that
waiting clients cannot take every thread from the rest of the class, each process lets at most
``STRIDE["MAX_WAITS_PER_PROCESS"]`` requests wait at once; beyond that a request answers at
once with the current state (``busy``) and the client polls instead.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext

from exercises.errors import BadPayload
from exercises.leaderboards.services import redis_client
from exercises.models import Submission
from exercises.submissions import selectors

log = logging.getLogger(__name__)

MAX_WAIT_SECONDS = 25  # below gunicorn's 30 s and most clients' and proxies' read timeouts
PAGE_WAIT_SECONDS = 20  # what the problem page's status box asks for
RECHECK_SECONDS = 5.0
_RECONNECT_MAX_SECONDS = 10.0


class Outcome(enum.StrEnum):
    FINAL = "final"  # graded or error: the result is there
    TIMEOUT = "timeout"  # still pending after the wait
    BUSY = "busy"  # this process already holds its most waits: answered at once, poll instead


def wait_seconds(raw: str | None) -> int:
    """The ``wait`` query parameter: whole seconds from 0 to ``MAX_WAIT_SECONDS`` (0 or absent:
    answer at once)."""
    if raw in (None, ""):
        return 0
    if not raw.isdigit() or int(raw) > MAX_WAIT_SECONDS:
        raise BadPayload(
            gettext("wait must be a whole number of seconds from 0 to %(max)d.")
            % {"max": MAX_WAIT_SECONDS},
            field="wait",
            code="invalid_wait",
        )
    return int(raw)


def channel() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX') or 'stride'}:graded"


def publish_final(submission_id: int) -> None:
    """Tell every web process that ``submission_id`` is final (after its commit). Without
    Redis there is nobody to tell: waiters poll the database."""

    client = redis_client()
    if client is not None:
        client.publish(channel(), str(submission_id))


class _Listener:
    """This process's one subscription to the grade channel, and the events it wakes."""

    def __init__(self, url: str, name: str) -> None:
        self._url = url
        self._channel = name
        self._lock = threading.Lock()
        self._waiters: dict[int, set[threading.Event]] = {}
        self.ready = threading.Event()  # set while subscribed: messages will arrive
        self.settled = threading.Event()  # set once the first subscription succeeded or failed
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stride-grade-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the subscription and its thread (within a second or so); waiters poll."""
        self._stopping.set()
        self._thread.join(timeout=5)

    def register(self, submission_id: int) -> threading.Event:
        event = threading.Event()
        with self._lock:
            self._waiters.setdefault(submission_id, set()).add(event)
        return event

    def unregister(self, submission_id: int, event: threading.Event) -> None:
        with self._lock:
            events = self._waiters.get(submission_id)
            if events is not None:
                events.discard(event)
                if not events:
                    del self._waiters[submission_id]

    def _wake(self, submission_id: int | None) -> None:
        with self._lock:
            if submission_id is None:
                events = [e for group in self._waiters.values() for e in group]
            else:
                events = list(self._waiters.get(submission_id, ()))
        for event in events:
            event.set()

    def _run(self) -> None:
        import redis

        delay = 0.5
        while not self._stopping.is_set():
            pubsub = None
            try:
                client = redis.Redis.from_url(
                    self._url, socket_connect_timeout=2, socket_timeout=10, health_check_interval=5
                )
                pubsub = client.pubsub()
                pubsub.subscribe(self._channel)
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self.ready.set()  # confirmed: nothing published from now on is lost
                        self.settled.set()
                        delay = 0.5
                    elif message["type"] == "message":
                        try:
                            self._wake(int(message["data"]))
                        except ValueError:
                            log.warning("ignored a malformed grade event %r", message["data"])
            except Exception as exc:  # Redis down or restarting: waiters poll meanwhile
                log.warning("grade events: lost Redis (%s); retrying in %.1f s", exc, delay)
            finally:
                self.ready.clear()
                self.settled.set()
                self._wake(None)  # every waiter re-reads now and polls until we are back
                if pubsub is not None:
                    with contextlib.suppress(Exception):  # closing a broken connection
                        pubsub.close()
            self._stopping.wait(delay)
            delay = min(delay * 2, _RECONNECT_MAX_SECONDS)


_listeners: dict[tuple[int, str, str], _Listener] = {}
_listeners_lock = threading.Lock()


def _listener() -> _Listener | None:
    """This process's listener (started on first use, so a forked process starts its own), or
    None when Stride runs without Redis."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    key = (os.getpid(), url, channel())
    with _listeners_lock:
        found = _listeners.get(key)
        if found is None:
            found = _listeners[key] = _Listener(url, key[2])
    return found


def stop_listeners() -> None:
    """Stop this process's listeners (a test that pointed one at a Redis that is not there:
    it would retry until the interpreter exits). The next wait starts a new one."""
    with _listeners_lock:
        stopping = list(_listeners.values())
        _listeners.clear()
    for listener in stopping:
        listener.stop()


@functools.cache
def _slots(size: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(size)


def await_result(submission: Submission, seconds: float) -> tuple[Submission, Outcome | None]:
    """``submission`` (read pending in this request, access decided) once final, or as it is
    after ``seconds``; the outcome is None when there was nothing to wait for."""
    if seconds <= 0 or not submission.is_pending:
        return submission, None
    outcome = wait_until_final(
        submission.pk, seconds, lambda: selectors.submission_is_final(submission.pk)
    )
    if outcome == Outcome.FINAL:
        submission = selectors.reload_submission(submission)
    return submission, outcome


def wait_until_final(submission_id: int, seconds: float, is_final: Callable[[], bool]) -> Outcome:
    """Wait up to ``seconds`` for ``submission_id`` to become final; ``is_final`` reads the
    database (the one source of truth: an event only says when to read it). The caller has
    just read it pending."""
    if seconds <= 0:
        return Outcome.TIMEOUT
    slots = _slots(settings.STRIDE["MAX_WAITS_PER_PROCESS"])
    if not slots.acquire(blocking=False):
        return Outcome.BUSY
    try:
        deadline = time.monotonic() + seconds
        listener = _listener()
        if listener is not None:
            # A just-started listener needs a moment to subscribe; a dead one is not waited for.
            listener.settled.wait(min(1.0, seconds))
        if (
            listener is not None
            and listener.ready.is_set()
            and _wait_for_event(listener, submission_id, deadline, is_final)
        ):
            return Outcome.FINAL
        return _poll(deadline, is_final)
    finally:
        slots.release()


def _wait_for_event(
    listener: _Listener, submission_id: int, deadline: float, is_final: Callable[[], bool]
) -> bool:
    """True once final; False at the deadline or when the listener lost Redis (then poll)."""
    event = listener.register(submission_id)
    try:
        while listener.ready.is_set():
            if is_final():  # also covers a grade committed just before we registered
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            event.wait(min(remaining, RECHECK_SECONDS))
            event.clear()
        return False
    finally:
        listener.unregister(submission_id, event)


def _poll(deadline: float, is_final: Callable[[], bool]) -> Outcome:
    interval = settings.STRIDE["WAIT_POLL_MS"] / 1000.0
    while True:
        if is_final():
            return Outcome.FINAL
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Outcome.TIMEOUT
        time.sleep(min(interval, remaining))
