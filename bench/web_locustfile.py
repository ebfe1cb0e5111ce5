"""The class of ``bench_web`` as Locust users: the JSON API driven the way a student's client does.

Run by ``bench.bench_web`` (``locust -f bench/web_locustfile.py --headless ...``) in a process of
its own: Locust's gevent patches the whole interpreter it is imported in. Everything it needs
comes from the environment, so a run can also be repeated by hand against any server:

- ``BENCH_WEB_PHASE``: ``login`` (every student first trades username and password for a token
  at ``POST /api/v1/token``, all at once; the phase ends ``BENCH_WEB_SECONDS`` after the last
  login has finished) or ``tokens`` (students already hold tokens; the phase lasts
  ``BENCH_WEB_SECONDS`` from the start).
- ``BENCH_WEB_USERS``: a JSON file, a list of ``{"username", "password", "token"}``.
- ``BENCH_WEB_COHORT``: the cohort slug (its leaderboard); ``BENCH_WEB_NUMBER_SLUG``: a number
  problem whose answer is ``(f*f*c + 1) * k`` (``conv-layer-params``), answered right or wrong
  at random; ``BENCH_WEB_CODE_SLUG`` + ``BENCH_WEB_CODE_FILE``: a code problem and a correct
  solution, sent instead in ``BENCH_WEB_CODE_SHARE`` of the rounds.
- ``BENCH_WEB_PACING``: seconds per round of one student (open, submit, wait for the verdict,
  read the board), whatever the requests took (``Student.wait_time``).
- ``BENCH_WEB_RESULT``: where the phase's raw samples are written as JSON when it stops.
- ``BENCH_WEB_EPOCH``: a wall-clock time (``time.time()``) shared by every Locust process of the
  phase (default: this process's start). ``bench_web`` splits the class over several
  independent processes, each with its own users and result files; times are recorded against
  the wall clock so that their results can be merged (``bench_web.merge_load_results``):
  ``started_at`` and ``stopped_at`` as wall-clock times, and each sample's sending time and each
  login's completion in seconds from the epoch.
- ``BENCH_WEB_SYNC_DIR`` + ``BENCH_WEB_LOAD_INDEX`` + ``BENCH_WEB_LOAD_PROCESSES``: in phase
  ``login``, each process notes in that directory when its own students are all logged in and
  waits for the others' notes (up to the login timeout), so that every process works
  ``BENCH_WEB_SECONDS`` after the class's last login, not its own share's.

One more user asks ``/healthz`` every 100 ms: the baseline of the same run, a request that
touches PostgreSQL and Redis and nothing else (``Health``: name it on the command line of one
process only, beside ``Student``).
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections import defaultdict

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

PHASE = os.environ.get("BENCH_WEB_PHASE", "tokens")
SECONDS = float(os.environ.get("BENCH_WEB_SECONDS", "60"))
LOGIN_TIMEOUT = float(os.environ.get("BENCH_WEB_LOGIN_TIMEOUT", "180"))
PACING = float(os.environ.get("BENCH_WEB_PACING", "3"))
COHORT = os.environ.get("BENCH_WEB_COHORT", "demo")
NUMBER_SLUG = os.environ.get("BENCH_WEB_NUMBER_SLUG", "conv-layer-params")
CODE_SLUG = os.environ.get("BENCH_WEB_CODE_SLUG", "implement-conv2d")
CODE_SHARE = float(os.environ.get("BENCH_WEB_CODE_SHARE", "0.25"))
# A server without ?wait= (or one that answered "busy") is asked again after this long.
POLL_SECONDS = float(os.environ.get("BENCH_WEB_POLL_SECONDS", "0.5"))
WAIT = int(os.environ.get("BENCH_WEB_WAIT", "20"))
TIMEOUT = float(os.environ.get("BENCH_WEB_CLIENT_TIMEOUT", "30"))
RETRIES = 3
FINAL = {"graded", "error"}
SYNC_DIR = os.environ.get("BENCH_WEB_SYNC_DIR", "")
LOAD_INDEX = int(os.environ.get("BENCH_WEB_LOAD_INDEX", "0"))
LOAD_PROCESSES = int(os.environ.get("BENCH_WEB_LOAD_PROCESSES", "1"))

with open(os.environ["BENCH_WEB_USERS"]) as fh:
    ACCOUNTS: list[dict] = json.load(fh)
CODE = ""
if os.environ.get("BENCH_WEB_CODE_FILE"):
    with open(os.environ["BENCH_WEB_CODE_FILE"]) as fh:
        CODE = fh.read()

# Raw samples, kept here rather than in Locust's rounded histogram: per request name, (when it
# was sent, seconds from EPOCH; its response time, ms), and how each was answered ("200",
# "503", "ConnectionError", ...). The rounds running when the phase ends are finished
# (--stop-timeout) but only requests sent before the end count in the tables.
SAMPLES: dict[str, list[tuple[float, float]]] = defaultdict(list)
OUTCOMES: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
EPOCH = float(os.environ.get("BENCH_WEB_EPOCH") or time.time())
STATE: dict = {
    "started": None,
    "started_at": None,  # wall clock (time.time()), as stopped_at
    "stopped_at": None,
    "epoch": EPOCH,
    "logins": [],  # seconds from EPOCH to each student's token
    "login_failed": 0,
    "submitted": [],  # submission ids the server accepted (202) or replayed (200)
    "replayed": 0,
    "verdict_ms": [],  # from sending the submit to reading the final state
    "tokens": {},
    "lost": 0,  # submits that never got an answer after every retry
    "graded_in_request": 0,  # submits whose answer carried the verdict: no ?wait= was sent
    # How each ?wait= request that got a 200 ended (the X-Stride-Wait header): final, timeout,
    # busy (answered at once because the process held its most waits), or "none" (the
    # submission was already final when asked, so there was nothing to wait for).
    "wait_outcomes": defaultdict(int),
}
_accounts = iter(ACCOUNTS)


@events.request.add_listener
def _record(name, response_time, response, exception, start_time=None, **kwargs):
    sent = time.time() - response_time / 1000 if start_time is None else start_time
    SAMPLES[name].append((sent - EPOCH, response_time))
    status = getattr(response, "status_code", 0)
    if status:
        outcome = str(status)
    else:  # no HTTP answer at all: the connection's own error, else the one Locust saw
        outcome = type(getattr(response, "error", None) or exception).__name__
    OUTCOMES[name][outcome] += 1


@events.test_start.add_listener
def _started(environment, **kwargs):
    STATE["started"], STATE["started_at"] = time.monotonic(), time.time()
    gevent.spawn(_stop_when_done, environment)


def _class_logged_in(deadline: float) -> float:
    """Wall-clock time at which the whole class was logged in: this process's own, or, with
    ``SYNC_DIR``, the latest of every process's (each writes its own note, then waits for the
    others' until ``deadline``, monotonic)."""
    own = time.time()
    if not SYNC_DIR:
        return own
    with open(os.path.join(SYNC_DIR, f"logged-in-{LOAD_INDEX}"), "w") as fh:
        fh.write(repr(own))
    notes = [os.path.join(SYNC_DIR, f"logged-in-{i}") for i in range(LOAD_PROCESSES)]
    while not all(os.path.exists(n) for n in notes) and time.monotonic() < deadline:
        gevent.sleep(0.1)
    times = [own]
    for note in notes:
        try:
            with open(note) as fh:
                times.append(float(fh.read()))
        except (OSError, ValueError):  # not there (a process that never got so far), or half
            continue  # written: its share's logins do not move the end
    return max(times)


