"""Reads that pages and the API share. Every read that a user triggers goes through an
``access_*`` function here, which checks membership: a missing permission reads as 404, so
nobody learns what exists in a cohort they are not part of."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Min,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext

from exercises import access
from exercises.bank import hints
from exercises.errors import BadPayload, NotFound
from exercises.models import (
    Assignment,
    AssignmentProblem,
    Cohort,
    Extension,
    HintUnlock,
    Problem,
    ProblemText,
    QuizAccommodation,
    QuizAttempt,
    Role,
    Status,
    Submission,
    TestResult,
    Verdict,
)
from exercises.models.cohort import STAFF_ROLES
from exercises.models.quiz import QuizSettings
from exercises.models.submission import PENDING_STATUSES
from exercises.quizzes import rules as quiz_rules
from exercises.submissions.prepared import Chain, Prepared

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def visible_assignments(
    user: AbstractBaseUser, now: datetime | None = None
) -> QuerySet[Assignment]:
    """Assignments the user may see: staff see all of their cohorts'; students the published,
    opened ones."""
    now = now or timezone.now()
    opened = Q(opens_at__isnull=True) | Q(opens_at__lte=now)
    return (
        Assignment.objects.filter(
            Q(cohort__in=access.staff_cohorts(user))
            | (Q(cohort__in=access.student_cohorts(user), published=True) & opened)
        )
        .select_related("cohort")
        .distinct()
    )


@dataclass(frozen=True)
class Terms:
    """One student's due date and attempt limit in one assignment: the assignment's own, or
    as an instructor's extension moves them (a later due date; extra attempts on top of the
    limit, none on an unlimited one). ``terms_for`` is the one place they are worked out."""

    due_at: datetime | None
    attempt_limit: int | None  # None: unlimited
    extra_attempts: int = 0

    def attempts_left(self, used: int) -> int | None:
        return None if self.attempt_limit is None else max(0, self.attempt_limit - used)

    def is_late(self, when: datetime) -> bool:
        return self.due_at is not None and when > self.due_at


def terms_for(assignment: Assignment, extension: Extension | None) -> Terms:
    """``assignment``'s terms for the student ``extension`` (theirs, or None) belongs to."""
    if extension is None:
        return Terms(assignment.due_at, assignment.attempt_limit)
    limit = assignment.attempt_limit
    return Terms(
        extension.due_at,
        None if limit is None else limit + extension.extra_attempts,
        extension.extra_attempts,
    )


@dataclass(frozen=True)
class ProblemAccess:
    """A problem as one user meets it: through one assignment, with that assignment's rules
    and the user's own terms (``terms_for``)."""

    problem: Problem
    item: AssignmentProblem
    role: str
    terms: Terms

    @property
    def assignment(self) -> Assignment:
        return self.item.assignment

    @property
    def is_staff(self) -> bool:
        return access.is_staff_role(self.role)

    @property
    def due_at(self) -> datetime | None:
        return self.terms.due_at

    @property
    def attempt_limit(self) -> int | None:
        return self.terms.attempt_limit

    @property
    def extra_attempts(self) -> int:
        return self.terms.extra_attempts

    def is_late(self, when: datetime) -> bool:
        return self.terms.is_late(when)


def _pick_item(items: list[AssignmentProblem], now: datetime) -> AssignmentProblem:
    """Of several assignments holding one problem, the one a student is working on: open and
    not yet due (soonest due first), else the one that closed last."""

    def still_open(i: AssignmentProblem) -> bool:
        return i.assignment.due_at is None or i.assignment.due_at >= now

    current = [i for i in items if still_open(i)]
    if current:
        return min(
            current,
            key=lambda i: (i.assignment.due_at or datetime.max.replace(tzinfo=now.tzinfo), i.pk),
        )
    return max(items, key=lambda i: (i.assignment.due_at, i.pk))


