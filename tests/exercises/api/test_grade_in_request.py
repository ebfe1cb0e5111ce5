"""Quick kinds (number, matrix, shape, choice) graded by the request that stores them: the
submit's answer carries the grade, exactly as a worker's; code still goes to the workers; a
failure while grading in the request leaves the submission to them; the setting turns it off.

Transactional: the grade runs after the submission's commit, as in production (inside the
test's transaction no commit would happen)."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from exercises import dispatch
from exercises.models import Status, Submission, TestResult
from exercises.submissions import services, tasks
from grader.kinds import get_kind
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

SUBMIT = "/api/v1/problems/{}/submissions"
# Wrong for every variant of output-size-stride (some of which do not fit: "does-not-fit").
WRONG_SIZE = 987654


@pytest.fixture
def published(monkeypatch):
    """The tasks queued (name, args) instead of sent to a broker."""
    calls = []
    monkeypatch.setattr(
        dispatch, "publish", lambda name, *args, queue=None: calls.append((name, args))
    )
    return calls


def right_answer(client, problem):
    """The right answer to the student's own variant, from the params the API shows them."""
    params = client.get(f"/api/v1/problems/{problem.slug}").json()["params"]
    return get_kind(problem.kind).expected(problem.spec, params)


def post(client, slug: str, body: dict, key: str | None = None):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(SUBMIT.format(slug), body, format="json", **headers)


def test_a_number_answer_comes_back_graded_and_a_replay_with_its_key_returns_it(
    api, student, bank, published
):
    client = api(student)
    key = str(uuid.uuid4())
    answer = right_answer(client, bank["output-size-stride"])
    first = post(client, "output-size-stride", {"answer": answer}, key)
    assert first.status_code == 202
    body = first.json()
    assert body["status"] == "graded" and body["verdict"] == "correct"
    assert body["score"] == body["max_score"] and body["feedback"]["message"]
    assert body["url"] == f"/api/v1/submissions/{body['id']}" == first["Location"]
    # Exactly what reading the submission says (its read has no url).
    assert client.get(body["url"]).json() == {k: v for k, v in body.items() if k != "url"}
    assert published == []  # no task: nothing left for a worker
    stored = Submission.objects.get(pk=body["id"])
    assert stored.status == Status.GRADED and stored.worker_id.startswith("web-")

    replay = post(client, "output-size-stride", {"answer": answer}, key)
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == body
    assert Submission.objects.filter(user=student).count() == 1


@pytest.mark.parametrize("slug", ["conv-single-channel", "feature-map-volume", "cnn-concepts"])
def test_matrix_shape_and_choice_answers_come_back_graded(api, student, bank, published, slug):
    client = api(student)
    response = post(client, slug, {"answer": right_answer(client, bank[slug])})
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["verdict"]) == ("graded", "correct")
    assert body["score"] == body["max_score"]
    assert published == []


def test_a_wrong_answer_unlocks_its_hint_moves_the_board_and_queues_the_leak_check(
    api, student, bank, published
):
    problem = bank["output-size-stride"]
    problem.hints = [{"text": "Count where the window can start.", "after": 1}]
    problem.save(update_fields=["hints"])
    client = api(student)
    board = "/api/v1/cohorts/ml-101/leaderboard"
    before = client.get(board).json()["version"]
    wrong = WRONG_SIZE
    body = post(client, problem.slug, {"answer": wrong}).json()
    assert (body["status"], body["verdict"], body["score"]) == ("graded", "incorrect", 0)
    assert [h["text"] for h in body["hints"]] == ["Count where the window can start."]
    if settings.REDIS_URL:  # the board's versions live in Redis
        assert client.get(board).json()["version"] > before  # after_graded ran
    # A wrong number can be another variant's: the advisory check, as after a worker's grade.
    assert published == [(dispatch.INTEGRITY_LEAK_CHECK, (body["id"],))]


def test_late_penalty_applies_to_a_grade_made_in_the_request(api, student, bank, published):
    from datetime import timedelta

    from django.utils import timezone

    assignment = bank["assignment"]
    assignment.due_at = timezone.now() - timedelta(hours=1)
    assignment.late_policy = "penalty"
    assignment.late_penalty_percent = 25
    assignment.save()
    client = api(student)
    answer = right_answer(client, bank["output-size-stride"])
    body = post(client, "output-size-stride", {"answer": answer}).json()
    assert body["status"] == "graded" and body["late"] is True
    assert body["score"] == pytest.approx(0.75 * body["max_score"])
    assert body["feedback"]["late_penalty_percent"] == 25


def test_a_code_submission_is_still_queued_for_a_worker(api, student, cohort, published):
    problem = factories.make_problem("implement-x", kind="code", spec={}, starter_code="")
    factories.make_assignment(cohort, [problem], slug="code-work")
    response = post(api(student), "implement-x", {"code": "def f():\n    return 1\n"})
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"id", "status", "url"} and body["status"] == "queued"
    assert published == [(dispatch.GRADE_SUBMISSION, (body["id"],))]


def test_turned_off_every_submission_goes_to_the_workers(api, student, bank, published, settings):
    settings.STRIDE = {**settings.STRIDE, "GRADE_QUICK_KINDS_IN_REQUEST": False}
    client = api(student)
    answer = right_answer(client, bank["output-size-stride"])
    body = post(client, "output-size-stride", {"answer": answer}).json()
    assert set(body) == {"id", "status", "url"} and body["status"] == "queued"
    assert published == [(dispatch.GRADE_SUBMISSION, (body["id"],))]
    assert tasks.grade_submission.apply(args=[body["id"]]).get() == "correct"
    assert client.get(body["url"]).json()["status"] == "graded"


