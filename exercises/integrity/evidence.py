"""Which pairs of students' code deserve a look: similarity combined with other evidence.

On ~30-line conv2d functions a lightly reworked copy and two independent solutions score about
the same on similarity alone (there are only so many ways to write four loops), so similarity is
one term of several, each in the same unit (roughly, bits of surprise):

- **similarity**: Jaccard overlap of the winnowed fingerprints after dropping the starter's and
  every fingerprint more than half the cohort shares, as a robust z-score against all pairs of
  this cohort on this problem (how unusual the overlap is *here*; a cohort of two or three,
  too small for that, keeps every fingerprint and is measured against ``BASELINE``), counted as
  ``SIMILARITY_WEIGHT * log2(1 + z)`` for z > 0: a copy's z is several times an unusual
  independent pair's, but the log keeps one exact copy of a short function from outweighing
  every other kind of evidence;
- **identical wrong output** on a hidden case: ``log2(cohort / students with that exact
  output)``: two students whose code fails the same case with the same wrong numbers, which
  only few others produce, is the strongest evidence there is;
- **the same diagnosed misconception** on the same case (when the outputs differ or are
  unknown): half the same rarity weight, as a common mistake is common;
- **timing**: who submitted first (the likely source), and ``CLOSE_BONUS`` when the second
  final submission came within ``CLOSE_SECONDS`` of the first;
- **repetition** (``combine_problems``): a pair above ``REPEAT_THRESHOLD`` on several problems
  of an assignment gains ``REPEAT_BONUS`` per further problem.

Everything here is a pure function of plain data (no Django, no database): the Celery task
gathers each student's final submission of a problem into ``Submission`` objects and stores
what ``analyse_problem`` / ``combine_problems`` return.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from exercises.integrity.fingerprints import Fingerprint, fingerprint

#: A fingerprint found in more than this share of the cohort's submissions is the problem's
#: idiom (the obvious loop nest), not evidence.
COMMON_SHARE = 0.5
CLOSE_SECONDS = 15 * 60
CLOSE_BONUS = 1.0
MISCONCEPTION_WEIGHT = 0.5
SIMILARITY_WEIGHT = 2.0
REPEAT_THRESHOLD = 3.0
REPEAT_BONUS = 2.0
#: A link strong enough to join a cluster: 2*log2(1 + z) = 8 is a code overlap 15 robust
#: deviations above this cohort's pairs (or less overlap plus a shared rare wrong output). In the
#: fixture cohort of 22 independent conv2d solutions every independent pair stays below 7.2 and
#: every planted copy scores above 9.8; chains of merely similar pairs must not make groups.
CLUSTER_THRESHOLD = 8.0
#: Below this many submissions there is no cohort to measure a pair against: a fingerprint
#: "more than half" of two or three submissions hold is every fingerprint two of them share
#: (so every overlap read 0%), and one to three pairs give no spread (so every z read 0). A
#: lone pair scored its timing bonus alone, copy or not. Such a cohort keeps every fingerprint
#: but the starter's and is measured against ``BASELINE``.
SMALL_COHORT = 4
#: The median and the spread (1.4826 x the median absolute deviation) of the overlap of two
#: independent solutions, every fingerprint kept but the starter's: the 231 pairs of the 22
#: independent conv2d solutions in the tests' fixture cohort (median 0.072, spread 0.055; a
#: renamed copy overlaps 0.76 to 1.0). A yardstick for a small cohort, where the pairs are too
#: few to be their own: a copy's z is then about 13 to 17, an independent pair's at most 5.
BASELINE = (0.072, 0.055)


@dataclass(frozen=True)
class CaseOutcome:
    """One hidden case of one submission: passed or not, a digest of the wrong output (the
    worker hashes the rounded array) and the misconception the grader diagnosed, if any."""

    passed: bool
    output_digest: str | None = None
    misconception: str | None = None


@dataclass(frozen=True)
class Submission:
    """A student's final code submission to one problem. ``submitted_at`` in seconds (any
    epoch, the same for the whole cohort)."""

    student: str
    source: str
    submitted_at: float
    outcomes: Mapping[str, CaseOutcome] = field(default_factory=dict)


@dataclass(frozen=True)
class PairEvidence:
    """Why two students' submissions to one problem were ranked where they are.

    ``a`` submitted first (``gap_seconds`` before ``b``). ``similarity`` is the Jaccard overlap
    of the kept fingerprints, ``similarity_z`` how unusual it is in this cohort;
    ``same_wrong_outputs`` and ``same_misconceptions`` name the hidden cases (with the
    misconception key); ``lines_a``/``lines_b`` are the source lines the shared fingerprints
    cover (for a side-by-side view); ``score`` is the sum of the terms, ``reasons`` says it in
    words."""

    problem: str
    a: str
    b: str
    similarity: float
    similarity_z: float
    gap_seconds: float
    score: float
    same_wrong_outputs: tuple[str, ...] = ()
    same_misconceptions: tuple[tuple[str, str], ...] = ()
    lines_a: tuple[int, ...] = ()
    lines_b: tuple[int, ...] = ()
    repeated_in: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def key(self) -> frozenset[str]:
        return frozenset((self.a, self.b))


@dataclass(frozen=True)
class ProblemReport:
    """The ranked pairs of one problem, and what was set aside as common ground."""

    problem: str
    pairs: tuple[PairEvidence, ...]
    submissions: int
    dropped_common: int
    dropped_starter: int


def analyse_problem(
    problem: str,
    submissions: Sequence[Submission],
    starter: str = "",
    *,
    top: int = 200,
    prints: Mapping[str, Fingerprint] | None = None,
) -> ProblemReport:
    """Rank every pair of ``submissions`` (one per student) by combined evidence; keep the
    ``top`` pairs with a positive score. ``prints`` may hold fingerprints computed earlier
    (by student), e.g. stored when each submission was graded."""
    subs = sorted(submissions, key=lambda s: s.student)
    n = len(subs)
    if n < 2:
        return ProblemReport(problem, (), n, 0, 0)
    fps = [
        (prints or {}).get(s.student) or fingerprint(s.source) for s in subs
    ]  # one per student, in ``subs`` order
    starter_hashes = fingerprint(starter).hashes if starter.strip() else frozenset()
    kept, dropped_common = _kept_hashes(fps, starter_hashes)
    similarity = _jaccard(kept)
    z = _robust_z(similarity)
    score = SIMILARITY_WEIGHT * np.log2(1.0 + np.clip(z, 0.0, None))
    outputs, misconceptions = _outcome_terms(subs)
    score = score + outputs.weight + misconceptions.weight
    times = np.array([s.submitted_at for s in subs], dtype=float)
    gap = np.abs(times[:, None] - times[None, :])
    score = score + np.where(gap <= CLOSE_SECONDS, CLOSE_BONUS, 0.0)
    upper = np.triu_indices(n, k=1)
    order = np.argsort(-score[upper], kind="stable")
    pairs = []
    for index in order[:top]:
        i, j = int(upper[0][index]), int(upper[1][index])
        if score[i, j] <= 0:
            break
        if times[j] < times[i]:
            i, j = j, i
        shared = kept[i] & kept[j]
        pairs.append(
            PairEvidence(
                problem=problem,
                a=subs[i].student,
                b=subs[j].student,
                similarity=round(float(similarity[i, j]), 4),
                similarity_z=round(float(z[i, j]), 2),
                gap_seconds=float(times[j] - times[i]),
                score=round(float(score[i, j]), 3),
                same_wrong_outputs=outputs.cases.get((min(i, j), max(i, j)), ()),
                same_misconceptions=misconceptions.pairs.get((min(i, j), max(i, j)), ()),
                lines_a=tuple(sorted(fps[i].lines(shared))),
                lines_b=tuple(sorted(fps[j].lines(shared))),
            )
        )
    pairs = [replace(p, reasons=_reasons(p)) for p in pairs]
    return ProblemReport(
        problem, tuple(pairs), n, dropped_common, sum(1 for f in fps if f.hashes & starter_hashes)
    )


def combine_problems(reports: Iterable[ProblemReport]) -> list[PairEvidence]:
    """All problems' pairs, each raised by ``REPEAT_BONUS`` for every other problem where the
    same two students also score above ``REPEAT_THRESHOLD``; ranked by score."""
    reports = list(reports)
    strong: dict[frozenset[str], list[str]] = defaultdict(list)
    for report in reports:
        for pair in report.pairs:
            if pair.score >= REPEAT_THRESHOLD:
                strong[pair.key].append(report.problem)
    out = []
    for report in reports:
        for pair in report.pairs:
            others = tuple(p for p in strong.get(pair.key, ()) if p != pair.problem)
            if others:
                bonus = REPEAT_BONUS * len(others)
                pair = replace(pair, score=round(pair.score + bonus, 3), repeated_in=others)
                pair = replace(pair, reasons=_reasons(pair))
            out.append(pair)
    out.sort(key=lambda p: (-p.score, p.problem, p.a, p.b))
    return out


# --- the terms ----------------------------------------------------------------------------------


def _kept_hashes(
    fps: Sequence[Fingerprint], starter: frozenset[int]
) -> tuple[list[frozenset[int]], int]:
    """Each submission's fingerprints minus the starter's and the cohort's common ones."""
    counts: dict[int, int] = defaultdict(int)
    for f in fps:
        for h in f.hashes:
            counts[h] += 1
    limit = COMMON_SHARE * len(fps)
    small = len(fps) < SMALL_COHORT
    common = set() if small else {h for h, c in counts.items() if c > limit}
    drop = common | starter
    return [f.hashes - drop for f in fps], len(common - starter)


