"""Every API v1 endpoint, its success shape and every error it can answer with."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from exercises.models import Status, Submission, TestResult, Verdict
from exercises.models.assignment import LatePolicy
from tests import factories

pytestmark = pytest.mark.django_db

SUBMIT = "/api/v1/problems/{}/submissions"


def send(client, slug: str, answer):
    return client.post(SUBMIT.format(slug), {"answer": answer}, format="json")


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["message"]
    return body["error"]


# --- token ---------------------------------------------------------------------------------------


def test_a_token_is_issued_for_the_right_password(student):
    response = APIClient().post(
        "/api/v1/token", {"username": "alice", "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/problems").status_code == 200


def test_a_wrong_password_is_a_400_with_a_code(student):
    response = APIClient().post(
        "/api/v1/token", {"username": "alice", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_credentials"


def test_a_token_request_without_a_password_names_the_field(student):
    response = APIClient().post("/api/v1/token", {"username": "alice"}, format="json")
    assert response.status_code == 400
    assert error_of(response)["field"] == "password"


def test_a_wrong_token_is_a_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/problems")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/problems"),
        ("get", "/api/v1/problems/conv-single-channel"),
        ("post", SUBMIT.format("conv-single-channel")),
        ("get", "/api/v1/submissions/1"),
        ("get", "/api/v1/cohorts/ml-101/leaderboard"),
    ],
)
def test_every_endpoint_wants_authentication(bank, method, url):
    response = getattr(APIClient(), method)(url, {"answer": 1}, format="json")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")


# --- problems ------------------------------------------------------------------------------------


def test_the_list_holds_the_problems_of_my_cohorts_only(api, student, bank, secret_problem):
    response = api(student).get("/api/v1/problems")
    assert response.status_code == 200
    slugs = {p["slug"] for p in response.json()}
    assert slugs == {"conv-single-channel", "conv-three-channels", "output-size-stride",
                     "feature-map-volume", "cnn-concepts"}  # fmt: skip
    first = response.json()[0]
    assert set(first) >= {"slug", "title", "kind", "points", "due", "assignment", "url"}


def test_a_problem_serves_my_variant_and_how_to_answer(api, student, bank):
    response = api(student).get("/api/v1/problems/conv-single-channel")
    assert response.status_code == 200
    data = response.json()
    side = (7 - 3) // data["params"]["stride"] + 1
    assert data["answer_format"] == {"type": "matrix", "rows": side, "cols": side}
    assert len(data["params"]["x"]) == 7
    assert data["attempts_left"] is None and data["attempts_used"] == 0
    assert "$w$" in data["statement"]


def test_an_unknown_problem_is_a_404(api, student, bank):
    response = api(student).get("/api/v1/problems/no-such-problem")
    assert response.status_code == 404
    assert error_of(response)["code"] == "problem_not_found"


def test_an_assignment_filter_must_be_a_slug_or_an_id_of_yours(api, student, bank):
    response = api(student).get("/api/v1/problems/conv-single-channel?assignment=a%20b")
    assert response.status_code == 400
    assert error_of(response)["field"] == "assignment"
    response = api(student).get("/api/v1/problems/conv-single-channel?assignment=abc")
    assert response.status_code == 404
    assert error_of(response)["code"] == "problem_not_found"


# --- submitting ----------------------------------------------------------------------------------


def test_a_submission_is_accepted_with_202_and_a_location(api, student, bank):
    response = api(student).post(SUBMIT.format("output-size-stride"), {"answer": 3}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert response["Location"] == body["url"] == f"/api/v1/submissions/{body['id']}"
    assert Submission.objects.get(pk=body["id"]).payload == {"answer": 3}


def test_malformed_json_is_a_400(api, student, bank):
    response = api(student).post(
        SUBMIT.format("output-size-stride"), '{"answer": 3', content_type="application/json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_an_unknown_field_is_a_400_naming_it(api, student, bank):
    response = api(student).post(
        SUBMIT.format("output-size-stride"), {"answer": 3, "score": 1}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["field"] == "score"


@pytest.mark.parametrize("typed", ["45,126", "1,000", "1,234.5"])
def test_a_number_with_ambiguous_separators_is_a_400_and_uses_no_attempt(api, student, bank, typed):
    response = send(api(student), "output-size-stride", typed)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "ambiguous_number" and error["field"] == "answer"
    assert repr(typed) in error["message"] and "thousands separators" in error["message"]
    assert not Submission.objects.exists()


def test_a_missing_answer_is_a_400(api, student, bank):
    response = api(student).post(SUBMIT.format("output-size-stride"), {}, format="json")
    assert response.status_code == 400
    assert error_of(response)["field"] == "answer"


def test_a_body_that_is_not_an_object_is_a_400(api, student, bank):
    response = api(student).post(SUBMIT.format("output-size-stride"), [3], format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_payload"


def test_a_form_encoded_body_is_a_415(api, student, bank):
    response = api(student).post(SUBMIT.format("output-size-stride"), {"answer": "3"})
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_a_body_over_the_limit_is_a_413_before_parsing(api, student, bank, settings):
    settings.STRIDE = {**settings.STRIDE, "MAX_BODY_BYTES": 2000}
    body = json.dumps({"answer": [[1] * 1500]})
    response = api(student).post(
        SUBMIT.format("conv-single-channel"), body, content_type="application/json"
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert not Submission.objects.exists()


def test_an_answer_over_the_answer_limit_is_a_413(api, student, bank, settings):
    settings.STRIDE = {**settings.STRIDE, "MAX_CODE_BYTES": 100}
    response = api(student).post(
        SUBMIT.format("conv-single-channel"), {"answer": [[1.5] * 60]}, format="json"
    )
    assert response.status_code == 413
    assert error_of(response)["field"] == "answer"


def test_submitting_to_an_unknown_problem_is_a_404(api, student, bank):
    response = api(student).post(SUBMIT.format("nope"), {"answer": 1}, format="json")
    assert response.status_code == 404


def test_a_session_post_without_the_csrf_token_is_a_403(student, bank):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="alice", password=factories.PASSWORD)
    response = client.post(SUBMIT.format("output-size-stride"), {"answer": 3}, format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert not Submission.objects.exists()


def test_a_closed_assignment_is_a_409(api, student, bank):
    assignment = bank["assignment"]
    assignment.due_at = timezone.now() - timedelta(hours=1)
    assignment.late_policy = LatePolicy.REFUSE
    assignment.save()
    response = api(student).post(SUBMIT.format("output-size-stride"), {"answer": 3}, format="json")
    assert response.status_code == 409
    assert error_of(response)["code"] == "deadline_passed"


def test_a_late_submission_is_taken_when_the_policy_accepts_it(api, student, bank):
    assignment = bank["assignment"]
    assignment.due_at = timezone.now() - timedelta(hours=1)
    assignment.late_policy = LatePolicy.PENALTY
    assignment.late_penalty_percent = 50
    assignment.save()
    response = api(student).post(SUBMIT.format("output-size-stride"), {"answer": 3}, format="json")
    assert response.status_code == 202
    assert Submission.objects.get().late is True


def test_no_attempts_left_is_a_409(api, student, bank):
    assignment = bank["assignment"]
    assignment.attempt_limit = 1
    assignment.save()
    client = api(student)
    assert send(client, "output-size-stride", 3).status_code == 202
    response = client.post(SUBMIT.format("output-size-stride"), {"answer": 4}, format="json")
    assert response.status_code == 409
    assert error_of(response)["code"] == "no_attempts_left"
    detail = client.get("/api/v1/problems/output-size-stride").json()
    assert detail["attempts_left"] == 0


def test_too_many_submissions_a_minute_is_a_429_with_retry_after(api, student, bank, settings):
    settings.STRIDE = {**settings.STRIDE, "SUBMISSIONS_PER_MINUTE": 2, "MAX_PENDING_PER_USER": 50}
    client = api(student)
    for answer in (1, 2):
        response = send(client, "output-size-stride", answer)
        assert response.status_code == 202
    response = client.post(SUBMIT.format("output-size-stride"), {"answer": 3}, format="json")
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 61
    assert Submission.objects.count() == 2


def test_too_many_pending_submissions_is_a_429(api, student, bank, settings):
    settings.STRIDE = {**settings.STRIDE, "MAX_PENDING_PER_USER": 1}
    client = api(student)
    assert send(client, "output-size-stride", 1).status_code == 202
    response = client.post(SUBMIT.format("output-size-stride"), {"answer": 2}, format="json")
    assert response.status_code == 429
    assert response["Retry-After"] == "5"


def test_a_submission_is_graded_and_read_back(
    api, student, bank, eager_celery, django_capture_on_commit_callbacks
):
    client = api(student)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            SUBMIT.format("feature-map-volume"), {"answer": [1, 1, 1]}, format="json"
        ).json()
    response = client.get(created["url"])
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "graded"
    assert data["verdict"] in {"incorrect", "invalid"}
    assert data["problem"] == "feature-map-volume" and data["attempt"] == 1
    assert "message" in data["feedback"]


def test_an_unknown_submission_is_a_404(api, student, bank):
    response = api(student).get("/api/v1/submissions/999999")
    assert response.status_code == 404
    assert error_of(response)["code"] == "submission_not_found"


def test_a_hidden_tests_message_and_data_are_never_served(api, student, cohort):
    code = factories.make_problem("hidden-tests", kind="code", spec={})  # graded by tests
    assignment = factories.make_assignment(cohort, [code], title="Code", slug="code")
    submission = Submission.objects.create(
        user=student,
        problem=code,
        assignment=assignment,
        payload={"code": "def f(x):\n    return x\n"},
        status=Status.GRADED,
        verdict=Verdict.INCORRECT,
        score=0,
    )
    TestResult.objects.create(
        submission=submission,
        name="hidden case 3",
        passed=False,
        hidden=True,
        message="expected [[4, 2]] for x=[[9]]",
        data={"diff_map": [[1.0]], "expected": [[4, 2]]},
    )
    tests = api(student).get(f"/api/v1/submissions/{submission.pk}").json()["tests"]
    assert tests == [
        {
            "name": "hidden case 3",
            "passed": False,
            "points": 0.0,
            "max_points": 0.0,
            "message": "",
            "hidden": True,
            "data": {},
        }
    ]


# --- leaderboard and schema ----------------------------------------------------------------------


def test_a_member_reads_the_cohort_leaderboard(api, student, other_student, bank):
    response = api(student).get("/api/v1/cohorts/ml-101/leaderboard")
    assert response.status_code == 200
    assert response.json()["cohort"] == "ml-101"
    assert isinstance(response.json()["entries"], list)


def test_another_cohorts_leaderboard_is_a_404(api, outsider, bank):
    response = api(outsider).get("/api/v1/cohorts/ml-101/leaderboard")
    assert response.status_code == 404
    assert error_of(response)["code"] == "cohort_not_found"


def test_the_openapi_schema_lists_every_endpoint():
    response = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/token",
        "/api/v1/problems",
        "/api/v1/problems/{slug}",
        "/api/v1/problems/{slug}/submissions",
        "/api/v1/submissions/{id}",
        "/api/v1/cohorts/{slug}/leaderboard",
    }


def test_the_docs_page_is_drawn_from_the_schema_with_a_notebook_example(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Submit from a notebook" in html and "import requests" in html
    assert "/api/v1/problems/{slug}/submissions" in html
    assert "cdn." not in html  # nothing from a CDN


def test_the_interactive_reference_loads_swagger_from_our_static_files(client):
    response = client.get("/api/docs/swagger")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html
