"""Every write Stride makes. Views and tasks call these; they hold the rules (access, deadline,
attempts, rate limits) so the pages and the API enforce exactly the same ones."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from exercises import dates, dispatch, grading_texts
from exercises.bank import hints
from exercises.errors import BadPayload, Closed, KeyReused, NotFound, RateLimited
from exercises.integrity import selectors as integrity_reads
from exercises.leaderboards import services as leaderboards
from exercises.models import (
    Assignment,
    HintUnlock,
    LatePolicy,
    Problem,
    QuizSettings,
    Status,
    Submission,
    TestResult,
    VariantPolicy,
    Verdict,
)
from exercises.quizzes import rules as quiz_rules
from exercises.submissions import grade_events, selectors
from exercises.submissions.payloads import clean_payload
from exercises.submissions.prepared import Prepared
from grader.grading import grade_payload, unreadable_reason
from grader.kinds import QUICK_KINDS
from grader.results import Grade

log = logging.getLogger(__name__)


# --- Variants ----------------------------------------------------------------------------------
def variant_seed(
    user_id: int, problem: Problem, assignment: Assignment | None, attempt_number: int
) -> int | None:
    """The seed of a student's variant: stable for (problem, student, assignment) and, when the
    assignment asks for it, the attempt. ``None`` means the lecture's pinned numbers."""
    policy = assignment.variant_policy if assignment else VariantPolicy.PER_STUDENT
    if policy == VariantPolicy.PINNED:
        return None
    parts = [str(problem.uuid), str(user_id), str(assignment.pk if assignment else 0)]
    if policy == VariantPolicy.PER_ATTEMPT:
        parts.append(str(attempt_number))
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # fits a signed 64-bit column


def current_seed(user: AbstractBaseUser, access: selectors.ProblemAccess) -> int | None:
    """The seed of the variant the user works on now (their next attempt's)."""
    used = selectors.attempts_used(user, access.problem, access.assignment)
    return variant_seed(user.pk, access.problem, access.assignment, used + 1)


# --- Submitting ---------------------------------------------------------------------------------
def _check_rate(user: AbstractBaseUser, now: datetime) -> None:
    """The two submission limits: so many a minute, so many waiting for a grader at once."""
    limits = settings.STRIDE
    per_minute = limits["SUBMISSIONS_PER_MINUTE"]
    activity = selectors.recent_activity(user, now - timedelta(seconds=60))
    if activity.recent >= per_minute:
        # the oldest of the minute's submissions leaves the window first
        retry_after = (activity.first_recent_at + timedelta(seconds=60) - now).total_seconds()
        raise RateLimited(
            gettext("You can send %(limit)d submissions a minute; try again in %(wait)d s.")
            % {"limit": per_minute, "wait": max(1, int(retry_after) + 1)},
            retry_after=int(retry_after) + 1,
        )
    if activity.pending >= limits["MAX_PENDING_PER_USER"]:
        raise RateLimited(
            gettext(
                "You already have %(limit)d submissions waiting to be graded; wait for their "
                "results."
            )
            % {"limit": limits["MAX_PENDING_PER_USER"]},
            retry_after=5,
        )


IDEMPOTENCY_KEY_MAX = 200


def clean_idempotency_key(raw: str | None) -> str | None:
    """A client's Idempotency-Key: 1-200 printable ASCII characters (a UUID is typical), or
    ``None`` when the client sent none."""
    if raw is None:
        return None
    if not 0 < len(raw) <= IDEMPOTENCY_KEY_MAX or not all(" " < c <= "~" for c in raw):
        raise BadPayload(
            gettext(
                "The Idempotency-Key must be 1 to %(max)d printable ASCII characters without "
                "spaces, such as a UUID."
            )
            % {"max": IDEMPOTENCY_KEY_MAX},
            field="Idempotency-Key",
            code="invalid_idempotency_key",
        )
    return raw