def _jaccard(kept: Sequence[frozenset[int]]) -> np.ndarray:
    """(n, n) overlap |A & B| / |A | B| through an inverted index: only pairs that share a
    fingerprint cost anything (each fingerprint is in at most half the cohort)."""
    n = len(kept)
    postings: dict[int, list[int]] = defaultdict(list)
    for i, hashes in enumerate(kept):
        for h in hashes:
            postings[h].append(i)
    shared = np.zeros((n, n), dtype=np.float64)
    for members in postings.values():
        if len(members) > 1:
            idx = np.array(members)
            shared[np.ix_(idx, idx)] += 1.0
    sizes = np.array([len(k) for k in kept], dtype=np.float64)
    union = sizes[:, None] + sizes[None, :] - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(union > 0, shared / union, 0.0)
    np.fill_diagonal(out, 0.0)
    return out


def _robust_z(similarity: np.ndarray) -> np.ndarray:
    """How far each pair's similarity lies above this cohort's typical pair: (s - median) over
    the scaled median absolute deviation (the standard deviation if that is 0). A cohort
    smaller than ``SMALL_COHORT`` is measured against ``BASELINE`` instead."""
    n = similarity.shape[0]
    values = similarity[np.triu_indices(n, k=1)]
    if n < SMALL_COHORT:
        median, spread = BASELINE
    else:
        median = float(np.median(values))
        spread = 1.4826 * float(np.median(np.abs(values - median)))
    if spread <= 1e-9:
        spread = float(np.std(values))
    if spread <= 1e-9:
        return np.zeros_like(similarity)
    z = (similarity - median) / spread
    np.fill_diagonal(z, 0.0)
    return z


