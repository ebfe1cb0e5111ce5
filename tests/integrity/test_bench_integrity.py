"""The integrity bench's synthetic cohort is what its table claims (a smoke test, no timing)."""

from bench import bench_integrity
from exercises.integrity.evidence import analyse_problem
from exercises.integrity.leaks import find_leaks


def test_the_bench_cohort_has_500_students_and_catches_its_planted_copies():
    subs, answers, expected = bench_integrity.cohort()
    assert len(subs) == len({s.student for s in subs}) == bench_integrity.STUDENTS == 500
    leaks = find_leaks("matrix", answers, expected)
    assert [(leak.student, leak.source) for leak in leaks][:2] == [
        ("student000", "student001"),
        ("student040", "student041"),
    ]
    report = analyse_problem("conv", subs[:60], top=5)
    assert len(report.pairs) == 5 and report.pairs[0].similarity > 0.5