def request_digest(slug: str, assignment_id: int | None, data: Any) -> str:
    """What a keyed request asked for, so that a retry can be told from a new request."""
    canonical = json.dumps(
        [slug, assignment_id, data], sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _earlier_with_key(user: AbstractBaseUser, key: str, digest: str) -> Submission | None:
    """The submission an earlier request with this key made; ``KeyReused`` when that request
    asked for something else."""
    found = selectors.submission_with_key(user, key)
    if found is None:
        return None
    if found[1] != digest:
        raise KeyReused(
            gettext(
                "This Idempotency-Key was already used for a different submission; send a new "
                "key with each new answer."
            ),
            field="Idempotency-Key",
        )
    return Submission.objects.select_related("problem", "assignment").get(pk=found[0])


_USER_ROW_LOCK = Prepared(
    get_user_model(),
    lambda user_id: (
        get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk")
    ),
    user_id=int,
)


def _lock_user(user: AbstractBaseUser) -> None:
    """Lock the user's row until the transaction ends: a student's submits and hint requests
    take turns (no model is built; the SQL is compiled once, ``prepared``)."""
    _USER_ROW_LOCK.rows(user_id=user.pk)


@dataclass(frozen=True)
class Submitted:
    submission: Submission
    replayed: bool  # True: an earlier request with the same key made it; nothing new stored


def submit_answer(
    user: AbstractBaseUser,
    slug: str,
    data: Any,
    *,
    assignment_id: int | None = None,
    now: datetime | None = None,
) -> Submission:
    """``submit`` without an idempotency key: always a new attempt."""
    return submit(user, slug, data, assignment_id=assignment_id, now=now).submission


def submit(
    user: AbstractBaseUser,
    slug: str,
    data: Any,
    *,
    assignment_id: int | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    access: selectors.ProblemAccess | None = None,
) -> Submitted:
    """Store a submission (status ``queued``) and, once the row is committed, grade it here
    when its kind is quick (``grade_in_request``; the returned submission is then ``graded``)
    or queue its grading for a worker.

    With an ``idempotency_key`` the user already sent, the submission that request made comes
    back (``replayed``) whatever happened since (closed, rate limit reached): a client retrying
    after a lost response never makes a second attempt. The same key with a different request
    raises KeyReused. Two requests with the same key at once make one submission: the second
    gets the user's row lock once the first committed, and its insert meets the unique
    constraint on user and key (or the attempt the first one took); it then answers with the
    first one's submission.

    ``access``: the caller's own check, in this request, of the user's access to ``slug`` in
    ``assignment_id`` (the problem page made it to read the answer's format), so that access
    is decided once per request; without it (or for another problem) ``submit`` checks.

    Raises NotFound (no access), Closed (past due and late work refused, or no attempts left),
    RateLimited, BadPayload / TooLarge (envelope; and a quiz answer its kind cannot read),
    KeyReused. Nothing is written when it raises.
    """
    now = now or timezone.now()
    key = clean_idempotency_key(idempotency_key)
    digest = ""
    if key is not None:
        digest = request_digest(slug, assignment_id, data)
        earlier = _earlier_with_key(user, key, digest)
        if earlier is not None:
            return Submitted(earlier, replayed=True)
    if access is None or access.problem.slug != slug or access.assignment.pk != assignment_id:
        access = selectors.access_problem(user, slug, assignment_id=assignment_id, now=now)
    payload = clean_payload(access.problem.kind, data)
    late = access.is_late(now)
    if quiz_rules.is_quiz(access.assignment) and not access.is_staff:
        quiz_rules.check_can_submit(user, access.item, now)  # the student's own timed sitting
        late = False
    if quiz_rules.is_quiz(access.assignment):
        _refuse_unreadable(user, access, payload)
    elif late and access.assignment.late_policy == LatePolicy.REFUSE and not access.is_staff:
        raise Closed(
            gettext("%(title)s closed at %(when)s; it takes no more submissions.")
            % {
                "title": access.assignment.title,
                "when": dates.when_text(access.due_at, access.assignment.cohort.tzinfo),
            },
            code="deadline_passed",
        )
    _check_rate(user, now)
    try:
        return Submitted(_store(user, access, payload, late, key, digest), replayed=False)
    except (IntegrityError, Closed):
        # A twin with the same key committed while this request waited for the user's row
        # lock: its insert violates the unique key, or the twin took the last attempt.
        earlier = _earlier_with_key(user, key, digest) if key is not None else None
        if earlier is None:
            raise
        return Submitted(earlier, replayed=True)


def _store(
    user: AbstractBaseUser,
    access: selectors.ProblemAccess,
    payload: dict[str, Any],
    late: bool,
    key: str | None,
    digest: str,
) -> Submission:
    """``submit``'s write, under the user's row lock: the attempt count, the insert, and the
    grade (in this request, once committed) or the grading task. A keyed request does not look
    for its key again under the lock: the unique constraint on user and key refuses a twin
    that committed meanwhile (``IntegrityError``), and ``submit`` then answers with the twin's
    submission."""
    with transaction.atomic():
        # Lock the user's row so two concurrent requests cannot both take the last attempt.
        _lock_user(user)
        used = selectors.attempts_used(user, access.problem, access.assignment)
        if access.terms.attempts_left(used) == 0 and not access.is_staff:
            raise Closed(
                gettext("You have used all %(limit)d attempts at this problem.")
                % {"limit": access.attempt_limit},
                code="no_attempts_left",
            )
        attempt = used + 1
        submission = Submission.objects.create(
            user=user,
            problem=access.problem,
            assignment=access.assignment,
            payload=payload,
            variant_seed=variant_seed(user.pk, access.problem, access.assignment, attempt),
            attempt_number=attempt,
            max_score=access.item.max_points,
            late=late,
            hint_cost=selectors.hint_cost_charged(user, access.problem, access.assignment),
            status=Status.QUEUED,
            idempotency_key=key or "",
            request_digest=digest,
        )
        graded_here: list[dict[str, Any] | None] = []
        if grades_in_request(access.problem.kind):
            pk = submission.pk
            transaction.on_commit(lambda: graded_here.append(grade_in_request(pk)))
        else:
            enqueue_grading(submission.pk)
    # Run at the commit above (not yet when a caller's transaction is open): the row in hand
    # takes what grading wrote, as reading it back would give.
    written = graded_here[0] if graded_here else None
    for name, value in (written or {}).items():
        setattr(submission, name, value)
    return submission


def _refuse_unreadable(
    user: AbstractBaseUser, access: selectors.ProblemAccess, payload: dict[str, Any]
) -> None:
    """A quiz answer the kind cannot read is refused now, with the kind's reason, and never
    stored: under deferred feedback a stored one would read "Answer recorded" until the
    student could no longer fix it. Unreadable answers use no try anywhere
    (``selectors.attempts_used``); here they are not even written."""

    reason = unreadable_reason(
        access.problem.kind, access.problem.spec, current_seed(user, access), payload
    )
    reason = grading_texts.rendered(reason)  # the kind's words in the reader's language
    if reason is not None:
        raise BadPayload(
            gettext("This answer cannot be read (%(reason)s); it was not recorded and used no try.")
            % {"reason": reason},
            field="answer",
            code="unreadable_answer",
        )


def enqueue_grading(submission_id: int) -> None:
    """Publish the grading task after the surrounding transaction commits (never before: the
    worker must find the row)."""
    dispatch.publish_on_commit(dispatch.GRADE_SUBMISSION, submission_id)


def grades_in_request(kind: str) -> bool:
    """Whether a submission of ``kind`` is graded by the request that stores it: a quick kind
    (``grader.kinds.QUICK_KINDS``: a comparison with the reference, about a millisecond) unless
    the deployment turned it off (``STRIDE["GRADE_QUICK_KINDS_IN_REQUEST"]``). Code never: it
    runs in the sandbox, which only workers load."""
    return kind in QUICK_KINDS and settings.STRIDE["GRADE_QUICK_KINDS_IN_REQUEST"]


def grade_in_request(submission_id: int) -> dict[str, Any] | None:
    """Grade a stored, committed submission of a quick kind in the web request, through the
    workers' own ``grade_and_record`` (the same claim, grader, record and after-grade
    hooks): its answer then carries the verdict without a Celery round trip and a second
    request. The submission's fields as this request wrote them, or None when it did not
    record the grade.

    Any failure (the database, the broker, anything unexpected) hands the submission to the
    workers as if this had never been tried: the claim, if taken, is released and the grading
    task queued. The claim is what keeps it graded once: a grade committed before the failure
    leaves nothing to claim (the task skips it), and a claim this request could not release
    (the database is down) is re-queued by the sweeper."""
    token = f"web-{uuid.uuid4()}"
    try:
        return grade_and_record(submission_id, token)
    except Exception:
        log.exception("submission %s: grading in the request failed; queued", submission_id)
    try:
        release_submission(submission_id, token)
        enqueue_grading(submission_id)
    except Exception:
        log.exception("submission %s: not queued; left for the sweeper", submission_id)
    return None


# --- Grading (exercises.submissions.tasks, and grade_in_request for the quick kinds) ------------
def grade_and_record(submission_id: int, token: str) -> dict[str, Any] | None:
    """Claim, grade and record one submission as the run ``token`` (a Celery task's id, or a
    web request's own): the one body of grading, whoever runs it. Returns the submission's
    fields as it wrote them (the grade's, and the claim's ``started_at`` and ``worker_id``),
    for a caller holding the row in memory; ``None`` when there was nothing to do (another run
    holds the claim, it is already graded, or the claim was lost before the grade was written).
    A wrong answer that could be another variant's queues the advisory leak check
    (``integrity``) once the grade is in.

    Raises what the claim, the grader or the record raise (a database or sandbox fault): the
    caller decides between retrying (a task) and handing it to the workers (a web request).
    """
    job = claim_submission(submission_id, token)
    if job is None:
        return None
    grade = grade_payload(job.kind, job.spec, job.seed, job.payload)
    written = record_grade(submission_id, token, grade, job.terms, job.hints)
    if written is None:
        return None
    if integrity_reads.should_check_leak(job.kind, grade.verdict):
        _queue_leak_check(submission_id)
    return {**written, "started_at": job.started_at, "worker_id": token}


def _queue_leak_check(submission_id: int) -> None:
    """The leak check is advisory (staff only): a broker hiccup or a failure in it never
    fails the grade, which is already committed."""
    try:
        dispatch.publish_on_commit(dispatch.INTEGRITY_LEAK_CHECK, submission_id)
    except Exception:
        log.exception("leak check for submission %s not run", submission_id)


@dataclass(frozen=True)
class ScoringTerms:
    """What a grade's points depend on besides the grade itself: the submission's maximum, the
    late penalty it incurs (0 when on time or the policy charges none), what a quiz try is
    worth and the fraction of the points the hints the student asked for cost. The grading
    claim reads them with the submission, so recording reads nothing."""

    max_score: float
    late_penalty_percent: int = 0
    attempt_factor: float = 1.0
    hint_cost: float = 0.0

    @classmethod
    def of(cls, submission: Submission) -> ScoringTerms:
        """The terms of a loaded submission (regrades; ``select_related("assignment")``)."""
        assignment = submission.assignment
        attempt_points = None
        if quiz_rules.is_quiz(assignment):
            attempt_points = (
                QuizSettings.objects.filter(assignment=assignment)
                .values_list("attempt_points", flat=True)
                .first()
            )
        return cls.from_values(
            max_score=submission.max_score,
            late=submission.late,
            assignment_type=assignment.type if assignment else None,
            late_policy=assignment.late_policy if assignment else None,
            late_penalty_percent=assignment.late_penalty_percent if assignment else 0,
            attempt_points=attempt_points,
            attempt_number=submission.attempt_number,
            hint_cost=submission.hint_cost,
        )

    @classmethod
    def from_values(
        cls,
        *,
        max_score: float,
        late: bool,
        assignment_type: str | None,
        late_policy: str | None,
        late_penalty_percent: int | None,
        attempt_points: list | None,
        attempt_number: int,
        hint_cost: float | None = 0.0,
    ) -> ScoringTerms:
        """The rule itself: a late submission under a penalty policy loses its percentage; a
        quiz try earns its share of ``attempt_points`` (``quiz_rules.attempt_factor_of``);
        requested hints cost their fraction of the points (``Submission.hint_cost``)."""
        penalty = 0
        if late and late_policy == LatePolicy.PENALTY:
            penalty = late_penalty_percent or 0
        attempt = 1.0
        if assignment_type == Assignment.Type.QUIZ:
            attempt = quiz_rules.attempt_factor_of(attempt_points, attempt_number)
        return cls(max_score, penalty, attempt, min(1.0, max(0.0, hint_cost or 0.0)))


@dataclass(frozen=True)
class GradingJob:
    """What grading one submission needs. The grader is handed only the kind, spec, seed and
    payload (no user, no other submissions); the scoring terms and the hint subject are for
    recording its grade."""

    submission_id: int
    kind: str
    spec: dict
    seed: int | None
    payload: dict
    terms: ScoringTerms
    hints: selectors.HintSubject
    started_at: datetime  # when the claim was taken


# What a claim reads, named as ``QuerySet.values`` names them (the portable path reads exactly so).
_CLAIM_FIELDS = (
    "problem__kind",
    "problem__spec",
    "variant_seed",
    "payload",
    "late",
    "max_score",
    "attempt_number",
    "hint_cost",
    "assignment__type",
    "assignment__late_policy",
    "assignment__late_penalty_percent",
    "assignment__quiz__attempt_points",
    "user_id",
    "problem_id",
    "assignment_id",
    "problem__hints",
)


def claim_submission(submission_id: int, token: str) -> GradingJob | None:
    """Move ``queued -> running`` atomically; ``None`` when another worker has it or it is done.

    ``token`` identifies this grading run (the Celery task id): a retry of the same task may
    reclaim a submission it already holds. On PostgreSQL the claim and everything grading
    needs is one ``UPDATE ... RETURNING`` (one round trip); elsewhere an update, then a read.
    """
    now = timezone.now()
    if connection.vendor == "postgresql":
        row = _claim_returning(submission_id, token, now)
    else:
        row = _claim_then_read(submission_id, token, now)
    if row is None:
        return None
    terms = ScoringTerms.from_values(
        max_score=row["max_score"],
        late=row["late"],
        assignment_type=row["assignment__type"],
        late_policy=row["assignment__late_policy"],
        late_penalty_percent=row["assignment__late_penalty_percent"],
        attempt_points=row["assignment__quiz__attempt_points"],
        attempt_number=row["attempt_number"],
        hint_cost=row["hint_cost"],
    )
    subject = selectors.HintSubject(
        row["user_id"], row["problem_id"], row["assignment_id"], row["problem__hints"]
    )
    return GradingJob(
        submission_id=submission_id,
        kind=row["problem__kind"],
        spec=row["problem__spec"],
        seed=row["variant_seed"],
        payload=row["payload"],
        terms=terms,
        hints=subject,
        started_at=now,
    )


def _claimable(submission_id: int, token: str):
    return Submission.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.RUNNING, worker_id=token), pk=submission_id
    )


