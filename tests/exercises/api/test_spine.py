"""The end-to-end spine through the API: token, problem, submit, graded result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import Status, Submission
from grader.kinds import get_kind
from tests import factories

SPEC = {"recipe": "conv-layer-params"}


@pytest.fixture
def problem(db):
    return factories.make_problem("conv-layer-params", kind="number", spec=SPEC, points=2)


@pytest.fixture
def assignment(cohort, problem):
    return factories.make_assignment(cohort, [problem], due_at=timezone.now() + timedelta(days=1))


def expected_for(api_client, slug="conv-layer-params"):
    detail = api_client.get(f"/api/v1/problems/{slug}").json()
    spec = {**SPEC, "kind": "number"}
    return get_kind("number").expected(spec, detail["params"])


def test_a_token_opens_the_api(client, student):
    response = client.post(
        "/api/v1/token",
        {"username": "alice", "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    listing = client.get("/api/v1/problems", HTTP_AUTHORIZATION=f"Token {token}")
    assert listing.status_code == 200


def test_wrong_credentials_get_a_json_error(client, student):
    response = client.post(
        "/api/v1/token", {"username": "alice", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_a_student_lists_and_opens_their_variant(api, student, assignment):
    client = api(student)
    listing = client.get("/api/v1/problems").json()
    assert [p["slug"] for p in listing] == ["conv-layer-params"]
    detail = client.get("/api/v1/problems/conv-layer-params").json()
    assert set(detail["params"]) == {"c", "f", "k"}
    assert detail["answer_format"]["type"] == "number"
    assert detail["attempts_left"] is None and detail["points"] == 2
    assert "spec" not in detail and "tests_source" not in str(detail)


def test_a_submission_is_stored_queued_then_graded(
    api, student, assignment, eager_celery, django_capture_on_commit_callbacks
):
    client = api(student)
    answer = expected_for(client)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/api/v1/problems/conv-layer-params/submissions", {"answer": answer}, format="json"
        )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["url"] == f"/api/v1/submissions/{body['id']}"
    assert Submission.objects.get(pk=body["id"]).status == Status.QUEUED
    assert len(callbacks) == 1  # grading is published only after the commit
    callbacks[0]()
    result = client.get(body["url"]).json()
    assert result["status"] == "graded"
    assert result["verdict"] == "correct"
    assert (result["score"], result["max_score"]) == (2, 2)


def test_a_wrong_number_is_graded_incorrect_with_feedback(
    api, student, assignment, eager_celery, django_capture_on_commit_callbacks
):
    client = api(student)
    answer = expected_for(client) + 1
    with django_capture_on_commit_callbacks(execute=True):
        body = client.post(
            "/api/v1/problems/conv-layer-params/submissions", {"answer": answer}, format="json"
        ).json()
    result = client.get(body["url"]).json()
    assert result["verdict"] == "incorrect" and result["score"] == 0
    assert result["feedback"]["message"]


def test_another_student_cannot_read_my_submission(
    api, student, other_student, assignment, eager_celery
):
    body = (
        api(student)
        .post("/api/v1/problems/conv-layer-params/submissions", {"answer": 1}, format="json")
        .json()
    )
    response = api(other_student).get(body["url"])
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "submission_not_found"


def test_the_instructor_reads_a_students_submission(api, student, instructor, assignment):
    body = (
        api(student)
        .post("/api/v1/problems/conv-layer-params/submissions", {"answer": 1}, format="json")
        .json()
    )
    assert api(instructor).get(body["url"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "malformed_json"),
        ('{"answer": 1}', "text/plain", 415, "unsupported_media_type"),
        ('{"answr": 1}', "application/json", 400, "invalid_payload"),
        ("{}", "application/json", 400, "invalid_payload"),
        ("[1, 2]", "application/json", 400, "invalid_payload"),
        ('{"answer": "' + "9" * 300_000 + '"}', "application/json", 413, "too_large"),
    ],
)
def test_bad_payloads_get_a_json_error_and_write_nothing(
    api, student, assignment, body, content_type, status, code
):
    response = api(student).generic(
        "POST", "/api/v1/problems/conv-layer-params/submissions", body, content_type=content_type
    )
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert not Submission.objects.exists()


def test_an_unknown_problem_is_404(api, student, assignment):
    response = api(student).post("/api/v1/problems/nope/submissions", {"answer": 1}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "problem_not_found"


def test_a_user_outside_the_cohort_cannot_see_or_submit(api, outsider, assignment):
    client = api(outsider)
    assert client.get("/api/v1/problems/conv-layer-params").status_code == 404
    response = client.post(
        "/api/v1/problems/conv-layer-params/submissions", {"answer": 760}, format="json"
    )
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_a_closed_assignment_refuses_with_409(api, student, assignment):
    assignment.due_at = timezone.now() - timedelta(minutes=1)
    assignment.save()
    response = api(student).post(
        "/api/v1/problems/conv-layer-params/submissions", {"answer": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "deadline_passed"
    assert not Submission.objects.exists()


def test_attempts_run_out_with_409(api, student, assignment):
    assignment.attempt_limit = 1
    assignment.save()
    client = api(student)
    url = "/api/v1/problems/conv-layer-params/submissions"
    assert client.post(url, {"answer": 1}, format="json").status_code == 202
    response = client.post(url, {"answer": 2}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_attempts_left"
    assert Submission.objects.count() == 1


def test_too_many_submissions_get_429_with_retry_after(api, student, assignment, settings):
    settings.STRIDE = {**settings.STRIDE, "SUBMISSIONS_PER_MINUTE": 2, "MAX_PENDING_PER_USER": 99}
    client = api(student)
    url = "/api/v1/problems/conv-layer-params/submissions"
    for answer in (1, 2):
        assert client.post(url, {"answer": answer}, format="json").status_code == 202
    response = client.post(url, {"answer": 3}, format="json")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert Submission.objects.count() == 2


def test_unauthenticated_requests_are_401(client, assignment):
    response = client.get("/api/v1/problems")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
