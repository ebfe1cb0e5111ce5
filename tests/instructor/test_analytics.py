"""Per-problem analytics: counts, median attempts to solve, wrong answers by misconception,
per-test failure rates, and the score-distribution chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exercises.models import Role, TestResult
from exercises.teach import analytics, charts
from tests import factories

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def class_of_four(cohort, student, other_student):
    carol = factories.make_user("carol")
    factories.add_member(carol, cohort, Role.STUDENT)
    dave = factories.make_user("dave")
    factories.add_member(dave, cohort, Role.STUDENT)
    return student, other_student, carol, dave


def test_it_counts_attempts_solvers_and_the_median_attempts_to_solve(
    class_of_four, assignment, tally_problem, grade
):
    alice, bob, carol, _dave = class_of_four
    at = iter(T0 + timedelta(minutes=i) for i in range(100))
    grade(alice, tally_problem, assignment, "correct", at=next(at))  # 1 attempt
    grade(bob, tally_problem, assignment, "forgot-b", at=next(at))
    grade(bob, tally_problem, assignment, "abc", at=next(at))  # invalid: does not count
    grade(bob, tally_problem, assignment, "forgot-b", at=next(at))
    grade(bob, tally_problem, assignment, "correct", at=next(at))  # 3 attempts
    grade(carol, tally_problem, assignment, 1000, at=next(at))  # tried, never solved
    stats = analytics.problem_stats(assignment.cohort, tally_problem)
    assert (stats.enrolled, stats.students, stats.solved, stats.attempts) == (4, 3, 2, 5)
    assert stats.share_solved == pytest.approx(2 / 3)
    assert stats.median_attempts_to_solve == 2.0
    assert stats.distribution[9] == 2 and stats.distribution[0] == 1


def test_wrong_answers_are_grouped_by_diagnosed_misconception(
    class_of_four, assignment, second_problem, grade
):
    alice, bob, carol, dave = class_of_four
    # second_problem is pinned: a=3, b=4 for everyone
    for user in (alice, bob, carol):
        grade(user, second_problem, assignment, 3)  # forgot b
    grade(dave, second_problem, assignment, 12)
    grade(dave, second_problem, assignment, 12)
    grade(alice, second_problem, assignment, 8)  # partial (off by one): not wrong-diagnosed
    stats = analytics.problem_stats(assignment.cohort, second_problem)
    first, second = stats.wrong_answers
    assert (first.key, first.title, first.count, first.answers) == (
        "forgot-b",
        "Forgot to add b",
        3,
        [("3", 3)],
    )
    assert second.key == analytics.UNDIAGNOSED
    assert second.answers == [("12", 2), ("8", 1)]


def test_per_test_failure_rates_come_from_test_rows(
    student, other_student, assignment, tally_problem, grade
):
    for user, passes in ((student, [True, False]), (other_student, [False, False])):
        submission = grade(user, tally_problem, assignment, 0)
        for order, passed in enumerate(passes):
            TestResult.objects.create(
                submission=submission, order=order, name=f"test_{order}", passed=passed
            )
    stats = analytics.problem_stats(assignment.cohort, tally_problem)
    assert [(t.name, t.runs, t.failed, t.rate) for t in stats.test_failures] == [
        ("test_1", 2, 2, 1.0),
        ("test_0", 2, 1, 0.5),
    ]


def test_bins_put_full_marks_in_the_last_bin():
    assert [analytics.bin_of(x) for x in (0, 0.05, 0.1, 0.5, 0.99, 1.0)] == [0, 0, 1, 5, 9, 9]


def test_the_chart_is_escaped_svg_with_one_bar_per_bin():
    svg = charts.bar_chart_svg([0, 3, 1], ["a<b", "c", "d"], title='Scores "now"')
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 3
    assert "a&lt;b" in svg and 'aria-label="Scores &quot;now&quot;"' in svg
    assert "<script" not in svg


def test_the_chart_refuses_mismatched_labels():
    with pytest.raises(ValueError, match="2 counts but 1 labels"):
        charts.bar_chart_svg([1, 2], ["x"], title="t")


def test_the_analytics_page_draws_the_chart_without_scripts(
    client_for, instructor, student, assignment, tally_problem, grade
):
    grade(student, tally_problem, assignment, "forgot-b")
    page = (
        client_for(instructor)
        .get(f"/teach/{assignment.cohort.slug}/problems/{tally_problem.slug}/analytics")
        .content.decode()
    )
    assert "<svg" in page and "Forgot to add b" in page
    assert "cdn" not in page.lower()