def _claim_then_read(submission_id: int, token: str, now: datetime) -> dict[str, Any] | None:
    with transaction.atomic():
        if not _claimable(submission_id, token).update(
            status=Status.RUNNING, started_at=now, worker_id=token
        ):
            return None
        return Submission.objects.filter(pk=submission_id).values(*_CLAIM_FIELDS).get()


@functools.cache
def _claim_sql() -> str:
    """The PostgreSQL claim, built from the models' own table names (no user input)."""
    sub, problem = Submission._meta.db_table, Problem._meta.db_table
    assignment, quiz = Assignment._meta.db_table, QuizSettings._meta.db_table

    def of_assignment(table: str, column: str, key: str) -> str:
        return f"(SELECT x.{column} FROM {table} x WHERE x.{key} = s.assignment_id)"  # noqa: S608

    return f"""
        UPDATE {sub} s SET status = %s, started_at = %s, worker_id = %s
        FROM {problem} p
        WHERE s.id = %s AND p.id = s.problem_id
          AND (s.status = %s OR (s.status = %s AND s.worker_id = %s))
        RETURNING p.kind, p.spec, s.variant_seed, s.payload, s.late, s.max_score,
          s.attempt_number, s.hint_cost,
          {of_assignment(assignment, "type", "id")},
          {of_assignment(assignment, "late_policy", "id")},
          {of_assignment(assignment, "late_penalty_percent", "id")},
          {of_assignment(quiz, "attempt_points", "assignment_id")},
          s.user_id, s.problem_id, s.assignment_id, p.hints
    """  # noqa: S608 (only the models' table names are formatted in; values are parameters)