def _visible_items(user_id: int | None, now: datetime) -> QuerySet[AssignmentProblem]:
    """Assignment items the user may open, each with the user's role in its cohort
    (``viewer_role``) and their extension of its assignment (``ext_id``, ``ext_due_at``,
    ``ext_extra_attempts``; None without one), in one query.

    The same rule as ``visible_assignments`` (staff see all of their cohorts' assignments,
    students the published, opened ones), written as joins on the user's own membership and
    extension rather than as subqueries, so that the access check of every problem open and
    every submit is one query instead of three (the items, the role, the extension). A user
    has at most one membership per cohort and one extension per assignment (unique
    constraints), so the joins never repeat an item."""
    opened = Q(assignment__opens_at__isnull=True) | Q(assignment__opens_at__lte=now)
    return AssignmentProblem.objects.annotate(
        viewer=FilteredRelation(
            "assignment__cohort__memberships",
            condition=Q(assignment__cohort__memberships__user_id=user_id),
        ),
        own_extension=FilteredRelation(
            "assignment__extensions",
            condition=Q(assignment__extensions__user_id=user_id),
        ),
        viewer_role=F("viewer__role"),
        ext_id=F("own_extension__id"),
        ext_due_at=F("own_extension__due_at"),
        ext_extra_attempts=F("own_extension__extra_attempts"),
    ).filter(
        # On the annotation, not on ``viewer__role``: a filter through the relation joins the
        # memberships a second time, and PostgreSQL read that join through the cohort's index,
        # O(cohort) per check.
        Q(viewer_role__in=STAFF_ROLES)
        | (Q(viewer_role=Role.STUDENT, assignment__published=True) & opened)
    )


_ITEM = Chain(
    ("", AssignmentProblem),
    ("problem__", Problem),
    ("assignment__", Assignment),
    ("assignment__cohort__", Cohort),
    extras=("viewer_role", "ext_id", "ext_due_at", "ext_extra_attempts"),
)
_ITEMS_OF_PROBLEM = Prepared(
    AssignmentProblem,
    lambda user_id, now, slug: (
        _visible_items(user_id, now).filter(problem__slug=slug).values_list(*_ITEM.columns())
    ),
    user_id=int,
    now=datetime,
    slug=str,
)


def _items_of_problem(user: AbstractBaseUser, slug: str, now: datetime) -> list[AssignmentProblem]:
    """``_visible_items`` holding problem ``slug``, as ``select_related`` would make them: the
    read of every problem open and every submit, its SQL compiled once (``prepared``)."""
    rows = _ITEMS_OF_PROBLEM.rows(user_id=user.pk, now=now, slug=slug)
    alias = _ITEMS_OF_PROBLEM.alias()
    return [_ITEM.instances(row, alias)[0] for row in rows]


def _extension_of(item: AssignmentProblem, user: AbstractBaseUser) -> Extension | None:
    """The user's extension as ``_visible_items`` read it with the item (not saved again)."""
    if item.ext_id is None:
        return None
    return Extension(
        pk=item.ext_id,
        assignment=item.assignment,
        user_id=user.pk,
        due_at=item.ext_due_at,
        extra_attempts=item.ext_extra_attempts,
    )


def access_problem(
    user: AbstractBaseUser,
    slug: str,
    *,
    assignment_id: int | None = None,
    now: datetime | None = None,
) -> ProblemAccess:
    """The problem ``slug`` as ``user`` meets it (``_pick_item`` chooses among several
    assignments, ``assignment_id`` names one), or NotFound. One query, plus the quiz rules'
    own for a student's quiz question."""
    now = now or timezone.now()
    items = _items_of_problem(user, slug, now) if user.is_authenticated else []
    if assignment_id is not None:
        items = [i for i in items if i.assignment_id == assignment_id]
    else:  # quiz questions are reached only by naming the quiz (?assignment=<id>)
        items = [i for i in items if i.assignment.type != Assignment.Type.QUIZ]
    if not items:
        raise NotFound(
            gettext("No problem %(slug)r is open to you.") % {"slug": slug},
            code="problem_not_found",
        )
    item = _pick_item(items, now)
    role = item.viewer_role or Role.STUDENT
    if item.assignment.type == Assignment.Type.QUIZ and not access.is_staff_role(role):
        quiz_rules.require_drawn(user, item)  # started, and this question is in their draw
    extension = _extension_of(item, user)
    return ProblemAccess(item.problem, item, role, terms_for(item.assignment, extension))


