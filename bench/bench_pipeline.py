"""The grading pipeline end to end: submit_answer -> Redis -> Celery worker -> sandbox -> DB.

Targets, measured side by side in one run against a no-op Celery task through the same broker
and the same worker (the baseline: what Celery alone costs, so the table shows what Django,
PostgreSQL and the sandbox add):

* enqueue-to-stored latency of a trivial code submission (ReLU, one hidden case) on an idle
  worker: p50 <= 30 ms, p99 <= 100 ms over 250 sequential submissions after 30 warm-up ones,
  interleaved one no-op / one submission. Enqueue = ``submit_answer``'s commit; stored = the
  grading transaction's commit, seen by a PostgreSQL LISTEN on a trigger's NOTIFY;
* throughput >= 100 trivial submissions/s for one worker on this 2-core machine, with the
  production settings (prefork, ``CELERY_WORKER_CONCURRENCY``: 2 per core, prefetch 1,
  acks_late; the table names the concurrency it ran with): a burst committed in one
  transaction, from its commit to the last ``graded_at``; best of 3 rounds (the machine is
  shared: the best round is the code's own rate; every round is printed);
* a deadline storm: 2,000 submissions from 500 students (code and number answers) committed at
  once; every one graded exactly once (``bench.pipeline_storm``), p50/p99 latency, total time.

Needs ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``. It creates and drops its own scratch
database ``stride_bench_<pid>`` on that server and uses its own queue ``stride-bench-<pid>`` in
REDIS_URL's database, deleted at the end; it touches no other database, queue or key.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path

from bench.scratch import create_scratch_database, drop_scratch_database

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 30
SEQUENTIAL = 250
BURST_CODE = 600
BURST_NOOP = 1000
ROUNDS = 3
STORM_STUDENTS = 500
STORM_PER_STUDENT = 4
STORM_TIMEOUT = 600.0


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min, {os.cpu_count()} CPUs)"


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system, with reaped children's) of ``root`` and its live descendants:
    the worker, its pool processes, their sandbox zygotes and the reaped sandbox children."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields[1])
        cpu[pid] = sum(int(v) for v in fields[11:15]) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


# --- worker ------------------------------------------------------------------------------------
class Worker:
    """``celery -A config worker`` with the production pool settings (concurrency from
    ``settings.CELERY_WORKER_CONCURRENCY``), on the bench's queue only;
    its log goes to a file (no reader thread competing for the client's CPU)."""

    def __init__(self, queue: str, env: dict[str, str], log_path: Path):
        self.log_path = log_path
        args = [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--pool",
            "prefork",
            "--concurrency",
            os.environ.get("BENCH_CONCURRENCY", "2"),
            "--prefetch-multiplier",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--include",
            "bench.pipeline_tasks",
        ]
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"the benchmark's worker did not start:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


# --- measurements --------------------------------------------------------------------------------
class Pipeline:
    """The client side: submits through ``services.submit_answer`` and times the round trips."""

    def __init__(self, queue: str, redis_url: str, scratch_url: str, worker_pid: int):
        import psycopg
        import redis

        from bench.pipeline_storm import GradeAudit
        from bench.pipeline_tasks import NOOP_TASK, noop
        from config.celery import app

        # Route both tasks to the bench's own queue (before anything is published).
        app.conf.task_routes = {
            "grader.tasks.grade_submission": {"queue": queue},
            NOOP_TASK: {"queue": queue},
        }
        self.app, self.queue, self.noop = app, queue, noop
        self.redis = redis.Redis.from_url(redis_url)
        self.reply_key = f"{queue}:noop-replies"
        self.listener = psycopg.connect(scratch_url, autocommit=True)
        self.listener.execute(f"LISTEN {GradeAudit.CHANNEL}")
        self.stored: dict[int, float] = {}
        self.worker_pid = worker_pid

    def worker_cpu(self) -> float:
        return tree_cpu_seconds(self.worker_pid)

    def close(self) -> None:
        with suppress(Exception):
            self.listener.close()
        with suppress(Exception), self.app.connection_for_write() as conn:
            channel = conn.default_channel
            channel.queue_purge(self.queue)
            channel.queue_delete(self.queue)
        with suppress(Exception):
            # Whatever kombu left under the bench's unique queue name (its bindings, the queue's
            # priority lists) and the no-op replies: keys of this run only.
            for key in self.redis.scan_iter(match=f"*{self.queue}*"):
                self.redis.delete(key)

    # Round trips, in ms.
    def noop_round_trip(self) -> float:
        start = time.perf_counter()
        self.noop.delay(self.reply_key)
        if self.redis.blpop([self.reply_key], timeout=30) is None:
            raise RuntimeError("the no-op task did not come back within 30 s")
        return (time.perf_counter() - start) * 1000

    def code_round_trip(self, submit: Callable[[], object]) -> tuple[float, float, int]:
        """(enqueue-to-stored ms, submit_answer's own ms, id) for one submission."""
        from django.db import transaction

        stamps: dict[str, float] = {}
        start = time.perf_counter()
        with transaction.atomic():
            # Runs at the commit, before delay_on_commit publishes the task.
            transaction.on_commit(lambda: stamps.setdefault("enqueued", time.perf_counter()))
            submission = submit()
        stored = self._wait_stored(submission.pk, timeout=30)
        return (
            (stored - stamps["enqueued"]) * 1000,
            (stamps["enqueued"] - start) * 1000,
            submission.pk,
        )

    def _wait_stored(self, submission_id: int, timeout: float) -> float:
        if submission_id in self.stored:
            return self.stored.pop(submission_id)
        for note in self.listener.notifies(timeout=timeout):
            arrived = time.perf_counter()
            if int(note.payload) == submission_id:
                return arrived
            self.stored[int(note.payload)] = arrived
        raise RuntimeError(f"submission {submission_id} was not graded within {timeout} s")

    def noop_burst(self, n: int) -> float:
        """Tasks/s: publish ``n`` no-ops, from the first publish to the last reply."""
        start = time.perf_counter()
        for _ in range(n):
            self.noop.delay(self.reply_key)
        for _ in range(n):
            if self.redis.blpop([self.reply_key], timeout=60) is None:
                raise RuntimeError("no-op burst: a task did not come back within 60 s")
        return n / (time.perf_counter() - start)


def _verdicts(ids: list[int]) -> dict[str, int]:
    from django.db.models import Count

    from exercises.models import Submission

    rows = Submission.objects.filter(pk__in=ids).values("verdict").annotate(n=Count("id"))
    return {r["verdict"] or "(none)": r["n"] for r in rows}


def run(pipeline: Pipeline, prefix: str) -> list[tuple[str, str, str, str, str]]:
    """Every measurement; returns the table's rows."""
    from bench.pipeline_storm import (
        GradeAudit,
        check_exactly_once,
        make_course,
        queue_storm,
        stored_latencies,
        submit_code,
        wait_until_done,
    )

    audit = GradeAudit()
    audit.install()
    sequential = make_course(f"{prefix}-seq", WARMUP + SEQUENTIAL)
    burst = make_course(f"{prefix}-burst", BURST_CODE)
    storm_course = make_course(f"{prefix}-storm", STORM_STUDENTS)
    rows: list[tuple[str, str, str, str, str]] = []

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    # Warm-up: the worker's processes, their DB connections, the zygote, the tests.py cache.
    students = iter(sequential.students)
    for _ in range(WARMUP):
        pipeline.noop_round_trip()
        pipeline.code_round_trip(partial(submit_code, sequential, next(students)))

    # Sequential latency, interleaved.
    noop_ms, code_ms, submit_ms, ids = [], [], [], []
    for _ in range(SEQUENTIAL):
        noop_ms.append(pipeline.noop_round_trip())
        latency, own, sid = pipeline.code_round_trip(
            partial(submit_code, sequential, next(students))
        )
        code_ms.append(latency)
        submit_ms.append(own)
        ids.append(sid)
    verdicts = _verdicts(ids)
    all_correct = verdicts == {"correct": SEQUENTIAL}
    for label, q, target in (("p50", 0.5, 30.0), ("p99", 0.99, 100.0)):
        code, noop = pct(code_ms, q), pct(noop_ms, q)
        rows.append(
            (
                f"enqueue->stored {label}, ms (n={SEQUENTIAL})",
                f"{code:.1f}",
                f"{noop:.1f}",
                f"<= {target:.0f}",
                verdict(code <= target and all_correct),
            )
        )
    rows.append(
        (
            "  (info) submit_answer itself, p50 / p99 ms",
            f"{pct(submit_ms, 0.5):.1f} / {pct(submit_ms, 0.99):.1f}",
            "",
            "",
            "",
        )
    )
    if not all_correct:
        rows.append(("  sequential verdicts (all must be correct)", str(verdicts), "", "", "FAIL"))

    # Throughput: bursts committed at once, alternating with no-op bursts. From here on nothing
    # listens for each grade, so the audit trigger stops notifying (see GradeAudit).
    audit.notify(False)
    code_rates, noop_rates, code_cpu, noop_cpu = [], [], [], []
    for _ in range(ROUNDS):
        cpu = pipeline.worker_cpu()
        noop_rates.append(pipeline.noop_burst(BURST_NOOP))
        noop_cpu.append((pipeline.worker_cpu() - cpu) * 1000 / BURST_NOOP)
        storm = queue_storm(burst, per_student=1, mixed=False)
        cpu = pipeline.worker_cpu()
        if not wait_until_done(storm.ids, timeout=STORM_TIMEOUT):
            raise RuntimeError("throughput burst did not finish")
        code_cpu.append((pipeline.worker_cpu() - cpu) * 1000 / BURST_CODE)
        _, total = stored_latencies(storm)
        code_rates.append(len(storm.ids) / total)
        check = check_exactly_once(burst, storm.ids, audit)
        if not check.ok:
            rows.append(("  burst exactly-once", check.summary(), "", "all", "FAIL"))
    best = max(code_rates)
    from django.conf import settings

    rows.append(
        (
            f"throughput, submissions/s, {settings.CELERY_WORKER_CONCURRENCY} worker processes "
            f"(best of {ROUNDS}; n={BURST_CODE} / {BURST_NOOP} no-ops)",
            f"{best:.0f} ({', '.join(f'{r:.0f}' for r in code_rates)})",
            f"{max(noop_rates):.0f} ({', '.join(f'{r:.0f}' for r in noop_rates)})",
            ">= 100",
            verdict(best >= 100),
        )
    )

    rows.append(
        (
            "  (info) worker CPU per task, ms (incl. sandbox)",
            f"{min(code_cpu):.1f}",
            f"{min(noop_cpu):.2f}",
            "",
            "",
        )
    )

    # The deadline storm.
    storm = queue_storm(storm_course, per_student=STORM_PER_STUDENT)
    finished = wait_until_done(storm.ids, timeout=STORM_TIMEOUT)
    check = check_exactly_once(storm_course, storm.ids, audit)
    latencies, total = stored_latencies(storm)
    n = len(storm.ids)
    rows.append(
        (
            f"storm: {n} from {STORM_STUDENTS} students, graded exactly once",
            check.summary(),
            "",
            "all, once",
            verdict(finished and check.ok and n == STORM_STUDENTS * STORM_PER_STUDENT),
        )
    )
    if latencies:
        rows.append(
            (
                "storm: enqueue->stored p50 / p99, s",
                f"{pct(latencies, 0.5):.2f} / {pct(latencies, 0.99):.2f}",
                "",
                "reported",
                "",
            )
        )
    rows.append(
        ("storm: total time, s (rate)", f"{total:.2f} ({n / total:.0f}/s)", "", "reported", "")
    )
    audit.uninstall()
    return rows


def print_table(rows: list[tuple[str, str, str, str, str]]) -> None:
    header = ("measurement", "Stride (code submission)", "no-op Celery task", "target", "result")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def main() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url.startswith(
        ("redis://", "rediss://")
    ):
        print("bench pipeline: refused: set DATABASE_URL (PostgreSQL) and REDIS_URL (Redis).")
        return
    if "django" in sys.modules and getattr(sys.modules["django"], "apps", None):
        from django.apps import apps

        if apps.ready:
            print("bench pipeline: refused: Django is already set up in this process.")
            return

    pid = os.getpid()
    scratch_name, queue, prefix = f"stride_bench_{pid}", f"stride-bench-{pid}", f"b{pid}"
    var_dir = Path(tempfile.mkdtemp(prefix=f"stride-bench-{pid}-"))
    print(f"load average before: {load_average()}")
    scratch_url = create_scratch_database(database_url, scratch_name)
    worker = pipeline = None
    try:
        os.environ.update(
            DATABASE_URL=scratch_url,
            DJANGO_SETTINGS_MODULE="config.settings",
            STRIDE_VAR_DIR=str(var_dir),
            STRIDE_CACHE_PREFIX=f"stride-bench-{pid}",
        )
        os.environ.setdefault("SECRET_KEY", "stride-bench-key-not-secret")
        os.environ.setdefault("STRIDE_HTTPS", "0")
        import django

        django.setup()
        from django.core.management import call_command

        from grader.sandbox import detect_tier

        call_command("migrate", verbosity=0, interactive=False)
        print(f"scratch database {scratch_name}, queue {queue}, sandbox tier {detect_tier()}")
        worker = Worker(queue, dict(os.environ), var_dir / "worker.log")
        worker.wait_ready()
        pipeline = Pipeline(queue, redis_url, scratch_url, worker.proc.pid)
        started = time.monotonic()
        rows = run(pipeline, prefix)
        print(f"measured in {time.monotonic() - started:.0f} s")
        print_table(rows)
    except Exception:
        if worker is not None:
            print(f"worker log (tail):\n{worker.log_tail()}")
        raise
    finally:
        if worker is not None:
            worker.stop()
        if pipeline is not None:
            pipeline.close()
        with suppress(Exception):
            from django.db import connections

            connections.close_all()
        drop_scratch_database(database_url, scratch_name)
        shutil.rmtree(var_dir, ignore_errors=True)
        print(f"load average after: {load_average()}")
