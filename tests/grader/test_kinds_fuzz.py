"""No answer, however strange, makes a kind raise: it is graded or declared invalid."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.kinds import get_kind
from grader.recipes import RECIPES
from grader.results import Grade, Verdict

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["does-not-fit", "Does not fit", "local", "a"]),
    lambda children: (
        st.lists(children, max_size=8) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=40,
)
SPECS = [{"kind": r.answer, "recipe": name} for name, r in RECIPES.items()] + [
    {
        "kind": "choice",
        "multiple": True,
        "scoring": "partial",
        "options": [{"key": "local", "text": "L"}, {"key": "a", "text": "A"}],
        "correct": ["local"],
    }
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.sampled_from(SPECS), answer=JSON)
def test_grading_never_raises(spec, answer):
    kind = get_kind(spec["kind"])
    grade = kind.grade(spec, kind.generate(spec, None), answer)
    assert isinstance(grade, Grade)
    if grade.verdict == Verdict.INVALID:
        assert grade.message and grade.score == 0.0
    Grade.from_dict(grade.to_dict())


@settings(max_examples=100, deadline=None)
@given(
    spec=st.sampled_from(SPECS[:-1]),
    rows=st.lists(
        st.lists(st.integers(min_value=-5, max_value=12), min_size=1, max_size=6),
        min_size=1,
        max_size=6,
    ),
)
def test_matrices_and_lists_of_any_size_are_graded_or_invalid(spec, rows):
    kind = get_kind(spec["kind"])
    params = kind.generate(spec, 5)
    for answer in (rows, rows[0]):
        assert isinstance(kind.grade(spec, params, answer), Grade)