def _claim_returning(submission_id: int, token: str, now: datetime) -> dict[str, Any] | None:
    """One autocommit statement. A grading worker's connection commits it without waiting for
    the disk (``config.celery``): lost in a server crash, the row is ``queued`` again and the
    sweeper grades it; ``record_grade`` then finds no claim and writes nothing."""
    params = [Status.RUNNING, now, token, submission_id, Status.QUEUED, Status.RUNNING, token]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), params)
        found = cursor.fetchone()
    if found is None:
        return None
    row = dict(zip(_CLAIM_FIELDS, found, strict=True))
    for key in ("problem__spec", "payload", "assignment__quiz__attempt_points", "problem__hints"):
        if isinstance(row[key], str):  # Django has psycopg return jsonb as text
            row[key] = json.loads(row[key])
    return row


def release_submission(submission_id: int, token: str) -> None:
    """Give a claimed submission back (``running -> queued``) before an infrastructure retry."""
    Submission.objects.filter(pk=submission_id, status=Status.RUNNING, worker_id=token).update(
        status=Status.QUEUED, queued_at=timezone.now()
    )


def scored(terms: ScoringTerms, grade: Grade) -> tuple[float, dict[str, Any]]:
    """The points ``grade`` earns under ``terms`` and the feedback that says why: the late
    penalty, a quiz try's declining points and the requested hints' cost apply here, for
    grading and regrading alike (so for the gradebook and the leaderboards, which read the
    scores). A hint costs its fraction of the problem's points, taken off what the answer
    earns (never below 0): every submission sent after asking carries it, so the best score
    loses it exactly once, and an answer sent before asking keeps its points."""
    late = max(0.0, 1.0 - terms.late_penalty_percent / 100.0)
    feedback = dict(grade.feedback)
    if late < 1.0:
        feedback["late_penalty_percent"] = terms.late_penalty_percent
    if terms.attempt_factor < 1.0:
        feedback["attempt_points_percent"] = round(terms.attempt_factor * 100, 2)
    earned = grade.score * terms.max_score * late * terms.attempt_factor
    if terms.hint_cost > 0:
        feedback["hint_cost_percent"] = round(terms.hint_cost * 100, 2)
        earned = max(0.0, earned - terms.hint_cost * terms.max_score)
    return round(earned, 6), feedback


