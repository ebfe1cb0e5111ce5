"""A bank code problem's tests read in the reader's language through the API and on the page:
the stored name stays the English (what analytics and answers key on), hidden tests keep
showing only name and pass/fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from exercises.bank.importer import import_problems
from exercises.bank.statements import HANGUL
from exercises.models import Problem, Submission, TestResult, VariantPolicy
from tests import factories
from tests.grader.sandbox.conftest import CONV2D

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]

BANK = Path(settings.STRIDE["CONTENT_DIR"])
LECTURE_CASE = "the lecture's 7x7x3 input and 3x3x3 filter"


@pytest.fixture
def graded(api, student, cohort, eager_celery, django_capture_on_commit_callbacks):
    import_problems(BANK / "implement-conv2d")
    problem = Problem.objects.get(slug="implement-conv2d")
    factories.make_assignment(cohort, [problem], variant_policy=VariantPolicy.PINNED)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(student).post(
            "/api/v1/problems/implement-conv2d/submissions", {"code": CONV2D}, format="json"
        )
    assert response.status_code == 202, response.content
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == "graded", submission.error_message
    return submission


def test_the_api_names_the_tests_in_the_language_asked_for(api, student, graded):
    url = f"/api/v1/submissions/{graded.pk}"
    stored = list(TestResult.objects.filter(submission=graded).order_by("order"))
    assert stored[0].name == LECTURE_CASE  # the stored name (the key) is the English

    english = api(student).get(url).json()
    assert [t["name"] for t in english["tests"]] == [t.name for t in stored]

    korean = api(student).get(url, HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9").json()
    names = [t["name"] for t in korean["tests"]]
    assert names[0] == "강의의 7x7x3 입력과 3x3x3 필터"
    assert all(HANGUL.search(n) for n in names), names
    assert len(set(names)) == len(names)
    for test in korean["tests"]:
        assert "texts" not in test["data"]
        if test["hidden"]:  # a hidden test: its name, never its message or data
            assert test["message"] == "" and test["data"] == {}
    # Everything but the names is the same in both languages.
    strip = lambda tests: [{k: v for k, v in t.items() if k != "name"} for t in tests]  # noqa: E731
    assert strip(korean["tests"]) == strip(english["tests"])


def test_the_page_names_the_tests_in_the_readers_language(client, student, graded):
    client.force_login(student)
    english = client.get(f"/submissions/{graded.pk}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the lecture&#x27;s 7x7x3 input and 3x3x3 filter" in english
    korean = client.get(f"/submissions/{graded.pk}", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "강의의 7x7x3 입력과 3x3x3 필터" in korean and "1x1 합성곱" in korean
    assert "7x7x3 input and 3x3x3 filter" not in korean