@pytest.mark.parametrize("fails", ["claim_submission", "record_grade", "grade_payload"])
def test_a_failure_while_grading_in_the_request_leaves_it_queued_for_the_worker(
    api, student, bank, published, monkeypatch, fails
):
    """The database going away at the claim or at the record, or anything unexpected in
    between: the answer says queued, the claim is given back, the task is queued, and the
    worker grades it once."""
    error = OperationalError("server closed the connection") if fails != "grade_payload" else None
    monkeypatch.setattr(services, fails, _raising(error or RuntimeError("unexpected")))
    client = api(student)
    answer = right_answer(client, bank["output-size-stride"])
    response = post(client, "output-size-stride", {"answer": answer})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert Submission.objects.get(pk=body["id"]).status == Status.QUEUED  # claim given back
    assert published == [(dispatch.GRADE_SUBMISSION, (body["id"],))]
    monkeypatch.undo()
    assert tasks.grade_submission.apply(args=[body["id"]]).get() == "correct"
    assert client.get(body["url"]).json()["verdict"] == "correct"
    assert tasks.grade_submission.apply(args=[body["id"]]).get() == "skipped"


def test_a_failure_after_the_grade_is_committed_never_grades_twice(
    api, student, bank, published, monkeypatch
):
    monkeypatch.setattr(services, "after_graded", _raising(RuntimeError("hook failed")))
    client = api(student)
    answer = right_answer(client, bank["output-size-stride"])
    body = post(client, "output-size-stride", {"answer": answer}).json()
    stored = Submission.objects.get(pk=body["id"])
    assert stored.status == Status.GRADED
    rows = TestResult.objects.filter(submission=stored).count()
    assert published == [(dispatch.GRADE_SUBMISSION, (body["id"],))]  # queued to be sure
    assert tasks.grade_submission.apply(args=[body["id"]]).get() == "skipped"  # nothing to claim
    assert TestResult.objects.filter(submission=stored).count() == rows


def _raising(error: Exception):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.fixture
def quiz(instructor, cohort, db):
    """A sitting open now of one number question whose results wait for the quiz to close."""
    from datetime import timedelta

    from django.utils import timezone

    from exercises.quizzes import services as quizzes
    from tests.exercises.conftest import SIZE_SPEC

    factories.make_problem("quiz-size", kind="number", spec=SIZE_SPEC, title="Size")
    now = timezone.now()
    return quizzes.create_quiz(
        instructor,
        cohort,
        title="Quiz",
        slug="quiz",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=1),
        time_limit_minutes=30,
        attempt_points=[100, 50],  # two tries: one through the API, one through the page
        feedback_policy="after_close",
        pools=[quizzes.PoolSpec(1, ("quiz-size",))],
        published=True,
    )


def test_a_quiz_that_withholds_results_reveals_nothing_of_a_grade_made_in_the_request(
    api, client, student, quiz, published
):
    from exercises.quizzes import services as quizzes

    quizzes.start_quiz(student, quiz)
    api_client = api(student)
    problem = Submission._meta.get_field("problem").related_model.objects.get(slug="quiz-size")
    params = api_client.get(f"/api/v1/problems/quiz-size?assignment={quiz.assignment_id}").json()
    answer = get_kind("number").expected(problem.spec, params["params"])
    response = api_client.post(
        f"/api/v1/problems/quiz-size/submissions?assignment={quiz.assignment_id}",
        {"answer": answer},
        format="json",
    )
    assert response.status_code == 202
    body = response.json()
    assert Submission.objects.get(pk=body["id"]).verdict == "correct"  # graded, and held back
    assert body["status"] == "graded" and body["feedback_withheld"] is True
    assert (body["verdict"], body["score"], body["tests"], body["hints"]) == (None, None, [], [])

    # The problem page's form (htmx): the status box says the answer was recorded, no more.
    client.force_login(student)
    page = client.post(
        f"/problems/quiz-size?assignment={quiz.assignment_id}",
        {"answer": "99999"},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Answer recorded." in html
    for verdict in ("Correct", "Incorrect", 'data-testid="verdict"', "score"):
        assert verdict not in html
    assert Submission.objects.filter(user=student, verdict="incorrect").count() == 1
    assert "hx-get" not in html  # final: the box asks nothing more


def test_the_graded_answer_costs_the_same_queries_after_one_attempt_and_after_many(
    api, student, other_student, bank, published
):
    """The whole request, its grade and the graded body included: a fixed number of queries,
    not one more per attempt already made (the hint rules read the record in one query)."""
    problem = bank["output-size-stride"]
    problem.hints = [{"text": "Count where the window can start.", "after": 1}]
    problem.save(update_fields=["hints"])
    client = api(student)
    wrong = {"answer": WRONG_SIZE}
    post(api(other_student), problem.slug, wrong)
    post(client, problem.slug, wrong)  # the hint unlocks here: later grades only find it

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            body = post(client, problem.slug, wrong).json()
        assert body["status"] == "graded"
        return len(queries)

    first = count()
    for _ in range(5):
        post(client, problem.slug, wrong)
    # The submit's 8 (BEGIN and COMMIT counted), its grade's 5 (the claim, the hint rules' two
    # reads before the record, the record as one autocommit statement, the board's read), the
    # graded body's 1 (its hints: the grade is what the request wrote, not read back). 21 when
    # the hints were read in a savepoint of the record's transaction and the grade read back.
    # SQLite (make test on a machine with only Python) has no UPDATE ... RETURNING path for the
    # claim and the record.
    assert count() == first <= (14 if connection.vendor == "postgresql" else 18)
