"""Web CPU per request type: Django's WSGI handler driven in this process, one request at a time,
over the real middleware stack, production settings, PostgreSQL and Redis.

Why in-process: ``make bench BENCH_ARGS=web`` reads the web server's CPU from ``/proc`` under a
class's load, which says what the tier costs but not which request costs what, and its figure
moves with the load the load generator itself puts on the shared cores. Here each request is
one call of ``config.wsgi.application`` (what gunicorn calls for it, with the response's
iterator consumed and closed, so ``request_finished`` runs too) and its cost is the process's
CPU time (``time.process_time()``) around that call. Not included: gunicorn's HTTP parsing and
access log line, and PostgreSQL's and Redis's own CPU (other processes).

The request types, each as a student's client sends it, with an API token:

- ``GET /api/v1/problems`` and ``GET /api/v1/problems/<slug>``;
- ``POST /api/v1/problems/<slug>/submissions`` with an ``Idempotency-Key``;
- ``GET /api/v1/submissions/<id>``, a graded submission (the poll);
- ``GET /api/v1/submissions/<id>?wait=20`` sent right after a code submission (``implement-conv2d``;
  a number answer is graded in its submit), as the problem page and the web bench do: it waits
  for a real Celery worker (``--pool solo``, started here, with the sandbox) to grade
  it, and how it ended (``X-Stride-Wait``) is counted;
- the leaderboard ``?top=10``: a 200 whose view is already in Redis, a 200 at a new version
  (the first reader after a grade computes the students' view), and a 304 for
  ``If-None-Match``;
- ``/healthz`` (one query and a broker connection): the baseline;
- the mixed request: the web bench's round (open a problem, submit, wait for the verdict unless
  the submit's answer already carries it, read the board with the last ETag), CPU over the
  round's requests divided by their number.

The types are interleaved, round after round, after a warm-up; the table gives the median, the
mean and the 90th percentile of CPU ms, and the median wall ms (which includes the database's
and Redis's answers). Then a profile of each type (cProfile, the functions taking most of their
own time) unless ``BENCH_WEBCPU_PROFILE=0``; ``BENCH_WEBCPU_PROFILE=N`` prints N lines each.

Environment: ``DATABASE_URL`` (PostgreSQL; a scratch database is made and dropped) and
``REDIS_URL`` (give it a Redis database no other grading worker listens on: the solo worker
here takes the ``grading`` queue). ``BENCH_WEBCPU_ROUNDS`` (default 200) requests of each type.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_pipeline import load_average
from bench.bench_web import Service
from bench.scratch import create_scratch_database, drop_scratch_database

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("BENCH_WEBCPU_ROUNDS", "200"))
WARMUP = 10
PROFILE_LINES = int(os.environ.get("BENCH_WEBCPU_PROFILE", "12"))
PROFILE_DIR = os.environ.get("BENCH_WEBCPU_PROFILE_DIR", "")  # also keep each as a .prof file
COHORT = "demo"  # setup_demo's, with the bank in its "CNN basics" assignment
SLUG = "conv-layer-params"  # a number problem: (f*f*c + 1) * k
# The ?wait= row waits for a worker's grade: code (a quick kind is graded in the submit itself).
CODE_SLUG = "implement-conv2d"
CODE = (ROOT / "tests" / "exercises" / "bank_solutions" / "conv2d.py").read_text()
# Submissions per student stay under the default rate limit (20 a minute): the students take
# turns, and each round submits twice (the submit measured, and the one the wait is for).
STUDENTS = max(20, (2 * (ROUNDS + WARMUP)) // 10 + 1)


# --- WSGI ---------------------------------------------------------------------------------------
@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    cpu_ms: float
    wall_ms: float

    def json(self):
        return json.loads(self.body)


def _environ(method: str, path: str, headers: dict[str, str], body: bytes) -> dict:
    """What gunicorn hands the application for a request from 127.0.0.1."""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "bench-webcpu",
        "HTTP_ACCEPT": "*/*",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        "HTTP_CONNECTION": "keep-alive",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def call(app, method: str, path: str, headers: dict[str, str] | None = None, body=None) -> Answer:
    """One request through the application, its CPU and wall time."""
    data = json.dumps(body).encode() if body is not None else b""
    environ = _environ(method, path, headers or {}, data)
    seen: dict = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, response_headers

    wall, cpu = time.perf_counter(), time.process_time()
    result = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()  # request_finished: what gunicorn does after the last byte
    cpu = (time.process_time() - cpu) * 1000
    wall = (time.perf_counter() - wall) * 1000
    return Answer(int(seen["status"].split()[0]), dict(seen["headers"]), content, cpu, wall)


# --- the world -----------------------------------------------------------------------------------
def start_worker(env: dict[str, str], logs: Path) -> Service:
    """A real Celery worker on the bench's database and Redis (solo pool: one process), once it
    says it is ready."""
    celery = ["-m", "celery", "-A", "config", "worker", "-Q", "grading,regrade", "--pool", "solo"]
    name = f"bench-webcpu-{os.getpid()}@%h"
    worker = Service(
        "worker", [sys.executable, *celery, "--loglevel", "INFO", "-n", name], env, ROOT, logs
    )
    deadline = time.monotonic() + 120
    while " ready." not in worker.log_path.read_text(errors="replace"):
        if worker.proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start:\n{worker.log_tail()}")
        time.sleep(0.2)
    return worker


def _set_up_django(scratch_url: str, redis_url: str, var_dir: Path) -> dict[str, str]:
    """Production settings on the scratch database; returns the environment the worker gets."""
    os.environ.update(
        DATABASE_URL=scratch_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="stride-bench-webcpu-not-secret",
        STRIDE_HTTPS="0",
        STRIDE_VAR_DIR=str(var_dir),
        STRIDE_CACHE_PREFIX=f"stride-bench-webcpu-{os.getpid()}",
    )
    # The students take turns, but the profile pass after the timed rounds submits as fast as
    # the machine allows: the limit is still checked (its query is in every submit), never hit.
    os.environ.setdefault("STRIDE_SUBMISSIONS_PER_MINUTE", "100000")
    for name in ("DEBUG", "STRIDE_DEMO", "STRIDE_FAST_PASSWORD_HASHER", "CELERY_TASK_ALWAYS_EAGER"):
        os.environ.pop(name, None)
    import django

    django.setup()
    return dict(os.environ)


def _make_cohort() -> list[str]:
    """The demo cohort with ``STUDENTS`` students, each with an API token."""
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from exercises.cohorts import services as roster
    from exercises.models import Cohort

    call_command("migrate", "--noinput", verbosity=0)
    call_command("import_problems", stdout=io.StringIO())
    call_command("setup_demo", stdout=io.StringIO())
    cohort = Cohort.objects.get(slug=COHORT)
    names = [f"bench-webcpu-{i:03d}" for i in range(STUDENTS)]
    roster.import_roster(cohort, "username\n" + "\n".join(names) + "\n")
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=names).order_by("username")
    return [Token.objects.get_or_create(user=user)[0].key for user in users]


# --- the measure ---------------------------------------------------------------------------------
@dataclass
class Samples:
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)

    def add(self, answer: Answer, n: int = 1) -> None:
        self.cpu.append(answer.cpu_ms / n)
        self.wall.append(answer.wall_ms / n)


TYPES = (
    "GET /problems (list)",
    "GET /problems/<slug>",
    "POST /problems/<slug>/submissions",
    "GET /submissions/<id> (graded)",
    "GET /submissions/<id>?wait=20",
    "GET leaderboard?top=10, 200 (view in Redis)",
    "GET leaderboard?top=10, 200 (new version)",
    "GET leaderboard?top=10, 304 (If-None-Match)",
    "GET /healthz",
)
MIXED = "mixed: the web bench's round, per request"


class Bench:
    def __init__(self, app, tokens: list[str]):
        self.app, self.tokens = app, tokens
        self.turn = 0
        self.samples = {name: Samples() for name in (*TYPES, MIXED)}
        self.waits: Counter[str] = Counter()
        self.etags: dict[str, str] = {}
        self.profiles: dict[str, cProfile.Profile] = {}
        self.profiling = False

    def _auth(self, token: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Token {token}", **extra}

    def _token(self) -> str:
        self.turn += 1
        return self.tokens[self.turn % len(self.tokens)]

    def _call(self, name: str, method: str, path: str, headers=None, body=None) -> Answer:
        if not self.profiling:
            return call(self.app, method, path, headers, body)
        # CPU time, as the table: the default (wall) timer would rank waits on PostgreSQL first.
        profile = self.profiles.setdefault(name, cProfile.Profile(time.process_time))
        profile.enable()
        try:
            return call(self.app, method, path, headers, body)
        finally:
            profile.disable()

    def _expect(self, answer: Answer, *statuses: int, what: str) -> Answer:
        if answer.status not in statuses:
            raise RuntimeError(f"{what}: {answer.status} {answer.body[:300]!r}")
        return answer

    def _submit(self, token: str, body: dict, name: str | None = None, slug: str = SLUG) -> Answer:
        headers = self._auth(token, **{"Idempotency-Key": str(uuid.uuid4())})
        path = f"/api/v1/problems/{slug}/submissions"
        if name is None:
            answer = call(self.app, "POST", path, headers, body)
        else:
            answer = self._call(name, "POST", path, headers, body)
        return self._expect(answer, 202, what="submit")

    def _answer_body(self, token: str) -> dict:
        detail = call(self.app, "GET", f"/api/v1/problems/{SLUG}", self._auth(token))
        p = self._expect(detail, 200, what="problem detail").json()["params"]
        return {"answer": (p["f"] * p["f"] * p["c"] + 1) * p["k"]}

    def _until_graded(self, token: str, submission: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = call(self.app, "GET", f"/api/v1/submissions/{submission}", self._auth(token))
            if answer.json()["status"] in ("graded", "error"):
                return
            time.sleep(0.02)
        raise RuntimeError(f"submission {submission} was not graded within 60 s")

    def one_round(self, record: bool) -> None:
        """Each type once (a different student for each submit and wait), then the mixed round."""

        def keep(name: str, answer: Answer, n: int = 1) -> None:
            if record:
                self.samples[name].add(answer, n)

        token = self._token()
        keep(
            TYPES[0],
            self._expect(
                self._call(TYPES[0], "GET", "/api/v1/problems", self._auth(token)), 200, what="list"
            ),
        )
        keep(
            TYPES[1],
            self._expect(
                self._call(TYPES[1], "GET", f"/api/v1/problems/{SLUG}", self._auth(token)),
                200,
                what="detail",
            ),
        )
        body = self._answer_body(token)
        submitted = self._submit(token, body, TYPES[2])
        keep(TYPES[2], submitted)
        graded = submitted.json()["id"]
        self._until_graded(token, graded)
        keep(
            TYPES[3],
            self._expect(
                self._call(TYPES[3], "GET", f"/api/v1/submissions/{graded}", self._auth(token)),
                200,
                what="poll",
            ),
        )

        token = self._token()
        pending = self._submit(token, {"code": CODE}, slug=CODE_SLUG).json()["id"]
        waited = self._call(
            TYPES[4], "GET", f"/api/v1/submissions/{pending}?wait=20", self._auth(token)
        )
        self._expect(waited, 200, what="wait")
        keep(TYPES[4], waited)
        if record:
            self.waits[waited.headers.get("X-Stride-Wait", "none (graded before it asked)")] += 1

        board = f"/api/v1/cohorts/{COHORT}/leaderboard?top=10"
        self._bump_board()
        keep(
            TYPES[6],
            self._expect(
                self._call(TYPES[6], "GET", board, self._auth(token)),
                200,
                what="board at a new version",
            ),
        )
        for _ in range(10):  # a grade landing between the two reads changes the version
            fresh = self._expect(
                self._call(TYPES[5], "GET", board, self._auth(token)), 200, what="board"
            )
            etag = {"If-None-Match": fresh.headers["ETag"]}
            same = self._call(TYPES[7], "GET", board, self._auth(token, **etag))
            if same.status == 304:
                break
        keep(TYPES[5], fresh)
        keep(TYPES[7], self._expect(same, 304, what="board 304"))
        keep(TYPES[8], self._expect(self._call(TYPES[8], "GET", "/healthz"), 200, what="healthz"))
        self._mixed_round(keep)

    def _bump_board(self) -> None:
        """What a grade does to the board's version (the wait's grade may not have changed the
        standings), more than a second after the last view was computed: the next reader
        computes the students' view at the new version (``LEADERBOARD_COALESCE_MS``)."""
        from exercises.leaderboards import selectors as board_reads
        from exercises.leaderboards import services as leaderboards
        from exercises.models import Cohort

        cohort_id = Cohort.objects.values_list("pk", flat=True).get(slug=COHORT)
        client = leaderboards.redis_client()
        scope = leaderboards.scope_name(cohort_id)
        leaderboards.bump_version(client, leaderboards.version_key(scope))
        client.delete(board_reads.latest_view_key(scope))

    def _mixed_round(self, keep: Callable[..., None]) -> None:
        """The web bench's round for one student: open, submit (right or wrong), wait (not when
        the submit came back graded, as the page does), board."""
        token = self._token()
        cpu = wall = 0.0
        opened = self._call(MIXED, "GET", f"/api/v1/problems/{SLUG}", self._auth(token))
        p = self._expect(opened, 200, what="mixed open").json()["params"]
        right = (p["f"] * p["f"] * p["c"] + 1) * p["k"]
        submitted = self._submit(token, {"answer": right + self.turn % 2}, MIXED)
        parts = [opened, submitted]
        if submitted.json()["status"] in ("queued", "running"):  # not graded in the request
            parts.append(
                self._call(
                    MIXED,
                    "GET",
                    f"/api/v1/submissions/{submitted.json()['id']}?wait=20",
                    self._auth(token),
                )
            )
        etag = self.etags.get(token)
        headers = self._auth(token, **({"If-None-Match": etag} if etag else {}))
        board = self._call(MIXED, "GET", f"/api/v1/cohorts/{COHORT}/leaderboard?top=10", headers)
        self._expect(board, 200, 304, what="mixed board")
        if board.status == 200 and "ETag" in board.headers:  # none when Redis did not answer
            self.etags[token] = board.headers["ETag"]
        parts.append(board)
        cpu = sum(a.cpu_ms for a in parts)
        wall = sum(a.wall_ms for a in parts)
        keep(MIXED, Answer(200, {}, b"", cpu, wall), len(parts))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def report(bench: Bench) -> None:
    rows = []
    for name, samples in bench.samples.items():
        if not samples.cpu:
            continue
        rows.append(
            (
                name,
                str(len(samples.cpu)),
                f"{statistics.median(samples.cpu):.2f}",
                f"{statistics.fmean(samples.cpu):.2f}",
                f"{pct(samples.cpu, 0.9):.2f}",
                f"{statistics.median(samples.wall):.2f}",
            )
        )
    table(("request", "n", "CPU ms p50", "CPU ms mean", "CPU ms p90", "wall ms p50"), rows)
    total = sum(bench.waits.values())
    print(
        "\n`?wait=20` sent right after its submit ended: "
        + ", ".join(f"{k} {v} ({v * 100 / total:.0f}%)" for k, v in bench.waits.most_common())
    )


