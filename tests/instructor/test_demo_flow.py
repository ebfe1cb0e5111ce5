"""The issue's "done when", on the real bank and the demo cohort: the instructor imports a new
problem folder, previews it, opens it in an assignment, sees student1's submissions in the
gradebook and analytics, exports CSV, regrades after an edit, and the leaderboard follows."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from exercises.models import Problem, RegradeJob, Submission
from grader.grading import params_for
from grader.kinds import get_kind
from tests.instructor.test_authoring_docs import example_files

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(db, eager_celery):
    call_command("import_problems", str(settings.STRIDE["CONTENT_DIR"]), verbosity=0)
    from exercises.ops.demo import setup_demo

    setup_demo()
    users = get_user_model().objects
    return users.get(username="instructor"), users.get(username="student1")


def test_the_instructors_whole_loop(
    demo, client, api, tmp_path, django_capture_on_commit_callbacks
):
    teacher, student1 = demo
    client.force_login(teacher)

    # 1. Import a new problem folder (the guide's "number" example) and preview it.
    for path, body in example_files().items():
        if path.startswith("stride-fit/"):
            target = tmp_path / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
    call_command("import_problems", str(tmp_path / "stride-fit"), verbosity=0)
    preview = client.get("/teach/problems/stride-fit/preview?seed=4&check=1").content.decode()
    assert "The problem is sound." in preview

    # 2. Open it in a new assignment of the demo cohort.
    problem = Problem.objects.get(slug="stride-fit")
    response = client.post(
        "/teach/demo/assignments/new",
        {
            "title": "Strides",
            "slug": "strides",
            "type": "practice",
            "published": "on",
            "late_policy": "refuse",
            "late_penalty_percent": "0",
            "variant_policy": "per_student",
            "counts_on_leaderboard": "on",
            "leaderboard_freeze_minutes": "0",
            "problems": [problem.pk],
        },
    )
    assert response.status_code == 302

    # 3. student1 answers through the API: once wrong, then right.
    student_api = api(student1)
    detail = student_api.get("/api/v1/problems/stride-fit").json()
    seed = _seed_of(student1, problem)
    assert detail["params"] == params_for("number", problem.spec, seed)
    answer = get_kind("number").expected(problem.spec, detail["params"])
    for sent in (12345, answer):
        with django_capture_on_commit_callbacks(execute=True):
            created = student_api.post(
                "/api/v1/problems/stride-fit/submissions", {"answer": sent}, format="json"
            )
        assert created.status_code == 202, created.json()
    assert _scores(student1, problem) == [0.0, 1.0]

    # 4. The gradebook, the CSV and the analytics show it.
    book = client.get("/teach/demo/gradebook?assignment=strides").content.decode()
    assert 'data-user="student1"' in book and "✓" in book
    csv_bytes = client.get("/teach/demo/gradebook.csv?assignment=strides").content
    assert b"student1" in csv_bytes and csv_bytes.startswith(b"\xef\xbb\xbf")
    stats = client.get("/teach/demo/problems/stride-fit/analytics").content.decode()
    assert 'id="stat-attempts">2<' in stats

    # 5. The leaderboard has student1 on top.
    board = api(teacher).get("/api/v1/cohorts/demo/leaderboard").json()
    assert board["entries"][0]["real_name"] == "student1"

    # 6. An edit that changes the variants (other input sizes), then regrade: the preview shows
    #    the right answer going wrong, "never lower" keeps it, a plain apply writes it.
    params = {**problem.spec["params"], "n": {"min": 40, "max": 60}, "stride": {"choices": [1]}}
    problem.spec = {**problem.spec, "params": params, "does_not_fit": 0}
    problem.changed_since_import = True
    problem.save()
    new_answer = get_kind("number").expected(problem.spec, params_for("number", problem.spec, seed))
    assert new_answer != answer
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/teach/demo/problems/stride-fit/regrade", {"mode": "preview"})
    preview_job = RegradeJob.objects.get(mode="preview")
    assert [(r["user"], r["old"], r["new"]) for r in preview_job.results] == [
        ("student1", 1.0, 0.0)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/teach/demo/problems/stride-fit/regrade", {"mode": "apply", "never_lower": "on"}
        )
    assert _scores(student1, problem) == [0.0, 1.0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/teach/demo/problems/stride-fit/regrade", {"mode": "apply"})
    assert _scores(student1, problem) == [0.0, 0.0]
    board = api(teacher).get("/api/v1/cohorts/demo/leaderboard").json()
    assert all(e["score"] == 0 for e in board["entries"])


def _scores(user, problem):
    return list(
        Submission.objects.filter(user=user, problem=problem)
        .order_by("id")
        .values_list("score", flat=True)
    )


def _seed_of(user, problem):
    from exercises.submissions import selectors, services

    access = selectors.access_problem(user, problem.slug)
    return services.current_seed(user, access)