def drawn_question_accesses(
    user: AbstractBaseUser, assignment: Assignment, drawn_item_ids: list[int], role: str
) -> list[ProblemAccess]:
    """A quiz's drawn questions in draw order, each as the student meets it, in two queries
    whatever the draw's size (the items, the student's extension). The caller has checked that
    ``user`` sits this quiz (``member_quiz`` and their attempt's draw)."""
    items = {
        item.pk: item
        for item in AssignmentProblem.objects.filter(assignment=assignment, pk__in=drawn_item_ids)
        .select_related("problem", "assignment", "assignment__cohort")
        .prefetch_related("problem__texts")  # each question's statement in the reader's language
    }
    terms = terms_for(
        assignment, Extension.objects.filter(assignment=assignment, user=user).first()
    )
    return [
        ProblemAccess(items[pk].problem, items[pk], role, terms)
        for pk in drawn_item_ids
        if pk in items
    ]


def attempts_used_by_problem(user: AbstractBaseUser, assignment: Assignment) -> dict[int, int]:
    """``{problem_id: attempts that count}`` of one user in one assignment, in one query."""
    return dict(
        Submission.objects.filter(user=user, assignment=assignment)
        .counting()
        .values("problem_id")
        .annotate(n=Count("id"))
        .values_list("problem_id", "n")
    )


def assignment_for(
    user: AbstractBaseUser, problem_slug: str, ref: str | None, now: datetime | None = None
) -> int | None:
    """The assignment id that ``?assignment=`` names, for pages and the API alike: an id as
    it is, or a slug among the user's assignments that hold problem ``problem_slug`` (a slug
    is unique per cohort only: of two cohorts' same-named assignments, the one
    ``access_problem`` would pick). None when nothing is named."""
    if not ref:
        return None
    if ref.isdigit():
        return int(ref)
    if not _SLUG.fullmatch(ref):
        raise BadPayload(
            gettext("assignment must be an assignment's slug or id."), field="assignment"
        )
    now = now or timezone.now()
    items = list(
        AssignmentProblem.objects.filter(
            problem__slug=problem_slug,
            assignment__slug=ref,
            assignment__in=visible_assignments(user, now),
        ).select_related("assignment")
    )
    if not items:
        raise NotFound(
            gettext("No assignment %(ref)r of yours holds problem %(slug)r.")
            % {"ref": ref, "slug": problem_slug},
            code="problem_not_found",
        )
    return _pick_item(items, now).assignment_id


def assignments_holding(
    user: AbstractBaseUser, problem_slug: str, now: datetime | None = None
) -> list[Assignment]:
    """The user's practice assignments that hold problem ``problem_slug``, soonest due first:
    the choice a problem page offers when the problem is in more than one."""
    now = now or timezone.now()
    return list(
        visible_assignments(user, now)
        .filter(items__problem__slug=problem_slug)
        .exclude(type=Assignment.Type.QUIZ)
        .order_by(F("due_at").asc(nulls_last=True), "title")
    )


_UNLISTED_PROBLEM_FIELDS = tuple(
    f"problem__{name}"
    for name in (
        "tags",
        "spec",
        "limits",
        "starter_code",
        "hints",
        "source_path",
        "content_hash",
    )
)


# A row of the list shows a problem's slug, kind, points and title: its spec, hints and code are
# neither read from the database nor decoded from JSON for every row. (The statement stays: a
# problem without text rows is its own English text, ``Problem.text``.)
_LISTED_ITEM = Chain(
    ("", AssignmentProblem),
    ("problem__", Problem),
    ("assignment__", Assignment),
    ("assignment__cohort__", Cohort),
    deferred=_UNLISTED_PROBLEM_FIELDS,
)


def _listed_items(user_id: int, now: datetime) -> QuerySet[AssignmentProblem]:
    """The items the problem list shows: every visible one but a quiz's."""
    return _visible_items(user_id, now).exclude(
        assignment__type=Assignment.Type.QUIZ  # listed on their quiz's page instead
    )


_LISTED_ITEMS = Prepared(  # the problem list, every student's first request
    AssignmentProblem,
    lambda user_id, now: (
        _listed_items(user_id, now)
        .order_by("assignment__due_at", "assignment_id", "order", "id")
        .values_list(*_LISTED_ITEM.columns())
    ),
    user_id=int,
    now=datetime,
)
# The listed problems' titles, every language's (``Problem.text`` picks the reader's): half of
# the list's CPU went into compiling this read as a prefetch on each request.
_LISTED_TEXT_COLUMNS = ("id", "problem_id", "language", "title")
_LISTED_TITLES = Prepared(
    ProblemText,
    lambda user_id, now: (
        ProblemText.objects.filter(problem_id__in=_listed_items(user_id, now).values("problem_id"))
        .order_by("problem_id", "language")  # Problem.text's order, as the prefetch read it
        .values_list(*_LISTED_TEXT_COLUMNS)
    ),
    user_id=int,
    now=datetime,
)


