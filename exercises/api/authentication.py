"""API token authentication with the token's user remembered for a few seconds per process.

DRF's ``TokenAuthentication`` reads the token and its user from the database on every request:
one query with a join, about half a millisecond of web CPU, on every request a class's clients
send (``make bench BENCH_ARGS=webcpu``). A student's client sends the same token hundreds of
times an hour, so each web process remembers, for ``TTL_SECONDS``, which user a token belongs
to, and hands each request its own copy of that user (a request may change its user object
without another request seeing it).

What it costs: a token deleted, or a user deactivated or deleted, is refused at once by the
process where that happened (the signals below forget it there), and by every other web
process within ``TTL_SECONDS``. Tokens never expire in Stride, and a password change does not
revoke them either, so this is the only delay that matters, and it is bounded.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

TTL_SECONDS = 30.0
MAX_ENTRIES = 10_000  # a few KB each: a whole school's tokens in one process


class _Remembered:
    """Token key -> (until, user, token), least recently used dropped first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, object, Token]] = OrderedDict()

    def get(self, key: str) -> tuple[object, Token] | None:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= now:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1], entry[2]

    def put(self, key: str, user, token: Token) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + TTL_SECONDS, user, token)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def forget(self, *, key: str | None = None, user_id: int | None = None) -> None:
        with self._lock:
            if key is not None:
                self._entries.pop(key, None)
            if user_id is not None:
                for k in [k for k, e in self._entries.items() if e[1].pk == user_id]:
                    del self._entries[k]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


remembered = _Remembered()


class RememberingTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's, with the answer remembered per process."""

    def authenticate_credentials(self, key: str):
        found = remembered.get(key)
        if found is None:
            user, token = super().authenticate_credentials(key)  # refusals are never kept
            remembered.put(key, user, token)
        else:
            user, token = found
        return copy.copy(user), token


@receiver(post_delete, sender=Token, dispatch_uid="stride-forget-deleted-token")
def _token_deleted(sender, instance: Token, **kwargs) -> None:
    remembered.forget(key=instance.key)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="stride-forget-saved-user")
@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="stride-forget-gone-user")
def _user_changed(sender, instance, **kwargs) -> None:
    """A user saved (deactivated, renamed, made staff) or deleted: its tokens are read anew."""
    remembered.forget(user_id=instance.pk)