@dataclass
class _Term:
    weight: np.ndarray
    cases: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    pairs: dict[tuple[int, int], tuple[tuple[str, str], ...]] = field(default_factory=dict)


def _outcome_terms(subs: Sequence[Submission]) -> tuple[_Term, _Term]:
    """Identical wrong outputs and shared misconceptions on the same hidden case, each pair
    weighted by how rare that outcome is in the cohort."""
    n = len(subs)
    outputs = _Term(np.zeros((n, n)))
    misconceptions = _Term(np.zeros((n, n)))
    by_output: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_misconception: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, s in enumerate(subs):
        for case, outcome in s.outcomes.items():
            if outcome.passed:
                continue
            if outcome.output_digest:
                by_output[(case, outcome.output_digest)].append(i)
            if outcome.misconception:
                by_misconception[(case, outcome.misconception)].append(i)
    cases: dict[tuple[int, int], list[str]] = defaultdict(list)
    for (case, _), members in by_output.items():
        _add(outputs.weight, members, n, 1.0, cases, case)
    outputs.cases = {k: tuple(v) for k, v in cases.items()}
    shared: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for (case, key), members in by_misconception.items():
        if len(members) < 2:
            continue
        bits = MISCONCEPTION_WEIGHT * math.log2(n / len(members))
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                pair = (members[x], members[y])
                if case in outputs.cases.get(pair, ()):
                    continue  # the identical output already counts, more
                misconceptions.weight[pair] += bits
                misconceptions.weight[pair[::-1]] += bits
                shared[pair].append((case, key))
    misconceptions.pairs = {k: tuple(v) for k, v in shared.items()}
    return outputs, misconceptions


