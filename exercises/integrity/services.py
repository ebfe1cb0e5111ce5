"""Writes of the integrity report: start a run, run it (the Celery task's body), record a
review, and flag a cross-variant leak right after a wrong answer is graded."""

from __future__ import annotations

import functools
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max
from django.utils import timezone

from exercises import dispatch
from exercises.errors import NotFound
from exercises.integrity import evidence, leaks, selectors
from exercises.models import (
    Assignment,
    IntegrityReport,
    IntegrityReview,
    LeakFlag,
    Membership,
    Problem,
    Role,
    Status,
    Submission,
    VariantPolicy,
)
from exercises.submissions.services import variant_seed
from grader.kinds import get_kind

log = logging.getLogger(__name__)

#: Number problems whose answers are sizes (output sizes, paddings, receptive fields): many
#: variants share them, so they never flag (``leaks.AnswerKind`` "size").
SIZE_TAGS = frozenset({"output-size", "padding", "receptive-field"})


# --- the report -------------------------------------------------------------------------------
def request_report(assignment: Assignment, user: AbstractBaseUser) -> IntegrityReport:
    """A new run for ``assignment``, queued on the low-priority queue once committed."""
    report = IntegrityReport.objects.create(assignment=assignment, requested_by=user)
    dispatch.publish_on_commit(dispatch.INTEGRITY_REPORT, report.pk, queue=settings.REGRADE_QUEUE)
    return report


def build_report(report_id: int) -> str:
    """Analyse every code problem of the report's assignment and store the ranked pairs. A
    duplicate delivery finds the run claimed and returns."""
    claimed = IntegrityReport.objects.filter(
        pk=report_id, state=IntegrityReport.State.QUEUED
    ).update(state=IntegrityReport.State.RUNNING)
    if not claimed:
        return "skipped"
    report = IntegrityReport.objects.select_related("assignment").get(pk=report_id)
    try:
        problems, pairs = _analyse(report.assignment)
    except Exception as exc:
        log.exception("integrity report %s failed", report_id)
        IntegrityReport.objects.filter(pk=report_id).update(
            state=IntegrityReport.State.FAILED,
            error_message=f"{exc.__class__.__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    IntegrityReport.objects.filter(pk=report_id).update(
        state=IntegrityReport.State.DONE,
        problems=problems,
        pairs=pairs,
        finished_at=timezone.now(),
    )
    return "done"


def _analyse(assignment: Assignment) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    staff = selectors.staff_user_ids(assignment)
    reports, summary = [], []
    for problem in selectors.code_problems(assignment):
        finals = selectors.final_code_submissions(assignment, problem, exclude=staff)
        report = evidence.analyse_problem(problem.slug, finals, problem.starter_code)
        reports.append(report)
        summary.append(
            {
                "problem": problem.slug,
                "title": problem.title,
                "submissions": report.submissions,
                "dropped_common": report.dropped_common,
                "dropped_starter": report.dropped_starter,
            }
        )
    names = {p.a for r in reports for p in r.pairs} | {p.b for r in reports for p in r.pairs}
    ids = dict(
        Membership.objects.filter(cohort_id=assignment.cohort_id, user__username__in=names)
        .values_list("user__username", "user_id")
        .distinct()
    )
    pairs = [
        {
            "problem": p.problem,
            "a": p.a,
            "b": p.b,
            "a_id": ids[p.a],
            "b_id": ids[p.b],
            "score": p.score,
            "similarity": p.similarity,
            "similarity_z": p.similarity_z,
            "gap_seconds": p.gap_seconds,
            "same_wrong_outputs": list(p.same_wrong_outputs),
            "same_misconceptions": [list(m) for m in p.same_misconceptions],
            "lines_a": list(p.lines_a),
            "lines_b": list(p.lines_b),
            "repeated_in": list(p.repeated_in),
            "reasons": list(p.reasons),
        }
        for p in evidence.combine_problems(reports)
    ]
    return summary, pairs


def save_review(
    assignment: Assignment,
    user_ids: tuple[int, int],
    status: str,
    note: str,
    reviewer: AbstractBaseUser,
) -> IntegrityReview:
    """Record the staff's verdict on a pair (one row per pair and assignment)."""
    if status not in IntegrityReview.Status.values:
        raise NotFound(f"No review status {status!r}.", code="bad_status")
    first, second = selectors.pair_key(*user_ids)
    review, _ = IntegrityReview.objects.update_or_create(
        assignment=assignment,
        first_id=first,
        second_id=second,
        defaults={"status": status, "note": note.strip()[:4000], "reviewed_by": reviewer},
    )
    return review


# --- cross-variant leaks ------------------------------------------------------------------------
def answer_kind(problem: Problem) -> leaks.AnswerKind | None:
    """How distinctive the problem's answers are (``leaks.AnswerKind``), None if they cannot
    leak at all."""
    if problem.kind == "matrix":
        return "matrix"
    if problem.kind == "number":
        return "size" if SIZE_TAGS & set(problem.tags or ()) else "number"
    return None


def _expected(problem: Problem, seed: int | None) -> Any:
    """The right answer of the variant ``seed`` names (shared: never to be changed)."""
    return _expected_of(problem.kind, json.dumps(problem.spec, sort_keys=True), seed)


@functools.lru_cache(maxsize=32768)
def _expected_of(kind_name: str, spec: str, seed: int | None) -> Any:
    """Remembered per kind, spec and seed in the worker: a check compares the answer with every
    student's variant, and the same variants come back for every wrong answer in the cohort.
    Rebuilding them was three quarters of a check's 11 ms of CPU at 300 students, and a class
    answering wrong 20 times a second kept the workers' queue behind it."""
    kind, parsed = get_kind(kind_name), json.loads(spec)
    return kind.expected(parsed, kind.generate(parsed, seed))