def _stop_when_done(environment) -> None:
    """``login``: ``SECONDS`` after every student of the class has its token (or
    ``LOGIN_TIMEOUT``); ``tokens``: ``SECONDS`` after the start."""
    if PHASE == "login":
        deadline = time.monotonic() + LOGIN_TIMEOUT
        while (
            len(STATE["logins"]) + STATE["login_failed"] < len(ACCOUNTS)
            and time.monotonic() < deadline
        ):
            gevent.sleep(0.1)
        gevent.sleep(max(0.0, _class_logged_in(deadline) + SECONDS - time.time()))
    else:
        gevent.sleep(SECONDS)
    STATE["stopped"], STATE["stopped_at"] = time.monotonic(), time.time()
    environment.runner.quit()  # each student finishes the round it is in (--stop-timeout)


@events.quitting.add_listener
def _write(environment, **kwargs):
    started = STATE["started"] or time.monotonic()
    stopped = STATE.get("stopped") or time.monotonic()
    result = {
        "phase": PHASE,
        "seconds": stopped - started,
        "samples": SAMPLES,
        "outcomes": OUTCOMES,
        **{k: v for k, v in STATE.items() if k not in ("started", "stopped")},
    }
    result["started_at"] = result["started_at"] or time.time()
    result["stopped_at"] = result["stopped_at"] or time.time()
    with open(os.environ["BENCH_WEB_RESULT"], "w") as fh:
        json.dump(result, fh)


def _retry_after(response) -> float:
    try:
        return min(30.0, float(response.headers.get("Retry-After") or 1))
    except ValueError:
        return 1.0


