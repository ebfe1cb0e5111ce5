"""How a grading worker's database connections are set up (``config.celery``)."""

from __future__ import annotations

import copy

import psycopg
import pytest
from django.db import connections

from config.celery import _tune_worker_connections
from tests.conftest import psycopg_params

pytestmark = pytest.mark.django_db


def test_a_worker_commits_without_waiting_for_the_disk_and_skips_per_task_health_checks(
    monkeypatch,
):
    connection = connections["default"]
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite connections are left as they are")
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["OPTIONS"]["options"] = "-c statement_timeout=0"  # an operator's own option
    monkeypatch.setattr(connection, "settings_dict", settings_dict)

    _tune_worker_connections()

    assert settings_dict["CONN_HEALTH_CHECKS"] is False
    assert settings_dict["OPTIONS"]["options"] == (
        "-c statement_timeout=0 -c synchronous_commit=off"
    )
    # The option reaches the server as a startup parameter: a real connection runs with it.
    with psycopg.connect(**psycopg_params(connection)) as conn:
        assert conn.execute("SHOW synchronous_commit").fetchone() == ("off",)


def test_web_connections_keep_durable_commits():
    """Only ``worker_init`` applies the worker's settings: the web process never calls it."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    assert "synchronous_commit" not in connection.settings_dict["OPTIONS"].get("options", "")
