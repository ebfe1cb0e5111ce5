"""Logging in: the one door every password check goes through (the API's token endpoint, the
login form and the admin's login form), and every new password (sign-up, reset, invitation).

A password check is made slow on purpose (Argon2id, ``config.hashers``). So that a class
logging in at once cannot take every core from the students already working, each web process
runs at most ``STRIDE["LOGIN_CONCURRENCY"]`` checks at a time; a login beyond that is refused
at once with ``Busy`` (503 and ``Retry-After``) instead of queueing behind the others while
its client's own timeout runs out.

Guessing is throttled by failed logins, counted in the cache (Redis in production) per account
(whatever address they come from) and per client address (``exercises.accounts.addresses``: a
made-up ``X-Forwarded-For`` changes nothing). Past either limit a login is refused with
``RateLimited`` (429 and ``Retry-After``) before any password is checked, until the window
that began with the first counted failure ends. Only failures count, so a class behind one
NAT address logging in together is not throttled; a success clears its account's count.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy
from rest_framework.authtoken.models import Token

from exercises.accounts.addresses import client_address
from exercises.cohorts.selectors import joinable_cohort
from exercises.errors import Busy, RateLimited
from exercises.models import Cohort

BUSY_RETRY_AFTER_SECONDS = 1


@functools.cache
def _slots(size: int) -> threading.BoundedSemaphore:
    """This process's password-check slots (one semaphore per configured size)."""
    return threading.BoundedSemaphore(size)


@contextmanager
def password_check_slot() -> Iterator[None]:
    """Hold one of this process's password-check slots, or raise ``Busy`` at once."""
    slots = _slots(settings.STRIDE["LOGIN_CONCURRENCY"])
    if not slots.acquire(blocking=False):
        raise Busy(
            gettext("Many people are logging in right now; try again in a second."),
            retry_after=BUSY_RETRY_AFTER_SECONDS,
            code="login_busy",
        )
    try:
        yield
    finally:
        slots.release()


@dataclass(frozen=True)
class FailureCount:
    """Failed logins of one account or one address, in a window that opens at the first."""

    scope: str  # "account" or "address"
    value: str
    limit: int
    window_seconds: int

    @property
    def _key(self) -> str:
        digest = hashlib.sha256(self.value.encode()).hexdigest()[:32]  # no names in the cache
        return f"login-failures:{self.scope}:{digest}"

    @property
    def count_key(self) -> str:
        return f"{self._key}:n"

    @property
    def reset_key(self) -> str:
        return f"{self._key}:reset"

    def add_failure(self, now: float) -> None:
        """Count one failure; the first opens the window (both keys expire with it)."""
        cache.add(self.reset_key, now + self.window_seconds, timeout=self.window_seconds)
        cache.add(self.count_key, 0, timeout=self.window_seconds)
        try:
            cache.incr(self.count_key)
        except ValueError:  # the window ended between the two calls: this failure opens one
            cache.set(self.count_key, 1, timeout=self.window_seconds)

    def clear(self) -> None:
        cache.delete_many([self.count_key, self.reset_key])


def _failure_counts(request: HttpRequest, username: str) -> tuple[FailureCount, FailureCount]:
    """The account's count and the client address's."""
    policy = settings.STRIDE
    window = policy["LOGIN_FAILURE_WINDOW_SECONDS"]
    return (
        FailureCount("account", username.casefold(), policy["LOGIN_FAILURES_PER_ACCOUNT"], window),
        FailureCount(
            "address", client_address(request), policy["LOGIN_FAILURES_PER_ADDRESS"], window
        ),
    )


_REFUSALS = {
    "account": gettext_lazy("Too many failed logins for this account; try again in %(wait)d s."),
    "address": gettext_lazy(
        "Too many failed logins from your network address; try again in %(wait)d s."
    ),
}


def check_not_throttled(counts: tuple[FailureCount, ...], now: float) -> None:
    """Raise ``RateLimited`` when any of ``counts`` is at its limit (one cache round trip)."""
    stored = cache.get_many([key for count in counts for key in (count.count_key, count.reset_key)])
    for count in counts:
        if stored.get(count.count_key, 0) < count.limit:
            continue
        wait = int(stored.get(count.reset_key, now + count.window_seconds) - now) + 1
        raise RateLimited(
            _REFUSALS[count.scope] % {"wait": wait},
            retry_after=wait,
            code="login_throttled",
        )


def check_password_login(
    request: HttpRequest, username: str, password: str
) -> AbstractBaseUser | None:
    """The user these credentials name, or ``None`` when they are wrong.

    Raises ``RateLimited`` when the account or the client's address has failed too often
    (no password is checked then) and ``Busy`` when this process is already checking its
    bound of passwords. A wrong password counts against both; a right one clears the
    account's count.
    """
    account, address = _failure_counts(request, username)
    check_not_throttled((account, address), time.time())
    with password_check_slot():
        user = authenticate(request, username=username, password=password)
    if user is None:
        now = time.time()
        account.add_failure(now)
        address.add_failure(now)
    else:
        account.clear()
    return user


def check_join_code(request: HttpRequest, code: str) -> Cohort | None:
    """The cohort that join code ``code`` opens (``cohorts.selectors.joinable_cohort``), or
    ``None``.

    Signing up is a door into the site like logging in, and a join code is a shared secret
    like a password: guessing codes is throttled with the client address's count of failed
    logins. A wrong code counts as one failure; past the address's limit the sign-up is refused
    with ``RateLimited`` before any code is checked."""
    _, address = _failure_counts(request, "")
    check_not_throttled((address,), time.time())
    cohort = joinable_cohort(code)
    if cohort is None:
        address.add_failure(time.time())
    return cohort


def set_new_password(user: AbstractBaseUser, password: str) -> None:
    """Hash ``password`` into ``user`` (unsaved) in one of this process's password-check slots:
    a new password costs what a check does, so a class signing up (or accepting invitations)
    at once is bounded like one logging in (``Busy`` beyond it)."""
    with password_check_slot():
        user.set_password(password)


def token_for(user: AbstractBaseUser) -> str:
    """The user's API token, made on first use; the same one every time after."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
