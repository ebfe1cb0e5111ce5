"""Cross-variant leaks: an answer that is another student's right answer and not one's own."""

from __future__ import annotations

from exercises.integrity.leaks import check_answer, find_leaks
from grader.kinds import get_kind
from grader.recipes import RECIPES, expected_answer


def cohort_expected(recipe: str, kind: str, students: int = 12) -> dict[str, object]:
    """Each student's right answer for their own variant of a bank recipe (seed = index)."""
    spec = {"kind": kind, "recipe": recipe}
    problem_kind = get_kind(kind)
    return {
        f"student{i}": expected_answer(RECIPES[recipe], problem_kind.generate(spec, i))
        for i in range(students)
    }


def test_a_copied_feature_map_from_another_variant_is_flagged_naming_the_source():
    expected = cohort_expected("conv-single-channel", "matrix")
    copied = expected["student3"]
    assert copied != expected["student7"]
    leak = check_answer("matrix", "student7", copied, expected)
    assert leak is not None and leak.source == "student3" and leak.sources == ("student3",)
    assert leak.describe() == "student7 answered the expected answer of student3's variant"
    assert find_leaks("matrix", {"student7": [[[0]], copied]}, expected) == [leak]


def test_ones_own_right_answer_or_a_plain_wrong_one_is_no_leak():
    expected = cohort_expected("conv-single-channel", "matrix")
    assert check_answer("matrix", "student3", expected["student3"], expected) is None
    assert check_answer("matrix", "student3", [[1, 2], [3, 4]], expected) is None
    assert check_answer("matrix", "student3", "not a matrix", expected) is None


def test_a_scalar_output_size_never_flags():
    expected = cohort_expected("output-size-padding", "number", students=40)
    for student in expected:
        for other, theirs in expected.items():
            if other != student:
                assert check_answer("size", student, theirs, expected) is None
                assert check_answer("number", student, theirs, expected) is None  # small
    assert find_leaks("size", {s: list(expected.values()) for s in expected}, expected) == []


def test_a_parameter_count_from_another_variant_is_flagged():
    expected = cohort_expected("conv-layer-params", "number")
    mine, theirs = expected["student1"], expected["student2"]
    assert mine != theirs and theirs >= 100
    assert check_answer("number", "student1", theirs, expected).source == "student2"


def test_a_value_two_variants_share_points_at_nobody():
    expected = {"ann": [[1, 2], [3, 4]], "bob": [[1, 2], [3, 4]], "cy": [[9, 9], [9, 9]]}
    assert check_answer("matrix", "cy", [[1, 2], [3, 4]], expected) is None
    # the same variant served to two students: still one variant, and both are named
    same = check_answer(
        "matrix", "cy", [[1, 2], [3, 4]], expected, variants={"ann": 5, "bob": 5, "cy": 6}
    )
    assert same is not None and same.sources == ("ann", "bob")


def test_shapes_never_flag():
    expected = {"ann": [28, 28, 6], "bob": [14, 14, 16]}
    assert check_answer("shape", "ann", [14, 14, 16], expected) is None
