"""GET /api/v1/submissions/<id>?wait=N: the answer comes when the grade is committed (Redis
pub/sub), falls back to reading the database without Redis, and times out pending."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import transaction

from exercises.models import Status, Submission
from exercises.submissions import grade_events
from tests.conftest import api_client_for, need

DETAIL = "/api/v1/submissions/{}"


def _queued(student, bank) -> Submission:
    """A stored submission nobody grades until the test says so."""
    return Submission.objects.create(
        user=student,
        problem=bank["output-size-stride"],
        assignment=bank["assignment"],
        payload={"answer": 3},
        attempt_number=1,
        max_score=1.0,
        status=Status.QUEUED,
    )


def _grade_now(submission_id: int) -> None:
    """The real grading task, in this thread (its on-commit hook publishes)."""
    from exercises.submissions.tasks import grade_submission

    grade_submission.apply(args=[submission_id])


class _Waiter(threading.Thread):
    """One API request with ?wait=N in its own thread (its own database connection)."""

    def __init__(self, user, submission_id: int, seconds: int):
        super().__init__(daemon=True)
        self.user, self.url = user, f"{DETAIL.format(submission_id)}?wait={seconds}"
        self.response = None
        self.returned_at = None

    def run(self) -> None:
        from django.db import connection

        try:
            self.response = api_client_for(self.user).get(self.url)
            self.returned_at = time.monotonic()
        finally:
            connection.close()


def _wait_then_grade(student, submission: Submission, seconds: int = 10) -> tuple[object, float]:
    """Start a waiting request, grade half a second later; the response and how long after the
    grade's commit it came back."""
    waiter = _Waiter(student, submission.pk, seconds)
    waiter.start()
    time.sleep(0.5)
    assert waiter.response is None, "the wait returned before the grade"
    _grade_now(submission.pk)
    graded_at = time.monotonic()
    waiter.join(seconds + 5)
    assert waiter.response is not None
    return waiter.response, waiter.returned_at - graded_at


def _need_redis():
    need(bool(settings.REDIS_URL), "REDIS_URL (Redis) for the grade channel")


@pytest.mark.django_db(transaction=True)
def test_a_wait_returns_as_soon_as_the_grade_is_committed(student, bank, settings):
    _need_redis()
    # Polling would take a minute: only the published event can end this wait in time.
    settings.STRIDE = settings.STRIDE | {"WAIT_POLL_MS": 60_000}
    submission = _queued(student, bank)
    response, after_grade = _wait_then_grade(student, submission)
    assert response.status_code == 200
    assert response["X-Stride-Wait"] == "final"
    assert response.json()["status"] == "graded"
    assert response.json()["verdict"] in {"correct", "incorrect"}
    assert after_grade < 1.0  # the event path: well before the 5 s safety re-read


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_wait_reads_the_database_every_50_ms(student, bank, settings):
    settings.REDIS_URL = ""  # as in make demo: no channel at all
    settings.STRIDE = settings.STRIDE | {"WAIT_POLL_MS": 50}
    submission = _queued(student, bank)
    response, after_grade = _wait_then_grade(student, submission)
    assert response["X-Stride-Wait"] == "final"
    assert response.json()["status"] == "graded"
    assert after_grade < 1.0


@pytest.fixture
def redis_down(settings):
    """A Redis that is not there; the listener a test starts on it is stopped after the test
    (it would retry, and log that it retries, until the interpreter exits)."""
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens: the listener never subscribes
    yield
    grade_events.stop_listeners()


def test_a_listener_on_a_missing_redis_stops_when_told(redis_down):
    listener = grade_events._listener()
    assert listener is not None and listener._thread.is_alive()
    grade_events.stop_listeners()
    assert not listener._thread.is_alive()
    assert grade_events._listener() is not listener  # the next wait starts a new one


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_wait_falls_back_to_the_database(student, bank, settings, redis_down):
    settings.STRIDE = settings.STRIDE | {"WAIT_POLL_MS": 50}
    submission = _queued(student, bank)
    response, after_grade = _wait_then_grade(student, submission)
    assert response["X-Stride-Wait"] == "final"
    assert response.json()["status"] == "graded"
    assert after_grade < 1.0


@pytest.mark.django_db(transaction=True)
def test_a_wait_with_no_grade_times_out_with_the_pending_state(student, bank):
    submission = _queued(student, bank)
    started = time.monotonic()
    response = api_client_for(student).get(f"{DETAIL.format(submission.pk)}?wait=1")
    waited = time.monotonic() - started
    assert response.status_code == 200
    assert response["X-Stride-Wait"] == "timeout"
    assert response.json()["status"] == "queued"
    assert 0.9 <= waited < 3.0


