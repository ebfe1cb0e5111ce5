"""Reads for the integrity report: the final code submissions it compares, the stored report
as rows a page can show, one pair side by side, and the leak flags. Staff pages only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from exercises.bank import selectors as bank_reads
from exercises.integrity import evidence
from exercises.integrity.fingerprints import starter_lines
from exercises.models import (
    Assignment,
    AssignmentProblem,
    IntegrityReport,
    IntegrityReview,
    LeakFlag,
    Membership,
    Problem,
    Status,
    Submission,
    TestResult,
    Verdict,
)
from exercises.models.cohort import STAFF_ROLES

#: Problem kinds whose answer can be another variant's: the rest (code, choice, shape) never.
LEAK_KINDS = frozenset({"number", "matrix"})


def should_check_leak(kind: str, verdict: Verdict | str) -> bool:
    """Only a wrong answer to a number or matrix problem can be another variant's. A read (no
    query), here so that grading (``submissions.services``, which ``integrity.services``
    imports) can ask it without an import cycle."""
    return kind in LEAK_KINDS and verdict != Verdict.CORRECT


def staff_user_ids(assignment: Assignment) -> set[int]:
    """The cohort's instructors and assistants: their own submissions are never compared."""
    return set(
        Membership.objects.filter(cohort_id=assignment.cohort_id, role__in=STAFF_ROLES).values_list(
            "user_id", flat=True
        )
    )


def code_problems(assignment: Assignment) -> list[Problem]:
    """The assignment's code problems, in the assignment's order."""
    items = AssignmentProblem.objects.filter(assignment=assignment, problem__kind="code")
    return [item.problem for item in items.select_related("problem").order_by("order", "id")]


def final_code_submissions(
    assignment: Assignment, problem: Problem, exclude: Iterable[int] = ()
) -> list[evidence.Submission]:
    """Each student's last graded submission of ``problem`` in ``assignment``, with the outcome
    of every hidden case (passed, the wrong output's digest, the diagnosed misconception).
    Two queries whatever the cohort's size."""
    rows = (
        Submission.objects.filter(assignment=assignment, problem=problem, status=Status.GRADED)
        .exclude(user_id__in=list(exclude))
        .order_by("user_id", "-created_at", "-id")
        .values_list("id", "user_id", "user__username", "payload", "created_at")
    )
    finals: dict[int, tuple[int, str, str, float]] = {}
    for pk, user_id, username, payload, created_at in rows:
        if user_id not in finals and isinstance(payload.get("code"), str):
            finals[user_id] = (pk, username, payload["code"], created_at.timestamp())
    outcomes: dict[int, dict[str, evidence.CaseOutcome]] = {pk: {} for pk, *_ in finals.values()}
    tests = TestResult.objects.filter(submission_id__in=list(outcomes), hidden=True).values_list(
        "submission_id", "name", "passed", "data"
    )
    for submission_id, name, passed, data in tests:
        data = data or {}
        outcomes[submission_id][name] = evidence.CaseOutcome(
            passed=passed,
            output_digest=data.get("output_digest"),
            misconception=data.get("misconception"),
        )
    return [
        evidence.Submission(username, source, when, outcomes[pk])
        for pk, username, source, when in finals.values()
    ]


def latest_report(assignment: Assignment) -> IntegrityReport | None:
    """The newest run, whatever its state (the page says whether one is under way)."""
    return IntegrityReport.objects.filter(assignment=assignment).first()


def latest_done_report(assignment: Assignment) -> IntegrityReport | None:
    """The newest finished run: what the page, the pair view and the CSV show while a new run
    is queued or running."""
    return IntegrityReport.objects.filter(
        assignment=assignment, state=IntegrityReport.State.DONE
    ).first()


def pair_key(a_id: int, b_id: int) -> tuple[int, int]:
    """Two students' ids in ascending order: how a review is keyed, whoever submitted first."""
    return (min(a_id, b_id), max(a_id, b_id))


def reviews_of(assignment: Assignment) -> dict[tuple[int, int], IntegrityReview]:
    """(first user id, second user id) -> review, ids in ascending order."""
    return {
        (r.first_id, r.second_id): r for r in IntegrityReview.objects.filter(assignment=assignment)
    }


@dataclass(frozen=True)
class PairRow:
    """One ranked pair as the report page and the CSV show it."""

    rank: int
    problem: str
    a: str
    b: str
    a_id: int
    b_id: int
    score: float
    similarity: float
    reasons: tuple[str, ...]
    review: str
    note: str


def report_rows(report: IntegrityReport) -> list[PairRow]:
    """The stored pairs, ranked, with each pair's review (one query for the reviews)."""
    reviews = reviews_of(report.assignment)
    rows = []
    for rank, pair in enumerate(report.pairs, start=1):
        review = reviews.get(pair_key(pair["a_id"], pair["b_id"]))
        rows.append(
            PairRow(
                rank=rank,
                problem=pair["problem"],
                a=pair["a"],
                b=pair["b"],
                a_id=pair["a_id"],
                b_id=pair["b_id"],
                score=pair["score"],
                similarity=pair["similarity"],
                reasons=reasons_of(pair),
                review=review.status if review else IntegrityReview.Status.UNREVIEWED,
                note=review.note if review else "",
            )
        )
    return rows


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str
    shared: bool
    starter: bool


