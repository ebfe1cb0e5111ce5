"""Reading a leaderboard at class scale: top N plus your own row, one shared view per version,
and ``304 Not Modified`` without touching the database.

A board's version is two numbers from Redis (``leaderboards.version_key`` for the standings,
``leaderboards.roster_version_key`` for the cohort's names), read in one round trip. What
students see of a board is the same for all of them at one version, so it is computed once
(``leaderboards.board_for``: the standings and the cohort's names) and kept in Redis under that
version: the top rows, the whole list, and each student's own row. A reader then costs one
Redis round trip and the parsing of the rows it asked for, whatever the cohort's size.

The 304: a 200 carries an ETag naming the board, its version, a time it is good until and an
HMAC (keyed by ``SECRET_KEY``) over those, the URL and the credential that made the request
(the API token, or the session cookie). A request presenting that ETag with the same credential
is answered 304 as long as the version is unchanged (or, within the coalescing window below,
is the version of the view a reader is served) and the time not past, before
authentication runs: no database query at all. What it costs: a credential revoked, or a member
removed, can learn for at most ``ETAG_SECONDS`` that the board they already have has not
changed, and nothing else. Time-driven changes (a freeze starting or ending, a quiz's results
released) are seen within ``ETAG_SECONDS`` too, because they are not version changes; a board
fetched before a freeze holds no grade of the freeze (such a grade changes the version).

The time-driven facts a 200 needs besides the version (which quizzes still hide their results,
``leaderboards.hidden_assignments``, and whether the board is frozen, ``freeze_start``: four
queries with a quiz in the cohort, half the CPU of a read) are read at most once a second per
board and web process (``FACTS_SECONDS``), and forgotten at once in the process that saves a
cohort, an assignment or a quiz's settings, accommodations or sittings. So a quiz's release or
a freeze reaches a 200 within a second (a 304, as said, within ``ETAG_SECONDS``).

Under a class, grades land many times a second and every one is a new version: computed per
version, nearly every student's read would compute the board again (a third of the web tier's
CPU in ``make bench BENCH_ARGS=web``). So a students' view is computed at most once per
``STRIDE["LEADERBOARD_COALESCE_MS"]`` per board (1 s by default): a reader who finds no view at
the current version, while one was stored less than that long ago, gets that view with its
own version (the payload's ``version`` and the ETag name the rows sent, never newer ones). The
board a student sees is thus at most that old; 0 computes every version (the test settings).

Staff views (real names) and frozen boards are computed for each 200 as before; their 304s
work the same way. Without Redis (``make demo``) there are no versions: every read computes
from the database and carries no ETag.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from exercises.errors import BadPayload
from exercises.leaderboards import services as leaderboards
from exercises.models import (
    Assignment,
    Cohort,
    QuizAccommodation,
    QuizAttempt,
    QuizSettings,
)
from exercises.models.cohort import STAFF_ROLES

log = logging.getLogger(__name__)

DEFAULT_TOP = 10
MAX_TOP = 200
ETAG_SECONDS = 60
VIEW_TTL_SECONDS = 600
FACTS_SECONDS = 1.0
_HMAC_SALT = "stride.leaderboard-etag"


def top_param(raw: str | None) -> int | None:
    """``?top=N`` (1 to ``MAX_TOP``): the rows wanted; None (absent): the whole board in
    ``entries``, as the API always answered."""
    if raw in (None, ""):
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_TOP:
        raise BadPayload(
            gettext("top must be a whole number from 1 to %(max)d.") % {"max": MAX_TOP}, field="top"
        )
    return int(raw)


# --- Versions -----------------------------------------------------------------------------------
def _board_scope(cohort_id: int, assignment_id: int | None) -> str:
    """Names the board and its cohort in an ETag (``c12`` or ``c12a5``)."""
    return f"c{cohort_id}" + (f"a{assignment_id}" if assignment_id is not None else "")


def _parse_scope(scope: str) -> tuple[int, int | None] | None:
    if not scope.startswith("c"):
        return None
    cohort, _, assignment = scope[1:].partition("a")
    if not cohort.isdigit() or (assignment and not assignment.isdigit()):
        return None
    return int(cohort), int(assignment) if assignment else None


def current_version(
    client, cohort_id: int, assignment_id: int | None, *, hidden: list[int] | None = None
) -> str | None:
    """``"<standings>.<roster>"``, or None while the board has no version (never built since
    Redis started: the next full read builds it). With ``hidden`` (the cohort's unreleased
    quizzes, read by a full read), also None when the board was built leaving out others: a
    quiz's results were released since, and the full read rebuilds the board."""
    scope = leaderboards.scope_name(cohort_id, assignment_id)
    board, roster, built = client.mget(
        leaderboards.version_key(scope),
        leaderboards.roster_version_key(cohort_id),
        leaderboards.built_key(scope),
    )
    if board is None:
        return None
    if hidden is not None and (built or b"").decode() != leaderboards.built_marker(hidden):
        return None
    return f"{int(board)}.{int(roster or 0)}"


