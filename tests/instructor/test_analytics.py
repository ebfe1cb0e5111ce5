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
    assert (first.key, first.title, first.count, first.students) == (
        "forgot-b",
        "Forgot to add b",
        3,
        3,
    )
    assert [(r.text, r.students, r.answers) for r in first.relations] == [
        ("answer \u2212 expected = \u22124", 3, 3)
    ]
    assert second.key == analytics.UNDIAGNOSED
    assert [(s.username, [(a.text, a.times) for a in s.answers]) for s in second.by_student] == [
        ("alice", [("8", 1)]),
        ("dave", [("12", 2)]),
    ]


@pytest.fixture
def spread_problem(db):
    """Every student draws their own a (10..99); b is 4 for all: "forgot b" is the same
    mistake whatever the number a student typed."""
    return factories.make_problem(
        "tally-spread", kind="tally", spec={"a": [10, 99], "b": [4, 4]}, title="Spread", points=1
    )


def _variant(user, problem, assignment):
    from exercises.submissions import services
    from grader.grading import params_for

    return params_for(
        problem.kind, problem.spec, services.variant_seed(user.pk, problem, assignment, 1)
    )


def test_one_mistake_on_different_numbers_is_one_relation_with_each_students_raw_answer(
    class_of_four, cohort, spread_problem, grade
):
    assignment = factories.make_assignment(cohort, [spread_problem], title="Spread", slug="spread")
    for user in class_of_four:
        grade(user, spread_problem, assignment, "forgot-b")
    raw = {u.username: _variant(u, spread_problem, assignment)["a"] for u in class_of_four}
    assert len(set(raw.values())) > 1  # the pooled view would list several numbers

    (group,) = analytics.problem_stats(cohort, spread_problem).wrong_answers
    assert (group.key, group.count, group.students, group.measure) == (
        "forgot-b",
        4,
        4,
        "difference",
    )
    assert [(r.text, r.students, r.answers) for r in group.relations] == [
        ("answer \u2212 expected = \u22124", 4, 4)
    ]
    assert {
        s.username: [(a.text, a.expected, a.relation) for a in s.answers] for s in group.by_student
    } == {
        name: [(str(a), str(a + 4), "answer \u2212 expected = \u22124")] for name, a in raw.items()
    }


def test_a_shared_ratio_wins_over_scattered_differences(
    class_of_four, cohort, spread_problem, grade
):
    assignment = factories.make_assignment(cohort, [spread_problem], title="Spread", slug="spread")
    for user in class_of_four:
        right = _variant(user, spread_problem, assignment)["a"] + 4
        grade(user, spread_problem, assignment, 2 * right)  # undiagnosed: twice the answer
    (group,) = analytics.problem_stats(cohort, spread_problem).wrong_answers
    assert group.key == analytics.UNDIAGNOSED and group.measure == "ratio"
    assert [(r.text, r.students) for r in group.relations] == [("answer \u00f7 expected = 2", 4)]


@pytest.mark.parametrize(
    ("answer", "expected", "difference", "ratio"),
    [
        (750, 760, "answer \u2212 expected = \u221210", "answer \u00f7 expected = 0.987"),
        (0.30000000000000004, 0.1, "answer \u2212 expected = 0.2", "answer \u00f7 expected = 3"),
        (5, 0, "answer \u2212 expected = 5", None),
        ("does-not-fit", 3, "answered does-not-fit; it fits", "answered does-not-fit; it fits"),
        (
            3,
            "does-not-fit",
            "answered a number; it does not fit",
            "answered a number; it does not fit",
        ),
        (
            [[5, 6], [7, 8]],
            [[6, 7], [8, 9]],
            "answer \u2212 expected = \u22121 in every cell",
            None,
        ),
        ([[1, 0], [3, 4]], [[1, 2], [3, 4]], "1 of 4 cells differ", None),
        (
            [[1, 2, 3]],
            [[1, 2], [3, 4]],
            "a 1 \u00d7 3 matrix for a 2 \u00d7 2 one",
            "a 1 \u00d7 3 matrix for a 2 \u00d7 2 one",
        ),
        (
            [28, 28, 6],
            [24, 24, 6],
            "answer \u2212 expected = (4, 4, 0)",
            "answer \u00f7 expected = (1.17, 1.17, 1)",
        ),
        ("b", "a", 'answered "b"', 'answered "b"'),
    ],
)
def test_relate_reads_an_answer_against_its_own_variant(answer, expected, difference, ratio):
    relation = analytics.relate(answer, expected)
    assert (relation.difference, relation.ratio) == (difference, ratio)


def test_a_matrix_twice_the_right_one_has_one_ratio_in_every_cell():
    relation = analytics.relate([[2, 4], [6, 8]], [[1, 2], [3, 4]])
    assert relation.ratio == "answer \u00f7 expected = 2 in every cell"
    assert relation.difference == "4 of 4 cells differ"


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
