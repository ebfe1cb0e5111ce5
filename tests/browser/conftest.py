"""Shared browser fixtures: Playwright driving Debian's Chromium against ``live_server``.

- ``browser``: one headless Chromium for this package (``/usr/bin/chromium``, never Playwright's
  own download). Without Chromium the suite skips these tests before any fixture runs
  (``tests/conftest.py``); in CI they fail (``tests.chromium.require_chromium``).
- ``page_for(user, width=..., height=...)``: a page already logged in as that persona (the
  session cookie of a real login, so no test pays for the login form unless it tests it).
- ``login_page(username, password)``: a fresh page logged in through the login form.
- ``grading_worker``: a real Celery worker process for this package's live-grading tests.
- ``screenshot(page_or_locator, name)``: saves ``test-artifacts/<name>.png`` (git-ignored).
- ``lecture_bank``: the whole bank in an assignment of the personas' cohort (pinned:
  the lecture's numbers); ``conv2d_problem``: the bank's ``implement-conv2d`` in another.

Tests using these must be ``@pytest.mark.django_db(transaction=True)`` (the live server is
another thread with its own connection) and ``@pytest.mark.browser``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests import factories
from tests.chromium import launch_chromium, require_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# Package scope, not session: Playwright's sync API allows one running instance per thread, and
# other suites (tests/quizzes) start their own after this package's tests are done.
@pytest.fixture(scope="package")
def browser():
    require_chromium()  # before Playwright starts: a skip after would leave its loop running
    from playwright import sync_api

    # Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures and
    # tests make beside it are ordinary synchronous ones, which Django would otherwise refuse.
    # Only while this browser lives: the rest of the suite keeps Django's async-safety check.
    with pytest.MonkeyPatch.context() as env, sync_api.sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        instance = launch_chromium(playwright)
        yield instance
        instance.close()


@pytest.fixture(scope="package")
def grading_worker(django_db_setup, django_db_blocker):
    """A real ``celery worker`` grading the browser tests' submissions, for this package only:
    a worker left running for the whole session would take tasks that later suites (the
    fault tests) hand to their own workers."""
    from tests.workers import running_worker

    with django_db_blocker.unblock(), running_worker("browser") as worker:
        yield worker


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    ARTIFACTS.mkdir(exist_ok=True)

    def take(target, name: str, *, full_page: bool = True) -> Path:
        """``target``: a page (the whole page by default) or a locator (just that element)."""
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
        path = ARTIFACTS / f"{safe}.png"
        if hasattr(target, "goto"):
            target.screenshot(path=str(path), full_page=full_page)
        else:
            target.screenshot(path=str(path))
        return path

    return take


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """``new_page(width=, height=, javascript=)``: a blank page whose relative URLs go to the
    live server (``javascript=False``: as a browser with scripts off)."""
    contexts = []

    def make(
        width: int = DESKTOP["width"], height: int = DESKTOP["height"], javascript: bool = True
    ):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=javascript,
            viewport={"width": width, "height": height},
            has_touch=width < 600,
            is_mobile=width < 600,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page_for(new_page, live_server, client) -> Callable[..., object]:
    """``page_for(user)``: a page logged in as ``user`` (the cookie of a real session)."""

    def make(user, width: int = DESKTOP["width"], height: int = DESKTOP["height"], javascript=True):
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page = new_page(width, height, javascript)
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return make


@pytest.fixture
def login_page(new_page) -> Callable[..., object]:
    """``login_page(username, password)``: logs in through the login form."""

    def make(username: str, password: str = factories.PASSWORD, **size):
        page = new_page(**size)
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r"/$"))
        return page

    return make


# --- problems ------------------------------------------------------------------------------------


def _import_bank() -> list:
    """The lecture's problem bank (``exercises/content``), imported as ``make demo`` does."""
    from exercises.bank.importer import import_problems
    from exercises.models import Problem

    import_problems(settings.STRIDE["CONTENT_DIR"])
    return list(Problem.objects.order_by("slug"))


@pytest.fixture
def lecture_bank(db, cohort):
    """``{slug: Problem}`` for the whole bank, in a "CNN basics" assignment of ``cohort`` whose
    variants are the lecture's own numbers (pinned), so a test knows the right answers."""
    from exercises.models import VariantPolicy

    problems = _import_bank()
    factories.make_assignment(
        cohort, problems, title="CNN basics", slug="cnn-basics", variant_policy=VariantPolicy.PINNED
    )
    return {p.slug: p for p in problems}


@pytest.fixture
def conv2d_problem(db, cohort):
    """The bank's ``implement-conv2d``, in an assignment of ``cohort``."""
    problem = next(p for p in _import_bank() if p.slug == "implement-conv2d")
    factories.make_assignment(cohort, [problem], title="Code", slug="code-work")
    return problem
