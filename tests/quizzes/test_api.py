"""The API under a quiz: 409 outside the sitting, feedback withheld by policy, no leaks
through the practice lists (time frozen with freezegun: the API reads the server's clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from exercises.quizzes import services as quizzes
from tests.quizzes.conftest import answer_for, grade_now, wrong_sum_for
from tests.quizzes.test_quizzes import drawn_items


def submit(client, quiz, slug, answer):
    return client.post(
        f"/api/v1/problems/{slug}/submissions?assignment={quiz.assignment_id}",
        {"answer": answer},
        format="json",
    )


def test_the_api_takes_an_answer_during_the_sitting(make_quiz, student, api, t0):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    with freeze_time(t0 + timedelta(minutes=5)):
        response = submit(api(student), quiz, item.problem.slug, answer_for(student, item))
    assert response.status_code == 202, response.json()


def test_the_api_refuses_a_late_answer_with_409(make_quiz, student, api, t0):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    with freeze_time(t0 + timedelta(minutes=15, seconds=1)):
        response = submit(api(student), quiz, item.problem.slug, 1)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "quiz_time_up"
    assert "ran out" in error["message"]


def test_the_api_refuses_answers_before_start_and_outside_the_draw(make_quiz, student, api, t0):
    quiz = make_quiz()
    with freeze_time(t0 + timedelta(minutes=1)):
        response = submit(api(student), quiz, "qn-1", 1)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "quiz_not_started"
        attempt = quizzes.start_quiz(student, quiz)
        drawn = {i.problem.slug for i in drawn_items(attempt)}
        other = next(f"qn-{n}" for n in range(1, 7) if f"qn-{n}" not in drawn)
        response = submit(api(student), quiz, other, 1)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_in_your_quiz"


def test_quiz_questions_are_not_listed_or_reachable_without_naming_the_quiz(
    make_quiz, student, api, t0
):
    quiz = make_quiz()
    quizzes.start_quiz(student, quiz, now=t0)
    with freeze_time(t0 + timedelta(minutes=1)):
        client = api(student)
        assert client.get("/api/v1/problems").json() == []
        assert client.get("/api/v1/problems/qn-1").status_code == 404
        assert (
            client.post(
                "/api/v1/problems/qn-1/submissions", {"answer": 1}, format="json"
            ).status_code
            == 404
        )


def test_the_problem_detail_serves_only_drawn_questions(make_quiz, student, other_student, api, t0):
    quiz = make_quiz()
    with freeze_time(t0 + timedelta(minutes=1)):
        attempt = quizzes.start_quiz(student, quiz)
        item = drawn_items(attempt)[0]
        url = f"/api/v1/problems/{item.problem.slug}?assignment={quiz.assignment_id}"
        mine = api(student).get(url)
        theirs = api(other_student).get(url)
    assert mine.status_code == 200
    assert mine.json()["attempts_left"] == 1
    assert theirs.status_code == 409  # not started: the pool stays closed


def _graded(student, quiz, t0, api, **kw):
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    with freeze_time(t0 + timedelta(minutes=2)):
        response = submit(api(student), quiz, item.problem.slug, wrong_sum_for(student, item))
    sub_id = response.json()["id"]
    grade_now(sub_id)
    return sub_id


def test_feedback_after_close_is_withheld_until_the_quiz_closed_for_everyone(
    make_quiz, student, other_student, instructor, api, t0
):
    quiz = make_quiz(feedback_policy="after_close")
    sub_id = _graded(student, quiz, t0, api)
    quizzes.start_quiz(other_student, quiz, now=t0 + timedelta(minutes=110))  # until T0+2h
    quizzes.finish_quiz(student, quiz, now=t0 + timedelta(minutes=3))
    with freeze_time(t0 + timedelta(minutes=119)):
        body = api(student).get(f"/api/v1/submissions/{sub_id}").json()
        staff_body = api(instructor).get(f"/api/v1/submissions/{sub_id}").json()
    assert body["status"] == "graded"
    assert body["feedback_withheld"] is True
    assert body["verdict"] is None and body["score"] is None and body["tests"] == []
    assert "misconception" not in body["feedback"]
    assert "Answer recorded" in body["feedback"]["message"]
    assert staff_body["verdict"] == "incorrect"  # staff always see
    with freeze_time(t0 + timedelta(hours=2)):
        body = api(student).get(f"/api/v1/submissions/{sub_id}").json()
    assert body["feedback_withheld"] is False
    assert body["verdict"] == "incorrect"
    assert body["feedback"]["misconception"]["key"] == "added-not-multiplied"


def test_an_extension_keeps_feedback_held_back_for_everyone(
    make_quiz, student, other_student, instructor, api, t0
):
    quiz = make_quiz(feedback_policy="after_close")
    sub_id = _graded(student, quiz, t0, api)
    quizzes.start_quiz(other_student, quiz, now=t0 + timedelta(minutes=110))
    quizzes.extend_time(instructor, quiz, other_student.pk, 30)  # now until T0+2h30
    with freeze_time(t0 + timedelta(hours=2, minutes=10)):
        assert api(student).get(f"/api/v1/submissions/{sub_id}").json()["verdict"] is None
    with freeze_time(t0 + timedelta(hours=2, minutes=30)):
        assert api(student).get(f"/api/v1/submissions/{sub_id}").json()["verdict"] == "incorrect"


def test_feedback_after_submission_appears_when_the_student_hands_in(make_quiz, student, api, t0):
    quiz = make_quiz(feedback_policy="after_submission")
    sub_id = _graded(student, quiz, t0, api)
    with freeze_time(t0 + timedelta(minutes=3)):
        assert api(student).get(f"/api/v1/submissions/{sub_id}").json()["verdict"] is None
        quizzes.finish_quiz(student, quiz)
        assert api(student).get(f"/api/v1/submissions/{sub_id}").json()["verdict"] == "incorrect"


def test_feedback_after_submission_appears_when_time_runs_out(make_quiz, student, api, t0):
    quiz = make_quiz(feedback_policy="after_submission")
    sub_id = _graded(student, quiz, t0, api)
    with freeze_time(t0 + timedelta(minutes=15)):
        assert api(student).get(f"/api/v1/submissions/{sub_id}").json()["verdict"] == "incorrect"


def test_immediate_feedback_shows_the_verdict_and_diagnosis_at_once(make_quiz, student, api, t0):
    quiz = make_quiz(feedback_policy="immediate")
    sub_id = _graded(student, quiz, t0, api)
    with freeze_time(t0 + timedelta(minutes=3)):
        body = api(student).get(f"/api/v1/submissions/{sub_id}").json()
    assert body["verdict"] == "incorrect"
    assert body["feedback"]["misconception"]["title"] == "Added instead of multiplied"


@pytest.mark.parametrize("policy", ["after_close", "immediate"])
def test_the_leaderboard_counts_a_quiz_only_once_its_feedback_is_out(
    make_quiz, student, api, t0, policy
):
    quiz = make_quiz(feedback_policy=policy, counts_on_leaderboard=True)
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    with freeze_time(t0 + timedelta(minutes=1)):
        sub_id = submit(api(student), quiz, item.problem.slug, answer_for(student, item)).json()[
            "id"
        ]
    grade_now(sub_id)
    from django.core.cache import cache

    cache.clear()
    with freeze_time(t0 + timedelta(minutes=5)):
        entries = (
            api(student).get(f"/api/v1/cohorts/{quiz.assignment.cohort.slug}/leaderboard").json()
        )
    alice = next(e for e in entries["entries"] if e["name"] == "Alice A.")
    assert alice["score"] == (2.0 if policy == "immediate" else 0.0)


def test_a_notebook_sits_a_quiz_through_the_api(make_quiz, student, api, t0):
    quiz = make_quiz(feedback_policy="after_submission")
    client = api(student)
    base = f"/api/v1/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        before = client.get(base).json()
        assert before["state"] == "not_started" and before["questions"] == []
        started = client.post(f"{base}/start").json()
    with freeze_time(t0 + timedelta(minutes=3)):
        again = client.post(f"{base}/start").json()  # a second tab / a re-run cell
    assert started["deadline"] == again["deadline"] == "2026-03-02T09:16:00+00:00"
    assert started["remaining_seconds"] == 900 and again["remaining_seconds"] == 780
    assert [q["position"] for q in again["questions"]] == [1, 2, 3]
    question = again["questions"][0]
    with freeze_time(t0 + timedelta(minutes=4)):
        detail = client.get(question["url"]).json()
        answer = detail["params"]["a"] * detail["params"]["b"]
        created = client.post(question["submit_url"], {"answer": answer}, format="json")
        assert created.status_code == 202
        grade_now(created.json()["id"])
        assert client.get(created.json()["url"]).json()["verdict"] is None
        finished = client.post(f"{base}/finish").json()
        assert finished["state"] == "finished"
        assert client.get(created.json()["url"]).json()["verdict"] == "correct"
        late = client.post(question["submit_url"], {"answer": answer}, format="json")
    assert late.status_code == 409 and late.json()["error"]["code"] == "quiz_finished"


def test_the_api_refuses_to_start_outside_the_window_and_hides_quizzes_from_outsiders(
    make_quiz, student, outsider, api, t0
):
    quiz = make_quiz()
    with freeze_time(t0 - timedelta(minutes=1)):
        early = api(student).post(f"/api/v1/quizzes/{quiz.assignment_id}/start")
    assert early.status_code == 409 and early.json()["error"]["code"] == "quiz_not_open"
    assert api(outsider).get(f"/api/v1/quizzes/{quiz.assignment_id}").status_code == 404


def test_the_schema_describes_the_quiz_endpoints(api, student):
    response = api(student).get("/api/v1/schema")
    assert response.status_code == 200
    assert b"/api/v1/quizzes/{id}/start:" in response.content


def test_closing_a_quiz_refreshes_the_leaderboard(make_quiz, student, instructor, api, t0):
    quiz = make_quiz(feedback_policy="after_close", counts_on_leaderboard=True)
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    board = f"/api/v1/cohorts/{quiz.assignment.cohort.slug}/leaderboard"
    with freeze_time(t0 + timedelta(minutes=1)):
        sub_id = submit(api(student), quiz, item.problem.slug, answer_for(student, item)).json()[
            "id"
        ]
        grade_now(sub_id)
        assert api(student).get(board).json()["entries"][0]["score"] == 0.0  # cached now
        quizzes.close_quiz(instructor, quiz)
        assert api(student).get(board).json()["entries"][0]["score"] == 2.0


QUIZ_OPERATIONS = {
    ("/api/v1/quizzes/{id}", "get"): {"401", "404"},
    ("/api/v1/quizzes/{id}/start", "post"): {"401", "404", "409"},
    ("/api/v1/quizzes/{id}/finish", "post"): {"401", "404", "409"},
}


def test_the_schema_documents_each_quiz_endpoint_like_the_others(api, student):
    """A summary, a description, the quiz id explained and every error status, as the
    problem endpoints have: the docs page is drawn from exactly this."""
    schema = api(student).get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    for (path, method), errors in QUIZ_OPERATIONS.items():
        operation = paths[path][method]
        assert operation.get("summary"), (path, method)
        assert operation.get("description"), (path, method)
        (quiz_id,) = [p for p in operation["parameters"] if p["name"] == "id"]
        assert "/quizzes/" in quiz_id.get("description", ""), (path, method)
        assert set(operation["responses"]) >= {"200", *errors}, (path, method)
        for status in errors:
            assert operation["responses"][status]["description"], (path, method, status)
    start_409 = paths["/api/v1/quizzes/{id}/start"]["post"]["responses"]["409"]["description"]
    assert "quiz_not_open" in start_409 and "quiz_closed" in start_409


def test_the_docs_page_lists_the_quiz_endpoints_with_their_summaries(client):
    html = client.get("/api/docs").content.decode()
    for path, _ in QUIZ_OPERATIONS:
        assert f"<code>{path}</code>" in html
    assert "Sit a quiz" in html  # the section that says how, beside the notebook example
    assert "quizzes_retrieve" not in html  # a summary, not the generated operation id
