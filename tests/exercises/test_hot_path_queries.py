"""The class's hot paths make a fixed number of queries: the same for a class of 3 with one
attempt and two problems as for a class of 40 with six attempts and eight problems.

Each is measured on the small world, the world is grown, and measured again: the counts must
be equal, and within the budget written here (``django_assert_max_num_queries``)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from exercises.leaderboards import services as leaderboards
from exercises.models import HintUnlock, Role, Status, Submission, Verdict
from tests import factories
from tests.exercises.conftest import SIZE_SPEC

SLUG = "target-problem"
# Measured on PostgreSQL; each includes the token or session lookup (the token's as a process
# makes it the first time: ``cold`` forgets what a process remembers before each measure). Submit
# (without an Idempotency-Key): the access check (one query: the items with the user's role and
# extension joined), both rate limits (one), the user's row lock, the attempt count, the
# requested hints' cost, the insert, and the savepoint pair of running inside the test's
# transaction. Leaderboard: the first read of a new version, which computes the students' view
# once (later reads make fewer): the membership, the board's time-driven facts (the hidden quizzes
# and the freeze, which computing the view reuses rather than reads again) and the roster.
BUDGETS = {
    # with the statement in the reader's language, the other assignments, the unlocked hints
    "problem page": 10,
    "problem list": 3,  # with the titles in the reader's language
    # the access check, the attempts, the statement in the reader's language, the hints
    "problem detail": 5,
    "submit": 9,
    # with a new Idempotency-Key: one look for the key before anything else (a retry is
    # answered whatever happened since); under the row lock the unique key stands in for a
    # second look (11 when it looked again there)
    "keyed submit": 10,
    # The problem page's own submit (htmx, without a form token): the submit's less its access
    # check (the page's own serves both), the session and its user, and the attempt count and
    # statement language that the answer's format depends on; never the page's history, hints
    # or other assignments (15 before the page stopped building them for a submit).
    "page submit": 12,
    # The submit of a quick kind with its after-commit work run, as a real request's commit
    # runs it (here after the answer is written): the grade made in the request adds the claim
    # (which returns the problem's hints), the student's record on the problem and the hints
    # already unlocked (what the grade unlocks is worked out before anything is written), the
    # record itself (one autocommit statement, as it unlocks nothing new) and the leaderboard's
    # read of the grade (5; 10 when the hints were unlocked in a savepoint of the record's
    # transaction, after it).
    "submit, graded in the request": 14,
    # the token, the submission and its hints: no test rows but code's
    "submission poll": 3,
    # The problem page's status box once graded (htmx): the session, the user, the submission
    # and the history as of the grade (one read however many attempts).
    "graded status box": 4,
    "leaderboard": 5,
}


def budgets_here() -> dict[str, int]:
    """``BUDGETS`` (PostgreSQL with Redis, as served) on this test run's services: without
    Redis a board has no version and no view to read (its time-driven facts and its rows are
    read per request), and SQLite has no ``UPDATE ... RETURNING`` path: its grading claim is an
    update and a read in a savepoint, and its record an update in one (4 statements more in
    all, with the leaderboard's update as it runs without Redis)."""
    from django.conf import settings

    budgets = dict(BUDGETS)
    if not settings.REDIS_URL:
        budgets["leaderboard"] += 2
    if connection.vendor == "sqlite":
        budgets["submit, graded in the request"] += 4
    return budgets


class World:
    def __init__(self, cohort, student):
        self.cohort, self.student = cohort, student
        # Hints as the bank's problems have them: one unlocked by grading (already unlocked for
        # the student, as it is for most of a class after their first wrong answer), one on
        # request.
        hints = [{"text": "Count again.", "after": 1}, {"text": "Ask.", "on_request": True}]
        self.problems = [
            factories.make_problem(SLUG, kind="number", spec=SIZE_SPEC, title="Target", hints=hints)
        ]
        self.assignment = factories.make_assignment(
            cohort, self.problems, title="Week", slug="week", attempt_limit=None
        )
        HintUnlock.objects.create(
            user=student,
            problem=self.problems[0],
            assignment=self.assignment,
            hint_index=1,
            how="attempts",
            attempts=1,
        )
        self.students = 0
        self.grow(students=3, attempts=1, problems=1)

    def grow(self, *, students: int, attempts: int, problems: int) -> None:
        from exercises.models import AssignmentProblem

        for _ in range(problems):
            problem = factories.make_problem(
                f"extra-{len(self.problems)}", kind="number", spec=SIZE_SPEC
            )
            AssignmentProblem.objects.create(
                assignment=self.assignment, problem=problem, order=len(self.problems)
            )
            self.problems.append(problem)
        for _ in range(students):
            user = factories.make_user(f"peer{self.students}")
            factories.add_member(user, self.cohort, Role.STUDENT)
            self._graded(user, attempts=1)
            self.students += 1
        self._graded(self.student, attempts=attempts)

    def _graded(self, user, *, attempts: int) -> None:
        start = Submission.objects.filter(user=user).count()
        for n in range(attempts):
            Submission.objects.create(
                user=user,
                problem=self.problems[0],
                assignment=self.assignment,
                payload={"answer": n},
                attempt_number=start + n + 1,
                max_score=1.0,
                status=Status.GRADED,
                verdict=Verdict.INCORRECT,
                score=0.0,
            )
        leaderboards.rebuild_all(self.cohort)


def _requests(world: World):
    """name -> a callable making that request (fresh clients each time)."""
    token = Token.objects.get_or_create(user=world.student)[0].key

    def api() -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    def page():
        from django.test import Client

        client = Client()
        client.force_login(world.student)
        return client

    last = Submission.objects.filter(user=world.student).latest("pk").pk

    def submit(c):
        return c.post(f"/api/v1/problems/{SLUG}/submissions", {"answer": 1}, format="json")

    return {
        "problem page": (page, lambda c: c.get(f"/problems/{SLUG}")),
        "problem list": (api, lambda c: c.get("/api/v1/problems")),
        "problem detail": (api, lambda c: c.get(f"/api/v1/problems/{SLUG}")),
        "submit": (api, submit),
        "keyed submit": (
            api,
            lambda c: c.post(
                f"/api/v1/problems/{SLUG}/submissions",
                {"answer": 1},
                format="json",
                HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
            ),
        ),
        "submit, graded in the request": (api, _after_commit(submit)),
        "page submit": (
            page,
            lambda c: c.post(f"/problems/{SLUG}", {"answer": "1"}, HTTP_HX_REQUEST="true"),
        ),
        "submission poll": (api, lambda c: c.get(f"/api/v1/submissions/{last}")),
        "graded status box": (
            page,
            lambda c: c.get(
                f"/submissions/{last}?wait=20",
                HTTP_HX_REQUEST="true",
                HTTP_HX_CURRENT_URL=f"http://testserver/problems/{SLUG}?assignment=week",
            ),
        ),
        "leaderboard": (api, lambda c: c.get("/api/v1/cohorts/ml-101/leaderboard?top=10")),
    }


def _after_commit(call):
    """``call`` with the work it leaves for after its commit run too (the test's transaction
    never commits): what a production request does before it answers."""

    def run(client):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return call(client)

    return run


def _forget(before: int) -> None:
    """The submissions a measure made leave the world as it was (``before``: the newest id
    before it)."""
    Submission.objects.filter(pk__gt=before).delete()


def _newest() -> int:
    return Submission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def cold() -> None:
    """The worst case: a token this process has not seen yet (exercises.api.authentication),
    and a board whose time-driven facts it has not read in the last second (leaderboard_reads)."""
    from exercises.api import authentication
    from exercises.leaderboards import selectors as leaderboard_reads

    authentication.remembered.clear()
    leaderboard_reads.forget_time_facts()


def _count(world: World) -> dict[str, int]:
    counts = {}
    for name, (make_client, call) in _requests(world).items():
        client = make_client()
        before = _newest()
        cold()
        with CaptureQueriesContext(connection) as queries:
            response = call(client)
        assert response.status_code in (200, 202), (name, response.status_code)
        _forget(before)
        counts[name] = len(queries)
    return counts


@pytest.mark.django_db
def test_hot_paths_make_the_same_queries_for_a_class_of_3_and_of_40(
    cohort, student, django_assert_max_num_queries, settings
):
    # No worker grades here: the page's submit would spend its short wait for the grade
    # re-reading a pending row (a wait's reads are its own, counted by the ?wait= tests).
    settings.STRIDE = {**settings.STRIDE, "PAGE_SUBMIT_WAIT_MS": 0}
    world = World(cohort, student)
    small = _count(world)
    world.grow(students=37, attempts=5, problems=7)
    large = _count(world)
    assert large == small, f"query counts grew: {small} -> {large}"
    budgets = budgets_here()
    over = {name: n for name, n in large.items() if n > budgets[name]}
    assert not over, f"over budget: {over} (budgets {budgets})"
    for name, (make_client, call) in _requests(world).items():
        client = make_client()
        before = _newest()
        cold()
        with django_assert_max_num_queries(budgets[name]):
            call(client)
        _forget(before)
