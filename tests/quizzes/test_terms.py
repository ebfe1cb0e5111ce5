"""A student's due date and attempt limit, moved by an instructor's extension, are worked out
in one place (``selectors.terms_for``): the dashboard, the problem page and API, the quiz page
and the submission path read the same terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from freezegun import freeze_time

from exercises.assignments import selectors as progress
from exercises.models import Assignment, Extension, QuizAttempt, Submission
from exercises.submissions import selectors
from tests import factories
from tests.quizzes.conftest import wrong_sum_for
from tests.quizzes.test_quizzes import drawn_items

DUE = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("limit", "extension", "expected"),
    [
        (3, None, (DUE, 3, 0)),
        (3, (DUE + timedelta(days=2), 2), (DUE + timedelta(days=2), 5, 2)),
        (None, (DUE + timedelta(days=2), 2), (DUE + timedelta(days=2), None, 2)),
        (2, (DUE - timedelta(days=1), 0), (DUE - timedelta(days=1), 2, 0)),
    ],
)
def test_terms_for_an_assignment_with_and_without_an_extension(limit, extension, expected):
    assignment = Assignment(due_at=DUE, attempt_limit=limit)
    granted = None
    if extension is not None:
        granted = Extension(assignment=assignment, due_at=extension[0], extra_attempts=extension[1])
    terms = selectors.terms_for(assignment, granted)
    assert (terms.due_at, terms.attempt_limit, terms.extra_attempts) == expected
    if limit is None:
        assert terms.attempts_left(50) is None
    else:
        assert terms.attempts_left(expected[1] - 1) == 1
        assert terms.attempts_left(expected[1] + 4) == 0
    assert terms.is_late(expected[0] + timedelta(seconds=1))
    assert not terms.is_late(expected[0])


@pytest.fixture
def practice(cohort, bank, student, instructor):
    """A practice assignment of one quiz-number problem: 1 attempt, due DUE; the student has
    an extension to DUE + 2 days with 2 more attempts."""
    assignment = factories.make_assignment(
        cohort, [bank[0]], due_at=DUE, attempt_limit=1, slug="practice", published=True
    )
    Extension.objects.create(
        assignment=assignment,
        user=student,
        due_at=DUE + timedelta(days=2),
        extra_attempts=2,
    )
    return assignment


def test_every_reader_takes_the_students_terms_from_terms_for(practice, student, monkeypatch, api):
    """Replace the one rule: the dashboard, the problem's access and the API follow it."""
    odd = selectors.Terms(DUE + timedelta(days=30), 7, 6)
    real = selectors.terms_for
    seen = []

    def terms_for(assignment, extension):
        seen.append(assignment.pk)
        real(assignment, extension)  # still fine to compute
        return odd

    monkeypatch.setattr(selectors, "terms_for", terms_for)
    now = DUE + timedelta(days=1)
    group = next(
        g for g in progress.dashboard_progress(student, now) if g.assignment.pk == practice.pk
    )
    assert group.due_at == odd.due_at and not group.closed
    assert group.problems[0].attempts_left == 7
    access = selectors.access_problem(student, "qn-1", now=now)
    assert (access.due_at, access.attempt_limit, access.extra_attempts) == (odd.due_at, 7, 6)
    with freeze_time(now):
        detail = api(student).get("/api/v1/problems/qn-1").json()
    assert detail["attempts_left"] == 7
    assert set(seen) == {practice.pk}


def test_dashboard_page_api_and_submit_agree_on_an_extension(practice, student, api):
    """After the assignment's own due date and limit, the extension's terms hold everywhere."""
    client = api(student)
    now = DUE + timedelta(days=1)  # past the assignment's due date, within the extension
    with freeze_time(now):
        for _ in range(3):
            group = next(
                g for g in progress.dashboard_progress(student) if g.assignment.pk == practice.pk
            )
            left = client.get("/api/v1/problems/qn-1").json()["attempts_left"]
            assert not group.closed
            assert group.problems[0].attempts_left == left > 0
            response = client.post(
                "/api/v1/problems/qn-1/submissions", {"answer": 1}, format="json"
            )
            assert response.status_code == 202, response.json()
            assert Submission.objects.get(pk=response.json()["id"]).late is False
        assert client.get("/api/v1/problems/qn-1").json()["attempts_left"] == 0
        refused = client.post("/api/v1/problems/qn-1/submissions", {"answer": 1}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "no_attempts_left"


def test_the_quiz_page_offers_the_tries_an_extension_gives(make_quiz, student, instructor, t0):
    """A one-try quiz, and an extension with one more try for this student: the submission
    path takes a second answer, so the quiz page offers it too."""
    quiz = make_quiz()
    Extension.objects.create(
        assignment=quiz.assignment, user=student, due_at=quiz.closes_at, extra_attempts=1
    )
    page = Client()
    page.force_login(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        item = drawn_items(QuizAttempt.objects.get(user=student))[0]
        first = page.post(f"{url}/questions/1", {"q1-answer": str(wrong_sum_for(student, item))})
        assert first.status_code == 302
        card = page.get(url).context["cards"][0]
        assert (card.tries_used, card.tries_left) == (1, card.detail["attempts_left"]) == (1, 1)
        second = page.post(f"{url}/questions/1", {"q1-answer": "1"})
        assert second.status_code == 302  # taken, as the page said
        card = page.get(url).context["cards"][0]
    assert (card.tries_used, card.tries_left) == (2, 0)
