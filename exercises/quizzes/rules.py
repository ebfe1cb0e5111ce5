"""The rules of a quiz that the shared code paths consult: where a student stands with a quiz
(``Sitting``, decided by ``sitting_state`` alone), who may read or answer a quiz question right
now, what a try is worth, and when feedback may be shown.

Imports models only, so ``selectors`` and ``services`` can call it without an import cycle.
Every ``now`` is the server's clock; the browser only displays what these rules decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext

from exercises import dates
from exercises.errors import Closed
from exercises.models import (
    Assignment,
    AssignmentProblem,
    FeedbackPolicy,
    QuizAccommodation,
    QuizAttempt,
    QuizSettings,
    Status,
    Submission,
    Verdict,
)


class Sitting(StrEnum):
    """Where one student stands with one quiz at one moment: the one vocabulary of the quiz
    page, the monitor, the dashboard and the API (its ``sitting`` field).

    A str, so templates and JSON compare and print it as the word itself.
    """

    UPCOMING = "upcoming"  # not started, and their window has not opened yet
    OPEN = "open"  # not started, their window is open: Start is offered
    MISSED = "missed"  # not started, and their window has closed (or the quiz was closed early)
    RUNNING = "running"  # started: answers are taken until the sitting's deadline
    FINISHED = "finished"  # started, then handed in, out of time or closed early

    @property
    def started(self) -> bool:
        return self in (Sitting.RUNNING, Sitting.FINISHED)

    @property
    def api_state(self) -> str:
        """The API's first, coarser word for it (``state``: not_started | running |
        finished), which clients already read and which therefore never changes."""
        return self.value if self.started else "not_started"


def is_quiz(assignment: Assignment | None) -> bool:
    return assignment is not None and assignment.type == Assignment.Type.QUIZ


def quiz_of(assignment: Assignment) -> QuizSettings:
    """The settings of a quiz assignment; a quiz without settings is a configuration error that
    must not let anyone answer, so it reads as closed."""
    quiz = QuizSettings.objects.filter(assignment=assignment).first()
    if quiz is None:
        raise Closed(
            gettext("%(title)s is not set up as a quiz yet.") % {"title": assignment.title},
            code="quiz_not_ready",
        )
    return quiz


def accommodation_for(quiz: QuizSettings, user_id: int) -> QuizAccommodation | None:
    return QuizAccommodation.objects.filter(
        assignment_id=quiz.assignment_id, user_id=user_id
    ).first()


def window_for(
    quiz: QuizSettings, accommodation: QuizAccommodation | None
) -> tuple[datetime, datetime]:
    """(opens, closes) of the quiz for one student: their accommodation's window where set.
    An early close by the instructor applies to everyone."""
    opens = (accommodation and accommodation.opens_at) or quiz.opens_at
    closes = (accommodation and accommodation.closes_at) or quiz.closes_at
    if quiz.closed_early_at and quiz.closed_early_at < closes:
        closes = quiz.closed_early_at
    return opens, closes


def time_allowed(quiz: QuizSettings, accommodation: QuizAccommodation | None) -> timedelta:
    factor = float(accommodation.time_factor) if accommodation else 1.0
    return timedelta(seconds=round(quiz.time_limit_minutes * 60 * factor))


def attempt_of(assignment_id: int, user_id: int) -> QuizAttempt | None:
    return QuizAttempt.objects.filter(assignment_id=assignment_id, user_id=user_id).first()


def sitting_deadline(quiz: QuizSettings, attempt: QuizAttempt) -> datetime:
    """When a started sitting stops taking answers: its own deadline (fixed at Start, moved
    only by an extension), or the instructor's early close if that comes first."""
    if quiz.closed_early_at and quiz.closed_early_at < attempt.deadline:
        return quiz.closed_early_at
    return attempt.deadline


def sitting_state(
    quiz: QuizSettings,
    attempt: QuizAttempt | None,
    accommodation: QuizAccommodation | None,
    now: datetime,
) -> Sitting:
    """The state of (quiz, student, now), from the student's sitting (None: not started) and
    accommodation (None: the quiz's own window). No query: callers read the rows once, for
    one student or for a whole cohort, and every page and the API ask here."""
    if attempt is not None:
        if attempt.finished_at is None and now < sitting_deadline(quiz, attempt):
            return Sitting.RUNNING
        return Sitting.FINISHED
    opens, closes = window_for(quiz, accommodation)
    if now < opens:
        return Sitting.UPCOMING
    return Sitting.OPEN if now < closes else Sitting.MISSED


def _when(moment: datetime, quiz: QuizSettings) -> str:
    return dates.when_text(moment, quiz.assignment.cohort.tzinfo)


def require_drawn(user: AbstractBaseUser, item: AssignmentProblem) -> QuizAttempt:
    """A student sees a quiz question only after Start and only if it is in their draw.

    Raises Closed (409): the question exists and they are in the cohort, but it is not theirs
    to open now. Staff are not checked here (callers skip this for them).
    """
    attempt = attempt_of(item.assignment_id, user.pk)
    if attempt is None:
        raise Closed(
            gettext("Start %(title)s on its quiz page before answering its questions.")
            % {"title": item.assignment.title},
            code="quiz_not_started",
        )
    if item.pk not in attempt.drawn_item_ids:
        raise Closed(
            gettext("This question is not one of the questions drawn for your quiz."),
            code="not_in_your_quiz",
        )
    return attempt