def _test_values(grade: Grade) -> list[dict[str, Any]]:
    """``grade``'s tests as the columns of their rows; hidden tests keep no data (but the
    texts of their names)."""
    return [
        {
            "order": index,
            "name": test.name[:200],
            "passed": test.passed,
            "points": test.points,
            "max_points": test.max_points,
            "message": test.message,
            "hidden": test.hidden,
            "data": _hidden_test_data(test.data) if test.hidden else test.data,
        }
        for index, test in enumerate(grade.tests)
    ]


def _hidden_test_data(data: dict[str, Any]) -> dict[str, Any]:
    """What a hidden test keeps of its data: only the texts of its name (a name is shown for a
    hidden test too, in its reader's language), never anything about its inputs or outputs."""
    name = (data.get("texts") or {}).get("name")
    return {"texts": {"name": name}} if name else {}


def write_test_results(submission: Submission, grade: Grade) -> None:
    """Replace the submission's test rows with ``grade``'s (a regrade)."""
    TestResult.objects.filter(submission=submission).delete()
    TestResult.objects.bulk_create(
        TestResult(submission=submission, **values) for values in _test_values(grade)
    )


def record_grade(
    submission_id: int,
    token: str,
    grade: Grade,
    terms: ScoringTerms | None = None,
    subject: selectors.HintSubject | None = None,
) -> dict[str, Any] | None:
    """Write the result, its test rows, ``graded`` and the hints the grade unlocks.

    Only the run holding the claim may write (exactly-once even when a sweeper re-queued the
    submission meanwhile): the conditional UPDATE is the check, and PostgreSQL re-checks its
    condition after waiting for a concurrent writer's row lock. Returns the fields written
    (as the row would read back), or None when the claim was lost and nothing was written.
    ``terms`` and ``subject`` come from the claim
    (``GradingJob``); without them they are read here. No old test rows to delete: a claimed
    submission has never been graded (grading ends the claim in the statement that writes the
    rows, and a regrade replaces the rows of a graded submission without reopening it).

    The hints are worked out before anything is written (``_hints_unlocked``). On PostgreSQL a
    grade that unlocks none is one autocommit statement (the UPDATE and the rows' INSERT in one
    ``WITH``); one that unlocks a hint writes it in the same transaction, so whoever sees the
    grade (a ``?wait=`` request, the page's next read) sees its hints too. Elsewhere an UPDATE
    and an INSERT in a transaction. The hooks that tell the waiting page and the leaderboards
    run after commit.
    """
    if terms is None:
        submission = Submission.objects.select_related("assignment").filter(pk=submission_id)
        loaded = submission.first()
        if loaded is None:
            return None
        terms = ScoringTerms.of(loaded)
    if subject is None:
        subject = selectors.hint_subject(submission_id)
    score, feedback = scored(terms, grade)
    result = {
        "status": Status.GRADED,
        "verdict": grade.verdict.value,
        "score": score,
        "feedback": feedback,
        "graded_at": timezone.now(),
        "error_message": "",
    }
    unlocks = _hints_unlocked(submission_id, subject, grade.verdict.value, feedback)
    tests = _test_values(grade)
    postgresql = connection.vendor == "postgresql"
    record = _record_in_one_statement if postgresql else _record_update_then_insert
    if postgresql and not unlocks:  # one statement: nothing to make atomic with it
        written = record(submission_id, token, result, tests)
    else:
        with transaction.atomic():
            written = record(submission_id, token, result, tests)
            if written and unlocks:
                # A concurrent grade of the same student may write the same hint: the first
                # one stays.
                HintUnlock.objects.bulk_create(unlocks, ignore_conflicts=True)
    if not written:
        log.warning("grade for submission %s dropped: claim lost", submission_id)
        return None
    transaction.on_commit(lambda: after_graded(submission_id))
    # The feedback as its JSON column gives it back (lists for tuples, string keys).
    return {**result, "feedback": json.loads(json.dumps(feedback))}


