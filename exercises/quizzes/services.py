"""Quiz services: build a quiz from the bank, draw each student's questions, start, finish,
extend, accommodate, publish and close. Every write about quizzes goes through here; answers
themselves go through ``services.submit_answer`` like any other (which consults
``quiz_rules``)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from exercises import access
from exercises.errors import BadPayload, Closed, NotFound
from exercises.leaderboards import services as leaderboards
from exercises.models import (
    Assignment,
    AssignmentProblem,
    Cohort,
    FeedbackPolicy,
    LatePolicy,
    Membership,
    Problem,
    QuizAccommodation,
    QuizAttempt,
    QuizPool,
    QuizSettings,
    Role,
    VariantPolicy,
)
from exercises.models.quiz import validate_attempt_points
from exercises.quizzes import rules as quiz_rules


# --- Seeds and draws ------------------------------------------------------------------------
def quiz_seed(assignment_id: int, user_id: int) -> int:
    """The seed of one student's draw: stable for (quiz, student), different across both.
    Derived like ``services.variant_seed`` (a hash, so nobody can guess a neighbour's draw)."""
    digest = hashlib.sha256(f"quiz|{assignment_id}|{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def draw_questions(quiz: QuizSettings, seed: int) -> list[AssignmentProblem]:
    """The questions a seed draws: ``draw_count`` from each pool, pools in order.

    Reproducible: the same seed and pools always give the same list (pool members are sorted
    by id before sampling, so the database's row order cannot change the draw).
    """
    return draw_from(loaded_pools(quiz), seed)


def loaded_pools(quiz: QuizSettings) -> list[tuple[QuizPool, list[AssignmentProblem]]]:
    """The quiz's pools in order, each with its members sorted by id: read once, then
    ``draw_from`` any number of seeds (a gradebook draws for a whole cohort)."""
    return loaded_pools_of([quiz])[quiz.pk]


def loaded_pools_of(
    quiz_list: list[QuizSettings],
) -> dict[int, list[tuple[QuizPool, list[AssignmentProblem]]]]:
    """``loaded_pools`` of several quizzes, keyed by quiz id, in three queries however many
    quizzes (a gradebook draws for every quiz of its cohort)."""
    loaded: dict[int, list[tuple[QuizPool, list[AssignmentProblem]]]] = {
        quiz.pk: [] for quiz in quiz_list
    }
    pools = (
        QuizPool.objects.filter(quiz__in=[quiz.pk for quiz in quiz_list])
        .prefetch_related("items__problem")
        .order_by("order", "id")
    )
    for pool in pools:
        loaded[pool.quiz_id].append((pool, sorted(pool.items.all(), key=lambda item: item.pk)))
    return loaded


def draw_from(
    pools: list[tuple[QuizPool, list[AssignmentProblem]]], seed: int
) -> list[AssignmentProblem]:
    drawn: list[AssignmentProblem] = []
    for pool, members in pools:
        rng = random.Random(f"{seed}:{pool.pk}")  # noqa: S311 - fairness, not secrecy
        drawn.extend(rng.sample(members, min(pool.draw_count, len(members))))
    return drawn


def question_count(quiz: QuizSettings) -> int:
    return sum(
        min(pool.draw_count, pool.items.count()) for pool in quiz.pools.all().order_by("order")
    )


def preview_draw(quiz: QuizSettings, user_id: int) -> list[AssignmentProblem]:
    """What a student gets (or got): their stored draw once started, else what Start would draw."""
    attempt = quiz_rules.attempt_of(quiz.assignment_id, user_id)
    if attempt is not None:
        by_id = AssignmentProblem.objects.select_related("problem").in_bulk(attempt.drawn_item_ids)
        return [by_id[i] for i in attempt.drawn_item_ids if i in by_id]
    return draw_questions(quiz, quiz_seed(quiz.assignment_id, user_id))


# --- Building -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PoolSpec:
    """``draw`` of the problems ``slugs`` (e.g. 2 of three output-size problems)."""

    draw: int
    slugs: tuple[str, ...]
    label: str = ""


def parse_pools(text: str) -> list[PoolSpec]:
    """Parse the builder's pool lines: ``2: output-size-stride, output-size-padding``.

    One pool per line, ``<draw count>: <slug>, <slug>, ...``; an optional label in brackets at
    the end (``[output sizes]``). Errors name the line.
    """
    pools = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        label = ""
        if line.endswith("]") and "[" in line:
            line, label = line[: line.rindex("[")].strip(), line[line.rindex("[") + 1 : -1].strip()
        count, sep, rest = line.partition(":")
        if not sep or not count.strip().isdigit():
            raise BadPayload(
                gettext("Pool line %(number)d: write '<how many>: slug, slug, ...', got %(line)r.")
                % {"number": number, "line": raw.strip()},
                field="pools",
            )
        slugs = tuple(s.strip() for s in rest.replace(";", ",").split(",") if s.strip())
        if not slugs:
            raise BadPayload(
                gettext("Pool line %(number)d: list at least one problem.") % {"number": number},
                field="pools",
            )
        draw = int(count)
        if not 1 <= draw <= len(slugs):
            raise BadPayload(
                gettext("Pool line %(number)d: cannot draw %(draw)d of %(count)d problem(s).")
                % {"number": number, "draw": draw, "count": len(slugs)},
                field="pools",
            )
        if len(set(slugs)) != len(slugs):
            raise BadPayload(
                gettext("Pool line %(number)d: a problem is listed twice.") % {"number": number},
                field="pools",
            )
        pools.append(PoolSpec(draw=draw, slugs=slugs, label=label))
    if not pools:
        raise BadPayload(gettext("A quiz needs at least one pool of problems."), field="pools")
    return pools


def _checked_problems(
    cohort: Cohort,
    *,
    slug: str,
    opens_at: datetime,
    closes_at: datetime,
    attempt_points: list[float],
    feedback_policy: str,
    pools: list[PoolSpec],
    editing: Assignment | None = None,
) -> dict[str, Problem]:
    """The checks a quiz's settings pass, for building and editing alike; returns the pools'
    problems by slug. Raises BadPayload naming the field."""
    if closes_at <= opens_at:
        raise BadPayload(gettext("The quiz must close after it opens."), field="closes_at")
    try:
        validate_attempt_points(list(attempt_points))
    except ValidationError as exc:
        raise BadPayload(" ".join(exc.messages), field="attempt_points") from None
    if feedback_policy not in FeedbackPolicy.values:
        raise BadPayload(
            gettext("Unknown feedback policy %(policy)r.") % {"policy": feedback_policy},
            field="feedback_policy",
        )
    all_slugs = [slug for pool in pools for slug in pool.slugs]
    if len(set(all_slugs)) != len(all_slugs):
        raise BadPayload(gettext("A problem may be in only one pool."), field="pools")
    problems = Problem.objects.in_bulk(all_slugs, field_name="slug")
    missing = [s for s in all_slugs if s not in problems]
    if missing:
        raise BadPayload(
            gettext("No problem %(slug)r in the bank.") % {"slug": missing[0]}, field="pools"
        )
    taken = Assignment.objects.filter(cohort=cohort, slug=slug)
    if editing is not None:
        taken = taken.exclude(pk=editing.pk)
    if taken.exists():
        raise BadPayload(
            gettext("%(cohort)s already has an assignment %(slug)r.")
            % {"cohort": cohort.name, "slug": slug},
            field="slug",
        )
    return problems


@transaction.atomic
def create_quiz(
    by: AbstractBaseUser,
    cohort: Cohort,
    *,
    title: str,
    slug: str,
    opens_at: datetime,
    closes_at: datetime,
    time_limit_minutes: int,
    attempt_points: list[float],
    feedback_policy: str,
    pools: list[PoolSpec],
    counts_on_leaderboard: bool = False,
    description: str = "",
    published: bool = False,
) -> QuizSettings:
    """Create a quiz assignment (unpublished by default) from pools of bank problems.

    Each pool problem becomes an ``AssignmentProblem`` of the quiz, so answers go through the
    normal submission path with the quiz's rules. Raises BadPayload for an unknown problem, a
    problem in two pools, a window that ends before it starts, or bad try percentages.
    """
    access.require_staff(by, cohort, write=True)
    problems = _checked_problems(
        cohort,
        slug=slug,
        opens_at=opens_at,
        closes_at=closes_at,
        attempt_points=attempt_points,
        feedback_policy=feedback_policy,
        pools=pools,
    )
    assignment = Assignment.objects.create(
        cohort=cohort,
        title=title,
        slug=slug,
        type=Assignment.Type.QUIZ,
        description=description,
        published=published,
        opens_at=None,
        due_at=closes_at,
        late_policy=LatePolicy.REFUSE,
        attempt_limit=len(attempt_points),
        variant_policy=VariantPolicy.PER_STUDENT,
        counts_on_leaderboard=counts_on_leaderboard,
    )
    quiz = QuizSettings.objects.create(
        assignment=assignment,
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit_minutes=time_limit_minutes,
        attempt_points=list(attempt_points),
        feedback_policy=feedback_policy,
    )
    set_pools(quiz, pools, problems)
    return quiz


def has_started(quiz: QuizSettings) -> bool:
    """Whether any student has pressed Start (their draw and tries then depend on the quiz)."""
    return QuizAttempt.objects.filter(assignment_id=quiz.assignment_id).exists()


def pools_of(quiz: QuizSettings) -> list[PoolSpec]:
    """The quiz's pools as the builder writes them."""
    return [
        PoolSpec(
            pool.draw_count,
            tuple(item.problem.slug for item in sorted(pool.items.all(), key=lambda i: i.order)),
            pool.label,
        )
        for pool in quiz.pools.order_by("order").prefetch_related("items__problem")
    ]


def format_pools(pools: list[PoolSpec]) -> str:
    """``parse_pools``'s text for ``pools``: what the edit form shows back."""
    lines = []
    for pool in pools:
        line = f"{pool.draw}: {', '.join(pool.slugs)}"
        lines.append(f"{line} [{pool.label}]" if pool.label else line)
    return "\n".join(lines)


@transaction.atomic
def update_quiz(
    by: AbstractBaseUser,
    quiz: QuizSettings,
    *,
    title: str,
    slug: str,
    opens_at: datetime,
    closes_at: datetime,
    time_limit_minutes: int,
    attempt_points: list[float],
    feedback_policy: str,
    pools: list[PoolSpec],
    counts_on_leaderboard: bool,
) -> QuizSettings:
    """Change a quiz. Before any student has started, everything may change; after, neither
    the pools (draws are stored at Start) nor the points per try (tries already scored used
    them): Closed says so. A new time limit applies to sittings started from now on, a new
    window and feedback policy at once; the cohort's boards are rebuilt on their next read."""
    assignment = quiz.assignment
    access.require_staff(by, assignment.cohort, write=True)
    problems = _checked_problems(
        assignment.cohort,
        slug=slug,
        opens_at=opens_at,
        closes_at=closes_at,
        attempt_points=attempt_points,
        feedback_policy=feedback_policy,
        pools=pools,
        editing=assignment,
    )
    pools_change = pools != pools_of(quiz)
    if has_started(quiz):
        if pools_change:
            raise Closed("Students have started this quiz; its pools can no longer change.")
        if list(attempt_points) != list(quiz.attempt_points):
            raise Closed(
                "Students have started this quiz; its points per try can no longer change."
            )
    assignment.title, assignment.slug = title, slug
    assignment.due_at = closes_at
    assignment.attempt_limit = len(attempt_points)
    assignment.counts_on_leaderboard = counts_on_leaderboard
    assignment.save(
        update_fields=["title", "slug", "due_at", "attempt_limit", "counts_on_leaderboard"]
    )
    quiz.opens_at, quiz.closes_at = opens_at, closes_at
    quiz.time_limit_minutes = time_limit_minutes
    quiz.attempt_points = list(attempt_points)
    quiz.feedback_policy = feedback_policy
    quiz.save(
        update_fields=[
            "opens_at",
            "closes_at",
            "time_limit_minutes",
            "attempt_points",
            "feedback_policy",
        ]
    )
    if pools_change:
        set_pools(quiz, pools, problems)

    leaderboards.boards_changed(
        leaderboards.BoardChange.ASSIGNMENT,
        cohort_id=assignment.cohort_id,
        assignment_id=assignment.pk,
    )
    return quiz


def set_pools(
    quiz: QuizSettings, pools: list[PoolSpec], problems: dict[str, Problem] | None = None
) -> None:
    """Replace the quiz's pools (only before anyone started: draws are stored at Start)."""
    if QuizAttempt.objects.filter(assignment_id=quiz.assignment_id).exists():
        raise Closed("Students have started this quiz; its pools can no longer change.")
    problems = problems or Problem.objects.in_bulk(
        [s for p in pools for s in p.slugs], field_name="slug"
    )
    quiz.pools.all().delete()
    order = 0
    for index, spec in enumerate(pools):
        pool = QuizPool.objects.create(
            quiz=quiz, order=index, label=spec.label, draw_count=spec.draw
        )
        for slug in spec.slugs:
            item, _ = AssignmentProblem.objects.update_or_create(
                assignment=quiz.assignment, problem=problems[slug], defaults={"order": order}
            )
            order += 1
            pool.items.add(item)
    in_pools = [i for p in quiz.pools.all() for i in p.items.values_list("pk", flat=True)]
    AssignmentProblem.objects.filter(assignment=quiz.assignment).exclude(pk__in=in_pools).delete()


def publish_quiz(by: AbstractBaseUser, quiz: QuizSettings, published: bool = True) -> None:
    access.require_staff(by, quiz.assignment.cohort, write=True)
    if published and question_count(quiz) == 0:
        raise BadPayload(
            gettext("Add at least one pool with problems before publishing."), field="pools"
        )
    Assignment.objects.filter(pk=quiz.assignment_id).update(published=published)
    quiz.assignment.published = published


# --- Taking a quiz --------------------------------------------------------------------------
def start_quiz(
    user: AbstractBaseUser, quiz: QuizSettings, now: datetime | None = None
) -> QuizAttempt:
    """Record the student's start and fix their deadline and draw; idempotent.

    Starting twice (a reload, a second tab) returns the first sitting unchanged. The deadline is
    the start plus the time limit (times the student's factor), cut at the window's end.
    Raises Closed before the window opens, after it closes, or when the quiz is unpublished.
    """
    now = now or timezone.now()
    assignment = quiz.assignment
    access.require_quiz_member(user, quiz)
    existing = quiz_rules.attempt_of(assignment.pk, user.pk)
    if existing is not None:
        return existing
    accommodation = quiz_rules.accommodation_for(quiz, user.pk)
    opens, closes = quiz_rules.window_for(quiz, accommodation)
    sitting = quiz_rules.sitting_state(quiz, None, accommodation, now)
    if sitting is quiz_rules.Sitting.UPCOMING:
        raise Closed(
            gettext("%(title)s opens at %(when)s.")
            % {"title": assignment.title, "when": quiz_rules._when(opens, quiz)},
            code="quiz_not_open",
        )
    if sitting is quiz_rules.Sitting.MISSED:
        raise Closed(
            gettext("%(title)s closed at %(when)s.")
            % {"title": assignment.title, "when": quiz_rules._when(closes, quiz)},
            code="quiz_closed",
        )
    seed = quiz_seed(assignment.pk, user.pk)
    drawn = draw_questions(quiz, seed)
    if not drawn:
        raise Closed(
            gettext("%(title)s has no questions yet.") % {"title": assignment.title},
            code="quiz_not_ready",
        )
    deadline = min(now + quiz_rules.time_allowed(quiz, accommodation), closes)
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                assignment=assignment,
                user=user,
                seed=seed,
                drawn_item_ids=[item.pk for item in drawn],
                started_at=now,
                deadline=deadline,
            )
    except IntegrityError:  # the other tab's Start won the race: same sitting for both
        return QuizAttempt.objects.get(assignment=assignment, user=user)


def finish_quiz(
    user: AbstractBaseUser, quiz: QuizSettings, now: datetime | None = None
) -> QuizAttempt:
    """The student hands in: no more answers; "after submission" feedback becomes visible."""
    now = now or timezone.now()
    attempt = quiz_rules.attempt_of(quiz.assignment_id, user.pk)
    if attempt is None:
        raise Closed(gettext("You have not started this quiz."), code="quiz_not_started")
    if attempt.finished_at is None:
        QuizAttempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
            finished_at=min(now, attempt.deadline)
        )
        attempt.refresh_from_db()
    return attempt


