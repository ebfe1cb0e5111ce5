"""Fixtures for the instructor side: a cohort with staff of every role, and ``tally``, a tiny
problem kind (``tests.instructor.fakekind``) added next to the real kinds for every test here,
so these tests do not depend on how the real kinds phrase their specs."""

from __future__ import annotations

import pytest

import grader.kinds as kinds_module
from tests.instructor import fakekind


@pytest.fixture(autouse=True)
def tally_kind(monkeypatch):
    """Make ``get_kind("tally")`` answer everywhere it was imported by name."""
    import exercises.assignments.presenters
    import exercises.bank.importer
    import grader.grading
    import grader.selfcheck

    original = kinds_module.get_kind

    def get_kind(name: str):
        return fakekind.TALLY if name == "tally" else original(name)

    modules = (kinds_module, grader.grading, grader.selfcheck, exercises.bank.importer)
    for module in (*modules, exercises.assignments.presenters):
        monkeypatch.setattr(module, "get_kind", get_kind, raising=False)
    return fakekind.TALLY


# --- A cohort to teach (its personas are the suite's, in tests/conftest.py) ----------------------
@pytest.fixture
def tally_problem(db):
    from tests import factories

    return factories.make_problem(
        "tally-sum",
        kind="tally",
        spec={"a": [2, 9], "b": [1, 5]},
        title="Add a and b",
        statement="What is {{ a }} + {{ b }}?",
        points=2,
    )


@pytest.fixture
def second_problem(db):
    from tests import factories

    return factories.make_problem(
        "tally-two", kind="tally", spec={"a": [3, 3], "b": [4, 4]}, title="Add again", points=1
    )


@pytest.fixture
def assignment(cohort, tally_problem, second_problem):
    from tests import factories

    return factories.make_assignment(
        cohort, [tally_problem, second_problem], title="Week 1", slug="week-1"
    )


@pytest.fixture
def grade(django_capture_on_commit_callbacks):
    """``grade(user, problem, assignment, answer, at=None)``: store a submission and grade it
    through the real path (claim, grade_payload, record_grade, after-commit leaderboard hook).
    ``answer="correct"`` sends the variant's own right answer."""
    from freezegun import freeze_time

    from exercises.models import Status, Submission
    from exercises.submissions import services
    from grader.grading import grade_payload, params_for

    def _grade(user, problem, assignment, answer, at=None):
        seed = services.variant_seed(user.pk, problem, assignment, 1)
        if answer == "correct":
            params = params_for(problem.kind, problem.spec, seed)
            answer = params["a"] + params["b"]
        elif answer == "forgot-b":
            answer = params_for(problem.kind, problem.spec, seed)["a"]
        attempt = Submission.objects.filter(user=user, problem=problem).count() + 1
        with freeze_time(at) if at else _noop():
            submission = Submission.objects.create(
                user=user,
                problem=problem,
                assignment=assignment,
                payload={"answer": answer},
                variant_seed=seed,
                attempt_number=attempt,
                max_score=problem.points,
                status=Status.QUEUED,
            )
        with django_capture_on_commit_callbacks(execute=True):
            job = services.claim_submission(submission.pk, "test-token")
            result = grade_payload(job.kind, job.spec, job.seed, job.payload)
            services.record_grade(submission.pk, "test-token", result)
        submission.refresh_from_db()
        return submission

    return _grade


class _noop:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def redis_db():
    """The Redis of REDIS_URL (the test's own db), flushed; skips without Redis."""
    from django.conf import settings

    from tests.conftest import need

    need(bool(settings.REDIS_URL), "REDIS_URL is not set")
    from exercises.leaderboards import services as leaderboards

    client = leaderboards.redis_client()
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def client_for(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- Browser (Playwright driving Debian's Chromium) ----------------------------------------------


@pytest.fixture
def browser_for(live_server, client, monkeypatch):
    """``browser_for(user)`` -> a Playwright page logged in as ``user`` on the live server."""
    from tests.chromium import launch_chromium, require_chromium

    require_chromium()  # before Playwright starts: a skip after would leave its loop running
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as manager:
        browser = launch_chromium(manager)
        contexts = []

        def _open(user):
            client.force_login(user)
            context = browser.new_context(accept_downloads=True)
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(15_000)
            return page

        yield _open
        for context in contexts:
            context.close()
        browser.close()


@pytest.fixture
def artifacts():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder
