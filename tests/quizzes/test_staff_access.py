"""Who may change a quiz: its cohort's instructors. An assistant reads the builder's preview, the
monitor and the results like the other /teach/ pages, but every quiz write answers 403 and changes
nothing, through the pages and through the services alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from exercises.errors import AccessDenied
from exercises.models import Assignment, QuizAccommodation, QuizAttempt, QuizSettings
from exercises.quizzes import services as quizzes
from tests.quizzes.conftest import staff_url

BUILD = {
    "title": "Sneaky",
    "slug": "sneaky",
    "opens_at": "2026-03-02T10:00",
    "closes_at": "2026-03-02T12:00",
    "time_limit_minutes": "15",
    "attempt_points": "100",
    "feedback_policy": "immediate",
    "pools": "1: qn-1, qn-2",
}

# (method, path, form data) of every quiz write, at its /teach/ address and at its first one.
# {q}: the quiz's id, {c}: its cohort, {s}: the student who started it.
WRITES = [
    ("get", "/teach/{c}/quizzes/new", None),
    ("post", "/teach/{c}/quizzes/new", BUILD),
    ("get", "/teach/{c}/quizzes/{q}/edit", None),
    ("post", "/teach/{c}/quizzes/{q}/edit", BUILD),
    ("post", "/teach/{c}/quizzes/{q}/publish", {"published": "0"}),
    ("post", "/teach/{c}/quizzes/{q}/extend", {"user_id": "{s}", "minutes": "7"}),
    ("post", "/teach/{c}/quizzes/{q}/accommodations", {"user_id": "{s}", "time_factor": "1.5"}),
    ("post", "/teach/{c}/quizzes/{q}/close", {}),
    ("get", "/quizzes/new/{c}", None),
    ("post", "/quizzes/new/{c}", BUILD),
    ("get", "/quizzes/{q}/edit", None),
    ("post", "/quizzes/{q}/edit", BUILD),
    ("post", "/quizzes/{q}/publish", {"published": "0"}),
    ("post", "/quizzes/{q}/extend", {"user_id": "{s}", "minutes": "7"}),
    ("post", "/quizzes/{q}/accommodations", {"user_id": "{s}", "time_factor": "1.5"}),
    ("post", "/quizzes/{q}/close", {}),
]
READS = [
    "/teach/{c}/quizzes/{q}/preview",
    "/teach/{c}/quizzes/{q}/monitor",
    "/teach/{c}/quizzes/{q}/results",
    "/teach/{c}/quizzes/{q}/results.csv",
]
MOVED = ["edit", "preview", "publish", "monitor", "extend", "accommodations", "close"]
MOVED += ["results", "results.csv"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def started_quiz(make_quiz, student, t0):
    quiz = make_quiz()
    quizzes.start_quiz(student, quiz, now=t0)
    return quiz


def fill(text: str, quiz: QuizSettings, student) -> str:
    return text.format(q=quiz.assignment_id, c=quiz.assignment.cohort.slug, s=student.pk)


def snapshot(quiz: QuizSettings) -> dict:
    """What any of the writes above would change."""
    quiz.refresh_from_db()
    quiz.assignment.refresh_from_db()
    return {
        "assignments": list(Assignment.objects.order_by("pk").values_list("pk", "slug", "title")),
        "published": quiz.assignment.published,
        "closed_early_at": quiz.closed_early_at,
        "extra_minutes": list(QuizAttempt.objects.values_list("extra_minutes", flat=True)),
        "accommodations": QuizAccommodation.objects.count(),
    }


@pytest.mark.parametrize(("method", "path", "data"), WRITES)
def test_an_assistant_gets_403_on_every_quiz_write_and_nothing_changes(
    started_quiz, assistant, student, method, path, data
):
    before = snapshot(started_quiz)
    form = {k: fill(v, started_quiz, student) for k, v in (data or {}).items()}
    url = fill(path, started_quiz, student)
    client = client_for(assistant)
    response = client.get(url) if method == "get" else client.post(url, form)
    assert response.status_code == 403
    assert snapshot(started_quiz) == before


@pytest.mark.parametrize("path", READS)
def test_an_assistant_reads_the_quiz_staff_pages(started_quiz, assistant, student, path):
    response = client_for(assistant).get(fill(path, started_quiz, student))
    assert response.status_code == 200


def test_the_quiz_services_refuse_an_assistant(started_quiz, assistant, student, cohort, t0):
    settings = {
        "title": "Sneaky",
        "slug": "sneaky",
        "opens_at": t0,
        "closes_at": t0 + timedelta(hours=1),
        "time_limit_minutes": 10,
        "attempt_points": [100],
        "feedback_policy": "immediate",
        "pools": [quizzes.PoolSpec(1, ("qn-1",))],
    }
    before = snapshot(started_quiz)
    with pytest.raises(AccessDenied):
        quizzes.create_quiz(assistant, cohort, **settings)
    with pytest.raises(AccessDenied):
        quizzes.update_quiz(assistant, started_quiz, **settings, counts_on_leaderboard=False)
    with pytest.raises(AccessDenied):
        quizzes.publish_quiz(assistant, started_quiz, published=False)
    with pytest.raises(AccessDenied):
        quizzes.extend_time(assistant, started_quiz, student.pk, 7)
    with pytest.raises(AccessDenied):
        quizzes.set_accommodation(assistant, started_quiz, student.pk, time_factor=2)
    with pytest.raises(AccessDenied):
        quizzes.close_quiz(assistant, started_quiz)
    assert snapshot(started_quiz) == before


def test_the_first_addresses_redirect_gets_301_and_posts_308_keeping_the_query(
    started_quiz, instructor, student
):
    client = client_for(instructor)
    old = f"/quizzes/{started_quiz.assignment_id}"
    response = client.get(f"{old}/preview?student={student.pk}")
    assert response.status_code == 301
    assert response["Location"] == staff_url(started_quiz, f"preview?student={student.pk}")
    response = client.get(f"/quizzes/new/{started_quiz.assignment.cohort.slug}")
    assert (response.status_code, response["Location"]) == (301, "/teach/ml-101/quizzes/new")
    response = client.post(f"{old}/close")
    assert (response.status_code, response["Location"]) == (308, staff_url(started_quiz, "close"))
    assert QuizSettings.objects.get(pk=started_quiz.pk).closed_early_at is None  # not yet: moved


def test_a_post_to_a_first_address_acts_once_the_browser_repeats_it(
    started_quiz, instructor, student
):
    response = client_for(instructor).post(
        f"/quizzes/{started_quiz.assignment_id}/extend",
        {"user_id": student.pk, "minutes": "7"},
        follow=True,  # the test client, like a browser, repeats a 308's POST with its form
    )
    assert response.redirect_chain[0] == (staff_url(started_quiz, "extend"), 308)
    assert QuizAttempt.objects.get().extra_minutes == 7


@pytest.mark.parametrize("page", MOVED)
def test_a_first_address_tells_an_outsider_nothing(
    started_quiz, student, outsider, other_instructor, page
):
    """Access is checked before redirecting: no Location naming the cohort, 404 as before."""
    url = f"/quizzes/{started_quiz.assignment_id}/{page}"
    for user in (student, outsider, other_instructor):
        client = client_for(user)
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 404
            assert "Location" not in response
            assert b"ml-101" not in response.content
    response = client_for(other_instructor).get("/quizzes/new/ml-101")
    assert response.status_code == 404 and "Location" not in response


def test_another_cohorts_staff_cannot_reach_a_quiz_through_their_own_cohort(
    started_quiz, other_instructor
):
    """/teach/<their cohort>/quizzes/<a quiz of another cohort>/... is not found."""
    client = client_for(other_instructor)
    posts_only = {"publish", "extend", "accommodations", "close"}
    gets_only = {"preview", "monitor", "results", "results.csv"}
    for page in MOVED:
        url = f"/teach/ml-202/quizzes/{started_quiz.assignment_id}/{page}"
        assert client.get(url).status_code == (405 if page in posts_only else 404), url
        assert client.post(url, {}).status_code == (405 if page in gets_only else 404), url
    assert QuizSettings.objects.get(pk=started_quiz.pk).closed_early_at is None


@pytest.mark.browser
def test_in_chromium_an_old_monitor_link_lands_under_teach_and_only_the_instructor_extends(
    browser_page, live_server, make_quiz, student, assistant, instructor
):
    """What a person sees: a bookmarked /quizzes/<id>/monitor opens the monitor at its /teach/
    address; the assistant's "+ min" is refused with the reason, the instructor's works."""
    from django.utils import timezone

    from tests.quizzes.test_browser import log_in

    now = timezone.now()
    quiz = make_quiz(opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=1))
    quizzes.start_quiz(student, quiz)
    page = browser_page
    for username in ("ada", "iris"):  # the assistant, then the instructor
        page.context.clear_cookies()
        log_in(page, live_server.url, username)
        page.goto(f"{live_server.url}/quizzes/{quiz.assignment_id}/monitor")
        assert page.url == live_server.url + staff_url(quiz, "monitor")
        page.fill(f"#extend-{student.pk}", "7")
        page.click("#quiz-students button[type=submit]")
        page.wait_for_load_state()
        if username == "ada":
            assert page.inner_text("h1") == "Not allowed"
            assert "Assistants can read this cohort" in page.inner_text("main")
            assert QuizAttempt.objects.get().extra_minutes == 0
    assert page.url == live_server.url + staff_url(quiz, "monitor")
    assert "alice has 7 more minutes" in page.inner_text(".messages")
    assert QuizAttempt.objects.get().extra_minutes == 7