def read_texts(problem: Problem) -> Problem:
    """``problem`` with its title and statement in every language read (``Problem.text`` and
    ``available_languages`` then read no more): the problem's page and the API's detail show
    them on every open, and the ORM's read of them cost as much CPU as the rest of the detail
    (``make bench BENCH_ARGS=webcpu``)."""
    if problem.texts_in_hand or not problem.pk:
        return problem
    alias = _PROBLEM_TEXTS.alias()
    problem.keep_texts(
        ProblemText.from_db(alias, _PROBLEM_TEXT_COLUMNS, row)
        for row in _PROBLEM_TEXTS.rows(problem_id=problem.pk)
    )
    return problem


_PROBLEM_TEXT_COLUMNS = ("id", "problem_id", "language", "title", "statement")
_PROBLEM_TEXTS = Prepared(
    ProblemText,
    lambda problem_id: (
        ProblemText.objects.filter(problem_id=problem_id)
        .order_by("language")  # Problem.text's order, as its own read
        .values_list(*_PROBLEM_TEXT_COLUMNS)
    ),
    problem_id=int,
)


def visible_problem_items(
    user: AbstractBaseUser, now: datetime | None = None
) -> list[AssignmentProblem]:
    """One row per problem the user can open (the assignment they'd work on it in), with the
    problems' titles read (``Problem.display_title`` reads no more)."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return []
    rows = _LISTED_ITEMS.rows(user_id=user.pk, now=now)
    alias = _LISTED_ITEMS.alias()
    items = [_LISTED_ITEM.instances(row, alias)[0] for row in rows]
    if items:
        texts: dict[int, list[ProblemText]] = {}
        for row in _LISTED_TITLES.rows(user_id=user.pk, now=now):
            text = ProblemText.from_db(_LISTED_TITLES.alias(), _LISTED_TEXT_COLUMNS, row)
            texts.setdefault(text.problem_id, []).append(text)
        for item in items:
            item.problem.keep_texts(texts.get(item.problem_id, ()))
    by_problem: dict[int, list[AssignmentProblem]] = {}
    for item in items:
        by_problem.setdefault(item.problem_id, []).append(item)
    chosen = [_pick_item(group, now) for group in by_problem.values()]
    return sorted(
        chosen,
        key=lambda i: (
            i.assignment.due_at is None,
            i.assignment.due_at or now,
            i.assignment_id,
            i.order,
        ),
    )


_ATTEMPTS_USED = Prepared(
    Submission,
    lambda user_id, problem_id, assignment_id: (
        Submission.objects.filter(
            user_id=user_id, problem_id=problem_id, assignment_id=assignment_id
        )
        .counting()
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("n")
    ),
    user_id=int,
    problem_id=int,
    assignment_id=int,
)


def attempts_used(user: AbstractBaseUser, problem: Problem, assignment: Assignment | None) -> int:
    """Attempts that count: infrastructure errors and unreadable answers use none. (Asked on
    every problem open and every submit: its SQL is compiled once, ``prepared``.)"""
    if assignment is None:
        return (
            Submission.objects.filter(user=user, problem=problem, assignment=None)
            .counting()
            .count()
        )
    rows = _ATTEMPTS_USED.rows(user_id=user.pk, problem_id=problem.pk, assignment_id=assignment.pk)
    return rows[0][0] if rows else 0


@dataclass(frozen=True)
class RecentActivity:
    """What the submission rate limits look at: the user's submissions since ``since`` (how
    many, and when the first of them came) and those still waiting for a grader."""

    recent: int
    first_recent_at: datetime | None
    pending: int


def _recent_activity(user_id: int, since: datetime) -> QuerySet:
    recent = Q(created_at__gt=since)
    pending = Q(status__in=PENDING_STATUSES)
    return (
        Submission.objects.filter(recent | pending, user_id=user_id)
        .values("user_id")
        .annotate(
            recent=Count("id", filter=recent),
            first_recent_at=Min("created_at", filter=recent),
            pending=Count("id", filter=pending),
        )
        .values_list("recent", "first_recent_at", "pending")
    )


_RECENT_ACTIVITY = Prepared(Submission, _recent_activity, user_id=int, since=datetime)


def recent_activity(user: AbstractBaseUser, since: datetime) -> RecentActivity:
    """Both rate limits' figures in one query (a submit asks for both every time), reading only
    the user's rows that are recent or pending, however many attempts they made before."""
    rows = _RECENT_ACTIVITY.rows(user_id=user.pk, since=since)
    return RecentActivity(*rows[0]) if rows else RecentActivity(0, None, 0)


