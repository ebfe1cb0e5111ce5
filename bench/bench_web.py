"""The web tier under a class: ``make serve`` + a Celery worker on PostgreSQL and Redis, loaded
by Locust (headless) with a cohort made through the project's own commands.

Targets (benchmarks, not timed tests): 300 logins at once all done <= 60 s while the
other requests keep p99 <= 1 s; with tokens, every endpoint p99 <= 300 ms; the leaderboard read
<= 5 ms at 1,000 students; click-to-verdict p50 <= 150 ms in Chromium for a number answer and
for ``implement-conv2d``; nothing lost or graded twice. The baseline beside every figure is
``/healthz`` (one query, one broker connection) measured by one more Locust user in the same
run, and the CPU of each side (web, worker, PostgreSQL, Redis, the load generator) is read from
``/proc`` over each phase, so a reader can tell the server's cost from the machine's load.
Each phase also prints the PostgreSQL connections it opened (``pg_stat_database.sessions`` of
the scratch database before and after) and the web processes gunicorn started during it (it
replaces a process after ``max_requests``): both make a phase slower than the steady state.

The load generator: ``BENCH_WEB_LOAD_PROCESSES`` (default 2) independent headless Locust
processes, each with its own share of the students (its own users file and result file; not
Locust's master/worker mode), merged into one phase result (``merge_load_results``). Process 0
alone runs the ``/healthz`` user. Each runs at niceness ``BENCH_WEB_LOAD_NICE`` (default -10;
needs root or CAP_SYS_NICE, else 0 with a note). Why: the server saturates this machine's cores,
and a Locust process (gevent, one core at most) that waits for a core adds that wait to every
time it measures: with one process at normal priority, Locust's p50 submit was 2.2 s (open
0.66 s, board 1.05 s) while an independent client beside it (``Probe``) saw 0.15-0.17 s
(open 0.05-0.06 s, board 0.02-0.03 s). Several processes, each with a raised priority, keep the
load's own delay out of the latencies; the Probe stays, printed beside them, as the check.

The run, in order:

1. A scratch PostgreSQL database ``stride_bench_web_<pid>``; ``manage.py migrate``,
   ``import_problems``, ``setup_demo`` (the ``demo`` cohort and its "CNN basics" assignment)
   and ``enroll`` of a roster CSV of ``BENCH_WEB_STUDENTS`` students with passwords, plus two
   browser accounts and a probe account; ``collectstatic`` for the pages.
2. ``make serve`` (or ``BENCH_WEB_SERVE``, a command with ``{bind}``) and the compose file's
   two worker commands (grading; the low-priority queue), on ``REDIS_URL`` with a cache prefix
   of this run's own.
3. Phase (a): every student logs in at once, then works for ``BENCH_WEB_SECONDS`` after the
   last login. Phase (b): the same students with their tokens work for ``BENCH_WEB_SECONDS``.
   A round (one per ``BENCH_WEB_PACING`` seconds per student): open a problem, submit with an
   ``Idempotency-Key``, wait for the verdict with ``?wait=``, read the leaderboard with
   ``If-None-Match`` (``bench/web_locustfile.py``). Beside the load, an independent client
   (``Probe``) times its own rounds: Locust's figures include its own scheduling delay.
4. Every submission graded exactly once (a trigger counts the transitions to ``graded``).
5. The roster grows to ``BENCH_WEB_BOARD_STUDENTS``; the leaderboard is read one request at a
   time beside ``/healthz``.
6. Chromium (Debian's, through Playwright): click on Submit to the verdict on screen,
   ``BENCH_WEB_CLICKS`` times for a number problem and for ``implement-conv2d``.

Environment: ``DATABASE_URL`` (a PostgreSQL server, 14 or later for the sessions count) and
``REDIS_URL`` are required. The server's grading queue is ``grading`` in REDIS_URL's database:
give the bench a database no other worker listens on. ``BENCH_WEB_TARGET``: another checkout to
serve (its own ``.venv``), e.g. an older commit for a before/after comparison.
``BENCH_WEB_LOAD_PROCESSES``: Locust processes sharing the class (default 2, at most one per
student); ``BENCH_WEB_LOAD_NICE``: their niceness (default -10).
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from contextlib import suppress
from pathlib import Path

from bench.bench_pipeline import load_average, pct
from bench.scratch import admin_connection, create_scratch_database, drop_scratch_database

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "bench" / "web_locustfile.py"
# Locust runs from a venv of its own (make bench-tools): gevent and brotli stay out of Stride's.
LOCUST_PYTHON = Path(
    os.environ.get("BENCH_WEB_LOCUST_PYTHON") or ROOT / ".venv-bench" / "bin" / "python"
)
SOLUTION = ROOT / "tests" / "exercises" / "bank_solutions" / "conv2d.py"
STUDENTS = int(os.environ.get("BENCH_WEB_STUDENTS", "300"))
SECONDS = float(os.environ.get("BENCH_WEB_SECONDS", "60"))
BOARD_STUDENTS = int(os.environ.get("BENCH_WEB_BOARD_STUDENTS", "1000"))
CLICKS = int(os.environ.get("BENCH_WEB_CLICKS", "10"))
BOARD_READS = int(os.environ.get("BENCH_WEB_BOARD_READS", "200"))
LOAD_PROCESSES = int(os.environ.get("BENCH_WEB_LOAD_PROCESSES", "2"))
LOAD_NICE = int(os.environ.get("BENCH_WEB_LOAD_NICE", "-10"))
COHORT = "demo"  # setup_demo's cohort, with the whole bank in its "CNN basics" assignment
NUMBER_SLUG, CODE_SLUG = "conv-layer-params", "implement-conv2d"
PASSWORD = "bench-web-password"  # the accounts of a scratch database
BROWSER_ACCOUNTS = ("bench-web-browser-1", "bench-web-browser-2")
PROBE_ACCOUNT = "bench-web-probe"  # the independent client beside the load (Probe)
PROBE_ROUND_SECONDS = 3.5  # within the default 20 submissions a minute
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# In the page, before the click: note the click event's time and the first frame painted after a
# verdict element entered the document (a MutationObserver, then two animation frames: the
# second runs after the frame holding the verdict was produced).
CLICK_CLOCK = """() => {
  const clock = (window.__strideClick = {});
  document.addEventListener("click", () => { clock.click ??= performance.now(); }, true);
  const seen = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) {
      if (node.nodeType !== 1) continue;
      const verdict = '[data-testid="verdict"]';
      if (node.matches(verdict) || node.querySelector(verdict)) {
        clock.inDocument = performance.now();
        seen.disconnect();
        const paint = () => { clock.painted = performance.now(); };
        requestAnimationFrame(() => requestAnimationFrame(paint));
        return;
      }
    }
  });
  seen.observe(document.body, { childList: true, subtree: true });
}"""
# After the verdict: the stages from the click, by the page's resource timings (ms).
CLICK_STAGES = """() => {
  const c = window.__strideClick;
  const after = performance.getEntriesByType("resource").filter((e) => e.startTime >= c.click);
  const submit = after.find((e) => e.initiatorType !== "script" && !e.name.includes("wait="));
  const wait = after.find((e) => e.name.includes("wait="));
  const last = wait || submit;
  return {
    page: c.painted - c.click,
    to_submit: submit ? submit.startTime - c.click : NaN,
    submit: submit ? submit.responseEnd - submit.startTime : NaN,
    to_wait: wait ? wait.startTime - submit.responseEnd : NaN,
    wait: wait ? wait.responseEnd - wait.startTime : NaN,
    to_document: last ? c.inDocument - last.responseEnd : NaN,
    to_paint: c.painted - c.inDocument,
    requests: after.length,
  };
}"""


class Probe(threading.Thread):
    """An independent client beside the load: one request at a time on one kept-alive
    connection, a round (open a problem, submit a wrong answer, read the board) every
    ``PROBE_ROUND_SECONDS``, timed with this process's clock.

    Why: a single Locust process (gevent, hundreds of users) adds its own scheduling delay to
    every time it measures; at a round every 10 s Locust's p50 submit was 0.6-1 s while such a
    client, in the same run, saw about 0.1 s. The two side by side tell the server's latency
    from the load generator's."""

    NAMES = ("open", "submit", "board")

    def __init__(self, bench: WebBench, token: str):
        super().__init__(daemon=True)
        self.bench, self.token = bench, token
        self.samples: dict[str, list[float]] = {name: [] for name in self.NAMES}
        self._finished = threading.Event()
        self._conn: http.client.HTTPConnection | None = None

    def stop(self) -> dict[str, list[float]]:
        self._finished.set()
        self.join(timeout=60)
        if self._conn is not None:
            self._conn.close()
        return self.samples

    def _timed(self, name: str, method: str, path: str, body=None, headers=None) -> None:
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self.bench.port, timeout=60)
        auth = {"Authorization": f"Token {self.token}", **(headers or {})}
        started = time.perf_counter()
        try:
            status, _, _ = self.bench.request(method, path, body, auth, conn=self._conn)
        except (OSError, http.client.HTTPException):
            self._conn.close()
            self._conn = None  # a new connection next time; this request is not counted
            return
        if status < 400:
            self.samples[name].append((time.perf_counter() - started) * 1000)

    def run(self) -> None:
        board = f"/api/v1/cohorts/{COHORT}/leaderboard?top=10"
        while not self._finished.is_set():
            started = time.monotonic()
            self._timed("open", "GET", f"/api/v1/problems/{NUMBER_SLUG}")
            key = {"Idempotency-Key": str(uuid.uuid4())}
            submission = f"/api/v1/problems/{NUMBER_SLUG}/submissions"
            self._timed("submit", "POST", submission, {"answer": 7}, key)
            self._timed("board", "GET", board)
            self._finished.wait(max(0.0, PROBE_ROUND_SECONDS - (time.monotonic() - started)))