def extend_time(
    by: AbstractBaseUser, quiz: QuizSettings, user_id: int, minutes: int
) -> QuizAttempt:
    """Give one student more minutes on a sitting (also past the window: the instructor's call).

    Reopens a sitting that timed out but was not handed in; an early close still wins.
    """
    access.require_staff(by, quiz.assignment.cohort, write=True)
    if not 1 <= minutes <= 24 * 60:
        raise BadPayload(gettext("Extend by 1 to 1440 minutes."), field="minutes")
    with transaction.atomic():
        attempt = (
            QuizAttempt.objects.select_for_update()
            .filter(assignment_id=quiz.assignment_id, user_id=user_id)
            .first()
        )
        if attempt is None:
            raise NotFound(
                gettext("That student has not started this quiz."), code="quiz_not_started"
            )
        attempt.deadline += timedelta(minutes=minutes)
        attempt.extra_minutes += minutes
        attempt.save(update_fields=["deadline", "extra_minutes"])
    return attempt


def set_accommodation(
    by: AbstractBaseUser,
    quiz: QuizSettings,
    user_id: int,
    *,
    time_factor: float | Decimal = 1,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    reason: str = "",
) -> QuizAccommodation:
    """Extra time (factor on the limit) and/or a personal window for one student.

    Applies to a sitting not yet started (a started one keeps its deadline; use
    ``extend_time`` for that)."""
    access.require_staff(by, quiz.assignment.cohort, write=True)
    if not Membership.objects.filter(
        user_id=user_id, cohort_id=quiz.assignment.cohort_id, role=Role.STUDENT
    ).exists():
        raise NotFound("No such student in this cohort.", code="student_not_found")
    factor = Decimal(str(time_factor))
    if not Decimal(1) <= factor <= Decimal(10):
        raise BadPayload(
            gettext("The time factor must be between 1 and 10 (e.g. 1.5)."), field="time_factor"
        )
    if opens_at and closes_at and closes_at <= opens_at:
        raise BadPayload(gettext("The window must close after it opens."), field="closes_at")
    accommodation, _ = QuizAccommodation.objects.update_or_create(
        assignment_id=quiz.assignment_id,
        user_id=user_id,
        defaults={
            "time_factor": factor,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "reason": reason[:200],
        },
    )
    return accommodation


def close_quiz(by: AbstractBaseUser, quiz: QuizSettings, now: datetime | None = None) -> None:
    """End the quiz for everyone now: running sittings stop taking answers, and feedback held
    back "until the quiz closes" is released."""
    access.require_staff(by, quiz.assignment.cohort, write=True)
    now = now or timezone.now()
    QuizSettings.objects.filter(pk=quiz.pk).update(closed_early_at=now)
    quiz.closed_early_at = now
    for attempt in QuizAttempt.objects.filter(
        assignment_id=quiz.assignment_id, finished_at__isnull=True
    ):
        attempt.finished_at = min(now, attempt.deadline)
        attempt.save(update_fields=["finished_at"])

    # Released results may now count on the standings (reads also notice by themselves).
    leaderboards.boards_changed(
        leaderboards.BoardChange.ASSIGNMENT,
        cohort_id=quiz.assignment.cohort_id,
        assignment_id=quiz.assignment_id,
    )
