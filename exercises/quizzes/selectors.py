"""Reads for the instructor's quiz views: the live monitor, per-question results, the CSV.

Scores are the best graded score per drawn question (the same best-per-question rows the
gradebook reads); a question never answered scores zero.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from exercises.models import (
    AssignmentProblem,
    Membership,
    QuizAttempt,
    QuizSettings,
    Role,
    Status,
    Submission,
    Verdict,
)
from exercises.models.submission import PENDING_STATUSES
from exercises.quizzes import rules as quiz_rules
from exercises.quizzes import (
    services as quizzes,  # the draw itself; quizzes imports nothing from here
)

#: How the monitor and the results name each sitting state (the CSV keeps ``api_state``).
STATE_LABELS = {
    quiz_rules.Sitting.UPCOMING: pgettext_lazy("a quiz sitting", "upcoming"),
    quiz_rules.Sitting.OPEN: pgettext_lazy("a quiz sitting", "open"),
    quiz_rules.Sitting.MISSED: pgettext_lazy("a quiz sitting", "missed"),
    quiz_rules.Sitting.RUNNING: pgettext_lazy("a quiz sitting", "working"),
    quiz_rules.Sitting.FINISHED: pgettext_lazy("a quiz sitting", "done"),
}


@dataclass
class StudentRow:
    user_id: int
    username: str
    name: str
    state: quiz_rules.Sitting
    started_at: datetime | None = None
    deadline: datetime | None = None
    seconds_left: int = 0
    extra_minutes: int = 0
    answered: int = 0
    questions: int = 0
    score: float = 0.0
    max_score: float = 0.0
    pending: int = 0  # drawn questions whose latest answer is still being graded
    best_by_item: dict[int, float] = field(default_factory=dict)

    @property
    def state_label(self) -> str:
        """The state as the monitor and the results say it, in the reader's language."""
        return str(STATE_LABELS.get(self.state, self.state.replace("_", " ")))

    @property
    def time_left(self) -> str:
        return f"{self.seconds_left // 60}:{self.seconds_left % 60:02d}"

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


def _items(quiz: QuizSettings) -> dict[int, AssignmentProblem]:
    return {
        item.pk: item
        for item in AssignmentProblem.objects.filter(assignment_id=quiz.assignment_id)
        .select_related("problem")
        .prefetch_related("problem__texts")  # the results show titles in the reader's language
        .order_by("order", "id")
    }


def student_rows(
    quiz: QuizSettings, now: datetime | None = None, *, user_id: int | None = None
) -> list[StudentRow]:
    """One row per student of the cohort, started or not, for the monitor and the CSV;
    ``user_id``: that student's row only (their own total on the quiz page)."""
    now = now or timezone.now()
    items = _items(quiz)
    attempts = {a.user_id: a for a in quiz.assignment.quiz_attempts.all()}
    accommodations = quiz.assignment.quiz_accommodations.all()
    if user_id is not None:
        accommodations = accommodations.filter(user_id=user_id)
    by_user = {a.user_id: a for a in accommodations}
    answered: dict[int, set[int]] = defaultdict(set)
    best: dict[tuple[int, int], float] = {}
    pending: dict[int, set[int]] = defaultdict(set)
    submissions = Submission.objects.filter(assignment_id=quiz.assignment_id)
    if user_id is not None:
        submissions = submissions.filter(user_id=user_id)
    rows = submissions.counting().values("user_id", "problem_id").annotate(best=Max("score"))
    for row in rows:
        answered[row["user_id"]].add(row["problem_id"])
        best[(row["user_id"], row["problem_id"])] = row["best"] or 0.0
    for uid, problem_id in submissions.filter(status__in=PENDING_STATUSES).values_list(
        "user_id", "problem_id"
    ):
        pending[uid].add(problem_id)
    result = []
    members = Membership.objects.filter(
        cohort_id=quiz.assignment.cohort_id, role=Role.STUDENT
    ).select_related("user")
    if user_id is not None:
        members = members.filter(user_id=user_id)
    for membership in members.order_by("user__username"):
        uid = membership.user_id
        attempt = attempts.get(uid)
        row = StudentRow(
            user_id=uid,
            username=membership.user.username,
            name=membership.display_name or membership.user.username,
            state=quiz_rules.sitting_state(quiz, attempt, by_user.get(uid), now),
        )
        if attempt is not None:
            row.started_at = attempt.started_at
            row.deadline = attempt.deadline
            row.extra_minutes = attempt.extra_minutes
            if row.state is quiz_rules.Sitting.RUNNING:
                deadline = quiz_rules.sitting_deadline(quiz, attempt)
                row.seconds_left = max(0, int((deadline - now).total_seconds()))
            drawn = [items[i] for i in attempt.drawn_item_ids if i in items]
            row.questions = len(drawn)
            row.max_score = float(sum(item.max_points for item in drawn))
            for item in drawn:
                if item.problem_id in answered[uid]:
                    row.answered += 1
                row.pending += int(item.problem_id in pending[uid])
                score = best.get((uid, item.problem_id), 0.0)
                row.best_by_item[item.pk] = score
                row.score += score
        result.append(row)
    return result