#: The evidence fields a stored pair needs for its reasons to be said again in another language.
EVIDENCE_FIELDS = ("similarity", "similarity_z", "gap_seconds", "a", "b")


def reasons_of(pair: dict) -> tuple[str, ...]:
    """A stored pair's reasons in the reader's language. The analysis stores English sentences
    (``evidence`` is pure Python, without Django's translations) beside the numbers they say;
    the page says them again from those numbers, in the same order. A pair stored without them
    keeps its stored sentences."""
    if any(name not in pair for name in EVIDENCE_FIELDS):
        return tuple(pair.get("reasons", ()))
    out = [
        _("code overlap %(similarity)s (z = %(z)s against this cohort's pairs)")
        % {"similarity": f"{pair['similarity']:.0%}", "z": f"{pair['similarity_z']:+.1f}"}
    ]
    if pair.get("same_wrong_outputs"):
        out.append(
            _("identical wrong output on hidden case(s): %(cases)s")
            % {"cases": ", ".join(pair["same_wrong_outputs"])}
        )
    if pair.get("same_misconceptions"):
        shown = ", ".join(f"{case} ({key})" for case, key in pair["same_misconceptions"])
        out.append(_("the same misconception on: %(cases)s") % {"cases": shown})
    out.append(
        _("%(first)s submitted first, %(minutes)s min before %(second)s")
        % {"first": pair["a"], "second": pair["b"], "minutes": f"{pair['gap_seconds'] / 60:.0f}"}
    )
    if pair.get("repeated_in"):
        out.append(
            _("also flagged on: %(problems)s") % {"problems": ", ".join(pair["repeated_in"])}
        )
    return tuple(out)


@dataclass(frozen=True)
class PairView:
    """Two students' final code side by side: lines the shared fingerprints cover are marked,
    lines that come from the starter code are dimmed."""

    problem: Problem
    pair: dict
    left: list[SourceLine]
    right: list[SourceLine]

    @property
    def reasons(self) -> tuple[str, ...]:
        return reasons_of(self.pair)

    @property
    def sides(self) -> list[dict]:
        """Left (who submitted first) and right, for a template loop."""
        return [
            {"name": self.pair["a"], "lines": self.left},
            {"name": self.pair["b"], "lines": self.right},
        ]


def _lines(source: str, shared: Iterable[int], starter: str) -> list[SourceLine]:
    shared, from_starter = set(shared), starter_lines(source, starter) if starter else set()
    return [
        SourceLine(n, text, n in shared, n in from_starter)
        for n, text in enumerate(source.splitlines(), start=1)
    ]


def pair_view(report: IntegrityReport, problem_slug: str, a_id: int, b_id: int) -> PairView | None:
    """The pair ``a_id``/``b_id`` on ``problem_slug`` in ``report``, or None if it was not
    ranked there."""
    pair = next(
        (
            p
            for p in report.pairs
            if p["problem"] == problem_slug and {p["a_id"], p["b_id"]} == {a_id, b_id}
        ),
        None,
    )
    problem = Problem.objects.filter(slug=problem_slug).prefetch_related("texts").first()
    if pair is None or problem is None:
        return None
    finals = {
        s.student: s
        for s in final_code_submissions(report.assignment, problem)
        if s.student in (pair["a"], pair["b"])
    }
    if pair["a"] not in finals or pair["b"] not in finals:
        return None
    starter = problem.starter_code
    return PairView(
        problem=problem,
        pair=pair,
        left=_lines(finals[pair["a"]].source, pair["lines_a"], starter),
        right=_lines(finals[pair["b"]].source, pair["lines_b"], starter),
    )


def leak_flags(assignment: Assignment) -> QuerySet[LeakFlag]:
    return (
        LeakFlag.objects.filter(submission__assignment=assignment)
        .select_related("submission__user", "submission__problem", "source")
        .prefetch_related("submission__problem__texts")  # titles in the reader's language
        .order_by("-created_at", "-id")
    )


def compared_problems(report: IntegrityReport) -> list[dict]:
    """The report's problems, each titled in the reader's language: the report stored the
    English title when it ran, and is read by staff of either language since."""
    titles = bank_reads.titles([p.get("problem", "") for p in report.problems])
    return [{**p, "title": titles.get(p.get("problem", ""), p["title"])} for p in report.problems]


def report_clusters(rows: list[PairRow]) -> list[evidence.Cluster]:
    """The groups of three or more students the ranked pairs link (``evidence.clusters``)."""
    return evidence.clusters((r.problem, r.a, r.b, r.score) for r in rows)