# --- Time-driven facts --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Facts(leaderboards.Facts):
    at: datetime  # when they were read


_facts: dict[tuple[int, int | None], _Facts] = {}
_facts_lock = threading.Lock()


def time_facts(cohort: Cohort, assignment: Assignment | None, now: datetime) -> _Facts:
    """The board's hidden quizzes and freeze at ``now``, as read at most ``FACTS_SECONDS``
    before it by this process."""
    key = (cohort.pk, assignment.pk if assignment else None)
    with _facts_lock:
        found = _facts.get(key)
    if found is not None and found.at <= now < found.at + timedelta(seconds=FACTS_SECONDS):
        return found
    found = _Facts(
        hidden=leaderboards.hidden_assignments(cohort.pk),
        freeze=leaderboards.freeze_start(cohort, assignment, now),
        at=now,
    )
    with _facts_lock:
        _facts[key] = found
    return found


def forget_time_facts(**kwargs) -> None:
    """A cohort, an assignment or a quiz changed in this process: read the facts anew."""
    with _facts_lock:
        _facts.clear()


for _model in (Cohort, Assignment, QuizSettings, QuizAccommodation, QuizAttempt):
    for _signal in (post_save, post_delete):
        _signal.connect(
            forget_time_facts,
            sender=_model,
            dispatch_uid=f"stride-board-facts-{_signal is post_save}-{_model.__name__}",
        )


def _built_version(
    client, cohort_id: int, assignment_id: int | None, hidden: list[int]
) -> str | None:
    """The board's version, after building the board when it is missing or stale (a flushed
    Redis, a quiz released): a full read always leaves with a version to tag."""
    version = current_version(client, cohort_id, assignment_id, hidden=hidden)
    if version is None:
        leaderboards.current_standings(cohort_id, assignment_id)  # rebuilds (and versions) it
        version = current_version(client, cohort_id, assignment_id, hidden=hidden)
    return version


# --- ETags --------------------------------------------------------------------------------------
def _credential(request: HttpRequest) -> str | None:
    """What authenticates the request, as DRF tries it: an API token first, else the session
    cookie."""
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Token "):
        return "t:" + auth[6:].strip()
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    return "s:" + session if session else None


def _mac(request: HttpRequest, credential: str, scope: str, version: str, until: int) -> str:
    # The page's table (htmx) and the page itself share a URL: the tag tells them apart.
    page_part = request.headers.get("HX-Request", "")
    message = f"{credential}|{request.get_full_path()}|{page_part}|{scope}|{version}|{until}"
    return salted_hmac(_HMAC_SALT, message, algorithm="sha256").hexdigest()[:32]


def _etag(request: HttpRequest, scope: str, version: str) -> str | None:
    credential = _credential(request)
    if credential is None:
        return None
    until = int(time.time()) + ETAG_SECONDS
    return f'"lb.{scope}.{version}.{until}.{_mac(request, credential, scope, version, until)}"'


