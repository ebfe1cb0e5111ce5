"""Password hashers side by side: the CPU one login's check costs.

Run: ``make bench BENCH_ARGS=hashers`` (or ``python -m bench hashers``).

Method: for each hasher, one stored hash of the same password, then ``verify`` it 5 times and
report the mean wall and CPU time (this process's user + system) per check. Interleaved rounds
(every hasher once per round, 3 rounds), so that load from other processes on the shared
machine hits all alike; the table shows each hasher's best round (the least disturbed) and the
ratio to Stride's. The load average is printed: compare ratios, not absolute times.
"""

from __future__ import annotations

import os
import resource
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

ROUNDS = 3
CHECKS = 5
PASSWORD = "correct horse battery staple"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher

    from config.hashers import StrideArgon2PasswordHasher

    hashers = {
        "Stride: argon2id m=19 MiB t=2 p=1": StrideArgon2PasswordHasher(),
        "Django PBKDF2-SHA256, 1,000,000 iterations": PBKDF2PasswordHasher(),
        "Django Argon2 default: m=100 MiB t=2 p=8": Argon2PasswordHasher(),
    }
    stored = {name: h.encode(PASSWORD, h.salt()) for name, h in hashers.items()}
    best: dict[str, tuple[float, float]] = {}
    for _ in range(ROUNDS):
        for name, hasher in hashers.items():
            wall0, cpu0 = time.perf_counter(), _cpu()
            for _ in range(CHECKS):
                assert hasher.verify(PASSWORD, stored[name])
            wall = (time.perf_counter() - wall0) / CHECKS * 1000
            cpu = (_cpu() - cpu0) / CHECKS * 1000
            if name not in best or cpu < best[name][1]:
                best[name] = (wall, cpu)
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    base = best["Stride: argon2id m=19 MiB t=2 p=1"][1]
    print("| hasher | wall ms | CPU ms | CPU vs Stride's |\n|---|---|---|---|")
    for name, (wall, cpu) in best.items():
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {cpu / base:.1f}x |")
