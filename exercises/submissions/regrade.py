"""Regrading a problem's submissions in one cohort after the problem changed.

Two steps, both run as a ``RegradeJob`` on the low-priority ``regrade`` queue (a regrade of a
code problem runs every submission through the sandbox again; it must not delay live grading):

1. preview: grade every graded submission again with ``grader.grading.grade_payload`` and keep
   the rows whose score would change (old, new, verdicts); nothing else is written;
2. apply: grade again and write through ``record_regrade`` (the same result writing as
   ``services.record_grade``: score with the late penalty, verdict, feedback, test rows), with
   the option never to lower a score. The leaderboards are rebuilt at the end.

Both compute the new score with ``services.scored`` (the rule ``record_grade`` applies), so
what the preview shows is what applying writes (unless the problem changes again in between).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from exercises import dispatch
from exercises.errors import Closed
from exercises.leaderboards import services as leaderboards
from exercises.models import Cohort, Problem, RegradeJob, Status, Submission
from exercises.submissions import services
from grader.grading import grade_payload
from grader.results import Grade

log = logging.getLogger(__name__)

PROGRESS_EVERY = 10
EPSILON = 1e-9


def eligible(cohort: Cohort, problem: Problem):
    """The submissions a regrade touches: graded ones of this problem in this cohort."""
    return Submission.objects.filter(
        assignment__cohort=cohort, problem=problem, status=Status.GRADED
    ).order_by("id")


def new_score(submission: Submission, grade: Grade) -> float:
    """What ``grade`` earns on this submission, by the same rule ``record_grade`` applies."""
    return services.scored(services.ScoringTerms.of(submission), grade)[0]


def regrade_one(submission: Submission) -> Grade:
    problem = submission.problem
    return grade_payload(problem.kind, problem.spec, submission.variant_seed, submission.payload)


def start_regrade(
    cohort: Cohort,
    problem: Problem,
    by: AbstractBaseUser | None,
    *,
    mode: str,
    never_lower: bool = False,
) -> RegradeJob:
    """Create the job and queue it after commit. One unfinished job per (cohort, problem)."""
    if mode not in RegradeJob.Mode.values:
        raise ValueError(f"mode must be one of {RegradeJob.Mode.values}")
    with transaction.atomic():
        busy = RegradeJob.objects.filter(
            cohort=cohort,
            problem=problem,
            state__in=[RegradeJob.State.QUEUED, RegradeJob.State.RUNNING],
        ).exists()
        if busy:
            raise Closed(
                "A regrade of this problem is already running; wait for it to finish.",
                code="regrade_running",
            )
        job = RegradeJob.objects.create(
            cohort=cohort,
            problem=problem,
            created_by=by,
            mode=mode,
            never_lower=never_lower and mode == RegradeJob.Mode.APPLY,
            total=eligible(cohort, problem).count(),
        )
        dispatch.publish_on_commit(dispatch.REGRADE_PROBLEM, job.pk, queue=settings.REGRADE_QUEUE)
    return job


def run_job(job_id: int) -> str:
    """Run one job (the task body). A duplicate delivery finds it claimed and returns."""
    claimed = RegradeJob.objects.filter(pk=job_id, state=RegradeJob.State.QUEUED).update(
        state=RegradeJob.State.RUNNING
    )
    if not claimed:
        return "skipped"
    job = RegradeJob.objects.select_related("cohort", "problem").get(pk=job_id)
    results: list[dict] = []
    done = changed = 0
    try:
        queryset = eligible(job.cohort, job.problem).select_related("assignment", "problem", "user")
        for submission in queryset.iterator(chunk_size=200):
            grade = regrade_one(submission)
            if job.mode == RegradeJob.Mode.APPLY:
                outcome = record_regrade(submission.pk, grade, never_lower=job.never_lower)
            else:
                new = new_score(submission, grade)
                old = submission.score or 0.0
                outcome = {
                    "submission": submission.pk,
                    "user": submission.user.username,
                    "old": old,
                    "new": new,
                    "old_verdict": submission.verdict,
                    "new_verdict": grade.verdict.value,
                    "changed": abs(new - old) > EPSILON or submission.verdict != grade.verdict,
                    "written": False,
                }
            done += 1
            outcome["delta"] = round(outcome["new"] - outcome["old"], 6)
            if outcome["changed"]:
                changed += 1
                results.append(outcome)
            if done % PROGRESS_EVERY == 0:
                RegradeJob.objects.filter(pk=job_id).update(done=done, changed=changed)
    except Exception as exc:
        log.exception("regrade job %s failed", job_id)
        RegradeJob.objects.filter(pk=job_id).update(
            state=RegradeJob.State.FAILED,
            done=done,
            changed=changed,
            results=results,
            error_message=f"{exc.__class__.__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    RegradeJob.objects.filter(pk=job_id).update(
        state=RegradeJob.State.DONE,
        done=done,
        total=max(done, job.total),
        changed=changed,
        results=results,
        finished_at=timezone.now(),
    )
    if job.mode == RegradeJob.Mode.APPLY and changed:
        leaderboards.boards_changed(leaderboards.BoardChange.REGRADED, cohort_id=job.cohort_id)
    return "done"


def record_regrade(submission_id: int, grade: Grade, *, never_lower: bool) -> dict:
    """Write a regraded result the way ``services.record_grade`` writes a first one (score with
    the late penalty, verdict, feedback, test rows, in one transaction). With ``never_lower`` a
    lower score leaves the submission as it was. Returns what changed."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("assignment", "user")
            .get(pk=submission_id)
        )
        old, old_verdict = submission.score or 0.0, submission.verdict
        new, feedback = services.scored(services.ScoringTerms.of(submission), grade)
        outcome = {
            "submission": submission.pk,
            "user": submission.user.username,
            "old": old,
            "new": new,
            "old_verdict": old_verdict,
            "new_verdict": grade.verdict.value,
            "changed": abs(new - old) > EPSILON or old_verdict != grade.verdict,
            "written": False,
        }
        if not outcome["changed"] or submission.status != Status.GRADED:
            outcome["changed"] = False
            return outcome
        if never_lower and new < old - EPSILON:
            outcome.update(new=old, new_verdict=old_verdict, changed=False, kept=True)
            return outcome
        feedback["regraded_at"] = timezone.now().isoformat()
        submission.score = new
        submission.verdict = grade.verdict.value
        submission.feedback = feedback
        submission.save(update_fields=["score", "verdict", "feedback"])
        services.write_test_results(submission, grade)
        outcome["written"] = True
    return outcome