_SUBMISSION = Chain(
    ("", Submission),
    ("problem__", Problem),
    ("assignment__", Assignment),
    ("assignment__cohort__", Cohort),
    ("user__", get_user_model()),
)
_SUBMISSION_BY_ID = Prepared(
    Submission,
    lambda submission_id: Submission.objects.filter(pk=submission_id).values_list(
        *_SUBMISSION.columns()
    ),
    submission_id=int,
)


def _submission(submission_id: int) -> Submission | None:
    """A submission with its problem, assignment, cohort and user, as ``select_related`` of
    them would read it (without its tests): the read of every poll, its SQL compiled once
    (``prepared``)."""
    rows = _SUBMISSION_BY_ID.rows(submission_id=submission_id)
    return _SUBMISSION.instances(rows[0], _SUBMISSION_BY_ID.alias())[0] if rows else None


def _with_tests(submission: Submission) -> Submission:
    """``submission`` with its test results read, when it can have any to show: only code is
    graded by tests, and a pending submission (the first read of every ``?wait``) has none yet;
    reading them costs no query then. One that has some after all (a regrade in progress)
    reads them when shown."""
    if not submission.is_pending and submission.graded_by_tests:
        alias = _TESTS_OF.alias()
        submission.keep_tests(
            TestResult.from_db(alias, _TEST_COLUMNS, row)
            for row in _TESTS_OF.rows(submission_id=submission.pk)
        )
    return submission


_TEST_COLUMNS = tuple(f.attname for f in TestResult._meta.concrete_fields)
_TESTS_OF = Prepared(  # every poll and wait of a graded code submission
    TestResult,
    lambda submission_id: (
        TestResult.objects.filter(submission_id=submission_id)
        .order_by("order", "id")
        .values_list(*_TEST_COLUMNS)
    ),
    submission_id=int,
)


def access_submission(user: AbstractBaseUser, submission_id: int) -> Submission:
    """The owner and the staff of the submission's cohort may read it; others get 404."""
    submission = _submission(submission_id)
    if submission is None:
        raise NotFound(
            gettext("No submission %(id)s.") % {"id": submission_id}, code="submission_not_found"
        )
    if submission.user_id == user.pk:
        return _with_tests(submission)
    if submission.assignment and access.staff_of(user, submission.assignment.cohort_id):
        return _with_tests(submission)
    raise NotFound(
        gettext("No submission %(id)s.") % {"id": submission_id}, code="submission_not_found"
    )


_IS_FINAL = Prepared(
    Submission,
    lambda submission_id: (
        Submission.objects.filter(pk=submission_id)
        .exclude(status__in=PENDING_STATUSES)
        .values_list("pk")[:1]
    ),
    submission_id=int,
)


def submission_is_final(submission_id: int) -> bool:
    """Graded or ended in error: what a request waiting for the grade reads (one query, its SQL
    compiled once: a waiting request may ask it several times)."""
    return bool(_IS_FINAL.rows(submission_id=submission_id))


_KEYED = Prepared(
    Submission,
    lambda user_id, key: Submission.objects.filter(
        user_id=user_id, idempotency_key=key
    ).values_list("pk", "request_digest")[:1],
    user_id=int,
    key=str,
)


def submission_with_key(user: AbstractBaseUser, key: str) -> tuple[int, str] | None:
    """``(id, request_digest)`` of the user's submission made with this Idempotency-Key, or
    None (asked by every keyed submit, almost always for a new key; again only when a twin
    request committed the key while it waited)."""
    rows = _KEYED.rows(user_id=user.pk, key=key)
    return rows[0] if rows else None


def reload_submission(submission: Submission) -> Submission:
    """``submission`` read again with its results, after a wait; the caller already passed
    ``access_submission`` for it in this request (access is not decided twice)."""
    found = _submission(submission.pk)
    if found is None:
        raise Submission.DoesNotExist(f"submission {submission.pk} is gone")
    return _with_tests(found)