def solved(submissions: Iterable[Submission], *, released: bool) -> bool:
    """Is a quiz question done because the student answered it correctly? Then its other
    tries are neither offered nor taken: a correct answer is final (a later try could only
    earn less, and an invitation to try again reads as "that was wrong").

    Only once the student may see verdicts (``released``, ``feedback_released``): while the
    quiz withholds them, ending the tries at the right answer would tell them it was right,
    so every try stays theirs to use.
    """
    return released and any(
        s.status == Status.GRADED and s.verdict == Verdict.CORRECT for s in submissions
    )


def check_can_submit(user: AbstractBaseUser, item: AssignmentProblem, now: datetime) -> None:
    """A quiz answer is taken only while the student's own sitting runs (server clock), and
    not for a question they have already answered correctly (``solved``)."""
    attempt = require_drawn(user, item)
    quiz = quiz_of(item.assignment)
    if sitting_state(quiz, attempt, None, now) is Sitting.RUNNING:
        right = Submission.objects.filter(
            user=user,
            assignment_id=item.assignment_id,
            problem_id=item.problem_id,
            status=Status.GRADED,
            verdict=Verdict.CORRECT,
        )[:1]
        if solved(right, released=feedback_released(quiz, attempt, now)):
            raise Closed(
                gettext("You answered this question correctly; it takes no more answers."),
                code="question_solved",
            )
        return
    if attempt.finished_at is not None:
        raise Closed(
            gettext("You finished %(title)s at %(when)s; it takes no more answers.")
            % {"title": item.assignment.title, "when": _when(attempt.finished_at, quiz)},
            code="quiz_finished",
        )
    deadline = sitting_deadline(quiz, attempt)
    raise Closed(
        gettext("Your time for %(title)s ran out at %(when)s; this answer was not recorded.")
        % {"title": item.assignment.title, "when": _when(deadline, quiz)},
        code="quiz_time_up",
    )


def attempt_factor_of(attempt_points: list | None, attempt_number: int) -> float:
    """What a try is worth on a quiz with declining points: try n earns ``attempt_points[n-1]``
    percent, tries beyond the list the last percentage; an empty list or ``None``: full points
    (``services.ScoringTerms``)."""
    if not attempt_points:
        return 1.0
    index = min(max(attempt_number, 1), len(attempt_points)) - 1
    return float(attempt_points[index]) / 100.0


def closes_for_everyone(quiz: QuizSettings) -> datetime:
    """The moment no student can answer any more: the latest of the window, every
    accommodation's window and every sitting's (possibly extended) deadline, or an early close."""
    if quiz.closed_early_at:
        return quiz.closed_early_at
    latest = quiz.closes_at
    for closes in QuizAccommodation.objects.filter(
        assignment_id=quiz.assignment_id, closes_at__isnull=False
    ).values_list("closes_at", flat=True):
        latest = max(latest, closes)
    for deadline in QuizAttempt.objects.filter(assignment_id=quiz.assignment_id).values_list(
        "deadline", flat=True
    ):
        latest = max(latest, deadline)
    return latest


def feedback_released(
    quiz: QuizSettings, attempt: QuizAttempt | None, now: datetime | None = None
) -> bool:
    """May a student see verdicts, scores, hints and test results of their quiz answers?"""
    now = now or timezone.now()
    if quiz.feedback_policy == FeedbackPolicy.IMMEDIATE:
        return True
    if quiz.feedback_policy == FeedbackPolicy.AFTER_SUBMISSION:
        return attempt is not None and sitting_state(quiz, attempt, None, now) is Sitting.FINISHED
    return now >= closes_for_everyone(quiz)


def submission_feedback_withheld(
    submission: Submission, viewer: AbstractBaseUser, *, is_staff: bool, now: datetime | None = None
) -> bool:
    """True when ``viewer`` must see only that the answer was recorded (not its verdict)."""
    return feedback_withheld(submission.assignment, submission.user_id, is_staff=is_staff, now=now)


def feedback_withheld(
    assignment: Assignment | None, user_id: int, *, is_staff: bool, now: datetime | None = None
) -> bool:
    """True while the quiz ``assignment`` holds back the student's feedback (verdicts, scores,
    diagnoses, hints); never for staff, never outside quizzes."""
    if is_staff or not is_quiz(assignment):
        return False
    quiz = QuizSettings.objects.filter(assignment_id=assignment.pk).first()
    if quiz is None:
        return False
    return not feedback_released(quiz, attempt_of(assignment.pk, user_id), now)


def unreleased_quiz_ids(cohort_id: int, now: datetime | None = None) -> list[int]:
    """Quiz assignments of a cohort whose results must not show yet on shared views such as
    the leaderboard (anything but immediate feedback, until the quiz closed for everyone)."""
    now = now or timezone.now()
    hidden = []
    for quiz in QuizSettings.objects.filter(assignment__cohort_id=cohort_id).select_related(
        "assignment"
    ):
        if quiz.feedback_policy != FeedbackPolicy.IMMEDIATE and now < closes_for_everyone(quiz):
            hidden.append(quiz.assignment_id)
    return hidden
