"""Per-problem analytics for one cohort: how hard it is and where students go wrong.

- attempts, students who tried, share who solved it, median attempts to solve (counting the
  solving attempt; errors and unreadable answers do not count, as everywhere);
- wrong answers grouped by the misconception the grader diagnosed
  (``feedback["misconception"]["key"]``; undiagnosed answers form their own group), each answer
  read relative to the author's own variant (``relate``): students draw different numbers, so
  "760" nine times may be nine different mistakes, while "answer - expected = -10" for seven
  students is one. The raw answers stay available per student, beside their variant's answer;
- per-test failure rates for code problems (``TestResult`` rows of graded submissions);
- the distribution of each student's best score (as a fraction of the points) in ten bins;
- hint use: per hint of the problem, how many students unlocked it and how many asked for it.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from exercises import grading_texts
from exercises.bank import hints
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
from grader import kinds as grader_kinds
from grader.kinds.answers import is_does_not_fit, typed_number
from grader.recipes import DOES_NOT_FIT

UNDIAGNOSED = "undiagnosed"
BINS = 10

Measure = Literal["difference", "ratio"]


@dataclass(frozen=True)
class Relation:
    """A wrong answer read against its author's variant: ``difference`` is
    "answer - expected = -10" (per cell, per dimension for matrices and shapes), ``ratio``
    "answer / expected = 2" (both shown with the minus and division signs); either is None
    where it means nothing (a ratio to 0, matrices of other sizes)."""

    difference: str | None
    ratio: str | None

    def of(self, measure: Measure) -> str | None:
        return self.difference if measure == "difference" else self.ratio


@dataclass
class RelationCount:
    text: str  # "answer - expected = -10", with a minus sign
    students: int
    answers: int


@dataclass
class StudentAnswer:
    text: str  # the raw answer as sent
    expected: str  # the right answer of the variant it answered ("" for code)
    times: int
    relation: str  # the group's measure for this answer, "" where it means nothing


@dataclass
class StudentWrongAnswers:
    user_id: int
    username: str
    answers: list[StudentAnswer]


@dataclass
class WrongAnswerGroup:
    key: str
    title: str
    count: int  # wrong answers
    students: int  # students who gave them
    #: The measure that gathers the most students on one value ("difference" on a tie), and
    #: its values, most students first: what the group's students have in common.
    measure: Measure | None = None
    relations: list[RelationCount] = field(default_factory=list)
    #: Each student's raw answers and their own variant's answer, by username.
    by_student: list[StudentWrongAnswers] = field(default_factory=list)


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
    rule: str  # attempts | misconception | request (exercises.bank.hints)
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
    return _shown(payload["answer"])


def _shown(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return typed_number(value)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


# --- an answer relative to its variant ------------------------------------------------------------
def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    return None


def _nice(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant digits, as a person writes it (0.5, 1.33, and -10
    with a minus sign, not a hyphen)."""
    if value == 0:
        return "0"
    rounded = float(f"{value:.{digits}g}")
    return typed_number(int(rounded) if rounded.is_integer() else rounded).replace("-", "\u2212")


def _cells(value: Any) -> list[list[float]] | None:
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        return None
    rows = [[_number(c) for c in row] for row in value]
    if any(c is None for row in rows for c in row) or len({len(r) for r in rows}) != 1:
        return None
    return rows  # type: ignore[return-value]


def relate(answer: Any, expected: Any) -> Relation:
    """How a wrong ``answer`` stands to ``expected``, its own variant's right answer.

    Numbers: the difference and the ratio. Matrices of the right size: one difference (ratio)
    when every cell shares it, else how many cells differ; of another size, the two sizes.
    Shapes: the difference (ratio) per dimension. "does-not-fit" against a number, or the
    reverse, says which. Anything else (a choice, an unreadable value) is shown as it is."""
    if is_does_not_fit(answer) or expected == DOES_NOT_FIT:
        if is_does_not_fit(answer) and expected == DOES_NOT_FIT:
            return Relation(None, None)
        text = (
            _("answered does-not-fit; it fits")
            if is_does_not_fit(answer)
            else _("answered a number; it does not fit")
        )
        return Relation(text, text)
    a, e = _number(answer), _number(expected)
    if a is not None and e is not None:
        return Relation(
            _("answer − expected = %(value)s") % {"value": _nice(a - e, 6)},  # noqa: RUF001
            _("answer ÷ expected = %(value)s") % {"value": _nice(a / e, 3)} if e else None,
        )
    a_cells, e_cells = _cells(answer), _cells(expected)
    if a_cells is not None and e_cells is not None:
        return _relate_matrix(a_cells, e_cells)
    if isinstance(answer, list) and isinstance(expected, list) and len(answer) == len(expected):
        pairs = [(_number(x), _number(y)) for x, y in zip(answer, expected, strict=True)]
        if pairs and all(x is not None and y is not None for x, y in pairs):
            diff = ", ".join(_nice(x - y, 6) for x, y in pairs)  # type: ignore[operator]
            ratio = (
                ", ".join(_nice(x / y, 3) for x, y in pairs)  # type: ignore[operator]
                if all(y for _, y in pairs)
                else None
            )
            return Relation(
                _("answer − expected = %(value)s") % {"value": f"({diff})"},  # noqa: RUF001
                _("answer ÷ expected = %(value)s") % {"value": f"({ratio})"} if ratio else None,
            )
    text = _("answered %(answer)s") % {"answer": _shown(answer)}
    return Relation(text, text)