def submissions_of(user: AbstractBaseUser, problem: Problem) -> QuerySet[Submission]:
    """The user's attempts at ``problem`` outside quizzes (a quiz shows its own, within its
    policy), newest first: one read however many, since the history shows neither their tests
    nor related rows."""
    return Submission.objects.filter(user=user, problem=problem).exclude(
        assignment__type=Assignment.Type.QUIZ
    )


def latest_code(user: AbstractBaseUser, problem: Problem, assignment_id: int | None) -> str | None:
    """The code of the user's latest submission to ``problem`` in this assignment (any status:
    what they last sent is what they were working on), or None."""
    payload = (
        Submission.objects.filter(user=user, problem=problem, assignment_id=assignment_id)
        .order_by("-created_at", "-id")
        .values_list("payload", flat=True)
        .first()
    )
    code = payload.get("code") if isinstance(payload, dict) else None
    return code if isinstance(code, str) else None


def visible_quizzes(user: AbstractBaseUser):
    """Quizzes the user may see: all of their staff cohorts', the published ones of their
    student cohorts; soonest first."""

    return (
        QuizSettings.objects.filter(
            Q(assignment__cohort__in=access.staff_cohorts(user))
            | Q(assignment__cohort__in=access.student_cohorts(user), assignment__published=True)
        )
        .select_related("assignment", "assignment__cohort")
        .order_by("opens_at")
    )


def open_quizzes(user: AbstractBaseUser, now: datetime | None = None) -> list:
    """The visible quizzes the user can work on now (for the dashboard): those whose sitting
    is open to start or running (``quiz_rules.sitting_state``, with the user's own window), in
    three queries however many quizzes."""
    now = now or timezone.now()
    candidates = list(visible_quizzes(user))
    if not candidates:
        return []
    ids = [q.assignment_id for q in candidates]
    attempts = {
        a.assignment_id: a for a in QuizAttempt.objects.filter(user=user, assignment_id__in=ids)
    }
    accommodations = {
        a.assignment_id: a
        for a in QuizAccommodation.objects.filter(user=user, assignment_id__in=ids)
    }
    workable = (quiz_rules.Sitting.OPEN, quiz_rules.Sitting.RUNNING)
    return [
        q
        for q in candidates
        if quiz_rules.sitting_state(
            q, attempts.get(q.assignment_id), accommodations.get(q.assignment_id), now
        )
        in workable
    ]


def wrong_attempts(user: AbstractBaseUser, problem: Problem, assignment: Assignment) -> int:
    """Graded attempts that were not correct (the count ``after: N`` hints wait for)."""
    return Submission.objects.filter(
        user=user,
        problem=problem,
        assignment=assignment,
        status=Status.GRADED,
        verdict__in=(Verdict.INCORRECT, Verdict.PARTIAL),
    ).count()


_REQUESTED_HINT_COSTS = Prepared(
    HintUnlock,
    lambda user_id, problem_id, assignment_id: HintUnlock.objects.filter(
        user_id=user_id,
        problem_id=problem_id,
        assignment_id=assignment_id,
        how=HintUnlock.How.REQUEST,
    ).values_list("cost"),
    user_id=int,
    problem_id=int,
    assignment_id=int,
)


def hint_cost_charged(
    user: AbstractBaseUser, problem: Problem, assignment: Assignment | None
) -> float:
    """The fraction of the points the hints the student asked for cost, together (read on
    every submit: its SQL is compiled once, ``prepared``)."""
    if assignment is None:
        return hints.charged([])  # hints are unlocked in an assignment only
    rows = _REQUESTED_HINT_COSTS.rows(
        user_id=user.pk, problem_id=problem.pk, assignment_id=assignment.pk
    )
    return hints.charged([cost for (cost,) in rows])


def hints_withheld(
    user: AbstractBaseUser, access: ProblemAccess, now: datetime | None = None
) -> bool:
    """A quiz shows no hints while its feedback policy holds the student's feedback back."""
    return quiz_rules.feedback_withheld(
        access.assignment, user.pk, is_staff=access.is_staff, now=now
    )


