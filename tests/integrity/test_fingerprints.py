"""Code fingerprints and the evidence model, on a cohort of hand-written conv2d solutions.

``conv2d_cohort/`` holds 22 independent solutions (loops, im2col, einsum, stride tricks,
fancy indexing, a class, plain lists, ...) and three copies: one renamed, one renamed with its
helpers reordered, one renamed with statements swapped and comments added. Every file is a
correct conv2d (checked here against the reference).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from exercises.integrity.evidence import (
    BASELINE,
    CLUSTER_THRESHOLD,
    REPEAT_THRESHOLD,
    CaseOutcome,
    Submission,
    analyse_problem,
    combine_problems,
)
from exercises.integrity.fingerprints import fingerprint, normalised_tokens, starter_lines
from grader import reference as ref

COHORT = Path(__file__).parent / "conv2d_cohort"
STARTER = (
    Path(__file__).resolve().parents[2] / "exercises/content/implement-conv2d/starter.py"
).read_text(encoding="utf-8")
COPIES = {
    "copy_of_s01_renamed": "s01_four_loops",
    "copy_of_s13_renamed_reordered": "s13_dict_cache",
    "copy_of_s19_reworked": "s19_flatten_filters_loop",
}


def sources() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(COHORT.glob("*.py"))}


def cohort(minutes_apart: float = 10.0, **outcomes) -> list[Submission]:
    return [
        Submission(name, source, i * minutes_apart * 60, outcomes.get(name, {}))
        for i, (name, source) in enumerate(sources().items())
    ]


def independent(pair) -> bool:
    return not (pair.a.startswith("copy_of") or pair.b.startswith("copy_of"))


@pytest.mark.parametrize("name", sorted(sources()))
def test_every_solution_in_the_fixture_cohort_is_a_correct_conv2d(name):
    namespace: dict = {}
    exec(compile(sources()[name], name, "exec"), namespace)
    rng = np.random.default_rng(7)
    for n, c, size, f, k, stride, pad in [(2, 3, 7, 4, 3, 1, 0), (1, 2, 9, 3, 3, 2, 1)]:
        x, w = rng.normal(size=(n, c, size, size)), rng.normal(size=(f, c, k, k))
        b = rng.normal(size=f)
        got = namespace["conv2d"](x, w, b, stride=stride, pad=pad)
        np.testing.assert_allclose(got, ref.conv2d(x, w, b, stride=stride, pad=pad), atol=1e-9)


def test_the_fixture_cohort_holds_twenty_genuinely_different_solutions():
    originals = {k: v for k, v in sources().items() if not k.startswith("copy_of")}
    assert len(originals) >= 20
    streams = {tuple(t.text for t in normalised_tokens(src)) for src in originals.values()}
    assert len(streams) == len(originals)  # no two are the same code under renaming


def test_renaming_and_comments_leave_the_fingerprint_unchanged():
    original = sources()["s01_four_loops"]
    renamed = sources()["copy_of_s01_renamed"]
    assert fingerprint(original).hashes == fingerprint(renamed).hashes
    assert fingerprint(original).hashes != fingerprint(sources()["s02_im2col"]).hashes


def test_every_renamed_copy_ranks_above_every_independent_pair():
    report = analyse_problem("implement-conv2d", cohort(), STARTER, top=10_000)
    ranked = list(report.pairs)
    best_independent = next(p for p in ranked if independent(p))
    for copy, original in COPIES.items():
        pair = next(p for p in ranked if p.key == {copy, original})
        assert pair.score > best_independent.score, (pair, best_independent)
        assert pair.lines_a and pair.lines_b  # the shared lines, for a side-by-side view
    top = {frozenset(p.key) for p in ranked[: len(COPIES)]}
    assert top == {frozenset(pair) for pair in COPIES.items()}


def test_similarity_alone_is_a_weak_signal_between_independent_solutions():
    """Independent loop solutions overlap too: the copies stand out by the cohort's yardstick
    (z), not by an absolute threshold."""
    report = analyse_problem("implement-conv2d", cohort(), STARTER, top=10_000)
    independent_sims = [p.similarity for p in report.pairs if independent(p)]
    assert max(independent_sims) > 0.2
    copies = [p for p in report.pairs if not independent(p) and p.similarity > 0.5]
    assert min(p.similarity_z for p in copies) > 2 * max(
        p.similarity_z for p in report.pairs if independent(p)
    )


def test_the_starters_lines_are_not_evidence():
    with_starter = [Submission(f"s{i}", STARTER + f"\nVALUE_{i} = {i}\n", i) for i in range(6)]
    report = analyse_problem("p", with_starter, STARTER)
    assert all(p.similarity == 0 for p in report.pairs)
    assert report.dropped_starter == 6
    assert starter_lines(sources()["s01_four_loops"], STARTER) >= {1, 4}


def test_fingerprints_more_than_half_the_cohort_shares_are_dropped():
    shared = sources()["s01_four_loops"]
    subs = [Submission(f"s{i}", shared, i) for i in range(3)]
    others = ("s02_im2col", "s03_einsum_windows", "s04_as_strided")
    subs += [Submission(name, sources()[name], 10) for name in others]
    report = analyse_problem("p", subs, "")
    assert report.dropped_common > 0
    # three identical files out of six is half the cohort: still kept, still flagged
    assert {p.key for p in report.pairs[:3]} == {
        frozenset({"s0", "s1"}),
        frozenset({"s0", "s2"}),
        frozenset({"s1", "s2"}),
    }
    many = [Submission(f"s{i}", shared, i) for i in range(5)] + subs[3:5]
    # five identical files out of seven: what they share is the cohort's idiom, not evidence
    clones = {f"s{i}" for i in range(5)}
    pairs = analyse_problem("p", many, "", top=10_000).pairs
    assert all(p.similarity == 0 for p in pairs if p.key <= clones)


def wrong(digest: str, misconception: str | None = None) -> CaseOutcome:
    return CaseOutcome(passed=False, output_digest=digest, misconception=misconception)


def test_an_identical_rare_wrong_output_outranks_similar_independent_code():
    cases = {"hidden-1": wrong("a1b2"), "hidden-2": wrong("c3d4"), "hidden-3": wrong("e5f6")}
    subs = cohort(s03_einsum_windows=cases, s21_lists_only=cases)
    report = analyse_problem("implement-conv2d", subs, STARTER, top=10_000)
    pair = next(p for p in report.pairs if p.key == {"s03_einsum_windows", "s21_lists_only"})
    assert pair.similarity < 0.05  # nothing alike in the code
    assert pair.same_wrong_outputs == ("hidden-1", "hidden-2", "hidden-3")
    assert pair.score > max(p.score for p in report.pairs if independent(p) and p is not pair)
    assert any("identical wrong output" in r for r in pair.reasons)


def test_a_wrong_output_half_the_cohort_shares_counts_for_little():
    rare = {"hidden-1": wrong("rare")}
    common = {"hidden-1": wrong("everyone")}
    outcomes = {name: common for name in list(sources())[:12]}
    outcomes |= {"s03_einsum_windows": rare, "s21_lists_only": rare}
    report = analyse_problem("p", cohort(**outcomes), STARTER, top=10_000)
    by_key = {p.key: p for p in report.pairs}
    rare_pair = by_key[frozenset({"s03_einsum_windows", "s21_lists_only"})]
    names = list(sources())[:12]
    common_pair = by_key.get(frozenset({names[4], names[7]}))
    assert common_pair is None or common_pair.score < rare_pair.score


def test_the_same_misconception_with_different_outputs_counts_half_as_much():
    same_output = {"hidden-1": wrong("x", "flipped-kernel")}
    subs = cohort(
        s03_einsum_windows=same_output,
        s21_lists_only=same_output,
        s04_as_strided={"hidden-1": wrong("y", "missing-bias")},
        s16_itertools_product={"hidden-1": wrong("z", "missing-bias")},
    )
    report = analyse_problem("p", subs, STARTER, top=10_000)
    by_key = {p.key: p for p in report.pairs}
    outputs = by_key[frozenset({"s03_einsum_windows", "s21_lists_only"})]
    mistake = by_key[frozenset({"s04_as_strided", "s16_itertools_product"})]
    assert mistake.same_misconceptions == (("hidden-1", "missing-bias"),)
    assert outputs.same_misconceptions == ()  # the identical output already says it
    assert 0 < mistake.score < outputs.score


def test_the_pair_names_who_submitted_first():
    subs = cohort()
    late = [
        Submission(s.student, s.source, 0 if s.student == "copy_of_s01_renamed" else 10**6)
        for s in subs
    ]
    report = analyse_problem("p", late, STARTER)
    pair = next(p for p in report.pairs if p.key == {"copy_of_s01_renamed", "s01_four_loops"})
    assert (pair.a, pair.b) == ("copy_of_s01_renamed", "s01_four_loops")
    assert pair.gap_seconds == 10**6


def test_a_pair_flagged_on_several_problems_rises_above_a_one_off():
    first = analyse_problem("conv", cohort(), STARTER)
    again = {
        "s12_channel_sum_first": sources()["s01_four_loops"],
        "s17_full_then_subsample": sources()["copy_of_s01_renamed"],
    }
    second_subs = [
        Submission(s.student, again.get(s.student, s.source), s.submitted_at) for s in cohort()
    ]
    second = analyse_problem("pool", second_subs, STARTER)
    combined = combine_problems([first, second])
    pair = next(
        p
        for p in combined
        if p.problem == "conv" and p.key == {"s12_channel_sum_first", "s17_full_then_subsample"}
    )
    single = next(p for p in first.pairs if p.key == pair.key)
    assert pair.repeated_in == ("pool",) and pair.score > single.score
    assert any("also flagged on: pool" in r for r in pair.reasons)


def test_the_integrity_core_runs_without_django():
    code = (
        "import sys, exercises.integrity.evidence, exercises.integrity.leaks; "
        "sys.exit('django' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


def test_students_linked_by_strong_pairs_form_a_cluster_and_weak_links_do_not():
    from exercises.integrity.evidence import clusters

    links = [
        ("conv2d", "ann", "bob", 9.0),
        ("conv2d", "bob", "cy", 8.5),  # ann -> bob -> cy: one group of three
        ("pool", "dan", "eve", 8.0),  # a pair alone is not a cluster
        ("conv2d", "cy", "fay", 1.0),  # too weak to join fay in
    ]
    found = clusters(links)
    assert [c.members for c in found] == [("ann", "bob", "cy")]
    assert found[0].problems == ("conv2d",) and found[0].score == 9.0
    assert clusters(links, threshold=0.5)[0].members == ("ann", "bob", "cy", "fay")


def lone_pair(first: str, second: str) -> list:
    """Two students, two hours apart (no timing bonus): the whole cohort of a problem."""
    return [Submission("a", sources()[first], 0), Submission("b", sources()[second], 7200)]


def test_a_lone_pair_of_copies_scores_high_and_of_unrelated_code_low():
    """Two submissions are no cohort: "more than half" of two is every fingerprint they share,
    and one pair has no spread. A lone pair used to read 0% overlap and z = 0 whatever its code
    (so a copy handed in within 15 minutes scored 1.0, its timing bonus, and an unrelated pair
    the same). Now its real overlap counts, measured against independent solutions."""
    copy = analyse_problem("p", lone_pair("s01_four_loops", "copy_of_s01_renamed"), STARTER)
    [pair] = copy.pairs
    assert pair.similarity == 1.0 and copy.dropped_common == 0
    assert pair.score >= CLUSTER_THRESHOLD
    unrelated = analyse_problem("p", lone_pair("s01_four_loops", "s03_einsum_windows"), STARTER)
    [other] = unrelated.pairs
    assert 0 < other.similarity < 0.2
    assert other.score < REPEAT_THRESHOLD < pair.score


def test_every_copy_alone_outscores_every_two_independent_solutions_alone():
    names = sorted(n for n in sources() if not n.startswith("copy_of"))
    independent_best = max(
        pair.score
        for i, x in enumerate(names)
        for y in names[i + 1 :]
        for pair in analyse_problem("p", lone_pair(x, y), STARTER).pairs
    )
    for copy, original in COPIES.items():
        [pair] = analyse_problem("p", lone_pair(original, copy), STARTER).pairs
        assert pair.score > independent_best + 2, (copy, pair.score, independent_best)


def test_three_submissions_keep_what_two_of_them_share():
    subs = lone_pair("s01_four_loops", "copy_of_s01_renamed")
    subs.append(Submission("c", sources()["s03_einsum_windows"], 20_000))
    report = analyse_problem("p", subs, STARTER)
    assert report.pairs[0].key == {"a", "b"} and report.pairs[0].similarity == 1.0
    assert report.pairs[0].score >= CLUSTER_THRESHOLD
    assert all(p.score < REPEAT_THRESHOLD for p in report.pairs[1:])


def test_the_small_cohort_baseline_is_the_fixture_cohorts_independent_pairs():
    """``BASELINE`` is measured, not chosen: the median and scaled MAD of the overlap of every
    two independent solutions of the fixture, every fingerprint but the starter's kept."""
    starter = fingerprint(STARTER).hashes
    kept = [
        fingerprint(src).hashes - starter
        for name, src in sorted(sources().items())
        if not name.startswith("copy_of")
    ]
    overlaps = np.array(
        [len(x & y) / len(x | y) for i, x in enumerate(kept) for y in kept[i + 1 :]]
    )
    median = float(np.median(overlaps))
    spread = 1.4826 * float(np.median(np.abs(overlaps - median)))
    assert (round(median, 3), round(spread, 3)) == BASELINE