def _relate_matrix(a: list[list[float]], e: list[list[float]]) -> Relation:
    size_a, size_e = (len(a), len(a[0])), (len(e), len(e[0]))
    if size_a != size_e:
        text = _(
            "a %(rows)s × %(cols)s matrix for a %(want_rows)s × %(want_cols)s one"  # noqa: RUF001
        ) % {
            "rows": size_a[0],
            "cols": size_a[1],
            "want_rows": size_e[0],
            "want_cols": size_e[1],
        }
        return Relation(text, text)
    pairs = [(x, y) for ra, re in zip(a, e, strict=True) for x, y in zip(ra, re, strict=True)]
    diffs = {_nice(x - y, 6) for x, y in pairs}
    if len(diffs) == 1:
        difference = _("answer − expected = %(value)s in every cell") % {"value": diffs.pop()}  # noqa: RUF001
    else:
        wrong = sum(not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for x, y in pairs)
        difference = _("%(wrong)s of %(cells)s cells differ") % {
            "wrong": wrong,
            "cells": len(pairs),
        }
    ratios = {_nice(x / y, 3) for x, y in pairs} if all(y for _, y in pairs) else set()
    ratio = (
        _("answer ÷ expected = %(value)s in every cell") % {"value": ratios.pop()}
        if len(ratios) == 1
        else None
    )
    return Relation(difference, ratio)


def _variant_answers(problem: Problem) -> Any:
    """``expected(seed)``: the right answer of one variant, each variant computed once; None
    for code (its answers are the hidden tests', and a page never loads that kind) or a variant
    the current spec can no longer build."""
    cache: dict[int | None, Any] = {}

    def expected(seed: int | None) -> Any:
        if problem.kind == "code":
            return None
        if seed not in cache:
            try:
                kind = grader_kinds.get_kind(problem.kind)
                cache[seed] = kind.expected(problem.spec, kind.generate(problem.spec, seed))
            except (ValueError, KeyError, TypeError):  # SpecError is a ValueError
                cache[seed] = None
        return cache[seed]

    return expected


@dataclass
class _Wrong:
    """One wrong answer, as the grouping collects it."""

    user_id: int
    text: str | None
    expected: Any
    relation: Relation | None


def group_wrong_answers(
    titles: dict[str, str], wrongs: dict[str, list[_Wrong]], usernames: dict[int, str], *, top: int
) -> list[WrongAnswerGroup]:
    """The groups the page shows, most answers first, the undiagnosed last."""
    groups = [
        _group(key, titles[key], answers, usernames, top=top) for key, answers in wrongs.items()
    ]
    return sorted(groups, key=lambda g: (g.key == UNDIAGNOSED, -g.count, g.key))


def _group(
    key: str, title: str, answers: list[_Wrong], usernames: dict[int, str], *, top: int
) -> WrongAnswerGroup:
    group = WrongAnswerGroup(
        key=key, title=title, count=len(answers), students=len({w.user_id for w in answers})
    )
    best: tuple[int, list[RelationCount]] | None = None
    for measure in ("difference", "ratio"):
        students: dict[str, set[int]] = defaultdict(set)
        times: Counter[str] = Counter()
        for w in answers:
            text = w.relation.of(measure) if w.relation else None
            if text:
                students[text].add(w.user_id)
                times[text] += 1
        rows = sorted(
            (RelationCount(t, len(users), times[t]) for t, users in students.items()),
            key=lambda r: (-r.students, -r.answers, r.text),
        )
        if rows and (best is None or rows[0].students > best[0]):
            best = (rows[0].students, rows)
            group.measure = measure  # type: ignore[assignment]
    if best is not None:
        group.relations = best[1][:top]
    per_user: dict[int, list[_Wrong]] = defaultdict(list)
    for w in answers:
        per_user[w.user_id].append(w)
    for user_id, mine in sorted(per_user.items(), key=lambda kv: usernames.get(kv[0], "")):
        counted: Counter[tuple[str, str, str]] = Counter(
            (
                w.text,
                "" if w.expected is None else _shown(w.expected),
                (w.relation.of(group.measure) or "") if w.relation and group.measure else "",
            )
            for w in mine
            if w.text is not None
        )
        if not counted:
            continue  # code: the answer is the program
        group.by_student.append(
            StudentWrongAnswers(
                user_id=user_id,
                username=usernames.get(user_id, str(user_id)),
                answers=[StudentAnswer(t, e, n, r) for (t, e, r), n in counted.most_common()],
            )
        )
    return group


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
        .values_list(
            "user_id",
            "status",
            "verdict",
            "score",
            "max_score",
            "payload",
            "feedback",
            "variant_seed",
            "user__username",
        )
    )
    counted: dict[int, int] = {}
    solved_after: dict[int, int] = {}
    best: dict[int, float] = {}
    titles: dict[str, str] = {}
    wrongs: dict[str, list[_Wrong]] = defaultdict(list)
    usernames: dict[int, str] = {}
    expected = _variant_answers(problem)
    for user_id, status, verdict, score, max_score, payload, feedback, seed, username in subs:
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
        if key not in titles:  # the group's title in the reader's language
            shown = grading_texts.shown_feedback(feedback).get("misconception") or {}
            titles[key] = str(
                shown.get("title") or (_("No diagnosis") if key == UNDIAGNOSED else key)
            )
        usernames[user_id] = username
        payload = payload or {}
        right = expected(seed)
        wrongs[key].append(
            _Wrong(
                user_id=user_id,
                text=_answer_text(payload),
                expected=right,
                relation=(
                    relate(payload["answer"], right)
                    if "answer" in payload and right is not None
                    else None
                ),
            )
        )
    stats.students = len(counted)
    stats.solved = len(solved_after)
    if solved_after:
        stats.median_attempts_to_solve = float(statistics.median(solved_after.values()))
    for fraction in best.values():
        stats.distribution[bin_of(fraction)] += 1
    stats.wrong_answers = group_wrong_answers(titles, wrongs, usernames, top=top_answers)
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
