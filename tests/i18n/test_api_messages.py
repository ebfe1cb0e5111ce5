"""The JSON API's errors in the language asked for: ``Accept-Language: ko`` turns ``message``
Korean, while ``code`` (what a client branches on) and ``field`` stay exactly the same."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def problem(cohort):
    problem = factories.make_problem(
        "output-size-stride", kind="number", spec={"recipe": "output-size-stride"}
    )
    factories.make_assignment(cohort, [problem], slug="basics")
    return problem


def errors_in(language: str, student) -> dict[str, dict]:
    """{case: the error body} for one request per failure, asked for in ``language``."""
    anonymous = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(student)
    submit = "/api/v1/problems/output-size-stride/submissions"
    responses = {
        "wrong password": anonymous.post(
            "/api/v1/token", {"username": "alice", "password": "nope"}, format="json"
        ),
        "no credentials": anonymous.get("/api/v1/problems"),
        "unknown problem": client.post(
            "/api/v1/problems/no-such-problem/submissions", {"answer": 1}, format="json"
        ),
        "unknown field": client.post(submit, {"answer": 1, "extra": 2}, format="json"),
        "missing answer": client.post(submit, {}, format="json"),
        "malformed json": client.post(submit, "{not json", content_type="application/json"),
        "bad wait": client.get("/api/v1/submissions/1?wait=99999"),
    }
    return {case: (r.status_code, r.json()["error"]) for case, r in responses.items()}


def test_a_korean_client_gets_korean_messages_with_the_same_codes(student, problem):
    english = errors_in("en", student)
    korean = errors_in("ko-KR,ko;q=0.9", student)
    assert english.keys() == korean.keys()
    for case, (status, error) in english.items():
        ko_status, ko_error = korean[case]
        assert (ko_status, ko_error["code"], ko_error["field"]) == (
            status,
            error["code"],
            error["field"],
        ), case
        assert not HANGUL.search(error["message"]), (case, error)
        assert HANGUL.search(ko_error["message"]), (case, ko_error)
    assert korean["wrong password"][1] == {
        "code": "invalid_credentials",
        "message": "사용자 이름이나 비밀번호가 틀렸습니다.",
        "field": None,
    }
    assert english["unknown field"][1]["message"] == (
        "Unknown field 'extra'; send {\"answer\": ...}."
    )
    assert korean["unknown field"][1]["message"] == (
        "알 수 없는 필드 'extra'입니다. {\"answer\": ...}를 보내세요."
    )
