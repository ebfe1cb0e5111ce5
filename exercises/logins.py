"""Logging in: the one door every password check goes through (the API's token endpoint, the
login form and the admin's login form).

A password check is made slow on purpose (Argon2id, ``config.hashers``). So that a class
logging in at once cannot take every core from the students already working, each web process
runs at most ``STRIDE["LOGIN_CONCURRENCY"]`` checks at a time; a login beyond that is refused
at once with ``Busy`` (503 and ``Retry-After``) instead of queueing behind the others while
its client's own timeout runs out.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from exercises.errors import Busy

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
            "Many people are logging in right now; try again in a second.",
            retry_after=BUSY_RETRY_AFTER_SECONDS,
            code="login_busy",
        )
    try:
        yield
    finally:
        slots.release()


def check_password_login(
    request: HttpRequest, username: str, password: str
) -> AbstractBaseUser | None:
    """The user these credentials name, or ``None`` when they are wrong.

    Raises ``Busy`` when this process is already checking its bound of passwords.
    """
    with password_check_slot():
        return authenticate(request, username=username, password=password)


def token_for(user: AbstractBaseUser) -> str:
    """The user's API token, made on first use; the same one every time after."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