def _record_update_then_insert(
    submission_id: int, token: str, result: dict[str, Any], tests: list[dict[str, Any]]
) -> bool:
    """The UPDATE and the test rows' INSERT; the caller's transaction makes them one."""
    claimed = Submission.objects.filter(pk=submission_id, status=Status.RUNNING, worker_id=token)
    if not claimed.update(**result):
        return False
    TestResult.objects.bulk_create(
        TestResult(submission_id=submission_id, **values) for values in tests
    )
    return True


@functools.cache
def _record_sql() -> str:
    """The PostgreSQL record, built from the models' own table and column names."""
    quote = connection.ops.quote_name
    sub, rows = Submission._meta.db_table, TestResult._meta.db_table
    order = quote(TestResult._meta.get_field("order").column)
    return f"""
        WITH graded AS (
            UPDATE {sub}
            SET status = %s, verdict = %s, score = %s, feedback = %s::jsonb, graded_at = %s,
                error_message = %s
            WHERE id = %s AND status = %s AND worker_id = %s
            RETURNING id
        ), test_rows AS (
            INSERT INTO {rows}
                (submission_id, {order}, name, passed, points, max_points, message, hidden, data)
            SELECT graded.id, t.{order}, t.name, t.passed, t.points, t.max_points, t.message,
                t.hidden, t.data
            FROM graded, jsonb_to_recordset(%s::jsonb) AS t(
                {order} integer, name text, passed boolean, points double precision,
                max_points double precision, message text, hidden boolean, data jsonb)
        )
        SELECT count(*) FROM graded
    """  # noqa: S608 (only the models' table and column names are formatted in)