def _add(
    weight: np.ndarray,
    members: list[int],
    n: int,
    scale: float,
    cases: dict[tuple[int, int], list[str]],
    case: str,
) -> None:
    if len(members) < 2:
        return
    bits = scale * math.log2(n / len(members))
    idx = np.array(members)
    weight[np.ix_(idx, idx)] += bits
    weight[idx, idx] -= bits
    for x in range(len(members)):
        for y in range(x + 1, len(members)):
            cases[(members[x], members[y])].append(case)


def _reasons(p: PairEvidence) -> tuple[str, ...]:
    out = [
        f"code overlap {p.similarity:.0%} (z = {p.similarity_z:+.1f} against this cohort's pairs)"
    ]
    if p.same_wrong_outputs:
        out.append(f"identical wrong output on hidden case(s): {', '.join(p.same_wrong_outputs)}")
    if p.same_misconceptions:
        shown = ", ".join(f"{case} ({key})" for case, key in p.same_misconceptions)
        out.append(f"the same misconception on: {shown}")
    minutes = p.gap_seconds / 60
    out.append(f"{p.a} submitted first, {minutes:.0f} min before {p.b}")
    if p.repeated_in:
        out.append(f"also flagged on: {', '.join(p.repeated_in)}")
    return tuple(out)


@dataclass(frozen=True)
class Cluster:
    """Students linked, pair by pair, by strong evidence (a group that shared one solution):
    ``members`` sorted, ``problems`` where the links were found, ``score`` the strongest link."""

    members: tuple[str, ...]
    problems: tuple[str, ...]
    score: float


def clusters(
    links: Iterable[tuple[str, str, str, float]], threshold: float = CLUSTER_THRESHOLD
) -> list[Cluster]:
    """Groups of three or more students joined by links (``(problem, a, b, score)``) scoring at
    least ``threshold``: the connected components, strongest first. Two students alone are
    already a pair on the report; a cluster says the same code went round a group."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    strong = [(p, a, b, s) for p, a, b, s in links if s >= threshold]
    for _, a, b, _ in strong:
        parent[root(a)] = root(b)
    groups: dict[str, list[tuple[str, str, str, float]]] = defaultdict(list)
    for link in strong:
        groups[root(link[1])].append(link)
    out = []
    for members_links in groups.values():
        members = sorted({m for _, a, b, _ in members_links for m in (a, b)})
        if len(members) >= 3:
            out.append(
                Cluster(
                    tuple(members),
                    tuple(sorted({p for p, *_ in members_links})),
                    max(s for *_, s in members_links),
                )
            )
    out.sort(key=lambda c: (-len(c.members), -c.score, c.members))
    return out
