"""Personas and fixtures shared by the whole suite.

Personas: ``student`` (in ``cohort``), ``other_student`` (same cohort), ``assistant`` (on
``cohort``'s staff, reads and grades but does not write), ``instructor`` (teaches ``cohort``),
``other_instructor`` (teaches ``other_cohort`` only), ``outsider`` (a student of another cohort)
and the anonymous visitor (no fixture: a client that never logs in).

Services: when ``STRIDE_REQUIRE_SERVICES=1`` (CI), tests that need PostgreSQL, Redis or Chromium
fail instead of skipping.
Browser tests (marked ``browser`` or using a browser fixture) are all skipped, with one line
saying how to enable them, on a machine without Chromium.
"""

from __future__ import annotations

import os
import threading
import weakref

import pytest
from rest_framework.test import APIClient

from exercises.models import Role
from tests import factories

REQUIRE_SERVICES = os.environ.get("STRIDE_REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip when a service is missing on a developer's machine; fail in CI."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def psycopg_params(connection) -> dict:
    """Keyword arguments for ``psycopg.connect`` to the database a Django connection uses (the
    test database inside a test), without Django's own cursor factory and adapters context."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return params


# --- Browser tests: whether they can run is decided once, at collection ------------------------

_NO_BROWSER = pytest.StashKey[str]()


def pytest_collection_modifyitems(config, items):
    """Mark every test that starts a browser ``browser`` (by its fixtures, marked or not) and
    decide once, before any Playwright is started, whether they can run here. Without Chromium
    they are skipped in ``pytest_runtest_setup``, before their fixtures; under
    ``STRIDE_REQUIRE_SERVICES=1`` they run and their fixtures fail (``require_chromium``)."""
    from tests.chromium import BROWSER_FIXTURES, missing_chromium

    found = False
    for item in items:
        if item.get_closest_marker("browser") is None and BROWSER_FIXTURES.intersection(
            getattr(item, "fixturenames", ())
        ):
            item.add_marker(pytest.mark.browser)
        found = found or item.get_closest_marker("browser") is not None
    reason = missing_chromium() if found and not REQUIRE_SERVICES else None
    if reason:
        config.stash[_NO_BROWSER] = f"browser tests skipped: {reason}"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip a browser test before any of its fixtures runs. Raised here, not as a skip mark, so
    that ``-ra`` folds every such skip into one line (a mark's skips are listed per file)."""
    reason = item.config.stash.get(_NO_BROWSER, None)
    if reason and item.get_closest_marker("browser") is not None:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test databases; before they are dropped, every connection the session
    opened is closed. Django's teardown closes only the connections of the context it runs in,
    and the browser tests' fixtures (beside Playwright's event loop) get their own: left open,
    PostgreSQL refuses to drop the database ("being accessed by other users")."""
    from django.db.backends.signals import connection_created

    opened = weakref.WeakSet()

    def remember(sender, connection, **kwargs):
        if threading.current_thread() is threading.main_thread():  # servers' threads close theirs
            opened.add(connection)

    connection_created.connect(remember, weak=False)
    yield
    connection_created.disconnect(remember)
    for connection in list(opened):
        connection.close()


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import caches

    for backend in caches.all(initialized_only=False):
        backend.clear()
    yield


@pytest.fixture
def cohort(db):
    return factories.make_cohort("ml-101", name="ML 101")


@pytest.fixture
def other_cohort(db):
    return factories.make_cohort("ml-202", name="ML 202")


@pytest.fixture
def student(cohort):
    user = factories.make_user("alice")
    factories.add_member(user, cohort, Role.STUDENT, display_name="Alice A.")
    return user


@pytest.fixture
def other_student(cohort):
    user = factories.make_user("bob")
    factories.add_member(user, cohort, Role.STUDENT, display_name="Bob B.")
    return user


@pytest.fixture
def instructor(cohort):
    user = factories.make_user("iris")
    factories.add_member(user, cohort, Role.INSTRUCTOR)
    return user


@pytest.fixture
def assistant(cohort):
    user = factories.make_user("ada")
    factories.add_member(user, cohort, Role.ASSISTANT)
    return user


@pytest.fixture
def other_instructor(other_cohort):
    user = factories.make_user("otto")
    factories.add_member(user, other_cohort, Role.INSTRUCTOR)
    return user


@pytest.fixture
def outsider(other_cohort):
    user = factories.make_user("oscar")
    factories.add_member(user, other_cohort, Role.STUDENT)
    return user


def api_client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    """``api(user)`` -> an authenticated DRF test client."""
    return api_client_for


@pytest.fixture
def eager_celery():
    """Run tasks in-process when they are published (after commit)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """One real ``celery worker`` for the session, on the test database and the test broker.

    Tests using it must be ``@pytest.mark.django_db(transaction=True)`` so that their rows are
    committed (visible to the worker) and ``delay_on_commit`` publishes.
    """
    from tests.workers import running_worker

    with django_db_blocker.unblock(), running_worker("session") as worker:
        yield worker