@dataclass(frozen=True)
class HintState:
    """What a student may see of a problem's hints: the unlocked ones (text included) and the
    on-request ones still locked (index and cost only: a locked hint's text is never read out)."""

    unlocked: list[tuple[hints.Hint, HintUnlock]]
    requestable: list[hints.Hint]


def unlocked_hints(
    user_id: int, problem: Problem, assignment: Assignment | None
) -> list[tuple[hints.Hint, HintUnlock]]:
    """The student's unlocked hints of ``problem`` in ``assignment``, in the file's order."""
    if assignment is None or not problem.hints:
        return []  # an unlock of a hint the problem does not have is never shown: no query
    by_index = {h.index: h for h in hints.from_json(problem.hints)}
    found = _UNLOCKS.rows(user_id=user_id, problem_id=problem.pk, assignment_id=assignment.pk)
    alias = _UNLOCKS.alias()
    rows = [_UNLOCK.instances(row, alias)[0] for row in found]
    return [(by_index[r.hint_index], r) for r in rows if r.hint_index in by_index]


_UNLOCK = Chain(("", HintUnlock))
_UNLOCKS = Prepared(  # read by every open of a problem with hints and every poll of its answers
    HintUnlock,
    lambda user_id, problem_id, assignment_id: HintUnlock.objects.filter(
        user_id=user_id, problem_id=problem_id, assignment_id=assignment_id
    ).values_list(*_UNLOCK.columns()),
    user_id=int,
    problem_id=int,
    assignment_id=int,
)


def hint_state(
    user: AbstractBaseUser, access: ProblemAccess, now: datetime | None = None
) -> HintState:
    if not access.problem.hints or hints_withheld(user, access, now):
        return HintState([], [])
    unlocked = unlocked_hints(user.pk, access.problem, access.assignment)
    shown = {hint.index for hint, _ in unlocked}
    requestable = [
        h
        for h in hints.from_json(access.problem.hints)
        if h.rule == hints.REQUEST and h.index not in shown
    ]
    return HintState(unlocked, requestable)


# --- What a grade unlocks (services.record_grade, read before the grade is written) -------------
@dataclass(frozen=True)
class HintSubject:
    """Whose record a submission adds to, and its problem's hints as stored (the grading claim
    returns it with the job; ``hint_subject`` reads it otherwise). Practice outside any
    assignment (``assignment_id`` None) unlocks no hints."""

    user_id: int
    problem_id: int
    assignment_id: int | None
    hints: Any


def hint_subject(submission_id: int) -> HintSubject | None:
    """A submission of an assignment, with its problem's stored hints; None for practice
    outside any assignment (no hints unlock there) or an unknown id."""
    rows = _HINT_SUBJECT.rows(submission_id=submission_id)
    return HintSubject(*rows[0]) if rows else None


def grading_record(user_id: int, problem_id: int, assignment_id: int) -> list[tuple[str, Any]]:
    """The verdict and diagnosed misconception key of each graded attempt of the student at the
    problem in the assignment (what the hints' unlock rules count)."""
    return _GRADING_RECORD.rows(user_id=user_id, problem_id=problem_id, assignment_id=assignment_id)


def unlocked_hint_indexes(user_id: int, problem_id: int, assignment_id: int) -> set[int]:
    rows = _UNLOCKED_INDEXES.rows(
        user_id=user_id, problem_id=problem_id, assignment_id=assignment_id
    )
    return {index for (index,) in rows}


_HINT_SUBJECT = Prepared(
    Submission,
    lambda submission_id: (
        Submission.objects.filter(pk=submission_id)
        .exclude(assignment=None)
        .values_list("user_id", "problem_id", "assignment_id", "problem__hints")[:1]
    ),
    submission_id=int,
)
_GRADING_RECORD = Prepared(
    Submission,
    lambda user_id, problem_id, assignment_id: Submission.objects.filter(
        user_id=user_id, problem_id=problem_id, assignment_id=assignment_id, status=Status.GRADED
    ).values_list("verdict", "feedback__misconception__key"),
    user_id=int,
    problem_id=int,
    assignment_id=int,
)
_UNLOCKED_INDEXES = Prepared(
    HintUnlock,
    lambda user_id, problem_id, assignment_id: HintUnlock.objects.filter(
        user_id=user_id, problem_id=problem_id, assignment_id=assignment_id
    ).values_list("hint_index"),
    user_id=int,
    problem_id=int,
    assignment_id=int,
)