# --- processes -----------------------------------------------------------------------------------
class Service:
    """A child process in its own session (so that stopping it stops its children), its output
    in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], cwd: Path, logs: Path):
        self.name, self.log_path = name, logs / f"{name}.log"
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_tail(self, lines: int = 25) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- CPU from /proc ------------------------------------------------------------------------------
def _processes() -> dict[int, tuple[int, float, float, str]]:
    """pid -> (parent pid, own CPU seconds, reaped children's CPU seconds, command line)."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        own = (int(fields[11]) + int(fields[12])) / tick
        children = (int(fields[13]) + int(fields[14])) / tick
        table[int(entry)] = (int(fields[1]), own, children, cmdline)
    return table


def _machine_busy() -> float:
    """CPU seconds every process on the machine has used since boot (all but idle and iowait)."""
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds per side over a phase, sampled every half second so that processes that come
    and go (PostgreSQL backends, gunicorn's recycled workers, sandbox children) are counted.

    Each process counts its own CPU and its reaped children's from when it is first seen (or
    the phase's start) to when it is last seen. A process seen during the phase that is gone
    at the end was reaped by its parent, whose children's CPU then holds all of its lifetime:
    that lifetime is taken off again, so nothing counts twice (a children's figure alone
    counts those never seen, such as the sandbox's short-lived children).

    - web / worker / background / load: the process trees of the server, the grading worker,
      the low-priority queue's worker and Locust (its several processes: a root per side is a
      pid or a tuple of pids);
    - postgres: the backends serving the scratch database (the server's shared background
      processes, which other databases use too, are left out);
    - redis: the whole redis-server process, which other users of this machine share.

    The processes first seen after the start (``born``, pid -> command line) tell which a side
    started during the phase (``new_processes``), as long as each lived half a second.
    """

    SIDES = ("web", "worker", "background", "postgres", "redis", "load")

    def __init__(self, roots: dict[str, int | tuple[int, ...]], database: str):
        self.roots = {
            side: tuple(root) if isinstance(root, tuple | list) else (root,)
            for side, root in roots.items()
        }
        self.database = database
        self.first: dict[int, tuple[float, float]] = {}
        self.last: dict[int, tuple[str, int, float, float]] = {}
        self.born: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _side(self, pid: int, table: dict) -> str | None:
        cmdline = table[pid][3]
        if cmdline.startswith("postgres: ") and f" {self.database} " in cmdline:
            return "postgres"
        if cmdline.startswith("redis-server"):
            return "redis"
        seen = 0
        while pid in table and seen < 64:
            for side, roots in self.roots.items():
                if pid in roots:
                    return side
            pid, seen = table[pid][0], seen + 1
        return None

    def _sample(self, start: bool = False) -> set[int]:
        table = _processes()
        for pid, (parent, own, children, _) in table.items():
            side = self._side(pid, table)
            if side is None:
                continue
            if not start and pid not in self.first:
                self.born[pid] = table[pid][3]
            self.first.setdefault(pid, (own, children) if start else (0.0, 0.0))
            self.last[pid] = (side, parent, own, children)
        return set(table)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def __enter__(self) -> CpuMeter:
        self.started, self.machine = time.monotonic(), _machine_busy()
        self._sample(start=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        alive = self._sample()
        self.wall = time.monotonic() - self.started
        self.machine = _machine_busy() - self.machine
        self.seconds = dict.fromkeys(self.SIDES, 0.0)
        for pid, (side, parent, own, children) in self.last.items():
            first_own, first_children = self.first[pid]
            self.seconds[side] += own - first_own + children - first_children
            if pid not in alive and parent in self.last:  # reaped into its parent's figure
                self.seconds[self.last[parent][0]] -= own + children

    def new_processes(self, side: str, command: str = "") -> int:
        """Processes of ``side`` first seen during the phase whose command line holds
        ``command``."""
        return sum(
            1
            for pid, cmdline in self.born.items()
            if self.last[pid][0] == side and command in cmdline
        )


# --- the load's results --------------------------------------------------------------------------
def merge_load_results(results: list[dict]) -> dict:
    """One phase result from those of its Locust processes (``web_locustfile``'s JSON).

    Each process records wall-clock ``started_at``/``stopped_at`` and times in seconds from its
    ``epoch`` (samples' sending times, logins' completions). The merged phase spans from the
    earliest start to the latest stop (``seconds``), and its times are seconds from that
    earliest start, as a single process's were from its own: req/s over the span, percentiles
    over every sample, the class's last login is the last of any process. Counts are summed,
    lists concatenated; ``started_spread`` is how far apart the processes started."""
    start = min(r["started_at"] for r in results)
    merged: dict = {
        "phase": results[0]["phase"],
        "processes": len(results),
        "seconds": max(r["stopped_at"] for r in results) - start,
        "started_spread": max(r["started_at"] for r in results) - start,
        "samples": {},
        "outcomes": {},
        "logins": [],
        "login_failed": 0,
        "submitted": [],
        "replayed": 0,
        "verdict_ms": [],
        "tokens": {},
        "lost": 0,
        "graded_in_request": 0,
        "wait_outcomes": {},
    }
    for result in results:
        shift = result["epoch"] - start  # this process's times -> seconds from the start
        for name, samples in result["samples"].items():
            merged["samples"].setdefault(name, []).extend(
                (sent + shift, rt) for sent, rt in samples
            )
        for name, outcomes in result["outcomes"].items():
            into = merged["outcomes"].setdefault(name, {})
            for outcome, n in outcomes.items():
                into[outcome] = into.get(outcome, 0) + n
        for outcome, n in result["wait_outcomes"].items():
            merged["wait_outcomes"][outcome] = merged["wait_outcomes"].get(outcome, 0) + n
        merged["logins"].extend(t + shift for t in result["logins"])
        for key in ("submitted", "verdict_ms"):
            merged[key].extend(result[key])
        for key in ("login_failed", "replayed", "lost", "graded_in_request"):
            merged[key] += result[key]
        merged["tokens"].update(result["tokens"])
    return merged


# --- the run -------------------------------------------------------------------------------------
class WebBench:
    def __init__(self, server_url: str, redis_url: str):
        self.pid = os.getpid()
        self.database = f"stride_bench_web_{self.pid}"
        self.server_url, self.redis_url = server_url, redis_url
        self.target = Path(os.environ.get("BENCH_WEB_TARGET") or ROOT).resolve()
        self.bin = self.target / ".venv" / "bin"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"stride-bench-web-{self.pid}-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.services: list[Service] = []
        self.scratch_url = ""
        self.load_nice = LOAD_NICE

    # set-up -----------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_WEB_")}
        env.update(
            PATH=f"{self.bin}:{env.get('PATH', '')}",
            DATABASE_URL=self.scratch_url,
            REDIS_URL=self.redis_url,
            DJANGO_SETTINGS_MODULE="config.settings",
            SECRET_KEY="stride-bench-web-not-secret",
            STRIDE_HTTPS="0",
            STRIDE_VAR_DIR=str(self.tmp / "var"),
            STRIDE_CACHE_PREFIX=f"stride-bench-web-{self.pid}",
            STRIDE_BIND=f"127.0.0.1:{self.port}",
        )
        env.pop("DEBUG", None)
        env.pop("VIRTUAL_ENV", None)
        return env

    def manage(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(
            [str(self.bin / "python"), "manage.py", *args],
            cwd=self.target,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout.strip()

    def enroll(self, usernames: list[str], password: str | None) -> tuple[str, float]:
        roster = self.tmp / f"roster-{len(usernames)}.csv"
        with open(roster, "w", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["username", "password"] if password else ["username"])
            for name in usernames:
                out.writerow([name, password] if password else [name])
        started = time.monotonic()
        report = self.manage("enroll", COHORT, str(roster))
        return report, time.monotonic() - started

    def set_up(self) -> None:
        self.scratch_url = create_scratch_database(self.server_url, self.database)
        started = time.monotonic()
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("import_problems")
        self.manage("setup_demo")
        self.manage("collectstatic", "--noinput", "-v", "0")
        self.install_grade_audit()
        self.students = [f"bench-web-{i:04d}" for i in range(1, STUDENTS + 1)]
        report, took = self.enroll([*self.students, *BROWSER_ACCOUNTS, PROBE_ACCOUNT], PASSWORD)
        print(
            f"cohort {COHORT!r}: {STUDENTS} students + {len(BROWSER_ACCOUNTS)} browser accounts "
            f"and a probe account "
            f"enrolled with passwords by manage.py enroll in {took:.1f} s ({report}); set-up "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )

    def install_grade_audit(self) -> None:
        """Every transition of a submission to ``graded`` (or a row stored graded) is logged:
        more than one row for a submission means it was graded twice."""
        import psycopg

        with psycopg.connect(self.scratch_url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_web_graded (submission_id bigint NOT NULL, "
                "at timestamptz NOT NULL DEFAULT clock_timestamp())"
            )
            conn.execute(
                "CREATE FUNCTION bench_web_graded_fn() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN INSERT INTO bench_web_graded (submission_id) VALUES (NEW.id); "
                "RETURN NULL; END $$"
            )
            conn.execute(
                "CREATE TRIGGER bench_web_graded_upd AFTER UPDATE ON exercises_submission "
                "FOR EACH ROW WHEN (NEW.status = 'graded' AND OLD.status <> 'graded') "
                "EXECUTE FUNCTION bench_web_graded_fn()"
            )
            conn.execute(
                "CREATE TRIGGER bench_web_graded_ins AFTER INSERT ON exercises_submission "
                "FOR EACH ROW WHEN (NEW.status = 'graded') EXECUTE FUNCTION bench_web_graded_fn()"
            )

    def start(self) -> None:
        env = self.env()
        serve = os.environ.get("BENCH_WEB_SERVE") or "make -s serve"
        self.serve_command = serve.format(bind=f"127.0.0.1:{self.port}")
        # The compose file's two workers, under names of this run's own: live grading, and the
        # low-priority queue (regrades, integrity checks) in one process at a lower CPU priority.
        celery = [str(self.bin / "celery"), "-A", "config", "worker", "--prefetch-multiplier", "1"]
        self.worker = Service(
            "worker",
            [*celery, "-Q", "grading", "--loglevel", "INFO", "-n", f"bench-web-{self.pid}@%h"],
            env,
            self.target,
            self.tmp,
        )
        self.services.append(self.worker)
        self.background = Service(
            "worker-background",
            [
                "nice",
                "-n",
                "10",
                *celery,
                "-Q",
                "regrade",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "-n",
                f"bench-web-background-{self.pid}@%h",
            ],
            env,
            self.target,
            self.tmp,
        )
        self.services.append(self.background)
        self.web = Service("web", shlex.split(self.serve_command), env, self.target, self.tmp)
        self.services.append(self.web)
        deadline = time.monotonic() + 120
        for worker in (self.worker, self.background):
            while " ready." not in worker.log_path.read_text(errors="replace"):
                worker.alive()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{worker.name} did not start:\n{worker.log_tail()}")
                time.sleep(0.2)
        while True:
            self.web.alive()
            with suppress(OSError):
                status, _, _ = self.request("GET", "/healthz")
                if status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /healthz:\n{self.web.log_tail()}")
            time.sleep(0.2)

    def request(self, method: str, path: str, body: dict | None = None, headers=None, conn=None):
        """(status, headers, body) of one request (on ``conn`` when given, kept alive)."""
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            data = json.dumps(body).encode() if body is not None else None
            all_headers = {"Content-Type": "application/json"} if data else {}
            conn.request(method, path, body=data, headers={**all_headers, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            if own:
                conn.close()

    # the phases -------------------------------------------------------------------------------
    def phase(self, name: str, accounts: list[dict]) -> dict:
        """The students of ``accounts`` as ``LOAD_PROCESSES`` Locust processes (a contiguous
        share each; process 0 with the ``/healthz`` user too), the Probe beside them, the CPU
        of every side, the connections PostgreSQL opened and the web processes started."""
        processes = max(1, min(LOAD_PROCESSES, len(accounts)))
        shares = [
            accounts[i * len(accounts) // processes : (i + 1) * len(accounts) // processes]
            for i in range(processes)
        ]
        sync = self.tmp / f"sync-{name}"
        sync.mkdir()
        login_timeout = float(os.environ.get("BENCH_WEB_LOGIN_TIMEOUT", "180"))
        cap = int(SECONDS + login_timeout + 60)  # Locust's own stop, should ours not come
        sessions_before = self.sessions()
        epoch = time.time()
        loads: list[tuple[Service, Path]] = []
        for index, share in enumerate(shares):
            users = self.tmp / f"users-{name}-{index}.json"
            result = self.tmp / f"result-{name}-{index}.json"
            users.write_text(json.dumps(share))
            env = dict(
                os.environ,
                BENCH_WEB_PHASE=name,
                BENCH_WEB_USERS=str(users),
                BENCH_WEB_RESULT=str(result),
                BENCH_WEB_SECONDS=str(SECONDS),
                BENCH_WEB_LOGIN_TIMEOUT=str(login_timeout),
                BENCH_WEB_COHORT=COHORT,
                BENCH_WEB_NUMBER_SLUG=NUMBER_SLUG,
                BENCH_WEB_CODE_SLUG=CODE_SLUG,
                BENCH_WEB_CODE_FILE=str(SOLUTION),
                BENCH_WEB_EPOCH=repr(epoch),
                BENCH_WEB_SYNC_DIR=str(sync),
                BENCH_WEB_LOAD_INDEX=str(index),
                BENCH_WEB_LOAD_PROCESSES=str(processes),
            )
            classes = ["Student", "Health"] if index == 0 else ["Student"]
            users_n = len(share) + (index == 0)  # Locust wants the fixed counts' sum
            args = [
                str(LOCUST_PYTHON),
                "-m",
                "locust",
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--host",
                self.base,
                "--users",
                str(users_n),
                "--spawn-rate",
                str(users_n),
                "--run-time",
                f"{cap}s",
                "--only-summary",
                "--stop-timeout",
                "60",
                "--exit-code-on-error",
                "0",
                *classes,
            ]
            load = Service(f"locust-{name}-{index}", args, env, ROOT, self.tmp)
            self.services.append(load)
            self.raise_priority(load.pid)
            loads.append((load, result))
        roots = {
            "web": self.web.pid,
            "worker": self.worker.pid,
            "background": self.background.pid,
            "load": tuple(load.pid for load, _ in loads),
        }
        probe = Probe(self, self.probe_token)
        probe.start()
        with CpuMeter(roots, self.database) as cpu:
            deadline = time.monotonic() + cap + 60
            for load, _ in loads:
                load.proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        probed = probe.stop()
        sessions_after = self.sessions()
        results = []
        for load, result in loads:
            self.services.remove(load)
            if not result.exists():
                raise RuntimeError(f"{load.name} wrote no result:\n{load.log_tail()}")
            results.append(json.loads(result.read_text()))
        data = merge_load_results(results)
        data["cpu"], data["wall"], data["machine"] = cpu.seconds, cpu.wall, cpu.machine
        data["probe"] = probed
        data["students"] = len(accounts)
        data["shares"] = [len(share) for share in shares]
        data["load_nice"] = self.load_nice
        data["web_started"] = cpu.new_processes("web", "gunicorn")
        data["pg_sessions"] = None if sessions_before is None else sessions_after - sessions_before
        return data

    def raise_priority(self, pid: int) -> None:
        """``pid`` (a Locust process) at niceness ``self.load_nice``, every thread of it: on
        Linux a niceness is a thread's, and threads created later inherit their creator's.
        Without the permission (root or CAP_SYS_NICE), the load stays at the bench's own
        niceness, with a note, once."""
        if self.load_nice == os.getpriority(os.PRIO_PROCESS, 0):
            return
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with suppress(ProcessLookupError):
                    os.setpriority(os.PRIO_PROCESS, int(task), self.load_nice)
        except PermissionError:
            own = os.getpriority(os.PRIO_PROCESS, 0)
            print(
                f"bench web: no permission to run the load at niceness {self.load_nice}: it "
                f"runs at {own}, the server's, and its own delay is in its timings",
                flush=True,
            )
            self.load_nice = own
        except FileNotFoundError:
            pass  # exited already: its log says why, when the phase reads its result

    def sessions(self) -> int | None:
        """Connections opened to the scratch database since it was made
        (``pg_stat_database.sessions``, PostgreSQL 14 and later; else None), read from the
        server's own database so that the reading is not one of them."""
        import psycopg

        with admin_connection(self.server_url) as conn:
            try:
                row = conn.execute(
                    "SELECT sessions FROM pg_stat_database WHERE datname = %s", [self.database]
                ).fetchone()
            except psycopg.errors.UndefinedColumn:
                return None
        return int(row[0]) if row else None

    def tokens_for(self, accounts: list[dict], known: dict[str, str]) -> list[dict]:
        """Each student's token: phase (a)'s, else one asked for now (one at a time)."""
        out = []
        for account in accounts:
            token = known.get(account["username"])
            while not token:
                status, headers, body = self.request(
                    "POST",
                    "/api/v1/token",
                    {"username": account["username"], "password": account["password"]},
                )
                if status == 200:
                    token = json.loads(body)["token"]
                else:
                    time.sleep(float(headers.get("Retry-After") or 1))
            out.append({**account, "token": token})
        return out

    def queue_lengths(self) -> str:
        """Messages waiting in the workers' queues (what a click's grade queues behind)."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        return ", ".join(f"{q} {client.llen(q)}" for q in ("grading", "regrade"))

    def _server_stages(self, account: str) -> dict[str, float]:
        """The account's newest submission as the database has it, ms: stored -> claimed by
        its grader (``claimed``; the Celery round trip, or none when the request graded it),
        claimed -> grade recorded (``graded``)."""
        import psycopg

        with psycopg.connect(self.scratch_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT EXTRACT(EPOCH FROM s.started_at - s.created_at) * 1000, "
                "EXTRACT(EPOCH FROM s.graded_at - s.started_at) * 1000 "
                "FROM exercises_submission s JOIN auth_user u ON u.id = s.user_id "
                "WHERE u.username = %s ORDER BY s.id DESC LIMIT 1",
                [account],
            ).fetchone()
        claimed, graded = row if row else (None, None)
        nan = float("nan")
        return {
            "claimed": nan if claimed is None else float(claimed),
            "graded": nan if graded is None else float(graded),
        }

    # checks and reads ---------------------------------------------------------------------------
    def drain_and_check(self, submitted: list[int], timed: list[int], timeout=180.0) -> dict:
        """Once nothing is queued or running: the statuses, submissions graded twice, those
        stored that the client never heard of (or the reverse), and stored -> graded ms of
        ``timed``. The client is Locust: the Probe's submissions (its own account, answered to
        the Probe, never to Locust) are not among those it should have heard of."""
        import psycopg

        with psycopg.connect(self.scratch_url, autocommit=True) as conn:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                (pending,) = conn.execute(
                    "SELECT count(*) FROM exercises_submission "
                    "WHERE status IN ('queued', 'running')"
                ).fetchone()
                if not pending:
                    break
                time.sleep(0.5)
            statuses = dict(
                conn.execute(
                    "SELECT status, count(*) FROM exercises_submission GROUP BY status"
                ).fetchall()
            )
            (twice,) = conn.execute(
                "SELECT count(*) FROM (SELECT submission_id FROM bench_web_graded "
                "GROUP BY submission_id HAVING count(*) > 1) AS t"
            ).fetchone()
            stored = {
                row[0]
                for row in conn.execute(
                    "SELECT s.id FROM exercises_submission s JOIN auth_user u "
                    "ON u.id = s.user_id WHERE u.username LIKE 'bench-web-%%' "
                    "AND u.username <> %s",
                    [PROBE_ACCOUNT],
                )
            }
            latencies = [
                row[0]
                for row in conn.execute(
                    "SELECT EXTRACT(EPOCH FROM graded_at - created_at) * 1000 "
                    "FROM exercises_submission WHERE graded_at IS NOT NULL AND id = ANY(%s)",
                    [sorted(set(timed))],
                )
            ]
        return {
            "statuses": statuses,
            "graded_twice": twice,
            "stored": len(stored),
            "unknown_to_client": len(stored - set(submitted)),
            "never_stored": len(set(submitted) - stored),
            "created_to_graded": [float(v) for v in latencies],
        }

    def board_reads(self, token: str) -> dict[str, list[float]]:
        """The leaderboard at ``BOARD_STUDENTS``, one request at a time on a kept-alive
        connection, interleaved with ``/healthz``: wall ms per request."""
        auth = {"Authorization": f"Token {token}"}
        path = f"/api/v1/cohorts/{COHORT}/leaderboard?top=10"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        times: dict[str, list[float]] = {"healthz": [], "board": [], "board304": []}
        sizes = []
        try:
            for _ in range(5):  # the board rebuilt after the roster changed; connections warm
                _, headers, _ = self.request("GET", path, headers=auth, conn=conn)
                self.request("GET", "/healthz", conn=conn)
            etag = headers.get("ETag")
            for _ in range(BOARD_READS):
                for name, p, h in (
                    ("healthz", "/healthz", {}),
                    ("board", path, auth),
                    ("board304", path, {**auth, "If-None-Match": etag} if etag else auth),
                ):
                    start = time.perf_counter()
                    status, _, body = self.request("GET", p, headers=h, conn=conn)
                    times[name].append((time.perf_counter() - start) * 1000)
                    if status not in (200, 304):
                        raise RuntimeError(f"GET {p}: {status} {body[:200]!r}")
                    if name == "board":
                        sizes.append(len(body))
        finally:
            conn.close()
        times["bytes"] = sizes
        return times

    def click_to_verdict(self) -> dict[str, list[dict[str, float]]]:
        """Chromium: from the click on Submit to the verdict on screen, ``CLICKS`` times per
        problem after one warm-up, each problem with its own account (the submission rate limit
        counts per student).

        Two clocks per click. ``wall``: Playwright's, from before ``click()`` to the verdict
        seen visible, which includes the driver's own round trips to the browser (actionability
        checks, then polling for the element). ``page``: the page's own clock
        (``performance.now()``), from the click event to the first frame painted after the
        verdict entered the document: what the student sees. The page's resource timings split
        ``page`` into stages: click -> the submit request leaves, the submit (server and
        network), -> the wait request leaves, the wait, -> the verdict in the document, -> painted.
        """
        from playwright.sync_api import sync_playwright

        code = SOLUTION.read_text()
        out: dict[str, list[dict[str, float]]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                for slug, account in zip((NUMBER_SLUG, CODE_SLUG), BROWSER_ACCOUNTS, strict=True):
                    context = browser.new_context(base_url=self.base)
                    context.set_default_timeout(30_000)
                    page = context.new_page()
                    page.goto("/accounts/login/")
                    page.get_by_label("Username").fill(account)
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Log in").click()
                    page.wait_for_url(lambda url: "/accounts/login" not in url)
                    samples = []
                    for _ in range(CLICKS + 1):
                        page.goto(f"/problems/{slug}")
                        if slug == CODE_SLUG:
                            page.evaluate(
                                "code => document.querySelector('.CodeMirror')"
                                ".CodeMirror.setValue(code)",
                                code,
                            )
                        else:
                            page.locator("#id_answer").fill("760")
                        page.evaluate(CLICK_CLOCK)
                        verdict = page.get_by_test_id("verdict")
                        start = time.perf_counter()
                        page.get_by_role("button", name="Submit").click()
                        verdict.wait_for(state="visible")
                        wall = (time.perf_counter() - start) * 1000
                        page.wait_for_function("() => window.__strideClick.painted !== undefined")
                        sample = page.evaluate(CLICK_STAGES)
                        samples.append({"wall": wall, **sample, **self._server_stages(account)})
                    out[slug] = samples[1:]
                    context.close()
            finally:
                browser.close()
        return out

    def clean_up(self) -> None:
        for service in reversed(self.services):
            with suppress(Exception):
                service.stop()
        with suppress(Exception):
            import redis

            client = redis.Redis.from_url(self.redis_url)
            for key in client.scan_iter(match=f"*stride-bench-web-{self.pid}*"):
                client.delete(key)
        if self.scratch_url:
            drop_scratch_database(self.server_url, self.database)
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- the tables ----------------------------------------------------------------------------------
ENDPOINTS = (
    "POST /token",
    "GET /problems/<slug>",
    "POST /problems/<slug>/submissions",
    "GET /submissions/<id>?wait=",
    "GET /cohorts/<slug>/leaderboard",
    "GET /healthz",
)
# What a student waits for in a round (the targets' "open/submit/board"): not the login, not the
# ``?wait=`` that is long by design, not the baseline.
STUDENT_ENDPOINTS = (
    "GET /problems/<slug>",
    "POST /problems/<slug>/submissions",
    "GET /cohorts/<slug>/leaderboard",
)


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def ms(values: list[float], q: float) -> str:
    return f"{pct(values, q):.0f}" if values else "-"


TIMELINE_SECONDS = 10.0


def timeline(data: dict, step: float = TIMELINE_SECONDS) -> list[tuple[str, ...]]:
    """The phase in windows of ``step`` seconds, by when each request was sent: the students'
    requests (open, submit, board) sent in the window, their p50 and max ms, and the slowest
    ``/healthz``. A queue that comes and goes (a stall, then a convoy of clients released
    together) shows here as a few slow windows, where the phase's percentiles only say that
    some requests were slow."""
    windows: dict[int, list[float]] = {}
    health: dict[int, list[float]] = {}
    for name in (*STUDENT_ENDPOINTS, "GET /healthz"):
        into = health if name == "GET /healthz" else windows
        for sent, rt in data["samples"].get(name, []):
            if 0 <= sent <= data["seconds"]:
                into.setdefault(int(sent // step), []).append(rt)
    rows = []
    for index in sorted(windows.keys() | health.keys()):
        times, checks = windows.get(index, []), health.get(index, [])
        rows.append(
            (
                f"{index * step:.0f}-{(index + 1) * step:.0f}",
                str(len(times)),
                ms(times, 0.5),
                f"{max(times):.0f}" if times else "-",
                f"{max(checks):.0f}" if checks else "-",
            )
        )
    return rows


def print_phase(title: str, data: dict) -> tuple[float, float]:
    """The phase's tables; returns (worst p99 of the students' endpoints, all requests/s)."""
    seconds = data["seconds"]
    print(f"\n### {title}\n")
    rows, total, worst = [], 0, 0.0
    for name in ENDPOINTS:
        samples = [rt for sent, rt in data["samples"].get(name, []) if sent <= seconds]
        if not samples:
            continue
        outcomes = data["outcomes"].get(name, {})
        bad = {k: v for k, v in outcomes.items() if k not in ("200", "202", "304")}
        total += len(samples)
        if name in STUDENT_ENDPOINTS:
            worst = max(worst, pct(samples, 0.99))
        rows.append(
            (
                name,
                str(len(samples)),
                f"{len(samples) / seconds:.1f}",
                ms(samples, 0.5),
                ms(samples, 0.95),
                ms(samples, 0.99),
                f"{max(samples):.0f}",
                ", ".join(f"{k}: {v}" for k, v in sorted(bad.items())) or "0",
            )
        )
    rows.append(("all requests", str(total), f"{total / seconds:.1f}", "", "", "", "", ""))
    table(("endpoint", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"), rows)
    print(
        f"\nphase length {seconds:.1f} s. `?wait=` requests are long by design (they return "
        "when the grade lands); the submit-to-verdict rows are what a student waits."
    )
    print(f"\nby when sent, {TIMELINE_SECONDS:.0f} s windows (students: open, submit, board):\n")
    table(("s", "students' requests", "p50 ms", "max ms", "/healthz max ms"), timeline(data))
    if "processes" in data:
        print(
            f"load: {data['processes']} Locust processes at niceness {data['load_nice']} "
            f"(students {' + '.join(map(str, data['shares']))}; /healthz in the first), "
            f"started {data['started_spread']:.2f} s apart; the figures above are all of them "
            "merged, from the first start to the last stop"
        )
    probe = data.get("probe") or {}
    if any(probe.values()):
        print(
            f"an independent client beside the load (Probe: one request at a time, one kept-alive "
            f"connection, a round every {PROBE_ROUND_SECONDS} s), ms: "
            + "; ".join(
                f"{name} p50 {ms(v, 0.5)}, p95 {ms(v, 0.95)}, p99 {ms(v, 0.99)} (n={len(v)})"
                for name, v in probe.items()
                if v
            )
        )
    verdicts, graded = data["verdict_ms"], data["check"]["created_to_graded"]
    print(
        f"submit -> verdict read by the client, ms: p50 {ms(verdicts, 0.5)}, p95 "
        f"{ms(verdicts, 0.95)}, p99 {ms(verdicts, 0.99)} (n={len(verdicts)}); stored -> graded "
        f"in the database: p50 {ms(graded, 0.5)}, p95 {ms(graded, 0.95)}, p99 {ms(graded, 0.99)}"
    )
    if data.get("graded_in_request"):
        print(
            f"graded in the request (the submit's answer carried the verdict, no `?wait=`): "
            f"{data['graded_in_request']} of {len(data['submitted'])} submits"
        )
    waits = data.get("wait_outcomes") or {}
    asked = sum(waits.values())
    if asked:
        print(
            f"`?wait=` answers ({asked}): "
            + ", ".join(
                f"{k} {v} ({v * 100 / asked:.0f}%)"
                for k, v in sorted(waits.items(), key=lambda kv: -kv[1])
            )
            + " (final: woken by the grade; timeout: still pending after the wait; busy: the "
            "process held its most waits and answered at once, so the client polled; none: "
            "already final when asked)"
        )
    if data["phase"] == "login":
        logins = data["logins"]
        students = data["students"]
        print(
            f"logins: {len(logins)} tokens, {data['login_failed']} failed, "
            f"{students - len(logins) - data['login_failed']} still trying at the end; the last "
            f"token {max(logins):.1f} s after the start, p50 {pct(logins, 0.5):.1f} s"
            if logins
            else f"logins: none succeeded ({data['login_failed']} failed)"
        )
    cpu, wall = data["cpu"], data["wall"]
    # Over Locust's whole run: its start, the phase, and the rounds it lets finish after it.
    sent = sum(len(v) for v in data["samples"].values())
    print(
        f"\nCPU over the phase's process ({wall:.1f} s wall, {sent} requests, "
        f"{os.cpu_count()} cores):\n"
    )
    sessions = data.get("pg_sessions")
    new = {
        "web": f"{data.get('web_started', 0)} processes",
        "postgres": "-" if sessions is None else f"{sessions} connections",
    }
    rows = [
        (
            side,
            f"{cpu[side]:.1f}",
            f"{cpu[side] / wall:.2f}",
            f"{cpu[side] * 1000 / sent:.2f}",
            new.get(side, ""),
        )
        for side in CpuMeter.SIDES
    ]
    others = data["machine"] - sum(cpu.values())
    rows.append(("everything else on the machine", f"{others:.1f}", f"{others / wall:.2f}", "", ""))
    table(("process", "CPU s", "cores busy", "CPU ms per request", "started in the phase"), rows)
    print(
        "\nstarted in the phase: web, gunicorn processes first seen by the CPU sampling (every "
        "0.5 s) after the phase began (gunicorn replaces one after max_requests); postgres, "
        "connections opened to the scratch database (pg_stat_database.sessions before and "
        "after: the server's, the workers' and the background worker's)."
    )
    return worst, total / seconds


def stage_p50(samples: list[dict[str, float]], stage: str, digits: int = 1) -> str:
    """The median of one stage over the clicks that had it (no ``?wait`` request: "-")."""
    values = [s[stage] for s in samples if s[stage] == s[stage]]  # NaN: the stage did not happen
    return f"{pct(values, 0.5):.{digits}f}" if values else "-"


def busy_share(data: dict) -> str:
    """The share of a phase's ``?wait=`` requests answered ``busy`` (sent back to polling)."""
    waits = data.get("wait_outcomes") or {}
    asked = sum(waits.values())
    return f"{waits.get('busy', 0) * 100 / asked:.0f} % of {asked}" if asked else "-"


