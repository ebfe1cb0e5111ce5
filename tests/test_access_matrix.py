"""The access matrix: every URL pattern of the project, resolved from the URLconf, against every
persona. A new view without an entry here fails ``test_access_matrix`` (its route has no row),
and a row whose view is gone fails ``test_the_matrix_has_no_stale_rows``.

Each row gives the status each persona gets for GET, and for POST where the view takes one, in
the order of ``PERSONAS``. What the codes say (``exercises.access`` is the rule):

- 302 for the anonymous visitor on a page (to the login), 401 on the API;
- 404 where the cohort (or its quiz, problem, submission) is not theirs to know of;
- 403 where an assistant may read but not write; 405 where the method does not exist for
  someone who may otherwise see the page (access is checked first, so 405 leaks nothing);
- 301 / 308: a quiz staff page's first address, after the same access check.

Category rules: the Django admin (every ``admin/`` pattern) refuses each persona, none being
Django staff; the API docs and the schema are public (listed as rows like any page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from exercises.models import (
    AssignmentProblem,
    IntegrityReport,
    Membership,
    RegradeJob,
    Status,
    Submission,
    Verdict,
)
from exercises.quizzes import services as quizzes
from tests import factories

PERSONAS = (
    "anonymous",
    "outsider",
    "other_instructor",
    "student",
    "other_student",
    "assistant",
    "instructor",  # last: an instructor's write must not change what the others meet
)
ADMIN_PREFIX = "admin/"


def routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the URLconf as written (``teach/<slug:slug>/gradebook``), recursively."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            found += routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


@dataclass(frozen=True)
class Row:
    """``url`` with ``{c}`` cohort, ``{p}`` problem, ``{a}`` assignment, ``{s}`` the student's id,
    ``{m}`` their membership, ``{sub}`` their submission, ``{q}`` a quiz, ``{job}`` a regrade.
    ``get`` / ``post``: seven statuses, one per persona in ``PERSONAS`` order."""

    url: str
    get: str
    post: str | None = None
    data: dict = field(default_factory=dict)
    api: bool = False  # JSON bodies

    def expected(self, codes: str) -> dict[str, int]:
        numbers = [int(c) for c in codes.split()]
        assert len(numbers) == len(PERSONAS), codes
        return dict(zip(PERSONAS, numbers, strict=True))


# Columns:      anon out oi  stu os  asst instr
PUBLIC = "200 200 200 200 200 200 200"
LOGGED_IN = "302 200 200 200 200 200 200"
SIGNED_OUT_ONLY = "200 302 302 302 302 302 302"
MEMBER = "302 404 404 200 200 200 200"
OWNER_AND_STAFF = "302 404 404 200 404 200 200"
API_MEMBER = "401 404 404 200 200 200 200"
STAFF_READ = "302 404 404 404 404 200 200"
STAFF_READ_NO_POST = "302 404 404 404 404 405 405"
INSTRUCTOR_FORM = "302 404 404 404 404 403 200"  # a page that writes: assistants do not open it
INSTRUCTOR_POST_ONLY = "302 404 404 404 404 403 405"  # GET of a POST-only write
BANK = "302 404 200 404 404 200 200"  # the shared problem bank: staff of any cohort

MATRIX: dict[str, Row] = {
    # --- Accounts and operations ---------------------------------------------------------------
    "healthz": Row("/healthz", PUBLIC),
    # The language switch: anyone may choose (a POST, then back where they were).
    "i18n/setlang/": Row(
        "/i18n/setlang/", "405 " * 6 + "405", "302 " * 6 + "302", data={"language": "ko"}
    ),
    "jsi18n/": Row("/jsi18n/", PUBLIC),
    "favicon.ico": Row("/favicon.ico", "301 301 301 301 301 301 301"),
    "accounts/login/": Row("/accounts/login/", PUBLIC, PUBLIC),
    "accounts/logout/": Row("/accounts/logout/", "405 405 405 405 405 405 405", "302 " * 6 + "302"),
    "accounts/password/": Row("/accounts/password/", LOGGED_IN, LOGGED_IN),
    "accounts/password/done/": Row("/accounts/password/done/", LOGGED_IN),
    # Sign-up is for newcomers: anyone logged in is sent to /join. An empty form: 200.
    "accounts/signup/": Row("/accounts/signup/", SIGNED_OUT_ONLY, SIGNED_OUT_ONLY),
    "accounts/password/reset/": Row("/accounts/password/reset/", PUBLIC, PUBLIC),
    "accounts/password/reset/sent/": Row("/accounts/password/reset/sent/", PUBLIC),
    # A made-up link: "this link no longer works" (200) for everyone, whatever the method.
    "accounts/reset/<uidb64>/<token>/": Row("/accounts/reset/MQ/made-up/", PUBLIC, PUBLIC),
    "accounts/reset/done/": Row("/accounts/reset/done/", PUBLIC),
    "accounts/invitation/<uidb64>/<token>/": Row(
        "/accounts/invitation/MQ/made-up/", PUBLIC, PUBLIC
    ),
    # --- Student pages -------------------------------------------------------------------------
    "": Row("/", LOGGED_IN),
    "join": Row("/join", LOGGED_IN, LOGGED_IN),
    "problems/<slug:slug>": Row("/problems/{p}", MEMBER, "302 404 404 400 400 400 400"),
    # "Show a hint": an on-request hint, unlocked for members (then back to the problem).
    "problems/<slug:slug>/hints/<int:index>": Row(
        "/problems/{p}/hints/1", "302 405 405 405 405 405 405", "302 404 404 302 302 302 302"
    ),
    "problems/<slug:slug>/progress": Row(
        "/problems/{p}/progress", MEMBER, "302 405 405 405 405 405 405"
    ),
    "submissions/<int:pk>": Row("/submissions/{sub}", OWNER_AND_STAFF),
    # Without htmx the window redirects to its submission's page (for those who may read it).
    "submissions/<int:pk>/window": Row("/submissions/{sub}/window", "302 404 404 302 404 302 302"),
    "cohorts/<slug:slug>/leaderboard": Row("/cohorts/{c}/leaderboard", MEMBER, MEMBER),
    "api/docs": Row("/api/docs", PUBLIC),
    "api/docs/swagger": Row("/api/docs/swagger", PUBLIC),
    # --- Quizzes: sitting one --------------------------------------------------------------------
    "quizzes/": Row("/quizzes/", LOGGED_IN),
    "quizzes/<int:pk>": Row("/quizzes/{q}", MEMBER),
    "quizzes/<int:pk>/start": Row(
        "/quizzes/{q}/start", "302 405 405 405 405 405 405", "302 404 404 302 302 302 302"
    ),
    # An empty answer is refused on the page (400), as is answering before Start.
    "quizzes/<int:pk>/questions/<int:position>": Row(
        "/quizzes/{q}/questions/1", "302 405 405 405 405 405 405", "302 404 404 400 400 400 400"
    ),
    # Handing in a quiz one has not started is a 409 (the student started it; the others not).
    "quizzes/<int:pk>/finish": Row(
        "/quizzes/{q}/finish", "302 405 405 405 405 405 405", "302 404 404 302 409 409 409"
    ),
    "quizzes/<int:pk>/clock": Row("/quizzes/{q}/clock", MEMBER),
    # --- Quizzes: the staff pages' first addresses (checked, then moved) -----------------------
    "quizzes/new/<slug:cohort_slug>": Row(
        "/quizzes/new/{c}", "302 404 404 404 404 403 301", "302 404 404 404 404 403 308"
    ),
    "quizzes/<int:pk>/edit": Row(
        "/quizzes/{q}/edit", "302 404 404 404 404 403 301", "302 404 404 404 404 403 308"
    ),
    "quizzes/<int:pk>/preview": Row(
        "/quizzes/{q}/preview", "302 404 404 404 404 301 301", "302 404 404 404 404 308 308"
    ),
    "quizzes/<int:pk>/publish": Row(
        "/quizzes/{q}/publish", "302 404 404 404 404 403 301", "302 404 404 404 404 403 308"
    ),
    "quizzes/<int:pk>/monitor": Row(
        "/quizzes/{q}/monitor", "302 404 404 404 404 301 301", "302 404 404 404 404 308 308"
    ),
    "quizzes/<int:pk>/extend": Row(
        "/quizzes/{q}/extend", "302 404 404 404 404 403 301", "302 404 404 404 404 403 308"
    ),
    "quizzes/<int:pk>/accommodations": Row(
        "/quizzes/{q}/accommodations", "302 404 404 404 404 403 301", "302 404 404 404 404 403 308"
    ),
    "quizzes/<int:pk>/close": Row(
        "/quizzes/{q}/close", "302 404 404 404 404 403 301", "302 404 404 404 404 403 308"
    ),
    "quizzes/<int:pk>/results": Row(
        "/quizzes/{q}/results", "302 404 404 404 404 301 301", "302 404 404 404 404 308 308"
    ),
    "quizzes/<int:pk>/results.csv": Row(
        "/quizzes/{q}/results.csv", "302 404 404 404 404 301 301", "302 404 404 404 404 308 308"
    ),
    # --- Instructor pages ----------------------------------------------------------------------
    # Opening a cohort: the instructors of any cohort and Django staff (an empty form: 200).
    "teach/": Row("/teach/", "302 404 200 404 404 200 200", "302 404 200 404 404 404 200"),
    "teach/problems/": Row("/teach/problems/", BANK),
    "teach/problems/<slug:problem_slug>/preview": Row("/teach/problems/{p}/preview", BANK),
    "teach/problems/<slug:problem_slug>/preview/check": Row(
        "/teach/problems/{p}/preview/check", BANK
    ),
    "teach/<slug:slug>/": Row("/teach/{c}/", STAFF_READ, STAFF_READ_NO_POST),
    # An empty action or role is refused (400) once the instructor is let in.
    "teach/<slug:slug>/join-code": Row(
        "/teach/{c}/join-code", INSTRUCTOR_POST_ONLY, "302 404 404 404 404 403 400"
    ),
    "teach/<slug:slug>/members/<int:membership_id>/role": Row(
        "/teach/{c}/members/{m}/role", INSTRUCTOR_POST_ONLY, "302 404 404 404 404 403 400"
    ),
    "teach/<slug:slug>/roster": Row("/teach/{c}/roster", INSTRUCTOR_FORM, INSTRUCTOR_FORM),
    # Invitation links are as good as passwords: instructors only, shown on POST.
    "teach/<slug:slug>/invitations": Row(
        "/teach/{c}/invitations", INSTRUCTOR_FORM, INSTRUCTOR_FORM
    ),
    "teach/<slug:slug>/assignments/new": Row(
        "/teach/{c}/assignments/new", INSTRUCTOR_FORM, INSTRUCTOR_FORM
    ),
    "teach/<slug:slug>/assignments/<slug:assignment_slug>/edit": Row(
        "/teach/{c}/assignments/{a}/edit", INSTRUCTOR_FORM, INSTRUCTOR_FORM
    ),
    # Assistants read the extensions; granting one is the instructors'.
    "teach/<slug:slug>/assignments/<slug:assignment_slug>/extensions": Row(
        "/teach/{c}/assignments/{a}/extensions", STAFF_READ, INSTRUCTOR_FORM
    ),
    # The integrity report: staff read it; starting a run and reviewing are the instructors'.
    "teach/<slug:slug>/assignments/<slug:assignment_slug>/integrity": Row(
        "/teach/{c}/assignments/{a}/integrity", STAFF_READ, "302 404 404 404 404 403 302"
    ),
    "teach/<slug:slug>/assignments/<slug:assignment_slug>/integrity.csv": Row(
        "/teach/{c}/assignments/{a}/integrity.csv", STAFF_READ, STAFF_READ_NO_POST
    ),
    "teach/<slug:slug>/assignments/<slug:assignment_slug>/integrity/<slug:problem_slug>/"
    "<int:a_id>-<int:b_id>": Row(
        "/teach/{c}/assignments/{a}/integrity/{code}/{s}-{os}",
        STAFF_READ,
        "302 404 404 404 404 403 302",
        data={"status": "fine", "note": ""},
    ),
    "teach/<slug:slug>/gradebook": Row("/teach/{c}/gradebook", STAFF_READ, STAFF_READ_NO_POST),
    "teach/<slug:slug>/gradebook.csv": Row(
        "/teach/{c}/gradebook.csv", STAFF_READ, STAFF_READ_NO_POST
    ),
    "teach/<slug:slug>/students/<int:user_id>": Row(
        "/teach/{c}/students/{s}", STAFF_READ, STAFF_READ_NO_POST
    ),
    "teach/<slug:slug>/problems/<slug:problem_slug>/analytics": Row(
        "/teach/{c}/problems/{p}/analytics", STAFF_READ, STAFF_READ_NO_POST
    ),
    "teach/<slug:slug>/problems/<slug:problem_slug>/regrade": Row(
        "/teach/{c}/problems/{p}/regrade", INSTRUCTOR_FORM, INSTRUCTOR_FORM
    ),
    "teach/<slug:slug>/regrades/<int:job_id>": Row(
        "/teach/{c}/regrades/{job}", INSTRUCTOR_FORM, INSTRUCTOR_POST_ONLY
    ),
    # --- Quiz staff pages: reads for all staff, writes for instructors ---------------------------
    # An empty builder form is refused on the page (400).
    "teach/<slug:slug>/quizzes/new": Row(
        "/teach/{c}/quizzes/new", INSTRUCTOR_FORM, "302 404 404 404 404 403 400"
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/edit": Row(
        "/teach/{c}/quizzes/{q}/edit", INSTRUCTOR_FORM, "302 404 404 404 404 403 400"
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/preview": Row(
        "/teach/{c}/quizzes/{q}/preview", STAFF_READ, STAFF_READ_NO_POST
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/publish": Row(
        "/teach/{c}/quizzes/{q}/publish", INSTRUCTOR_POST_ONLY, "302 404 404 404 404 403 302"
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/monitor": Row(
        "/teach/{c}/quizzes/{q}/monitor", STAFF_READ, STAFF_READ_NO_POST
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/extend": Row(
        "/teach/{c}/quizzes/{q}/extend", INSTRUCTOR_POST_ONLY, "302 404 404 404 404 403 302"
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/accommodations": Row(
        "/teach/{c}/quizzes/{q}/accommodations",
        INSTRUCTOR_POST_ONLY,
        "302 404 404 404 404 403 302",
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/close": Row(
        "/teach/{c}/quizzes/{q}/close", INSTRUCTOR_POST_ONLY, "302 404 404 404 404 403 302"
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/results": Row(
        "/teach/{c}/quizzes/{q}/results", STAFF_READ, STAFF_READ_NO_POST
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/results.csv": Row(
        "/teach/{c}/quizzes/{q}/results.csv", STAFF_READ, STAFF_READ_NO_POST
    ),
    # --- API v1 (DRF: 401 without credentials, checked before the method) ----------------------
    "api/v1/token": Row(
        "/api/v1/token", "405 405 405 405 405 405 405", "400 400 400 400 400 400 400", api=True
    ),
    "api/v1/problems": Row("/api/v1/problems", "401 200 200 200 200 200 200", api=True),
    "api/v1/problems/<slug:slug>": Row("/api/v1/problems/{p}", API_MEMBER, api=True),
    "api/v1/problems/<slug:slug>/hints/<int:index>": Row(
        "/api/v1/problems/{p}/hints/1",
        "401 405 405 405 405 405 405",
        "401 404 404 200 200 200 200",
        api=True,
    ),
    # An empty body names the missing answer (400) once the problem is yours.
    "api/v1/problems/<slug:slug>/submissions": Row(
        "/api/v1/problems/{p}/submissions",
        "401 405 405 405 405 405 405",
        "401 404 404 400 400 400 400",
        api=True,
    ),
    "api/v1/submissions/<int:pk>": Row(
        "/api/v1/submissions/{sub}", "401 404 404 200 404 200 200", api=True
    ),
    "api/v1/cohorts/<slug:slug>/leaderboard": Row(
        "/api/v1/cohorts/{c}/leaderboard", API_MEMBER, api=True
    ),
    "api/v1/quizzes/<int:pk>": Row("/api/v1/quizzes/{q}", API_MEMBER, api=True),
    "api/v1/quizzes/<int:pk>/start": Row(
        "/api/v1/quizzes/{q}/start", "401 405 405 405 405 405 405", API_MEMBER, api=True
    ),
    "api/v1/quizzes/<int:pk>/finish": Row(
        "/api/v1/quizzes/{q}/finish",
        "401 405 405 405 405 405 405",
        "401 404 404 200 409 409 409",
        api=True,
    ),
    "api/v1/schema": Row("/api/v1/schema", PUBLIC, api=True),
}


@pytest.fixture
def world(cohort, student, other_student, assistant, instructor, other_instructor, outsider):
    """One of everything a URL can name, in ``cohort``: a problem in an assignment, the
    student's graded submission, a published quiz open now that the student has started, and
    a regrade job. The outsider and the other instructor belong to ``other_cohort`` only."""
    problem = factories.make_problem(
        "output-size-stride",
        kind="number",
        spec={"recipe": "output-size-stride"},
        hints=[{"text": "Count the positions.", "on_request": True}],
    )
    assignment = factories.make_assignment(cohort, [problem], slug="week-1")
    submission = Submission.objects.create(
        user=student,
        problem=problem,
        assignment=assignment,
        payload={"answer": 1},
        status=Status.GRADED,
        verdict=Verdict.INCORRECT,
        score=0,
    )
    factories.make_problem("quiz-size", kind="number", spec={"recipe": "output-size-stride"})
    now = timezone.now()
    quiz = quizzes.create_quiz(
        instructor,
        cohort,
        title="Quiz",
        slug="quiz",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=1),
        time_limit_minutes=30,
        attempt_points=[100],
        feedback_policy="immediate",
        pools=[quizzes.PoolSpec(1, ("quiz-size",))],
        published=True,
    )
    quizzes.start_quiz(student, quiz)
    # A code problem both students answered, and an integrity report that ranks them.
    code = factories.make_problem("implement-x", kind="code", spec={}, starter_code="")
    AssignmentProblem.objects.create(assignment=assignment, problem=code, order=1)
    for user in (student, other_student):
        Submission.objects.create(
            user=user,
            problem=code,
            assignment=assignment,
            payload={"code": "def f(x):\n    return x\n"},
            status=Status.GRADED,
            verdict=Verdict.CORRECT,
            score=1,
        )
    IntegrityReport.objects.create(
        assignment=assignment,
        state=IntegrityReport.State.DONE,
        pairs=[
            {
                "problem": code.slug,
                "a": student.username,
                "b": other_student.username,
                "a_id": student.pk,
                "b_id": other_student.pk,
                "score": 1.0,
                "similarity": 1.0,
                "lines_a": [1],
                "lines_b": [1],
                "reasons": ["same code"],
            }
        ],
    )
    job = RegradeJob.objects.create(
        cohort=cohort, problem=problem, created_by=instructor, mode=RegradeJob.Mode.PREVIEW
    )
    users = {
        "anonymous": None,
        "outsider": outsider,
        "other_instructor": other_instructor,
        "student": student,
        "other_student": other_student,
        "assistant": assistant,
        "instructor": instructor,
    }
    return {
        "users": users,
        "names": {
            "c": cohort.slug,
            "p": problem.slug,
            "a": assignment.slug,
            "s": student.pk,
            "os": other_student.pk,
            "code": "implement-x",
            "m": Membership.objects.get(user=student, cohort=cohort).pk,
            "sub": submission.pk,
            "q": quiz.assignment_id,
            "job": job.pk,
        },
    }


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def statuses(row: Row, method: str, world: dict, clients: dict[str, Client]) -> dict[str, int]:
    url = row.url.format(**world["names"])
    found = {}
    for persona in PERSONAS:
        client = clients[persona]
        if method == "get":
            response = client.get(url)
        elif row.api:
            response = client.post(url, row.data, content_type="application/json")
        else:
            response = client.post(url, row.data)
        found[persona] = response.status_code
    return found


def cases() -> list[str]:
    """One case per route, and one for the admin's category (all its routes share the rule)."""
    return sorted({ADMIN_PREFIX if r.startswith(ADMIN_PREFIX) else r for r in routes()})


@pytest.mark.parametrize("route", cases())
def test_access_matrix(route, world):
    if route == ADMIN_PREFIX:
        admin_category(world)
        return
    row = MATRIX.get(route)
    assert row is not None, f"{route!r} has no row in the access matrix: add one"
    clients = {persona: client_as(user) for persona, user in world["users"].items()}
    assert statuses(row, "get", world, clients) == row.expected(row.get), f"GET {row.url}"
    if row.post is not None:
        assert statuses(row, "post", world, clients) == row.expected(row.post), f"POST {row.url}"


def admin_category(world: dict) -> None:
    """Every admin/ pattern: the admin sends each persona (none is Django staff) to its login,
    checked on its index, a list and an object's page."""
    for url in ("/admin/", "/admin/exercises/problem/", "/admin/exercises/cohort/1/change/"):
        for persona, user in world["users"].items():
            response = client_as(user).get(url)
            assert response.status_code == 302, (persona, url)
            assert response["Location"].startswith("/admin/login/"), (persona, url)


def test_the_matrix_has_no_stale_rows():
    assert set(MATRIX) - set(routes()) == set()