def _record_in_one_statement(
    submission_id: int, token: str, result: dict[str, Any], tests: list[dict[str, Any]]
) -> bool:
    """The UPDATE and the test rows' INSERT as one statement: the INSERT takes its submission
    id from the UPDATE's RETURNING, so a lost claim inserts nothing. JSON is encoded as
    ``JSONField`` encodes it (``json.dumps``)."""
    params = [
        result["status"],
        result["verdict"],
        result["score"],
        json.dumps(result["feedback"]),
        result["graded_at"],
        result["error_message"],
        submission_id,
        Status.RUNNING,
        token,
        json.dumps(tests),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_record_sql(), params)
        (written,) = cursor.fetchone()
    return written == 1


def record_error(submission_id: int, message: str) -> None:
    """End a submission as ``error`` (infrastructure fault after retries; uses no attempt)."""
    ended = (
        Submission.objects.filter(pk=submission_id)
        .exclude(status=Status.GRADED)
        .update(status=Status.ERROR, error_message=message[:2000], graded_at=timezone.now())
    )
    if ended:
        transaction.on_commit(lambda: _announce_final(submission_id))


def after_graded(submission_id: int) -> None:
    """Hooks that run once a grade is committed (its hint unlocks committed with it): the
    waiting page or client, then the leaderboards."""

    _announce_final(submission_id)
    leaderboards.boards_changed(leaderboards.BoardChange.GRADED, submission_id=submission_id)


def _announce_final(submission_id: int) -> None:
    """Wake the requests waiting for this submission (``grade_events``). A lost message costs
    a waiter at most its next database re-read, never the grade: never fail grading for it."""

    try:
        grade_events.publish_final(submission_id)
    except Exception:
        log.exception("grade event not published for submission %s", submission_id)