@pytest.mark.django_db(transaction=True)
def test_beyond_the_bound_a_wait_answers_at_once_with_the_current_state(student, bank, settings):
    settings.STRIDE = settings.STRIDE | {"MAX_WAITS_PER_PROCESS": 1}
    first, second = _queued(student, bank), _queued(student, bank)
    holder = _Waiter(student, first.pk, 3)
    holder.start()
    time.sleep(0.3)  # the holder has the process's one wait
    started = time.monotonic()
    response = api_client_for(student).get(f"{DETAIL.format(second.pk)}?wait=10")
    assert time.monotonic() - started < 1.0
    assert response["X-Stride-Wait"] == "busy"
    assert response.json()["status"] == "queued"
    holder.join(10)
    assert holder.response["X-Stride-Wait"] == "timeout"


@pytest.mark.django_db
def test_a_final_submission_is_answered_at_once_without_waiting(student, bank):
    submission = _queued(student, bank)
    Submission.objects.filter(pk=submission.pk).update(status=Status.GRADED, verdict="correct")
    started = time.monotonic()
    response = api_client_for(student).get(f"{DETAIL.format(submission.pk)}?wait=20")
    assert time.monotonic() - started < 1.0
    assert response.json()["status"] == "graded"
    assert "X-Stride-Wait" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["26", "-1", "1.5", "soon"])
def test_a_wait_outside_0_to_25_seconds_is_a_400(student, bank, raw):
    submission = _queued(student, bank)
    response = api_client_for(student).get(f"{DETAIL.format(submission.pk)}?wait={raw}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "wait"
    assert grade_events.MAX_WAIT_SECONDS == 25


@pytest.mark.django_db
def test_someone_elses_submission_is_a_404_before_any_wait(student, other_student, bank):
    submission = _queued(student, bank)
    started = time.monotonic()
    response = api_client_for(other_student).get(f"{DETAIL.format(submission.pk)}?wait=5")
    assert response.status_code == 404
    assert time.monotonic() - started < 1.0


SUBMIT = "/api/v1/problems/{}/submissions"


@pytest.mark.django_db(transaction=True)
def test_a_submit_with_wait_answers_with_the_workers_grade(student, bank, settings, monkeypatch):
    """``POST .../submissions?wait=N``: the grade of an answer the workers grade comes in the
    submit's own answer (one request instead of a submit and a GET)."""
    from exercises.submissions import services

    # The workers' path (as for code): the quick kinds' grading in the request turned off.
    settings.STRIDE = settings.STRIDE | {"GRADE_QUICK_KINDS_IN_REQUEST": False}

    def worker(submission_id: int) -> None:
        from django.db import connection

        try:
            _grade_now(submission_id)
        finally:
            connection.close()

    # As the real one does: the task is sent once the submit's transaction has committed.
    monkeypatch.setattr(
        services,
        "enqueue_grading",
        lambda submission_id: transaction.on_commit(
            threading.Thread(target=worker, args=(submission_id,)).start
        ),
    )
    response = api_client_for(student).post(
        f"{SUBMIT.format('output-size-stride')}?wait=10", {"answer": 3}, format="json"
    )
    assert response.status_code == 202
    assert response["X-Stride-Wait"] == "final"
    assert response.json()["status"] == "graded"
    assert response.json()["verdict"] in {"correct", "incorrect"}


@pytest.mark.django_db(transaction=True)
def test_a_submit_without_wait_answers_at_once_queued(student, bank, settings, monkeypatch):
    from exercises.submissions import services

    settings.STRIDE = settings.STRIDE | {"GRADE_QUICK_KINDS_IN_REQUEST": False}
    monkeypatch.setattr(services, "enqueue_grading", lambda submission_id: None)
    response = api_client_for(student).post(
        SUBMIT.format("output-size-stride"), {"answer": 3}, format="json"
    )
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert "X-Stride-Wait" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["26", "soon"])
def test_a_submit_with_a_bad_wait_is_a_400_and_stores_nothing(student, bank, raw):
    response = api_client_for(student).post(
        f"{SUBMIT.format('output-size-stride')}?wait={raw}", {"answer": 3}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "wait"
    assert not Submission.objects.filter(user=student).exists()