def _file_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def print_profiles(bench: Bench) -> None:
    for name, profile in bench.profiles.items():
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        calls = ROUNDS if name != MIXED else ROUNDS * 4
        if PROFILE_DIR:
            stats.dump_stats(str(Path(PROFILE_DIR) / f"{_file_name(name)}.prof"))
        stats.strip_dirs().sort_stats("tottime").print_stats(PROFILE_LINES)
        lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
        start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
        print(f"\n#### {name}: own CPU time of the top functions over {calls} requests\n")
        print("```")
        print("\n".join(lines[start:]))
        print("```")


def main() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url.startswith(
        ("redis://", "rediss://")
    ):
        print("bench webcpu: refused: set DATABASE_URL (PostgreSQL) and REDIS_URL (Redis).")
        return
    name = f"stride_bench_webcpu_{os.getpid()}"
    tmp = Path(tempfile.mkdtemp(prefix="stride-bench-webcpu-"))
    scratch = ""
    worker = None
    print(f"load average before: {load_average()}", flush=True)
    try:
        scratch = create_scratch_database(database_url, name)
        env = _set_up_django(scratch, redis_url, tmp / "var")
        tokens = _make_cohort()
        worker = start_worker(env, tmp)
        from config.wsgi import application

        bench = Bench(application, tokens)
        for _ in range(WARMUP):
            bench.one_round(record=False)
        for _ in range(ROUNDS):
            bench.one_round(record=True)
        print(
            f"\n{ROUNDS} requests of each type after {WARMUP} warm-up rounds, interleaved; "
            f"{STUDENTS} students with tokens; production settings (DEBUG off) on PostgreSQL and "
            "Redis; CPU is this process's (time.process_time) around one WSGI call\n"
        )
        report(bench)
        if PROFILE_LINES > 0:
            bench.profiling = True
            for _ in range(ROUNDS):
                bench.one_round(record=False)
            print_profiles(bench)
    finally:
        if worker is not None:
            worker.stop()
        with suppress(Exception):
            from exercises.leaderboards import services as leaderboards

            client = leaderboards.redis_client()
            for key in client.scan_iter(match=f"*stride-bench-webcpu-{os.getpid()}*"):
                client.delete(key)
        with suppress(Exception):
            from django.db import connections

            connections.close_all()
        if scratch:
            drop_scratch_database(database_url, name)
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"\nload average after: {load_average()}", flush=True)