class Student(FastHttpUser):
    """One student: a token, then rounds of open -> submit -> wait for the verdict -> board."""

    fixed_count = len(ACCOUNTS)
    network_timeout = TIMEOUT
    connection_timeout = TIMEOUT

    def on_start(self) -> None:
        self.account = next(_accounts)
        self.etag = ""
        self.token = self.account.get("token") if PHASE == "tokens" else None
        if not self.token:
            self._log_in()
        else:  # holding a token already: the class is not in step, spread the first rounds
            gevent.sleep(random.random() * PACING)

    def wait_time(self) -> float:
        """The rest of this student's round: one begins every ``PACING`` seconds from the
        start of the one before, whatever its requests took. Not Locust's ``constant_pacing``:
        it counts the first round from the user's start, so every student whose spread first
        round (``on_start``) fitted in the pacing began the second at the same instant, and the
        whole class went on in step, a burst every ``PACING`` seconds (at a round every 10 s,
        the students' p50 submit was 1.0-1.7 s from the second round on while the machine was
        half idle)."""
        return max(0.0, self.round_started + PACING - time.monotonic())

    def _log_in(self) -> None:
        body = {"username": self.account["username"], "password": self.account["password"]}
        for _ in range(100):  # 503 + Retry-After is the server shedding: come back as told
            with self.client.post(
                "/api/v1/token", json=body, name="POST /token", catch_response=True
            ) as response:
                if response.status_code == 200:
                    self.token = response.json()["token"]
                    STATE["tokens"][self.account["username"]] = self.token
                    STATE["logins"].append(time.time() - EPOCH)
                    return
                wait = _retry_after(response) if response.status_code in (429, 503) else 1.0
                response.failure(f"{response.status_code}")
            gevent.sleep(wait + random.random())
        STATE["login_failed"] += 1

    def _headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}", **extra}

    @task
    def round(self) -> None:
        self.round_started = time.monotonic()
        if not self.token:
            raise StopUser  # never logged in: nothing more to do
        code = CODE and random.random() < CODE_SHARE
        slug = CODE_SLUG if code else NUMBER_SLUG
        with self.client.get(
            f"/api/v1/problems/{slug}",
            headers=self._headers(),
            name="GET /problems/<slug>",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(str(response.status_code))
                return
            params = response.json().get("params") or {}
        if code:
            body = {"code": CODE}
        else:
            right = (params["f"] * params["f"] * params["c"] + 1) * params["k"]
            body = {"answer": right if random.random() < 0.5 else right + 1}
        sent = time.monotonic()
        submitted = self._submit(slug, body)
        if submitted is None:
            pass
        elif submitted["status"] in FINAL:  # graded in the request: the verdict is here
            STATE["verdict_ms"].append((time.monotonic() - sent) * 1000)
            STATE["graded_in_request"] += 1
        else:
            self._await_verdict(submitted["id"], sent)
        self._board()

    def _submit(self, slug: str, body: dict) -> dict | None:
        """The submit's answer (``id``, ``status``, and the grade when the server graded it in
        the request). Retried with the same Idempotency-Key after a timeout, a lost answer or a
        503/429: the server must hand back the first attempt, never make a second one."""
        headers = self._headers(**{"Idempotency-Key": str(uuid.uuid4())})
        for _ in range(RETRIES):
            with self.client.post(
                f"/api/v1/problems/{slug}/submissions",
                json=body,
                headers=headers,
                name="POST /problems/<slug>/submissions",
                catch_response=True,
            ) as response:
                if response.status_code in (200, 202):
                    STATE["replayed"] += response.status_code == 200
                    submitted = response.json()
                    STATE["submitted"].append(submitted["id"])
                    return submitted
                response.failure(str(response.status_code or "no answer"))
                wait = _retry_after(response) if response.status_code in (429, 503) else 1.0
            gevent.sleep(wait)
        STATE["lost"] += 1
        return None

    def _await_verdict(self, submission: int, sent: float) -> None:
        deadline = sent + 120
        while time.monotonic() < deadline:
            with self.client.get(
                f"/api/v1/submissions/{submission}?wait={WAIT}",
                headers=self._headers(),
                name="GET /submissions/<id>?wait=",
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(str(response.status_code))
                    gevent.sleep(POLL_SECONDS)
                    continue
                waited = response.headers.get("X-Stride-Wait")
                STATE["wait_outcomes"][waited or "none"] += 1
                if response.json()["status"] in FINAL:
                    STATE["verdict_ms"].append((time.monotonic() - sent) * 1000)
                    return
            if waited != "timeout":  # busy, or a server that does not wait: poll
                gevent.sleep(POLL_SECONDS)

    def _board(self) -> None:
        headers = self._headers(**({"If-None-Match": self.etag} if self.etag else {}))
        with self.client.get(
            f"/api/v1/cohorts/{COHORT}/leaderboard?top=10",
            headers=headers,
            name="GET /cohorts/<slug>/leaderboard",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                self.etag = response.headers.get("ETag", "")
            elif response.status_code == 304:
                response.success()
            else:
                response.failure(str(response.status_code))


class Health(FastHttpUser):
    """The baseline: ``/healthz`` every 100 ms through the same load."""

    fixed_count = 1
    wait_time = constant(0.1)
    network_timeout = TIMEOUT
    connection_timeout = TIMEOUT

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="GET /healthz")
