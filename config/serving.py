"""How many threads a web process runs, and how many of them may wait for a grade: one rule,
read by ``config/gunicorn.conf.py`` (the threads) and ``config/settings.py`` (the waits).

A ``?wait=N`` request (``exercises.submissions.grade_events``) holds a gthread thread while it
sleeps, but no CPU and no lock. Before, a process ran 4 threads and let 2 of them wait: 4 waits on a
2-process server. A class of 300 submitting every 3 s sends 100 submissions a second, and under
that load a grade lands 90-300 ms after it is stored (p50 and p95 in ``make bench
BENCH_ARGS=web``), so 10 to 30 waits are open at once against those 4: the rest are answered
``busy`` and their clients fall back to polling (more requests, later verdicts). So a process runs
``STRIDE_WEB_THREADS`` threads (default 20) and lets all but ``SERVING_THREADS`` of them wait
(16; half of them when there are fewer than 8), so that 4 threads are always free for the
requests that need the CPU. An idle thread costs its stack and nothing else; a thread that has
served keeps one persistent PostgreSQL connection (CONN_MAX_AGE), so a host opens at most its
processes times its threads (40 on 2 cores, within PostgreSQL's default of 100).
"""

from __future__ import annotations

from config.env import env_int

DEFAULT_WEB_THREADS = 20
SERVING_THREADS = 4


def web_threads() -> int:
    """Threads per gunicorn process (``STRIDE_WEB_THREADS``)."""
    return env_int("STRIDE_WEB_THREADS", DEFAULT_WEB_THREADS)


def max_waits() -> int:
    """Requests of one process allowed to wait for a grade at once
    (``STRIDE_MAX_WAITS_PER_PROCESS``; 0: none waits, every ``?wait`` answers ``busy``)."""
    threads = web_threads()
    return env_int("STRIDE_MAX_WAITS_PER_PROCESS", max(1, threads // 2, threads - SERVING_THREADS))
