"""Logins: bounded password checks per process (503 + Retry-After beyond), the strong hasher
and the upgrade of old hashes, sessions that last."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from rest_framework.test import APIClient

from exercises.accounts import logins
from tests import factories

pytestmark = pytest.mark.django_db


def post_token(username: str, password: str, client: APIClient | None = None, **extra):
    return (client or APIClient()).post(
        "/api/v1/token", {"username": username, "password": password}, format="json", **extra
    )


def test_a_token_request_beyond_the_process_bound_is_a_fast_503_with_retry_after(student):
    with logins.password_check_slot():  # the process's one slot is taken by another login
        response = post_token("alice", factories.PASSWORD)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "login_busy"
    assert post_token("alice", factories.PASSWORD).status_code == 200  # the slot is free again


def test_the_bound_is_the_configured_number_of_checks_at_once(student):
    two = {**settings.STRIDE, "LOGIN_CONCURRENCY": 2}
    with override_settings(STRIDE=two), logins.password_check_slot():
        assert post_token("alice", factories.PASSWORD).status_code == 200
        with logins.password_check_slot():
            assert post_token("alice", factories.PASSWORD).status_code == 503


def test_the_login_form_beyond_the_bound_is_a_503_with_retry_after_and_says_why(client, student):
    with logins.password_check_slot():
        response = client.post(
            "/accounts/login/", {"username": "alice", "password": factories.PASSWORD}
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "Many people are logging in right now" in response.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(student.pk)


def test_the_admin_login_goes_through_the_same_bound(client, instructor):
    instructor.is_staff = True
    instructor.save()
    with logins.password_check_slot():
        response = client.post(
            "/admin/login/?next=/admin/", {"username": "iris", "password": factories.PASSWORD}
        )
    assert "Many people are logging in right now" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_new_passwords_are_stored_as_argon2id_with_the_documented_parameters():
    with override_settings(PASSWORD_HASHERS=settings.STRONG_PASSWORD_HASHERS):
        encoded = make_password("a long enough passphrase")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_pbkdf2_hash_from_before_still_logs_in_and_is_rewritten_as_argon2id(db):
    with override_settings(PASSWORD_HASHERS=settings.STRONG_PASSWORD_HASHERS):
        user = get_user_model().objects.create(
            username="legacy",
            password=make_password("old passphrase", hasher="pbkdf2_sha256"),
        )
        assert user.password.startswith("pbkdf2_sha256$1000000$")
        response = post_token("legacy", "old passphrase")
        assert response.status_code == 200
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        assert user.check_password("old passphrase")


def test_a_browser_session_lasts_a_term_so_a_student_logs_in_once_per_device(client, student):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) >= 120 * 24 * 3600
    assert client.session.get_expire_at_browser_close() is False


def test_the_api_token_is_the_same_on_every_login(student):
    first = post_token("alice", factories.PASSWORD).json()["token"]
    assert post_token("alice", factories.PASSWORD).json()["token"] == first