def main() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url.startswith(
        ("redis://", "rediss://")
    ):
        print("bench web: refused: set DATABASE_URL (PostgreSQL) and REDIS_URL (Redis).")
        return
    if not LOCUST_PYTHON.exists():
        print(f"bench web: refused: no {LOCUST_PYTHON}; `make bench-tools` installs Locust there.")
        return
    bench = WebBench(database_url, redis_url)
    print(f"load average before: {load_average()}", flush=True)
    try:
        bench.set_up()
        bench.start()
        probe = {"username": PROBE_ACCOUNT, "password": PASSWORD}
        bench.probe_token = bench.tokens_for([probe], {})[0]["token"]
        print(
            f"server: `{bench.serve_command}` in {bench.target} on {bench.base}; workers: celery "
            f"-A config worker -Q grading (prefork), and -Q regrade (one process, nice 10); "
            f"{STUDENTS} students, {SECONDS:.0f} s per phase, a "
            f"round every {os.environ.get('BENCH_WEB_PACING', '3')} s per student",
            flush=True,
        )
        accounts = [{"username": u, "password": PASSWORD} for u in bench.students]
        a = bench.phase("login", accounts)
        a["check"] = bench.drain_and_check(a["submitted"], a["submitted"])
        b = bench.phase("tokens", bench.tokens_for(accounts, a["tokens"]))
        b["check"] = bench.drain_and_check(a["submitted"] + b["submitted"], b["submitted"])
        worst_a, _ = print_phase(
            f"(a) {STUDENTS} log in at once (POST /api/v1/token), then work "
            f"{SECONDS:.0f} s after the last login",
            a,
        )
        worst_b, rate_b = print_phase(f"(b) {STUDENTS} holding tokens work {SECONDS:.0f} s", b)
        check = b["check"]
        print("\n### grading: every submission stored and graded exactly once\n")
        print(
            f"statuses {check['statuses']}; graded twice: {check['graded_twice']}; stored but "
            f"never answered to the client: {check['unknown_to_client']}; answered but not "
            f"stored: {check['never_stored']}; retries answered with the first submission: "
            f"{a['replayed'] + b['replayed']}; submits the client gave up after "
            "3 tries (web_locustfile.RETRIES; each a 503, 429 or no answer): "
            f"{a['lost'] + b['lost']}"
        )

        extra = [f"bench-web-{i:04d}" for i in range(STUDENTS + 1, BOARD_STUDENTS + 1)]
        extra = extra[: max(0, BOARD_STUDENTS - STUDENTS - len(BROWSER_ACCOUNTS) - 1)]
        if extra:
            bench.enroll(extra, None)
        (reader,) = bench.tokens_for(accounts[:1], a["tokens"])
        board = bench.board_reads(reader["token"])
        n_board = STUDENTS + len(BROWSER_ACCOUNTS) + 1 + len(extra)  # 1: the probe's account
        print(
            f"\n### leaderboard read at {n_board} students (one request at a time, "
            f"{BOARD_READS} each, interleaved)\n"
        )
        table(
            ("request", "p50 ms", "p95 ms", "p99 ms", "body bytes"),
            [
                (
                    "GET /healthz (baseline)",
                    *(f"{pct(board['healthz'], q):.2f}" for q in (0.5, 0.95, 0.99)),
                    "",
                ),
                (
                    "GET leaderboard?top=10, 200",
                    *(f"{pct(board['board'], q):.2f}" for q in (0.5, 0.95, 0.99)),
                    str(max(board["bytes"])),
                ),
                (
                    "GET leaderboard, If-None-Match",
                    *(f"{pct(board['board304'], q):.2f}" for q in (0.5, 0.95, 0.99)),
                    "",
                ),
            ],
        )
        if CLICKS:
            print(f"\nworker queues before the clicks: {bench.queue_lengths()}")
        clicks = bench.click_to_verdict() if CLICKS else {}
        if clicks:
            print(f"\n### Chromium: click on Submit -> verdict on screen ({CLICKS} clicks each)\n")
            table(
                ("problem", "clock", "p50 ms", "max ms", "every click, ms"),
                [
                    (
                        slug,
                        clock,
                        f"{pct(v, 0.5):.0f}",
                        f"{max(v):.0f}",
                        " ".join(f"{x:.0f}" for x in v),
                    )
                    for slug, samples in clicks.items()
                    for clock, v in (
                        ("page", [s["page"] for s in samples]),
                        ("Playwright", [s["wall"] for s in samples]),
                    )
                ],
            )
            print(
                "\npage: the page's own clock, click event to the first frame painted with the "
                "verdict; Playwright: the driver's, which adds its round trips to the browser. "
                "The page's stages, p50 ms (requests: those the page sent after the click), and "
                "the database's: stored -> claimed by the grader (claimed) -> recorded (graded):\n"
            )
            stages = (
                "to_submit",
                "submit",
                "to_wait",
                "wait",
                "to_document",
                "to_paint",
                "claimed",
                "graded",
            )
            table(
                ("problem", *stages, "requests"),
                [
                    (
                        slug,
                        *(stage_p50(samples, stage) for stage in stages),
                        stage_p50(samples, "requests", digits=0),
                    )
                    for slug, samples in clicks.items()
                ],
            )
        logins = a["logins"]
        print("\n### targets\n")
        rows = [
            (
                f"(a) all {STUDENTS} logins done",
                f"{max(logins, default=float('nan')):.1f} s ({len(logins)} of {STUDENTS} tokens)",
                "<= 60 s",
            ),
            ("(a) worst p99 of open/submit/board", f"{worst_a:.0f} ms", "<= 1000 ms"),
            ("(b) worst p99 of open/submit/board", f"{worst_b:.0f} ms", "<= 300 ms"),
            ("(b) requests/s", f"{rate_b:.1f}", ">= 3x before"),
            (
                f"leaderboard read at {n_board}, p50",
                f"{pct(board['board'], 0.5):.2f} ms",
                "<= 5 ms",
            ),
            *(
                (
                    f"click -> verdict p50, {slug}",
                    f"{pct([s['page'] for s in v], 0.5):.0f} ms "
                    f"(Playwright: {pct([s['wall'] for s in v], 0.5):.0f} ms)",
                    "<= 150 ms",
                )
                for slug, v in clicks.items()
            ),
            (
                "graded twice / stored unanswered / still pending",
                f"{check['graded_twice']} / {check['unknown_to_client']} / "
                f"{check['statuses'].get('queued', 0) + check['statuses'].get('running', 0)}",
                "0 / 0 / 0",
            ),
            ("submits given up by the client", str(a["lost"] + b["lost"]), "reported"),
            ("(b) `?wait=` answered busy (the client polled)", busy_share(b), "~0 %"),
        ]
        table(("target", "measured", "target"), rows)
    except Exception:
        for service in bench.services:
            with suppress(Exception):
                print(f"\n{service.name} log (tail):\n{service.log_tail()}")
        raise
    finally:
        bench.clean_up()
        print(f"\nload average after: {load_average()}", flush=True)