def unchanged(request: HttpRequest) -> bool:
    """Does ``If-None-Match`` name this board at its current version, for this credential and
    URL, within its time? Reads Redis only, never the database (runs before authentication)."""
    if request.method != "GET":
        return False
    tag = request.headers.get("If-None-Match", "").strip().removeprefix("W/").strip('"')
    parts = tag.split(".")
    if len(parts) != 6 or parts[0] != "lb":
        return False
    _, scope, board_v, roster_v, until, mac = parts
    credential = _credential(request)
    parsed = _parse_scope(scope)
    if credential is None or parsed is None or not until.isdigit() or int(until) < time.time():
        return False
    version = f"{board_v}.{roster_v}"
    if not constant_time_compare(mac, _mac(request, credential, scope, version, int(until))):
        return False
    client = leaderboards.redis_client()
    if client is None:
        return False
    try:
        if current_version(client, *parsed) == version:
            return True
        # A newer version, but a students' read within the coalescing window is served the
        # view stored a moment ago (``_shared_rows``): if that is the view the client holds,
        # it would get the same rows again.
        return _recent_view(client, leaderboards.scope_name(*parsed)) == version
    except Exception:  # Redis down: answer in full from the database
        log.exception("leaderboard version unreadable; answering in full")
        return False


def not_modified() -> HttpResponse:
    response = HttpResponseNotModified()
    response["Cache-Control"] = "private, no-cache"
    return response


def tag(response: HttpResponse, request: HttpRequest, read: BoardRead) -> HttpResponse:
    """The ETag of a full answer (none without a version), and "ask again each time"."""
    response["Cache-Control"] = "private, no-cache"
    if read.version is not None:
        etag = _etag(request, read.scope, read.version)
        if etag is not None:
            response["ETag"] = etag
    return response


def page_version(cohort: Cohort, assignment: Assignment | None) -> BoardRead:
    """The version of a board the page is about to compute (read first, so that a tag never
    names a newer version than the rows it is sent with); no payload."""
    assignment_id = assignment.pk if assignment else None
    version = None
    client = leaderboards.redis_client()
    if client is not None:
        try:
            hidden = time_facts(cohort, assignment, timezone.now()).hidden
            version = _built_version(client, cohort.pk, assignment_id, hidden)
        except Exception:
            log.exception("leaderboard version unreadable")
    return BoardRead({}, _board_scope(cohort.pk, assignment_id), version)