def check_leak(submission_id: int) -> LeakFlag | None:
    """Flag ``submission`` when its (wrong) answer is exactly the expected answer of one other
    student's variant. The cohort's variants are rebuilt from their seeds: under one variant
    per student, every student's; under one per attempt, the variants of the attempts they
    have made."""
    submission = (
        Submission.objects.select_related("problem", "assignment", "user")
        .filter(pk=submission_id, status=Status.GRADED, assignment__isnull=False)
        .first()
    )
    if submission is None or not selectors.should_check_leak(
        submission.problem.kind, submission.verdict
    ):
        return None
    problem, assignment = submission.problem, submission.assignment
    kind = answer_kind(problem)
    answer = submission.payload.get("answer")
    if (
        kind is None
        or assignment.variant_policy == VariantPolicy.PINNED
        or not leaks.can_leak(kind, answer)
    ):
        return None
    me = submission.user.username
    view = _class_view(submission, kind)
    if view is not None:  # one variant per student: every student's, the same for each check
        holders = view.holders
        leak = leaks.check_answer(
            kind, me, answer, view.expected, variants=view.variants, owners=view.owners
        )
    else:
        holders = _cohort_variants(submission)
        expected = {label: _expected(problem, seed) for label, (_, seed) in holders.items()}
        expected[me] = _expected(problem, submission.variant_seed)
        variants = {label: seed for label, (_, seed) in holders.items()}
        variants[me] = submission.variant_seed
        leak = leaks.check_answer(kind, me, answer, expected, variants=variants)
    if leak is None:
        return None
    source_id, source_seed = holders[leak.source]
    flag, _ = LeakFlag.objects.get_or_create(
        submission=submission,
        defaults={
            "source_id": source_id,
            "source_seed": source_seed,
            "sources": [holders[s][0] for s in leak.sources],
        },
    )
    return flag


@dataclass(frozen=True)
class _ClassView:
    """Every student's variant of one problem in one assignment (one variant per student):
    label -> (user id, seed), the right answers, the seeds, and who expects which answer."""

    holders: dict[str, tuple[int, int | None]]
    expected: dict[str, Any]
    variants: dict[str, int | None]
    owners: dict[Any, list[str]]


_CLASS_VIEWS: dict[tuple, _ClassView] = {}
_CLASS_VIEWS_KEPT = 64
_class_views_lock = threading.Lock()


def _class_view(submission: Submission, kind: leaks.AnswerKind) -> _ClassView | None:
    """The class's variants of the submission's problem, built once per roster and spec and
    kept in the worker: every wrong answer of the cohort is checked against the same variants,
    and rebuilding them per check (O(cohort)) let a class answering wrong a few times a second
    queue checks faster than a worker ran them. The roster's fingerprint (how many students,
    the newest membership and when it joined) is one indexed aggregate per check; a join or a
    leave makes a new view. None under one variant per attempt (the variants are the attempts
    made so far), or when the submission's own seed is not the one its student's variant has
    (the assignment's policy changed since): those checks build what they need."""
    assignment, problem = submission.assignment, submission.problem
    if assignment.variant_policy == VariantPolicy.PER_ATTEMPT:
        return None
    roster = _students(assignment).aggregate(
        n=Count("id"), newest=Max("id"), joined=Max("joined_at")
    )
    spec = json.dumps(problem.spec, sort_keys=True)
    key = (
        (assignment.pk, assignment.created_at, assignment.variant_policy),
        (problem.pk, spec),
        (roster["n"], roster["newest"], roster["joined"]),
    )
    with _class_views_lock:
        view = _CLASS_VIEWS.get(key)
    if view is None:
        names = dict(_students(assignment).values_list("user_id", "user__username"))
        holders = _one_variant_each(names, problem, assignment)
        expected = {label: _expected(problem, seed) for label, (_, seed) in holders.items()}
        view = _ClassView(
            holders=holders,
            expected=expected,
            variants={label: seed for label, (_, seed) in holders.items()},
            owners=leaks.index(kind, expected),
        )
        with _class_views_lock:
            if len(_CLASS_VIEWS) >= _CLASS_VIEWS_KEPT:
                _CLASS_VIEWS.pop(next(iter(_CLASS_VIEWS)))  # the oldest
            _CLASS_VIEWS[key] = view
    mine = view.holders.get(submission.user.username)
    if mine is None or mine[1] != submission.variant_seed:
        return None
    return view


def _students(assignment: Assignment):
    """The student memberships of the assignment's cohort."""
    return Membership.objects.filter(cohort_id=assignment.cohort_id, role=Role.STUDENT)


def _one_variant_each(
    names: dict[int, str], problem: Problem, assignment: Assignment
) -> dict[str, tuple[int, int | None]]:
    """Username -> (user id, seed) under one variant per student (the first attempt's)."""
    return {name: (uid, variant_seed(uid, problem, assignment, 1)) for uid, name in names.items()}


def _cohort_variants(submission: Submission) -> dict[str, tuple[int, int | None]]:
    """Label -> (user id, seed) of every other student's variant of the submission's problem."""

    assignment, problem = submission.assignment, submission.problem
    students = _students(assignment).exclude(user_id=submission.user_id)
    others = dict(students.values_list("user_id", "user__username"))
    if assignment.variant_policy != VariantPolicy.PER_ATTEMPT:
        return _one_variant_each(others, problem, assignment)
    seen = (
        Submission.objects.filter(assignment=assignment, problem=problem, user_id__in=list(others))
        .values_list("user_id", "variant_seed")
        .distinct()
    )
    return {f"{others[uid]}#{seed}": (uid, seed) for uid, seed in seen}
