"""Quizzes as a student sees them: the drawn questions with their variants, the clock, and
submissions with feedback withheld until the quiz's policy allows it. Shared by the quiz
pages and the API so both hold back the same things."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy

from exercises.access import staff_of
from exercises.assignments import presenters
from exercises.models import (
    AssignmentProblem,
    FeedbackPolicy,
    QuizAttempt,
    QuizSettings,
    Submission,
)
from exercises.quizzes import rules as quiz_rules
from exercises.quizzes import selectors as quiz_reports
from exercises.submissions import selectors

WITHHELD_MESSAGES = {
    FeedbackPolicy.AFTER_SUBMISSION: gettext_lazy(
        "Answer recorded. Feedback appears when you finish the quiz."
    ),
    FeedbackPolicy.AFTER_CLOSE: gettext_lazy(
        "Answer recorded. Feedback appears when the quiz has closed for everyone."
    ),
}


def withheld_for(
    submission: Submission, viewer: AbstractBaseUser, now: datetime | None = None
) -> bool:
    """Must ``viewer`` see this submission without its verdict, score and feedback?"""
    if not quiz_rules.is_quiz(submission.assignment):
        return False
    is_staff = staff_of(viewer, submission.assignment.cohort_id)
    return quiz_rules.submission_feedback_withheld(submission, viewer, is_staff=is_staff, now=now)


def withheld_message(submission: Submission) -> str:
    quiz = QuizSettings.objects.filter(assignment_id=submission.assignment_id).first()
    policy = quiz.feedback_policy if quiz else FeedbackPolicy.AFTER_CLOSE
    return WITHHELD_MESSAGES.get(policy, WITHHELD_MESSAGES[FeedbackPolicy.AFTER_CLOSE])


def apply_feedback_policy(
    data: dict[str, Any], submission: Submission, viewer: AbstractBaseUser
) -> dict[str, Any]:
    """The API's submission body with verdict, score, feedback (hints, diagnoses) and tests
    removed while the quiz's policy holds them back; status and "answer recorded" remain."""
    data = dict(data)
    if not withheld_for(submission, viewer):
        data["feedback_withheld"] = False
        return data
    data.update(
        {
            "verdict": None,
            "score": None,
            "feedback": {"message": withheld_message(submission)},
            "tests": [],
            "hints": [],
            "feedback_withheld": True,
        }
    )
    return data


@dataclass
class QuestionCard:
    position: int
    item: AssignmentProblem
    detail: dict[str, Any]  # presenters.problem_detail for this student's variant
    latest: Submission | None
    answered: bool
    tries_used: int
    tries_left: int | None  # None: no limit
    next_try_percent: float | None
    #: answered correctly, and the student may see it: no further try (``quiz_rules.solved``)
    solved: bool
    best_score: float | None  # None while feedback is withheld or nothing graded


def drawn_question(
    user: AbstractBaseUser, quiz: QuizSettings, attempt: QuizAttempt, position: int
) -> tuple[AssignmentProblem, dict[str, Any]] | None:
    """Question ``position`` (from 1) of the student's draw: its item and
    ``presenters.problem_detail`` for their variant (statement, answer format); None when the
    draw has no such question."""

    if not 1 <= position <= len(attempt.drawn_item_ids):
        return None
    item = (
        quiz.assignment.items.select_related("problem", "assignment", "assignment__cohort")
        .filter(pk=attempt.drawn_item_ids[position - 1])
        .first()
    )
    if item is None:
        return None
    access = selectors.access_problem(
        user, item.problem.slug, assignment_id=quiz.assignment_id, now=attempt.started_at
    )
    return item, presenters.problem_detail(user, access)


def question_cards(
    user: AbstractBaseUser,
    quiz: QuizSettings,
    attempt: QuizAttempt,
    *,
    role: str,
    released: bool,
) -> list[QuestionCard]:
    """The student's drawn questions in order, each with their own variant's statement. A fixed
    number of queries whatever the draw: the questions, the attempt counts and the submissions
    (with their test rows) are each read once for all of them."""

    assignment = quiz.assignment
    accesses = selectors.drawn_question_accesses(user, assignment, attempt.drawn_item_ids, role)
    used_by_problem = selectors.attempts_used_by_problem(user, assignment)
    by_problem: dict[int, list[Submission]] = {}
    for sub in (
        Submission.objects.filter(user=user, assignment=assignment)
        .select_related("assignment", "assignment__cohort", "assignment__quiz", "problem")
        .prefetch_related("tests")
        .order_by("-created_at", "-id")
    ):
        by_problem.setdefault(sub.problem_id, []).append(sub)
    points = quiz.attempt_points or [100]
    cards = []
    for position, access in enumerate(accesses, start=1):
        used = used_by_problem.get(access.problem.pk, 0)
        detail = presenters.problem_detail(user, access, used=used)
        subs = by_problem.get(access.problem.pk, [])
        graded = [s.score for s in subs if s.status == "graded" and s.score is not None]
        cards.append(
            QuestionCard(
                position=position,
                item=access.item,
                detail=detail,
                latest=subs[0] if subs else None,
                answered=bool(subs),
                tries_used=used,
                tries_left=detail["attempts_left"],  # the limit the submission path enforces
                next_try_percent=points[used] if used < len(points) else None,
                solved=quiz_rules.solved(subs, released=released),
                best_score=(max(graded) if graded else None) if released else None,
            )
        )
    return cards


def own_total(
    quiz: QuizSettings, user: AbstractBaseUser, *, released: bool, now: datetime | None = None
):
    """The student's own total over their draw (``quiz_reports.StudentRow``: score, max_score,
    pending) once the feedback policy lets them see results, else ``None``. The same sum the
    instructor's results and monitor show."""
    if not released:
        return None

    rows = quiz_reports.student_rows(quiz, now, user_id=user.pk)
    return rows[0] if rows else None


def results_released_at(quiz: QuizSettings, attempt: QuizAttempt) -> datetime:
    """When this student's results become visible under the quiz's feedback policy (as far as
    anyone knows now: more time given to someone later moves "closed for everyone")."""
    if quiz.feedback_policy == FeedbackPolicy.IMMEDIATE:
        return attempt.started_at
    if quiz.feedback_policy == FeedbackPolicy.AFTER_SUBMISSION:
        return attempt.ended_at()
    return quiz_rules.closes_for_everyone(quiz)


def clock(
    quiz: QuizSettings,
    attempt: QuizAttempt | None,
    sitting: quiz_rules.Sitting,
    now: datetime | None = None,
) -> dict:
    """What the countdown shows, decided by the server: the sitting's state (``sitting``, as
    ``quiz_rules.sitting_state`` gave it; ``state``, the API's coarser word), the deadline and
    the seconds left."""
    now = now or timezone.now()
    words = {"state": sitting.api_state, "sitting": sitting}
    if attempt is None:
        return {**words, "deadline": None, "remaining_seconds": None}
    deadline = quiz_rules.sitting_deadline(quiz, attempt)
    running = sitting is quiz_rules.Sitting.RUNNING
    return {
        **words,
        "deadline": deadline.isoformat(),
        # Rounded up, so the page never reaches zero before the server's deadline.
        "remaining_seconds": max(0, math.ceil((deadline - now).total_seconds())) if running else 0,
        "server_now": now.isoformat(),
    }