def requeue_stuck(now: datetime | None = None) -> dict[str, int]:
    """Re-queue submissions stuck in ``queued``/``running`` past the timeout (the database is
    the source of truth, not the broker); after too many tries they end as ``error``."""
    now = now or timezone.now()
    limits = settings.STRIDE
    cutoff = now - timedelta(seconds=limits["STUCK_AFTER_SECONDS"])
    stuck = Submission.objects.filter(
        Q(status=Status.QUEUED, queued_at__lt=cutoff)
        | Q(status=Status.RUNNING, started_at__lt=cutoff)
    )
    failed = stuck.filter(requeue_count__gte=limits["MAX_REQUEUES"]).update(
        status=Status.ERROR,
        error_message="Grading did not finish after several tries; this attempt does not count.",
        graded_at=now,
    )
    ids = list(stuck.filter(requeue_count__lt=limits["MAX_REQUEUES"]).values_list("pk", flat=True))
    requeued = 0
    for submission_id in ids:
        with transaction.atomic():
            # Drop the claim and restart the clock, so the next sweep leaves it alone.
            updated = Submission.objects.filter(
                Q(status=Status.QUEUED) | Q(status=Status.RUNNING), pk=submission_id
            ).update(
                status=Status.QUEUED,
                worker_id="",
                requeue_count=F("requeue_count") + 1,
                queued_at=now,
            )
            if updated:
                requeued += 1
                enqueue_grading(submission_id)
    return {"requeued": requeued, "failed": failed}


# --- Hints --------------------------------------------------------------------------------------
def _hints_unlocked(
    submission_id: int,
    subject: selectors.HintSubject | None,
    verdict: str,
    feedback: dict[str, Any],
) -> list[HintUnlock]:
    """The hint unlocks this grade adds (``exercises.bank.hints.unlocked_by_grading``), not yet
    written: the student's record on the problem as graded so far (one small query) plus this
    grade, so a grade whose unlock failed once is made good by the next one; hints already
    unlocked are left out (a second query, only when the record unlocks any). A hint is a help:
    a failure here is logged and the grade is written without it, never lost with it."""
    if subject is None or subject.assignment_id is None:  # practice: no hints unlock there
        return []
    try:
        rules = [h for h in hints.from_json(subject.hints) if h.rule != hints.REQUEST]
        if not rules:
            return []
        ids = (subject.user_id, subject.problem_id, subject.assignment_id)
        this_grade = (verdict, (feedback.get("misconception") or {}).get("key"))
        wrong, diagnosed = 0, set()
        for graded, key in [*selectors.grading_record(*ids), this_grade]:
            if graded in (Verdict.INCORRECT, Verdict.PARTIAL):
                wrong += 1
            if key:
                diagnosed.add(str(key))
        due = hints.unlocked_by_grading(rules, wrong, diagnosed)
        if not due:
            return []
        done = selectors.unlocked_hint_indexes(*ids)
    except Exception:
        log.exception("working out the hints unlocked by submission %s failed", submission_id)
        return []
    return [
        HintUnlock(
            user_id=subject.user_id,
            problem_id=subject.problem_id,
            assignment_id=subject.assignment_id,
            hint_index=u.index,
            how=u.how,
            attempts=wrong,
            misconception=u.misconception,
            submission_id=submission_id,
        )
        for u in due
        if u.index not in done
    ]


def request_hint(
    user: AbstractBaseUser,
    slug: str,
    index: int,
    *,
    assignment_id: int | None = None,
    now: datetime | None = None,
) -> HintUnlock:
    """Show an on-request hint to the student; its cost (its fraction of the points) is fixed
    on the unlock and charged to every submission they send after it (``scored``). Asking
    again for the same hint returns the same unlock and charges nothing more.

    Raises NotFound (no access, or no on-request hint ``index``) and Closed (a quiz holding
    back its feedback shows no hints)."""
    now = now or timezone.now()
    access = selectors.access_problem(user, slug, assignment_id=assignment_id, now=now)
    hint = next((h for h in hints.from_json(access.problem.hints) if h.index == index), None)
    if hint is None or hint.rule != hints.REQUEST:
        raise NotFound(
            gettext("This problem has no hint %(index)d to ask for.") % {"index": index},
            code="hint_not_found",
        )
    if selectors.hints_withheld(user, access, now):
        raise Closed(
            gettext("Hints appear when this quiz releases its feedback."), code="hints_withheld"
        )
    with transaction.atomic():
        # The lock submit_answer takes: a submission and a request of the same student are
        # ordered, so the submission's hint_cost sees the request or was sent before it.
        _lock_user(user)
        unlock, _ = HintUnlock.objects.get_or_create(
            user=user,
            problem=access.problem,
            assignment=access.assignment,
            hint_index=index,
            defaults={
                "how": HintUnlock.How.REQUEST,
                "cost": hint.cost,
                "attempts": selectors.wrong_attempts(user, access.problem, access.assignment),
                "unlocked_at": now,
            },
        )
    return unlock