def answers_unchanged(view):
    """A page view decorator (outermost, before ``login_required``): 304 for an unchanged
    board, with no database query."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if unchanged(request):
            return not_modified()
        return view(request, *args, **kwargs)

    return wrapped


# --- The board as one viewer reads it -----------------------------------------------------------
@dataclass(frozen=True)
class BoardRead:
    payload: dict[str, Any]
    scope: str
    version: str | None  # None: computed without a version (no Redis, or not built yet)


def read_board(
    cohort: Cohort,
    viewer: AbstractBaseUser,
    *,
    assignment: Assignment | None,
    role: str,
    top: int | None,
) -> BoardRead:
    """The API's leaderboard body for ``viewer`` (whose membership the caller checked):
    ``cohort``, ``assignment``, ``frozen_at`` and ``entries`` as before (the whole board, or
    the first ``top`` rows when asked), plus ``top`` (the first ``top`` rows, default
    ``DEFAULT_TOP``), ``me`` (the viewer's row, null for staff and opted-out students) and
    ``version``."""
    assignment_id = assignment.pk if assignment else None
    scope = _board_scope(cohort.pk, assignment_id)
    client = leaderboards.redis_client()
    version = None
    staff = role in STAFF_ROLES
    facts = time_facts(cohort, assignment, timezone.now()) if client is not None else None
    if client is not None:
        try:
            version = _built_version(client, cohort.pk, assignment_id, facts.hidden)
        except Exception:
            log.exception("leaderboard version unreadable; computing from the database")
            client = None
    if facts is not None:
        frozen = not staff and facts.freeze
    else:
        frozen = not staff and leaderboards.freeze_start(cohort, assignment, timezone.now())
    rows = None
    if version is not None and not staff and not frozen:
        shared = _shared_rows(client, cohort, assignment, version, viewer, top, facts)
        if shared is not None:
            version, *rows = shared  # the version of the view served, maybe a recent older one
    if rows is None:
        board = leaderboards.board_for(
            cohort, viewer, assignment=assignment, role=role, facts=facts
        )
        body = leaderboards.board_payload(board)
        entries = body["entries"]
        me = next((e for e in entries if e["you"]), None)
        rows = (entries if top is None else entries[:top], me)
        frozen_at = body["frozen_at"]
    else:
        frozen_at = None
    listed, me = rows
    payload = {
        "cohort": cohort.slug,
        "assignment": assignment.slug if assignment else None,
        "frozen_at": frozen_at,
        "entries": listed,
        "top": listed[: top or DEFAULT_TOP],
        "me": me,
        "version": version,
    }
    return BoardRead(payload, scope, version)


def _shared_rows(
    client,
    cohort: Cohort,
    assignment: Assignment | None,
    version: str,
    viewer: AbstractBaseUser,
    top: int | None,
    facts: leaderboards.Facts,
) -> tuple[str, list[dict], dict | None] | None:
    """The students' view from Redis: at ``version``, else the one stored less than
    ``LEADERBOARD_COALESCE_MS`` ago, else computed and stored at ``version`` now (with the
    board's ``facts`` as the caller read them). Returns the version of the view served, the rows
    asked for and the viewer's own row, with ``you`` set on the viewer's; None when Redis
    failed."""
    scope = leaderboards.scope_name(cohort.pk, assignment.pk if assignment else None)
    field = "all" if top is None else "top"
    mine = f"u:{viewer.pk}"
    try:
        listed, me = client.hmget(_view_key(scope, version), field, mine)
        if listed is None:
            recent = _recent_view(client, scope)
            if recent is not None and recent != version:
                listed, me = client.hmget(_view_key(scope, recent), field, mine)
                if listed is not None:
                    version = recent
        if listed is None:
            stored = _store_view(client, scope, version, cohort, assignment, viewer, facts)
            listed, me = stored[field], stored.get(mine)
    except Exception:
        log.exception("leaderboard view unreadable from Redis; computing from the database")
        return None
    rows = json.loads(listed)
    if top is not None:
        rows = rows[:top]
    me_row = json.loads(me) if me else None
    if me_row is not None:
        me_row["you"] = True
        for row in rows:
            if row["rank"] == me_row["rank"]:
                row["you"] = True
    return version, rows, me_row


def _view_key(scope: str, version: str) -> str:
    return f"{leaderboards.version_key(scope)}:view:{version}"


def latest_view_key(scope: str) -> str:
    """The version of the board's newest stored view, kept for ``LEADERBOARD_COALESCE_MS``."""
    return f"{leaderboards.version_key(scope)}:latest-view"


def _recent_view(client, scope: str) -> str | None:
    """The version of a view stored less than ``LEADERBOARD_COALESCE_MS`` ago, if any."""
    if not settings.STRIDE["LEADERBOARD_COALESCE_MS"]:
        return None
    latest = client.get(latest_view_key(scope))
    return latest.decode() if latest else None


def _store_view(
    client,
    scope: str,
    version: str,
    cohort: Cohort,
    assignment: Assignment | None,
    viewer: AbstractBaseUser,
    facts: leaderboards.Facts,
) -> dict[str, str]:
    """Compute the students' board once and keep it under its version, and name it the board's
    newest view for ``LEADERBOARD_COALESCE_MS``; returns what it stored (field -> JSON), so
    that its reader need not ask Redis again."""
    board = leaderboards.board_for(
        cohort, viewer, assignment=assignment, role="student", facts=facts
    )
    entries = leaderboards.board_payload(board)["entries"]
    mapping = {}
    for entry, row in zip(board.entries, entries, strict=True):
        row["you"] = False
        mapping[f"u:{entry.user_id}"] = json.dumps(row)
    mapping["all"] = json.dumps(entries)
    mapping["top"] = json.dumps(entries[:MAX_TOP])
    key = _view_key(scope, version)
    pipe = client.pipeline(transaction=True)
    pipe.hset(key, mapping=mapping)
    pipe.expire(key, VIEW_TTL_SECONDS)
    coalesce_ms = settings.STRIDE["LEADERBOARD_COALESCE_MS"]
    if coalesce_ms:
        pipe.set(latest_view_key(scope), version, px=coalesce_ms)
    pipe.execute()
    return mapping