def score_distribution(rows: list[StudentRow], buckets: int = 5) -> list[dict]:
    """How many started students fall into each score band (0-20%, ..., 80-100%)."""
    width = 100 // buckets
    counts = [0] * buckets
    for row in rows:
        if not row.state.started:
            continue
        counts[min(buckets - 1, int(row.percent // width))] += 1
    top = max(counts) or 1
    return [
        {
            "label": f"{i * width}-{100 if i == buckets - 1 else (i + 1) * width}%",
            "count": count,
            "bar": round(100 * count / top),
        }
        for i, count in enumerate(counts)
    ]


@dataclass
class QuestionStats:
    item: AssignmentProblem
    drawn: int = 0
    answered: int = 0
    correct: int = 0
    mean_percent: float = 0.0
    misconceptions: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def success_percent(self) -> float:
        return 100.0 * self.correct / self.drawn if self.drawn else 0.0


def question_stats(quiz: QuizSettings, top: int = 3) -> list[QuestionStats]:
    """Per question: to how many it was drawn, answered, solved (best verdict correct), the mean
    best score, and the most common diagnosed misconceptions (``feedback.misconception.key``)."""
    items = _items(quiz)
    stats = {pk: QuestionStats(item=item) for pk, item in items.items()}
    drawn_to: dict[int, set[int]] = defaultdict(set)
    for attempt in quiz.assignment.quiz_attempts.all():
        for pk in attempt.drawn_item_ids:
            if pk in stats:
                stats[pk].drawn += 1
                drawn_to[pk].add(attempt.user_id)
    by_problem = {item.problem_id: pk for pk, item in items.items()}
    best: dict[tuple[int, int], tuple[float, bool]] = {}
    misconceptions: dict[int, Counter] = defaultdict(Counter)
    titles: dict[str, str] = {}
    graded = Submission.objects.filter(
        assignment_id=quiz.assignment_id, status=Status.GRADED
    ).values("user_id", "problem_id", "score", "max_score", "verdict", "feedback")
    for sub in graded:
        pk = by_problem.get(sub["problem_id"])
        if pk is None or sub["user_id"] not in drawn_to[pk]:
            continue
        fraction = (sub["score"] or 0.0) / sub["max_score"] if sub["max_score"] else 0.0
        key = (pk, sub["user_id"])
        old = best.get(key, (0.0, False))
        best[key] = (max(old[0], fraction), old[1] or sub["verdict"] == Verdict.CORRECT)
        misconception = (sub["feedback"] or {}).get("misconception")
        if isinstance(misconception, dict) and misconception.get("key"):
            misconceptions[pk][misconception["key"]] += 1
            titles.setdefault(misconception["key"], str(misconception.get("title", "")))
    for (pk, _), (fraction, correct) in best.items():
        stats[pk].answered += 1
        stats[pk].correct += int(correct)
        stats[pk].mean_percent += fraction
    for pk, stat in stats.items():
        stat.mean_percent = 100.0 * stat.mean_percent / stat.drawn if stat.drawn else 0.0
        stat.misconceptions = [
            (key, titles.get(key, ""), count) for key, count in misconceptions[pk].most_common(top)
        ]
    return [s for s in stats.values()]


def results_csv(quiz: QuizSettings, now: datetime | None = None) -> str:
    """One line per student: start, end, per-question best score (blank: not drawn), total."""
    items = _items(quiz)
    rows = student_rows(quiz, now)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["username", "name", "state", "started_at", "deadline"]
        + [item.problem.slug for item in items.values()]
        + ["score", "max_score"]
    )
    for row in rows:
        writer.writerow(
            [
                row.username,
                row.name,
                row.state.api_state,  # the column's words since the first export
                row.started_at.isoformat() if row.started_at else "",
                row.deadline.isoformat() if row.deadline else "",
            ]
            + ["" if pk not in row.best_by_item else f"{row.best_by_item[pk]:g}" for pk in items]
            + [f"{row.score:g}", f"{row.max_score:g}"]
        )
    return out.getvalue()


def closes_for_everyone(quiz: QuizSettings) -> datetime:
    return quiz_rules.closes_for_everyone(quiz)


def drawn_items_by_student(quiz: QuizSettings, user_ids: list[int]) -> dict[int, set[int]]:
    """For gradebooks: which ``AssignmentProblem`` ids each of ``user_ids`` was given: the
    draw stored at Start, or for a student who has not started the draw Start would give
    them (a quiz not taken scores zero of its own draw's points, not of the whole pool's). A
    cell outside a student's draw is "not drawn" (neither zero nor missing work), and the
    student's maximum is the sum over their own draw."""
    return drawn_items_by_quiz([quiz], user_ids)[quiz.pk]


def drawn_items_by_quiz(
    quiz_list: list[QuizSettings], user_ids: list[int]
) -> dict[int, dict[int, set[int]]]:
    """``drawn_items_by_student`` of several quizzes, keyed by quiz id, in a fixed number of
    queries however many quizzes and students: the stored draws in one, the pools of the
    quizzes somebody has not started in three (a cohort's gradebook holds every quiz)."""
    by_assignment = {quiz.assignment_id: quiz for quiz in quiz_list}
    drawn: dict[int, dict[int, set[int]]] = {quiz.pk: {} for quiz in quiz_list}
    stored = QuizAttempt.objects.filter(
        assignment_id__in=list(by_assignment), user_id__in=user_ids
    ).values_list("assignment_id", "user_id", "drawn_item_ids")
    for assignment_id, user_id, item_ids in stored:
        drawn[by_assignment[assignment_id].pk][user_id] = set(item_ids)
    unstarted = [quiz for quiz in quiz_list if any(u not in drawn[quiz.pk] for u in user_ids)]
    pools = quizzes.loaded_pools_of(unstarted) if unstarted else {}
    for quiz in unstarted:
        for user_id in user_ids:
            if user_id not in drawn[quiz.pk]:
                seed = quizzes.quiz_seed(quiz.assignment_id, user_id)
                drawn[quiz.pk][user_id] = {
                    item.pk for item in quizzes.draw_from(pools[quiz.pk], seed)
                }
    return drawn
