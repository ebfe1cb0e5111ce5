"""Cohort leaderboards: score = sum over problems of the best score; ties go to whoever
reached their score first. Computed from the database (the source of truth) and cached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Max, Min

from exercises import quiz_rules
from exercises.models import Cohort, Membership, Role, Status, Submission


@dataclass(frozen=True)
class Entry:
    rank: int
    user_id: int
    name: str
    score: float
    solved: int
    last_improved_at: datetime | None


def _cache_key(cohort_id: int) -> str:
    return f"leaderboard:v1:{cohort_id}"


def standings(cohort: Cohort) -> list[Entry]:
    cached = cache.get(_cache_key(cohort.pk))
    if cached is not None:
        return cached
    entries = compute_standings(cohort)
    cache.set(_cache_key(cohort.pk), entries, timeout=300)
    return entries


def compute_standings(cohort: Cohort) -> list[Entry]:
    members = {
        m.user_id: m
        for m in Membership.objects.filter(cohort=cohort, role=Role.STUDENT).select_related("user")
    }
    # Quiz answers whose feedback is still held back would leak through the standings.
    hidden_quizzes = quiz_rules.unreleased_quiz_ids(cohort.pk)
    best = (
        Submission.objects.exclude(assignment_id__in=hidden_quizzes)
        .filter(
            assignment__cohort=cohort,
            assignment__counts_on_leaderboard=True,
            status=Status.GRADED,
            user_id__in=members,
        )
        .values("user_id", "problem_id")
        .annotate(best=Max("score"), max_score=Max("max_score"))
    )
    totals: dict[int, dict] = {uid: {"score": 0.0, "solved": 0, "reached": None} for uid in members}
    best_by_pair = {(row["user_id"], row["problem_id"]): row for row in best}
    # When did each student first reach their best score on each problem?
    reached = (
        Submission.objects.exclude(assignment_id__in=hidden_quizzes)
        .filter(
            assignment__cohort=cohort,
            assignment__counts_on_leaderboard=True,
            status=Status.GRADED,
            user_id__in=members,
        )
        .values("user_id", "problem_id", "score")
        .annotate(first=Min("graded_at"))
    )
    for row in reached:
        pair = best_by_pair.get((row["user_id"], row["problem_id"]))
        if pair is None or row["score"] != pair["best"] or not row["score"]:
            continue
        t = totals[row["user_id"]]
        t["score"] += row["score"]
        if row["score"] >= pair["max_score"] - 1e-9:
            t["solved"] += 1
        if t["reached"] is None or row["first"] > t["reached"]:
            t["reached"] = row["first"]
    ordered = sorted(
        totals.items(),
        key=lambda kv: (
            -kv[1]["score"],
            kv[1]["reached"] is None,
            kv[1]["reached"] or datetime.max,
            kv[0],
        ),
    )
    entries = []
    for index, (uid, t) in enumerate(ordered, start=1):
        membership = members[uid]
        entries.append(
            Entry(
                rank=index,
                user_id=uid,
                name=membership.display_name or f"Student {uid}",
                score=round(t["score"], 4),
                solved=t["solved"],
                last_improved_at=t["reached"],
            )
        )
    return entries


def on_graded(submission_id: int, cohort_id: int | None = None) -> None:
    """Drop the cached standings of the submission's cohort (``cohort_id`` when the caller
    already knows it, which saves the grading path a query)."""
    if cohort_id is None:
        cohort_id = (
            Submission.objects.filter(pk=submission_id)
            .values_list("assignment__cohort_id", flat=True)
            .first()
        )
    if cohort_id is not None:
        cache.delete(_cache_key(cohort_id))
