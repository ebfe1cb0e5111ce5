"""Quiz fixtures: a deterministic test kind, a quiz in ``cohort`` built from pools of it, a
clock helper and grading in-process.

The test kind ``quiz-number`` (answer ``a * b`` of the student's variant; ``a + b`` is a
diagnosed misconception) keeps these tests independent of the problem bank and of the real
kinds' details: it is served next to the real ``grader.kinds`` registry, never instead of it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from grader.results import Grade, Verdict

TEST_KIND = "quiz-number"


class QuizNumberKind:
    """answer = a * b; the variant is derived from the seed (None: the pinned a=7, b=3)."""

    def generate(self, spec: dict[str, Any], seed: int | None) -> dict[str, Any]:
        if seed is None:
            return {"a": 7, "b": 3}
        # b >= 3: with a = b = 2 the sum a test sends as its wrong answer would be the product
        # (one variant in 1,261 graded a "wrong" answer correct).
        return {"a": 2 + seed % 97, "b": 3 + (seed // 97) % 13}

    def answer_format(self, spec: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        return {"type": "number"}

    def grade(self, spec: dict[str, Any], params: dict[str, Any], answer: Any) -> Grade:
        if not isinstance(answer, int | float) or isinstance(answer, bool):
            return Grade.invalid("Send a number.")
        if answer == params["a"] * params["b"]:
            return Grade(1.0, Verdict.CORRECT, {"message": "Correct."})
        if answer == params["a"] + params["b"]:
            return Grade(
                0.0,
                Verdict.INCORRECT,
                {
                    "message": "Not quite.",
                    "misconception": {
                        "key": "added-not-multiplied",
                        "title": "Added instead of multiplied",
                        "explanation": "The product, not the sum.",
                    },
                },
            )
        return Grade(0.0, Verdict.INCORRECT, {"message": "Incorrect."})


@pytest.fixture(scope="session", autouse=True)
def _load_urlconf_before_freezing_time():
    """Import every view module (and DRF's throttling, whose classes keep ``time.time`` from
    import time) before a test freezes the clock: a module first imported under freezegun
    would keep the fake clock for the rest of the session."""
    import rest_framework.throttling  # noqa: F401
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


@pytest.fixture(autouse=True)
def quiz_kind(monkeypatch):
    """Serve ``quiz-number`` from every place that looks kinds up; delegate the rest."""
    import exercises.assignments.presenters
    import exercises.ops.demo
    import grader.grading
    import grader.kinds

    real = grader.kinds.get_kind

    def get_kind(name: str):
        return QuizNumberKind() if name == TEST_KIND else real(name)

    for module in (
        grader.kinds,
        grader.grading,
        exercises.assignments.presenters,
        exercises.ops.demo,
    ):
        monkeypatch.setattr(module, "get_kind", get_kind)
    return QuizNumberKind()


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the quiz opens; it closes at T0 + 2 h


@pytest.fixture
def t0() -> datetime:
    return T0


@pytest.fixture
def bank(db):
    from tests import factories

    return [
        factories.make_problem(
            f"qn-{i}",
            kind=TEST_KIND,
            spec={},
            title=f"Product {i}",
            statement="Compute {{ a }} times {{ b }}.",
            points=2,
        )
        for i in range(1, 7)
    ]


@pytest.fixture
def make_quiz(instructor, cohort, bank):
    """``make_quiz(**overrides)`` -> QuizSettings: by default 2 of qn-1..qn-4 and 1 of qn-5, qn-6,
    15 minutes, one try, feedback after close, open T0..T0+2h, published."""
    from exercises.quizzes import services as quizzes

    def make(**overrides):
        options = {
            "title": "Quiz 1",
            "slug": "quiz-1",
            "opens_at": T0,
            "closes_at": T0 + timedelta(hours=2),
            "time_limit_minutes": 15,
            "attempt_points": [100],
            "feedback_policy": "after_close",
            "pools": [
                quizzes.PoolSpec(2, ("qn-1", "qn-2", "qn-3", "qn-4"), "products"),
                quizzes.PoolSpec(1, ("qn-5", "qn-6")),
            ],
            "published": True,
        }
        options.update(overrides)
        return quizzes.create_quiz(instructor, cohort, **options)

    return make


def grade_now(submission_id: int) -> str:
    """Grade one queued submission in-process, exactly as the worker would."""
    from exercises.submissions.tasks import grade_submission

    return grade_submission.apply(args=[submission_id]).get()


def answer_for(user, item) -> int:
    """The right answer to a drawn question for this student's variant."""
    from exercises.submissions import services

    seed = services.variant_seed(user.pk, item.problem, item.assignment, 1)
    params = QuizNumberKind().generate({}, seed)
    return params["a"] * params["b"]


def wrong_sum_for(user, item) -> int:
    from exercises.submissions import services

    seed = services.variant_seed(user.pk, item.problem, item.assignment, 1)
    params = QuizNumberKind().generate({}, seed)
    return params["a"] + params["b"]


# --- Browser ---------------------------------------------------------------------------------


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A headless Debian Chromium page (Playwright), closed after the test."""
    from tests.chromium import launch_chromium, require_chromium

    require_chromium()  # before Playwright starts: a skip after would leave its loop running
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are ordinary blocking calls, which Django must be told are fine.
    # monkeypatch, not os.environ: the setting must not leak into later tests (a subprocess
    # running `check --deploy` would report it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()
        browser.close()


def screenshot(page, name: str) -> None:
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "test-artifacts"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"quiz-{name}.png"), full_page=True)


def staff_url(quiz, page: str) -> str:
    """A quiz's staff page, under its cohort's /teach/ pages (``page``: ``monitor``, ...)."""
    return f"/teach/{quiz.assignment.cohort.slug}/quizzes/{quiz.assignment_id}/{page}"
