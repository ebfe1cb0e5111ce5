"""Login throttles: failed logins per account and per client address, for the token endpoint
and the login form; X-Forwarded-For read only from a trusted proxy."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from exercises.accounts import addresses
from tests import factories

pytestmark = pytest.mark.django_db


def limits(**changes):
    return override_settings(STRIDE={**settings.STRIDE, **changes})


def post_token(username: str, password: str, address: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return APIClient().post(
        "/api/v1/token", {"username": username, "password": password}, format="json", **extra
    )


def assert_throttled(response, code="login_throttled"):
    assert response.status_code == 429, response.content
    assert response.json()["error"]["code"] == code
    assert 1 <= int(response["Retry-After"]) <= settings.STRIDE["LOGIN_FAILURE_WINDOW_SECONDS"] + 1


def test_a_made_up_forwarded_for_from_an_untrusted_peer_does_not_get_past_the_address_limit(
    student,
):
    with limits(LOGIN_FAILURES_PER_ADDRESS=3, TRUSTED_PROXIES=[]):
        for n in range(3):  # three different accounts, three different made-up headers
            response = post_token(f"guess{n}", "wrong", "203.0.113.7", forwarded=f"10.9.9.{n}")
            assert response.status_code == 400
        # Even the right password, under yet another made-up header, is refused unchecked.
        response = post_token("alice", factories.PASSWORD, "203.0.113.7", forwarded="10.9.9.99")
        assert_throttled(response)
        assert "your network address" in response.json()["error"]["message"]
        # Another client is not affected.
        assert post_token("alice", factories.PASSWORD, "203.0.113.8").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_the_one_limited(student):
    proxy = {"TRUSTED_PROXIES": ["10.0.0.0/8"], "LOGIN_FAILURES_PER_ADDRESS": 3}
    with limits(**proxy):
        for n in range(3):
            response = post_token(f"guess{n}", "wrong", "10.0.0.2", forwarded="198.51.100.1")
            assert response.status_code == 400
        assert_throttled(post_token("alice", factories.PASSWORD, "10.0.0.2", "198.51.100.1"))
        # The client cannot escape by writing its own entries to the left of the proxy's.
        spoofed = "192.0.2.55, 198.51.100.1"
        assert_throttled(post_token("alice", factories.PASSWORD, "10.0.0.2", spoofed))
        # A second proxy hop of ours is skipped over to the client.
        chained = "198.51.100.1, 10.0.0.9"
        assert_throttled(post_token("alice", factories.PASSWORD, "10.0.0.2", chained))
        # Another student behind the same proxy logs in.
        assert (
            post_token("alice", factories.PASSWORD, "10.0.0.2", "198.51.100.2").status_code == 200
        )


def test_the_account_limit_holds_across_addresses(student, other_student):
    with limits(LOGIN_FAILURES_PER_ACCOUNT=3):
        for n in range(3):
            assert post_token("alice", "wrong", f"203.0.113.{n + 1}").status_code == 400
        response = post_token("alice", factories.PASSWORD, "203.0.113.200")
        assert_throttled(response)
        assert "this account" in response.json()["error"]["message"]
        assert post_token("bob", factories.PASSWORD, "203.0.113.200").status_code == 200


def test_a_successful_login_clears_the_accounts_count(student):
    with limits(LOGIN_FAILURES_PER_ACCOUNT=3):
        for _ in range(2):
            assert post_token("alice", "wrong", "203.0.113.1").status_code == 400
        assert post_token("alice", factories.PASSWORD, "203.0.113.1").status_code == 200
        for _ in range(2):
            assert post_token("alice", "wrong", "203.0.113.1").status_code == 400
        assert post_token("alice", factories.PASSWORD, "203.0.113.1").status_code == 200


def test_the_login_form_has_the_same_limits_and_says_when_to_come_back(client, student):
    with limits(LOGIN_FAILURES_PER_ACCOUNT=2):
        for _ in range(2):
            response = client.post(
                "/accounts/login/",
                {"username": "alice", "password": "wrong"},
                REMOTE_ADDR="203.0.113.9",
                HTTP_X_FORWARDED_FOR="192.0.2.1",
            )
            assert response.status_code == 200  # the form again, with its error
        response = client.post(
            "/accounts/login/",
            {"username": "alice", "password": factories.PASSWORD},
            REMOTE_ADDR="203.0.113.10",
        )
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Too many failed logins for this account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_on_the_form_and_the_api_add_up(client, student):
    with limits(LOGIN_FAILURES_PER_ADDRESS=2):
        client.post("/accounts/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="192.0.2.4")
        assert post_token("z", "y", "192.0.2.4").status_code == 400
        assert_throttled(post_token("alice", factories.PASSWORD, "192.0.2.4"))


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        ([], "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        (["127.0.0.1"], "203.0.113.7", "1.2.3.4", "203.0.113.7"),  # not from our proxy
        (["127.0.0.1"], "127.0.0.1", "1.2.3.4", "1.2.3.4"),
        (["127.0.0.1"], "127.0.0.1", None, "127.0.0.1"),
        (["10.0.0.0/8"], "10.1.1.1", "9.9.9.9, 1.2.3.4, 10.2.2.2", "1.2.3.4"),
        (["10.0.0.0/8"], "10.1.1.1", "not-an-address, 10.2.2.2", "10.2.2.2"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
        (["127.0.0.1"], "::ffff:127.0.0.1", "1.2.3.4", "1.2.3.4"),
    ],
)
def test_client_address(trusted, remote, forwarded, client):
    with limits(TRUSTED_PROXIES=trusted):
        assert addresses.client_address(request_from(remote, forwarded)) == client


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded"),
    [([], "203.0.113.7", "1.2.3.4"), (["127.0.0.1"], "127.0.0.1", "5.6.7.8")],
)
def test_drf_num_proxies_agrees_with_our_rule_for_the_configured_proxies(
    trusted, remote, forwarded
):
    """DRF's own throttles count hops (NUM_PROXIES) rather than checking the peer; set from
    the same setting, they name the same client in the deployments the setting describes."""
    num_proxies = 1 if trusted else 0
    rest = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    with limits(TRUSTED_PROXIES=trusted), override_settings(REST_FRAMEWORK=rest):
        api_settings.reload()
        try:
            request = request_from(remote, forwarded)
            drf_ident = AnonRateThrottle().get_ident(Request(request))
            assert drf_ident == addresses.client_address(request)
        finally:
            api_settings.reload()


def test_settings_set_num_proxies_from_the_trusted_proxies():
    expected = 1 if settings.STRIDE["TRUSTED_PROXIES"] else 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == expected
