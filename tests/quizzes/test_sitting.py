"""One state of (quiz, student, now), ``quiz_rules.sitting_state``, read by every page and the
API: for each state the quiz page, the API (``sitting`` in full, ``state`` in its first, coarser
words), the page's clock, the instructor's monitor and the dashboard say the same thing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from freezegun import freeze_time

from exercises.quizzes import selectors as quiz_reports
from exercises.quizzes import services as quizzes
from exercises.quizzes.rules import Sitting
from tests.quizzes.conftest import staff_url

# The API's ``state`` as it was first published; ``sitting`` adds the rest of the vocabulary.
API_STATE = {
    "upcoming": "not_started",
    "open": "not_started",
    "missed": "not_started",
    "running": "running",
    "finished": "finished",
}


def _scene(name, quiz, student, instructor, t0):
    """Bring ``student`` to the situation ``name`` on ``quiz`` (open t0..t0+2h, 15 minutes);
    returns the moment to look at it."""
    hour = timedelta(hours=1)
    if name == "before the window":
        return t0 - hour
    if name == "window open":
        return t0 + timedelta(minutes=1)
    if name == "own window open early":  # an accommodation opens it an hour before the others
        quizzes.set_accommodation(instructor, quiz, student.pk, opens_at=t0 - 2 * hour)
        return t0 - hour
    if name == "own window closed early":
        quizzes.set_accommodation(
            instructor, quiz, student.pk, opens_at=t0, closes_at=t0 + timedelta(minutes=30)
        )
        return t0 + hour
    if name == "window closed":
        return t0 + 3 * hour
    if name == "quiz closed early":
        quizzes.close_quiz(instructor, quiz, now=t0 + timedelta(minutes=10))
        return t0 + timedelta(minutes=20)
    quizzes.start_quiz(student, quiz, now=t0)
    if name == "sitting running":
        return t0 + timedelta(minutes=5)
    if name == "time up":
        return t0 + timedelta(minutes=16)
    if name == "handed in":
        quizzes.finish_quiz(student, quiz, now=t0 + timedelta(minutes=3))
        return t0 + timedelta(minutes=5)
    if name == "closed early while running":
        quizzes.close_quiz(instructor, quiz, now=t0 + timedelta(minutes=4))
        return t0 + timedelta(minutes=5)
    if name == "extended past the window":
        quizzes.extend_time(instructor, quiz, student.pk, 150)
        return t0 + 2 * hour + timedelta(minutes=30)
    raise AssertionError(name)


SCENES = [
    ("before the window", "upcoming"),
    ("window open", "open"),
    ("own window open early", "open"),
    ("own window closed early", "missed"),
    ("window closed", "missed"),
    ("quiz closed early", "missed"),
    ("sitting running", "running"),
    ("extended past the window", "running"),
    ("time up", "finished"),
    ("handed in", "finished"),
    ("closed early while running", "finished"),
]


@pytest.mark.parametrize(("scene", "expected"), SCENES, ids=[s for s, _ in SCENES])
def test_pages_and_the_api_agree_on_the_sitting(
    scene, expected, make_quiz, student, instructor, api, t0
):
    quiz = make_quiz()
    now = _scene(scene, quiz, student, instructor, t0)
    page = Client()
    page.force_login(student)
    staff = Client()
    staff.force_login(instructor)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(now):
        shown = page.get(url)
        body = api(student).get(f"/api/v1/quizzes/{quiz.assignment_id}").json()
        clock = page.get(f"{url}/clock").json()
        dashboard = page.get("/")
        monitor = staff.get(staff_url(quiz, "monitor"))
        csv_row = next(
            line
            for line in quiz_reports.results_csv(quiz).splitlines()
            if line.startswith(student.username + ",")
        )
    assert shown.status_code == 200
    assert shown.context["state"] == expected
    assert body["sitting"] == expected
    assert body["state"] == API_STATE[expected]  # the published word, unchanged
    assert (clock["sitting"], clock["state"]) == (expected, API_STATE[expected])
    row = next(r for r in monitor.context["rows"] if r.user_id == student.pk)
    assert row.state == expected
    assert csv_row.split(",")[2] == API_STATE[expected]  # the export's column keeps its words
    listed = quiz in dashboard.context["open_quizzes"]
    assert listed == (expected in ("open", "running")), f"dashboard lists it: {listed}"


def test_the_vocabulary_is_the_pages_and_extends_the_apis():
    assert [s.value for s in Sitting] == ["upcoming", "open", "missed", "running", "finished"]
    assert {s.api_state for s in Sitting} == {"not_started", "running", "finished"}
    assert [s for s in Sitting if s.started] == [Sitting.RUNNING, Sitting.FINISHED]


def test_the_monitor_counts_started_and_running_from_the_same_states(
    make_quiz, student, other_student, instructor, t0
):
    quiz = make_quiz()
    quizzes.start_quiz(student, quiz, now=t0)
    quizzes.start_quiz(other_student, quiz, now=t0)
    quizzes.finish_quiz(other_student, quiz, now=t0 + timedelta(minutes=2))
    staff = Client()
    staff.force_login(instructor)
    with freeze_time(t0 + timedelta(minutes=5)):
        monitor = staff.get(staff_url(quiz, "monitor"))
    assert (monitor.context["started"], monitor.context["running"]) == (2, 1)
    html = monitor.content.decode()
    assert "working" in html and "done" in html


def test_the_dashboard_offers_a_quiz_by_the_students_own_window(
    make_quiz, student, other_student, instructor, t0
):
    """The quiz page offers Start within the student's accommodated window; the dashboard
    lists the quiz as open exactly then, not by the quiz's general window."""
    from exercises.submissions import selectors

    early = make_quiz()
    quizzes.set_accommodation(instructor, early, student.pk, opens_at=t0 - timedelta(hours=2))
    short = make_quiz(slug="quiz-2", title="Quiz 2")
    quizzes.set_accommodation(
        instructor, short, student.pk, opens_at=t0, closes_at=t0 + timedelta(minutes=30)
    )
    before_the_others = selectors.open_quizzes(student, now=t0 - timedelta(hours=1))
    assert before_the_others == [early]
    assert selectors.open_quizzes(other_student, now=t0 - timedelta(hours=1)) == []
    after_own_close = selectors.open_quizzes(student, now=t0 + timedelta(hours=1))
    assert after_own_close == [early]
    assert set(selectors.open_quizzes(other_student, now=t0 + timedelta(hours=1))) == {early, short}
