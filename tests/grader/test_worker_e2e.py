"""Through a real Celery worker process: API submit, the worker grades, the API shows it."""

from __future__ import annotations

import pytest

from exercises.models import Submission
from grader.kinds import get_kind
from tests import factories
from tests.workers import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_number_problem_comes_back_graded_from_the_worker(api, cohort, celery_worker_process):
    student = factories.make_user("student1")
    factories.add_member(student, cohort)
    problem = factories.make_problem(
        "conv-layer-params", kind="number", spec={"recipe": "conv-layer-params"}, points=1
    )
    factories.make_assignment(cohort, [problem])
    client = api(student)
    params = client.get("/api/v1/problems/conv-layer-params").json()["params"]
    answer = get_kind("number").expected(problem.spec, params)

    body = client.post(
        "/api/v1/problems/conv-layer-params/submissions", {"answer": answer}, format="json"
    ).json()

    def graded():
        data = client.get(body["url"]).json()
        return data if data["status"] == "graded" else None

    result = wait_for(graded, timeout=60, message="the worker never graded the submission")
    assert result["verdict"] == "correct"
    worker_id = Submission.objects.get(pk=body["id"]).worker_id
    assert worker_id  # claimed by the worker's task id
    assert any("grade_submission" in line for line in celery_worker_process.log)
