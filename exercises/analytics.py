"""Per-problem analytics for one cohort: how hard it is and where students go wrong.

- attempts, students who tried, share who solved it, median attempts to solve (counting the
  solving attempt; errors and unreadable answers do not count, as everywhere);
- the most common wrong answers grouped by the misconception the grader diagnosed
  (``feedback["misconception"]["key"]``; undiagnosed answers form their own group);
- per-test failure rates for code problems (``TestResult`` rows of graded submissions);
- the distribution of each student's best score (as a fraction of the points) in ten bins;
- hint use: per hint of the problem, how many students unlocked it and how many asked for it.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from exercises import hints
from exercises.models import (
    Cohort,
    HintUnlock,
    Membership,
    Problem,
    Role,
    Status,
    Submission,
    TestResult,
)
from exercises.models.submission import Verdict

UNDIAGNOSED = "undiagnosed"
BINS = 10


@dataclass
class WrongAnswerGroup:
    key: str
    title: str
    count: int
    answers: list[tuple[str, int]]  # (answer as shown, how many times), most common first


@dataclass
class TestFailure:
    name: str
    runs: int
    failed: int

    @property
    def rate(self) -> float:
        return self.failed / self.runs if self.runs else 0.0


@dataclass
class HintUse:
    index: int
    rule: str  # attempts | misconception | request (exercises.hints)
    unlocked: int  # students who have it
    requested: int  # of them, who asked for it


@dataclass
class ProblemStats:
    problem: Problem
    enrolled: int
    attempts: int = 0
    students: int = 0
    solved: int = 0
    median_attempts_to_solve: float | None = None
    wrong_answers: list[WrongAnswerGroup] = field(default_factory=list)
    test_failures: list[TestFailure] = field(default_factory=list)
    distribution: list[int] = field(default_factory=lambda: [0] * BINS)
    hint_use: list[HintUse] = field(default_factory=list)

    @property
    def share_solved(self) -> float:
        """Of the students who tried."""
        return self.solved / self.students if self.students else 0.0


def _answer_text(payload: dict[str, Any]) -> str | None:
    if "answer" not in payload:
        return None  # code: the answer is the program; its tests say more
    return json.dumps(payload["answer"], ensure_ascii=False, separators=(",", ": "))


def bin_of(fraction: float) -> int:
    """[0, .1) -> 0, ..., [.9, 1] -> 9."""
    return min(BINS - 1, max(0, int(fraction * BINS + 1e-9)))


def problem_stats(cohort: Cohort, problem: Problem, *, top_answers: int = 5) -> ProblemStats:
    enrolled = Membership.objects.filter(cohort=cohort, role=Role.STUDENT).count()
    stats = ProblemStats(problem=problem, enrolled=enrolled)
    students = Membership.objects.filter(cohort=cohort, role=Role.STUDENT).values("user_id")
    subs = (
        Submission.objects.filter(assignment__cohort=cohort, problem=problem, user_id__in=students)
        .counting()
        .order_by("created_at", "id")
        .values_list("user_id", "status", "verdict", "score", "max_score", "payload", "feedback")
    )
    counted: dict[int, int] = {}
    solved_after: dict[int, int] = {}
    best: dict[int, float] = {}
    groups: dict[str, list] = {}  # key -> [title, count, Counter]
    for user_id, status, verdict, score, max_score, payload, feedback in subs:
        stats.attempts += 1
        counted[user_id] = counted.get(user_id, 0) + 1
        if status != Status.GRADED:
            continue
        fraction = (score or 0.0) / max_score if max_score else 0.0
        best[user_id] = max(best.get(user_id, 0.0), fraction)
        if verdict == Verdict.CORRECT:
            solved_after.setdefault(user_id, counted[user_id])
            continue
        misconception = (feedback or {}).get("misconception") or {}
        key = str(misconception.get("key") or UNDIAGNOSED)
        title = str(
            misconception.get("title") or (_("No diagnosis") if key == UNDIAGNOSED else key)
        )
        group = groups.setdefault(key, [title, 0, Counter()])
        group[1] += 1
        text = _answer_text(payload or {})
        if text is not None:
            group[2][text] += 1
    stats.students = len(counted)
    stats.solved = len(solved_after)
    if solved_after:
        stats.median_attempts_to_solve = float(statistics.median(solved_after.values()))
    for fraction in best.values():
        stats.distribution[bin_of(fraction)] += 1
    stats.wrong_answers = sorted(
        (
            WrongAnswerGroup(key, title, count, counter.most_common(top_answers))
            for key, (title, count, counter) in groups.items()
        ),
        key=lambda g: (g.key == UNDIAGNOSED, -g.count, g.key),
    )
    failures = (
        TestResult.objects.filter(
            submission__assignment__cohort=cohort,
            submission__problem=problem,
            submission__status=Status.GRADED,
            submission__user_id__in=students,
        )
        .values("name")
        .annotate(runs=Count("id"), failed=Count("id", filter=Q(passed=False)))
        .order_by("name")
    )
    stats.test_failures = sorted(
        (TestFailure(f["name"], f["runs"], f["failed"]) for f in failures),
        key=lambda f: (-f.rate, f.name),
    )
    stats.hint_use = hint_use(cohort, problem, students)
    return stats


def hint_use(cohort: Cohort, problem: Problem, students: Any) -> list[HintUse]:
    """Per hint of ``problem``: the students of ``cohort`` who unlocked it, and who asked."""
    counts = {
        row["hint_index"]: row
        for row in HintUnlock.objects.filter(
            assignment__cohort=cohort, problem=problem, user_id__in=students
        )
        .values("hint_index")
        .annotate(
            unlocked=Count("user_id", distinct=True),
            requested=Count("user_id", distinct=True, filter=Q(how=HintUnlock.How.REQUEST)),
        )
    }
    return [
        HintUse(
            h.index,
            h.rule,
            counts.get(h.index, {}).get("unlocked", 0),
            counts.get(h.index, {}).get("requested", 0),
        )
        for h in hints.from_json(problem.hints)
    ]


def distribution_labels() -> list[str]:
    return [f"{10 * i}-{10 * (i + 1)}%" for i in range(BINS)]
