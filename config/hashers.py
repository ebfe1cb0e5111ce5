"""The password hasher Stride stores new hashes with.

Argon2id at OWASP's "m=19 MiB, t=2, p=1" point (Password Storage Cheat Sheet): memory-hard, so
a GPU or ASIC guessing passwords pays for 19 MiB per guess, which PBKDF2 never makes it do. On
the 2-core course machine one check costs ~21-24 ms of CPU against ~240-280 ms for Django's
PBKDF2-SHA256 at 1,000,000 iterations (``make bench BENCH_ARGS=hashers``): a class logging in
at once costs seconds of CPU, not minutes.

The algorithm name stays Django's ``argon2``, so the hashes are the stock hasher's format and
any Argon2 parameters still verify. Hashes stored with another hasher in ``PASSWORD_HASHERS``
(PBKDF2 from before) still verify and are rewritten with this one at the user's next login
(Django's ``check_password`` does it when the algorithm or parameters differ).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class StrideArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1  # one lane: one core per check, so concurrent logins do not multiply
