"""Cohort (and per-assignment) leaderboards.

Score = the sum over problems of the student's best score; ties go to whoever reached their
score first (the submission time of the attempt that first earned each best score; the latest
of those is "last improved"), then to the lower user id so the order is total.

The database is the source of truth. With ``REDIS_URL`` the standings live in Redis, one board
per scope (``c<cohort id>`` for a cohort, ``a<assignment id>`` for one assignment):

- ``<prefix>:lb:{scope}:z``  sorted set, member = user id, score = total score;
- ``<prefix>:lb:{scope}:s``  hash, user id -> ``"solved|reached_ms|graded_count"``;
- ``<prefix>:lb:{scope}:built``  marker written by a rebuild; it names the unreleased quizzes
  left out, so a quiz's release (a point in time, not an event) makes the next read rebuild;
- ``<prefix>:lb:{scope}:v``  the board's version: raised by every standing written, every
  rebuild and every ``forget_board``, so that an unchanged version means unchanged standings
  (``leaderboard_reads`` answers 304 by it). A rebuild raises it to at least the current time
  in milliseconds, so a flushed Redis never hands out an old version again.

Every write that changes what a board shows says so through ``boards_changed`` (after its
commit). ``on_graded`` (after every graded commit) recomputes the one student's standing from the
database (one query over their own submissions) and writes it with a Lua script that refuses an
older computation (fewer graded submissions) over a newer one. A read that finds no ``built``
marker (a flushed or expired Redis), or one naming other hidden quizzes, rebuilds the board
from the database first, so a lost cache is never a wrong board. Without Redis (the SQLite
demo) every read computes from the database.

Freeze: an assignment with ``leaderboard_freeze_minutes`` freezes the boards it counts on from
``due_at - minutes`` until ``due_at``; students then see the standings computed only from
submissions made before the freeze, staff see the live board.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from exercises import access
from exercises.cohorts.selectors import pseudonym_for
from exercises.errors import NotFound
from exercises.models import Assignment, Cohort, Membership, Role, Status, Submission, Verdict
from exercises.quizzes import rules as quiz_rules

log = logging.getLogger(__name__)

BOARD_TTL_SECONDS = 3600  # a board nobody reads expires; the next read rebuilds it
FROZEN_CACHE_SECONDS = 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- Standings from the database ----------------------------------------------------------------
@dataclass(slots=True)
class Standing:
    """One student's totals on one board. ``reached_ms`` is when they first reached ``score``
    (milliseconds since the epoch, the precision Redis keeps; None for a zero score)."""

    user_id: int
    score: float
    solved: int
    reached_ms: int | None
    graded: int  # graded submissions counted: orders concurrent updates

    @property
    def reached(self) -> datetime | None:
        if self.reached_ms is None:
            return None
        return _EPOCH + timedelta(milliseconds=self.reached_ms)

    @property
    def sort_key(self) -> tuple[float, float, int]:
        return (-self.score, math.inf if self.reached_ms is None else self.reached_ms, self.user_id)


def _scope_filter(cohort_id: int, assignment_id: int | None) -> Q:
    if assignment_id is not None:
        return Q(assignment_id=assignment_id)
    return Q(assignment__cohort_id=cohort_id, assignment__counts_on_leaderboard=True)


def _standings_from_rows(rows: Any) -> dict[int, Standing]:
    """rows: (user_id, problem_id, score, verdict, created_at) of graded submissions."""
    best: dict[tuple[int, int], list] = {}  # (user, problem) -> [score, reached, solved]
    graded: dict[int, int] = {}
    for user_id, problem_id, score, verdict, created_at in rows:
        graded[user_id] = graded.get(user_id, 0) + 1
        score = score or 0.0
        slot = best.get((user_id, problem_id))
        if slot is None:
            best[(user_id, problem_id)] = [score, created_at, verdict == Verdict.CORRECT]
            continue
        if score > slot[0] or (score == slot[0] and created_at < slot[1]):
            slot[0], slot[1] = score, created_at
        slot[2] = slot[2] or verdict == Verdict.CORRECT
    totals: dict[int, list] = {uid: [0.0, 0, None] for uid in graded}
    for (user_id, _problem_id), (score, reached, solved) in best.items():
        total = totals[user_id]
        total[0] += score
        total[1] += int(solved)
        if score > 0 and (total[2] is None or reached > total[2]):
            total[2] = reached
    return {
        uid: Standing(uid, round(score, 6), solved, _to_ms(reached), graded[uid])
        for uid, (score, solved, reached) in totals.items()
    }


def _to_ms(when: datetime | None) -> int | None:
    """Milliseconds, as Redis stores them, so that both paths order ties identically."""
    if when is None:
        return None
    return (when - _EPOCH) // timedelta(milliseconds=1)


def hidden_assignments(cohort_id: int) -> list[int]:
    """Quiz assignments whose results must not show yet (``quiz_rules``): their submissions
    stay off every board until the quiz has closed for everyone."""
    return sorted(quiz_rules.unreleased_quiz_ids(cohort_id))


def compute_standings(
    cohort_id: int,
    assignment_id: int | None = None,
    *,
    before: datetime | None = None,
    user_id: int | None = None,
    hidden: list[int] | None = None,
) -> dict[int, Standing]:
    """The board straight from the database (the baseline and the fallback).

    ``before`` keeps only submissions made before that instant (a frozen board);
    ``user_id`` computes one student's standing only; ``hidden``: assignments left out
    (default: the cohort's unreleased quizzes).
    """
    if hidden is None:
        hidden = hidden_assignments(cohort_id)
    query = Submission.objects.filter(_scope_filter(cohort_id, assignment_id), status=Status.GRADED)
    if hidden:
        query = query.exclude(assignment_id__in=hidden)
    if before is not None:
        query = query.filter(created_at__lt=before)
    if user_id is not None:
        query = query.filter(user_id=user_id)
    rows = query.order_by().values_list("user_id", "problem_id", "score", "verdict", "created_at")
    return _standings_from_rows(rows.iterator(chunk_size=5000))


# --- Redis store --------------------------------------------------------------------------------
_UPDATE_SCRIPT = """
if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old then
  local oldcount = tonumber(string.match(old, '([^|]*)$'))
  if oldcount and tonumber(ARGV[4]) < oldcount then return 0 end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('INCR', KEYS[4])
return 1
"""


# A version only goes up: to ARGV[1] (now, in ms) if it is behind, else by one.
_BUMP_SCRIPT = """
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[1])
if v < floor then v = floor else v = v + 1 end
redis.call('SET', KEYS[1], v)
return v
"""


_READ_SCRIPT = """
local built = redis.call('GET', KEYS[3])
if not built then return false end
local z = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local out = {}
for i = 1, #z, 2 do
  local packed = redis.call('HGET', KEYS[2], z[i])
  if packed then out[#out + 1] = z[i] .. '|' .. z[i + 1] .. '|' .. packed end
end
return {built, table.concat(out, ';')}
"""


@lru_cache(maxsize=4)
def _client_for(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


@lru_cache(maxsize=16)
def _script(client, source: str):
    """A registered script (EVALSHA, falling back to EVAL after a flush) per client."""
    return client.register_script(source)


def redis_client():
    """The Redis the boards live in, or None when Stride runs without Redis."""
    url = getattr(settings, "REDIS_URL", "")
    return _client_for(url) if url else None


def _prefix() -> str:
    return str(settings.CACHES["default"].get("KEY_PREFIX") or "stride")


def scope_name(cohort_id: int, assignment_id: int | None = None) -> str:
    return f"a{assignment_id}" if assignment_id is not None else f"c{cohort_id}"


def _keys(scope: str) -> tuple[str, str, str, str]:
    base = f"{_prefix()}:lb:{{{scope}}}"  # hash tag: one cluster slot per board
    return f"{base}:z", f"{base}:s", f"{base}:built", f"{base}:lock"


def version_key(scope: str) -> str:
    return f"{_prefix()}:lb:{{{scope}}}:v"


def built_key(scope: str) -> str:
    return _keys(scope)[2]


def roster_version_key(cohort_id: int) -> str:
    """Raised whenever a cohort's memberships change (names, opt-outs, joins, roles): every
    board of the cohort shows names, so each board's version is read with this one."""
    return f"{_prefix()}:lb:roster:{cohort_id}"


def bump_version(client, key: str) -> int:
    """Raise a version (``_BUMP_SCRIPT``)."""
    now_ms = int(timezone.now().timestamp() * 1000)
    return int(_script(client, _BUMP_SCRIPT)(keys=[key], args=[now_ms]))


def _pack(standing: Standing) -> str:
    reached = "" if standing.reached_ms is None else str(standing.reached_ms)
    return f"{standing.solved}|{reached}|{standing.graded}"


def _unpack(user_id: int, score: float, packed: str) -> Standing:
    solved, reached, graded = packed.split("|")
    return Standing(
        user_id, round(score, 6), int(solved), int(reached) if reached else None, int(graded)
    )


def built_marker(hidden: list[int]) -> str:
    """The ``built`` marker names the quizzes left out, so that a quiz's release (a point in
    time, not an event) is noticed by the next read, which then rebuilds."""
    return "hidden:" + ",".join(str(a) for a in hidden)


def rebuild_board(
    cohort_id: int, assignment_id: int | None = None, *, hidden: list[int] | None = None
) -> dict[int, Standing]:
    """Recompute one board from the database and replace it in Redis (atomically, by RENAME)."""
    if hidden is None:
        hidden = hidden_assignments(cohort_id)
    standings = compute_standings(cohort_id, assignment_id, hidden=hidden)
    client = redis_client()
    if client is None:
        return standings
    scope = scope_name(cohort_id, assignment_id)
    zkey, skey, built, _lock = _keys(scope)
    pipe = client.pipeline(transaction=True)
    if standings:
        ztmp, stmp = f"{zkey}:tmp", f"{skey}:tmp"
        pipe.delete(ztmp, stmp)
        pipe.zadd(ztmp, {str(uid): s.score for uid, s in standings.items()})
        pipe.hset(stmp, mapping={str(uid): _pack(s) for uid, s in standings.items()})
        pipe.rename(ztmp, zkey)
        pipe.rename(stmp, skey)
        pipe.expire(zkey, BOARD_TTL_SECONDS)
        pipe.expire(skey, BOARD_TTL_SECONDS)
    else:
        pipe.delete(zkey, skey)
    pipe.set(built, built_marker(hidden), ex=BOARD_TTL_SECONDS)
    pipe.execute()
    bump_version(client, version_key(scope))
    return standings


def _read_redis(
    client, cohort_id: int, assignment_id: int | None, hidden: list[int] | None = None
) -> dict[int, Standing]:
    scope = scope_name(cohort_id, assignment_id)
    zkey, skey, built, lock = _keys(scope)
    if hidden is None:
        hidden = hidden_assignments(cohort_id)
    # One script, one bulk-string reply: parsing 2,000 RESP items in Python costs more than the
    # rest of serving a 1,000-student board.
    reply = _script(client, _READ_SCRIPT)(keys=[zkey, skey, built])
    if reply is None or reply[0].decode() != built_marker(hidden):
        # Flushed, expired, never built, or a quiz was released since: rebuild once (others
        # compute without writing meanwhile).
        if client.set(lock, "1", nx=True, ex=30):
            try:
                return rebuild_board(cohort_id, assignment_id, hidden=hidden)
            finally:
                client.delete(lock)
        return compute_standings(cohort_id, assignment_id, hidden=hidden)
    blob = reply[1]
    out: dict[int, Standing] = {}
    for line in blob.decode().split(";") if blob else ():
        uid, score, packed = line.split("|", 2)
        out[int(uid)] = _unpack(int(uid), float(score), packed)
    return out


def current_standings(
    cohort_id: int, assignment_id: int | None = None, *, hidden: list[int] | None = None
) -> dict[int, Standing]:
    """The live board: from Redis when configured (rebuilt if missing), else the database.
    ``hidden``: the cohort's unreleased quizzes when the caller has just read them (default:
    read them here)."""
    client = redis_client()
    if client is None:
        return compute_standings(cohort_id, assignment_id, hidden=hidden)
    try:
        return _read_redis(client, cohort_id, assignment_id, hidden)
    except Exception:  # Redis down: the database still answers correctly
        log.exception("leaderboard read from Redis failed; computing from the database")
        return compute_standings(cohort_id, assignment_id, hidden=hidden)


# Every graded submission (in an assignment) of the student who made one submission. Raw SQL
# because this runs after every grade: building the equivalent ORM query cost more CPU than
# PostgreSQL spends on it. Deliberately this simple: with the cohort filter in SQL too (two
# more joins) planning took 0.6 ms of a 0.1 ms query; like this, planning and execution take
# ~0.1 ms together (the user_id index finds the rows; no extra index helps), and the few
# rows of other cohorts are dropped in Python.
_SUBMISSIONS, _ASSIGNMENTS = Submission._meta.db_table, Assignment._meta.db_table
_STUDENT_ROWS_SQL = f"""
SELECT s.id, s.assignment_id, a.cohort_id, a.counts_on_leaderboard, a.type,
       s.user_id, s.problem_id, s.score, s.verdict, s.created_at
FROM {_SUBMISSIONS} s
JOIN {_ASSIGNMENTS} a ON a.id = s.assignment_id
WHERE s.user_id = (SELECT t.user_id FROM {_SUBMISSIONS} t WHERE t.id = %s)
  AND s.status = %s
"""  # noqa: S608 (only the models' table names are formatted in; values are parameters)


def _student_rows(submission_id: int) -> list[tuple]:
    """Rows of ``_STUDENT_ROWS_SQL`` (a parameterised query through Django's cursor)."""
    with connection.cursor() as cursor:
        cursor.execute(_STUDENT_ROWS_SQL, [submission_id, Status.GRADED.value])
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":  # SQLite (tests) hands times back as text
        convert = connection.ops.convert_datetimefield_value
        rows = [(*r[:9], convert(r[9], None, connection)) for r in rows]
    return rows


def _evalsha_all(client, source: str, calls: list[tuple[list[str], list[Any]]]) -> list[Any]:
    """Run one Lua script once per (keys, args) in a single round trip.

    redis-py's ``Script`` in a pipeline first asks ``SCRIPT EXISTS`` (a second round trip on
    every update); here EVALSHA goes straight out and only a server that lost its scripts
    (restart, SCRIPT FLUSH) costs a SCRIPT LOAD and one retry.
    """
    from redis.exceptions import NoScriptError

    sha = _script(client, source).sha
    for attempt in (1, 2):
        pipe = client.pipeline(transaction=False)
        for keys, args in calls:
            pipe.execute_command("EVALSHA", sha, len(keys), *keys, *args)
        try:
            return pipe.execute()
        except NoScriptError:
            if attempt == 2:
                raise
            client.script_load(source)
    raise AssertionError("unreachable")


def on_graded(submission_id: int) -> None:
    """After a graded commit: refresh the student's standing on the boards it counts on.

    One query (the student's graded submissions in the submission's cohort) and one Redis
    round trip (the update script once per board, pipelined). Without Redis there is nothing
    to maintain: reads compute from the database. Target: p99 <= 5 ms on a
    1,000-student cohort, see ``bench/bench_leaderboard.py``.
    """
    client = redis_client()
    if client is None:
        return
    rows = _student_rows(submission_id)
    mine = next((r for r in rows if r[0] == submission_id), None)
    if mine is None:  # not graded (any more), or outside any assignment
        return
    _, assignment_id, cohort_id, _, _, user_id = mine[:6]
    # This cohort only; of it, what counts on the cohort board or on this assignment's board.
    rows = [r for r in rows if r[2] == cohort_id and (r[3] or r[1] == assignment_id)]
    if any(r[4] == Assignment.Type.QUIZ for r in rows):
        hidden = set(hidden_assignments(cohort_id))
        rows = [r for r in rows if r[1] not in hidden]
    calls: list[tuple[list[str], list[Any]]] = []
    for scope, scoped in (
        (scope_name(cohort_id), [r[5:] for r in rows if r[3]]),
        (scope_name(cohort_id, assignment_id), [r[5:] for r in rows if r[1] == assignment_id]),
    ):
        standing = _standings_from_rows(scoped).get(user_id)
        if standing is not None:
            zkey, skey, built, _lock = _keys(scope)
            args = [str(user_id), standing.score, _pack(standing), standing.graded]
            calls.append(([zkey, skey, built, version_key(scope)], args))
    if calls:
        _evalsha_all(client, _UPDATE_SCRIPT, calls)


def rebuild_all(cohort: Cohort | None = None) -> int:
    """Rebuild every board (of one cohort or all); returns how many were rebuilt."""
    cohorts = [cohort] if cohort is not None else list(Cohort.objects.all())
    count = 0
    for c in cohorts:
        rebuild_board(c.pk)
        count += 1
        for assignment_id in Assignment.objects.filter(cohort=c).values_list("pk", flat=True):
            rebuild_board(c.pk, assignment_id)
            count += 1
    return count


def forget_board(cohort_id: int, assignment_id: int | None = None) -> None:
    """Drop a board from Redis so the next read rebuilds it (``boards_changed``)."""
    client = redis_client()
    if client is not None:
        scope = scope_name(cohort_id, assignment_id)
        client.delete(*_keys(scope)[:3])
        bump_version(client, version_key(scope))


# --- What changes a board -----------------------------------------------------------------------
class BoardChange(StrEnum):
    """What happened that changes what boards show, and so what they need."""

    GRADED = "graded"  # one submission graded: its student's standing is rewritten in place
    REGRADED = "regraded"  # many scores at once: every board of the cohort (or all) is rebuilt
    ROSTER = "roster"  # joins, leaves, names, roles, opt-outs: every board of the cohort shows
    # other rows; standings do not depend on the roster, so only the roster version goes up
    ASSIGNMENT = "assignment"  # an assignment's settings changed what counts (or a quiz's
    # results were released): the cohort's board and the assignment's are rebuilt on next read


def boards_changed(
    change: BoardChange,
    *,
    cohort_id: int | None = None,
    assignment_id: int | None = None,
    submission_id: int | None = None,
) -> None:
    """The one way writes tell the leaderboards: runs once the current transaction commits (at
    once outside one), so a rolled-back write changes no board and a read after the commit
    never rebuilds from rows not yet visible; and never fails the write that called it (a board
    is a cache: a read with no board rebuilds it from the database).

    ``submission_id`` for GRADED; ``cohort_id`` for the others (REGRADED without it: every
    cohort); ``assignment_id`` for ASSIGNMENT.
    """
    if change is BoardChange.GRADED and submission_id is None:
        raise ValueError("a graded change names its submission")
    if change in (BoardChange.ROSTER, BoardChange.ASSIGNMENT) and cohort_id is None:
        raise ValueError(f"a {change} change names its cohort")
    transaction.on_commit(lambda: _apply_change(change, cohort_id, assignment_id, submission_id))


def _apply_change(
    change: BoardChange,
    cohort_id: int | None,
    assignment_id: int | None,
    submission_id: int | None,
) -> None:
    try:
        if change is BoardChange.GRADED:
            on_graded(submission_id)
        elif change is BoardChange.REGRADED:
            cohort = Cohort.objects.get(pk=cohort_id) if cohort_id is not None else None
            rebuild_all(cohort)
        elif change is BoardChange.ROSTER:
            client = redis_client()
            if client is not None:
                bump_version(client, roster_version_key(cohort_id))
        else:
            forget_board(cohort_id)
            if assignment_id is not None:
                forget_board(cohort_id, assignment_id)
    except Exception:  # the next read rebuilds from the database; never fail the write
        log.exception(
            "leaderboards not told of %s (cohort %s, assignment %s, submission %s)",
            change,
            cohort_id,
            assignment_id,
            submission_id,
        )


# --- Freeze -------------------------------------------------------------------------------------
def freeze_start(cohort: Cohort, assignment: Assignment | None, now: datetime) -> datetime | None:
    """When the board the students see was frozen, or None when it is live."""
    if assignment is not None:
        candidates = [assignment]
    else:
        candidates = list(
            Assignment.objects.filter(
                cohort=cohort,
                counts_on_leaderboard=True,
                leaderboard_freeze_minutes__gt=0,
                due_at__gt=now,
            )
        )
    starts = []
    for a in candidates:
        if a.due_at is None or not a.leaderboard_freeze_minutes:
            continue
        start = a.due_at - timedelta(minutes=a.leaderboard_freeze_minutes)
        if start <= now < a.due_at:
            starts.append(start)
    return min(starts) if starts else None


def _frozen_standings(
    cohort_id: int, assignment_id: int | None, before: datetime, hidden: list[int] | None = None
) -> dict[int, Standing]:
    if hidden is None:
        hidden = hidden_assignments(cohort_id)
    key = f"lb-frozen:{scope_name(cohort_id, assignment_id)}:{before.timestamp()}:{hidden}"
    found = cache.get(key)
    if found is None:
        found = compute_standings(cohort_id, assignment_id, before=before, hidden=hidden)
        cache.set(key, found, FROZEN_CACHE_SECONDS)
    return found


# --- What a viewer sees -------------------------------------------------------------------------
@dataclass(slots=True)
class Entry:
    rank: int
    user_id: int
    name: str
    score: float
    solved: int
    last_improved_at: datetime | None
    real_name: str | None = None  # staff only
    hidden: bool = False  # opted out (only staff see such rows)
    is_viewer: bool = False


@dataclass(frozen=True)
class Board:
    cohort: Cohort
    assignment: Assignment | None
    entries: list[Entry]
    frozen_at: datetime | None  # set when this viewer sees a frozen board
    staff_view: bool

    @property
    def viewer_entry(self) -> Entry | None:
        return next((e for e in self.entries if e.is_viewer), None)


# The cohort's students with what a board shows of them. Raw SQL for the reason of
# ``_STUDENT_ROWS_SQL``: it runs for every board computed (the first reader of each version),
# and compiling the equivalent ORM query (a join to the users) cost more CPU than the rest of
# computing a class's board (``make bench BENCH_ARGS=webcpu``).
_MEMBERSHIPS = Membership._meta.db_table
_USERS = Membership._meta.get_field("user").related_model._meta.db_table
_ROSTER_SQL = f"""
SELECT m.user_id, m.display_name, m.show_on_leaderboard, u.username, u.first_name, u.last_name
FROM {_MEMBERSHIPS} m
JOIN {_USERS} u ON u.id = m.user_id
WHERE m.cohort_id = %s AND m.role = %s
"""  # noqa: S608 (only the models' table names are formatted in; values are parameters)


def _roster_rows(cohort_id: int) -> list[tuple]:
    """(user_id, display_name, show_on_leaderboard, username, first_name, last_name) of every
    student of the cohort, in no order (the board sorts)."""
    with connection.cursor() as cursor:
        cursor.execute(_ROSTER_SQL, [cohort_id, Role.STUDENT.value])
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":  # SQLite hands booleans back as 0 and 1
        rows = [(r[0], r[1], bool(r[2]), *r[3:]) for r in rows]
    return rows


@dataclass(frozen=True)
class Facts:
    """What a board depends on besides its standings and names, as the caller has just read
    them at ``now``: the cohort's unreleased quizzes (``hidden_assignments``) and when the
    students' board froze (``freeze_start``, None when live). Given to ``board_for``, they are
    not read again."""

    hidden: list[int]
    freeze: datetime | None


def board_for(
    cohort: Cohort,
    viewer: AbstractBaseUser,
    *,
    assignment: Assignment | None = None,
    now: datetime | None = None,
    role: str | None = None,
    facts: Facts | None = None,
) -> Board:
    """The board as ``viewer`` may see it. Staff: live, real names, opted-out students marked.
    Students: display names, opted-out students left out (ranks close up), frozen near a
    deadline. Caller has checked that ``viewer`` belongs to ``cohort``; ``facts``: the board's
    time-driven facts at ``now`` when the caller has them (else they are read here)."""

    now = now or timezone.now()
    if role is None:
        role = access.role_in(viewer, cohort)
    staff = access.is_staff_role(role)
    assignment_id = assignment.pk if assignment else None
    hidden = facts.hidden if facts is not None else None
    if staff:
        frozen_at = None
    elif facts is not None:
        frozen_at = facts.freeze
    else:
        frozen_at = freeze_start(cohort, assignment, now)
    if frozen_at is not None:
        standings = _frozen_standings(cohort.pk, assignment_id, frozen_at, hidden)
    else:
        standings = current_standings(cohort.pk, assignment_id, hidden=hidden)
    rows = []
    for user_id, display, shown, username, first, last in _roster_rows(cohort.pk):
        if not shown and not staff:
            continue
        standing = standings.get(user_id) or Standing(user_id, 0.0, 0, None, 0)
        rows.append((standing, display or pseudonym_for(user_id), shown, username, first, last))
    rows.sort(key=lambda r: r[0].sort_key)
    viewer_id = viewer.pk  # once: request.user is a lazy object, slow to touch 1,000 times
    entries = []
    for rank, (standing, name, shown, username, first, last) in enumerate(rows, start=1):
        real = None
        if staff:
            full = f"{first} {last}".strip()
            real = f"{full} ({username})" if full else username
        entries.append(
            Entry(
                rank=rank,
                user_id=standing.user_id,
                name=name,
                score=standing.score,
                solved=standing.solved,
                last_improved_at=standing.reached,
                real_name=real,
                hidden=not shown,
                is_viewer=standing.user_id == viewer_id,
            )
        )
    return Board(cohort, assignment, entries, frozen_at, staff)


def board_payload(board: Board) -> dict[str, Any]:
    """The public API shape (v1): ``{cohort, entries: [{rank, name, score, solved,
    last_improved_at}]}``, plus ``assignment``, ``frozen_at`` and per-entry ``you`` (and, for
    staff, ``real_name`` and ``hidden``). Built as plain dicts: 1,000 rows through a serializer
    class cost more than the whole Redis read."""
    entries = []
    for e in board.entries:
        item: dict[str, Any] = {
            "rank": e.rank,
            "name": e.name,
            "score": e.score,
            "solved": e.solved,
            "last_improved_at": e.last_improved_at.isoformat().replace("+00:00", "Z")
            if e.last_improved_at
            else None,
            "you": e.is_viewer,
        }
        if board.staff_view:
            item["real_name"] = e.real_name
            item["hidden"] = e.hidden
        entries.append(item)
    return {
        "cohort": board.cohort.slug,
        "assignment": board.assignment.slug if board.assignment else None,
        "frozen_at": board.frozen_at.isoformat() if board.frozen_at else None,
        "entries": entries,
    }


def access_board(
    user: AbstractBaseUser, cohort_slug: str, assignment_slug: str | None = None
) -> tuple[Membership, Assignment | None]:
    """The viewer's membership of the board's cohort (and the assignment of a per-assignment
    board): members only, else 404; a draft assignment's board is the staff's."""
    membership = access.member_cohort(user, cohort_slug)
    assignment = None
    if assignment_slug:
        assignment = Assignment.objects.filter(
            cohort=membership.cohort, slug=assignment_slug
        ).first()
        if assignment is None or (
            not access.is_staff_role(membership.role) and not assignment.published
        ):
            raise NotFound(
                gettext("No assignment %(slug)r.") % {"slug": assignment_slug},
                code="assignment_not_found",
            )
    return membership, assignment
