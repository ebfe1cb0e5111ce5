"""The number kind: sizes, counts and dot products, with "does-not-fit" where a size may not fit."""

import math

import pytest

from grader.recipes import ANSWER_DOES_NOT_FIT, DOES_NOT_FIT
from grader.results import Verdict
from grader.texts import LANGUAGES, catalogue, localize
from tests.grader.conftest import spec_for

STRIDE = spec_for("output-size-stride")
PADDING = spec_for("output-size-padding")
PARAMS = spec_for("conv-layer-params")


def shown(grade) -> str:
    """What a student reads: the feedback paragraph, then the diagnosis (title, explanation)."""
    m = grade.feedback.get("misconception") or {}
    return f"{grade.message} {m.get('title', '')}. {m.get('explanation', '')}"


def test_the_pinned_variant_is_the_lectures_doesnt_fit_example(number):
    params = number.generate(STRIDE, None)
    assert params == {"n": 7, "f": 3, "stride": 3}
    assert number.expected(STRIDE, params) == "does-not-fit"
    assert number.answer_format(STRIDE, params) == {
        "type": "number",
        "accepts": ["number", "does-not-fit"],
    }


@pytest.mark.parametrize(
    "answer", ["does-not-fit", "Does not fit", " doesn't fit ", "DOES_NOT_FIT"]
)
def test_it_accepts_the_spellings_of_does_not_fit(number, answer):
    grade = number.grade(STRIDE, {"n": 7, "f": 3, "stride": 3}, answer)
    assert grade.verdict == Verdict.CORRECT and grade.score == 1.0


def test_a_number_for_a_size_that_does_not_fit_is_told_why(number):
    grade = number.grade(STRIDE, {"n": 7, "f": 3, "stride": 3}, 2)
    assert grade.verdict == Verdict.INCORRECT
    assert grade.feedback["misconception"]["key"] == "rounded-down"
    assert "(7 - 3) / 3 + 1 = 2.333 is not a whole number, and rounding it down to 2" in (
        shown(grade)
    )
    assert grade.feedback["fit"]["fits"] is False


def test_a_number_that_matches_no_mistake_still_hears_it_does_not_fit(number):
    grade = number.grade(STRIDE, {"n": 7, "f": 3, "stride": 3}, 17)
    assert grade.verdict == Verdict.INCORRECT
    assert grade.message == (
        "It doesn't fit: (7 - 3) / 3 + 1 = 2.333 is not a whole number (4 is not divisible by "
        "the stride 3). Answer that it does not fit: tick “It does not fit” in the form, or send "
        '"does-not-fit" through the API.'
    )
    assert localize(grade.feedback, "ko")["message"] == (
        "들어맞지 않습니다: (7 - 3) / 3 + 1 = 2.333, 정수가 아닙니다(4은(는) 스트라이드 3(으)로 "
        "나누어떨어지지 않습니다). 들어맞지 않는다고 답하세요: 양식에서는 “맞지 않음”에 표시하고, "
        'API로는 "does-not-fit"을 보내세요.'
    )
    assert "misconception" not in grade.feedback


def test_does_not_fit_for_a_size_that_fits_is_told_why(number):
    grade = number.grade(PADDING, {"n": 7, "f": 3, "stride": 1, "pad": 1}, "does-not-fit")
    assert grade.verdict == Verdict.INCORRECT
    assert grade.message.startswith("It fits: 6 is divisible by the stride 1")
    assert grade.feedback["fit"]["fits"] is True


def test_does_not_fit_because_the_padding_was_forgotten_names_the_padding(number):
    params = {"n": 8, "f": 3, "stride": 3, "pad": 2}  # (8+4-3)/3+1 = 4; (8-3)/3 does not fit
    grade = number.grade(PADDING, params, "does-not-fit")
    assert grade.feedback["misconception"]["key"] == "forgot-padding"
    assert "It fits: 9 is divisible by the stride 3" in shown(grade)
    assert "Forgot the padding. (8 - 3) / 3 + 1 = 2.667, not a whole number leaves out" in (
        shown(grade)
    )


def test_the_lectures_parameter_count_and_its_missing_bias(number):
    params = number.generate(PARAMS, None)
    assert params == {"c": 3, "f": 5, "k": 10}
    assert number.expected(PARAMS, params) == 760
    grade = number.grade(PARAMS, params, 750)
    assert grade.verdict == Verdict.INCORRECT and grade.score == 0.0
    # The paragraph points at the diagnosis; neither says the right number (760).
    assert grade.message == (
        "750 is not right. It matches a known mistake: the diagnosis shows which step to check."
    )
    assert grade.feedback["misconception"]["explanation"] == (
        "(5*5*3)*10 = 750: each filter also has one bias, so 5*5*3 + 1 = 76 "
        "parameters per filter, and 76*10 = ?."
    )
    assert "760" not in shown(grade)
    assert grade.feedback["misconception"]["step"] == "per filter: 5*5*3 + 1 = 76"


def test_an_unrecognised_wrong_number_gets_a_generic_nudge(number):
    grade = number.grade(PARAMS, {"c": 3, "f": 5, "k": 10}, 761)
    assert grade.verdict == Verdict.INCORRECT
    assert grade.message.startswith("761 is not right. Go through it again step by step:")


def test_a_right_answer_is_never_diagnosed_even_if_a_mistake_gives_it(number):
    spec = spec_for("same-padding")
    # f = 1: the right padding 0 is also f - 1 (the "total padding" mistake)
    grade = number.grade(spec, {"f": 1}, 0)
    assert grade.verdict == Verdict.CORRECT and "misconception" not in grade.feedback


def test_two_mistakes_giving_the_same_number_name_the_first_and_mention_the_other(number):
    grade = number.grade(PADDING, {"n": 7, "f": 3, "stride": 1, "pad": 1}, 6)
    assert grade.feedback["misconception"]["key"] == "padding-once"
    assert grade.feedback["also"] == [{"key": "forgot-plus-one", "title": "Forgot the +1"}]
    assert grade.message.endswith("(The same answer also comes from: forgot the +1.)")


def test_tolerance_from_the_spec(number):
    spec = spec_for("dot-product-3x3", tolerance={"abs": 0.5})
    params = {
        "patch": [[1, 0, 0], [0, 0, 0], [0, 0, 0]],
        "filter": [[2, 0, 0], [0, 0, 0], [0, 0, 0]],
    }
    assert number.grade(spec, params, 2.4).verdict == Verdict.CORRECT
    assert number.grade(spec, params, 2.6).verdict == Verdict.INCORRECT
    assert number.grade(spec_for("dot-product-3x3"), params, 2.0).verdict == Verdict.CORRECT


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (True, "the answer must be a number, got true"),
        (None, "the answer must be a number, got nothing (null)"),
        ("12", 'the answer must be a number, got the string "12"'),
        ("x" * 100, 'the answer must be a number, got the string "' + "x" * 37 + '..."'),
        ([760], "the answer must be a number, got a list"),
        ({"answer": 760}, "the answer must be a number, got an object"),
        (math.nan, "the answer must be a finite number, got nan"),
        (math.inf, "the answer must be a finite number, got inf"),
        (1e13, "the answer is too large: numbers up to 1e+12 are accepted"),
        (10**400, "the answer is too large: numbers up to 1e+12 are accepted"),
        ("does-not-fit", 'this problem\'s answer is a number; "does-not-fit" is not one of'),
    ],
)
def test_bad_answers_are_invalid_with_a_clear_message(number, answer, message):
    grade = number.grade(PARAMS, {"c": 3, "f": 5, "k": 10}, answer)
    assert grade.verdict == Verdict.INVALID and grade.score == 0.0
    assert grade.message.startswith(message)


def test_a_string_for_an_output_size_mentions_does_not_fit(number):
    grade = number.grade(STRIDE, {"n": 7, "f": 3, "stride": 1}, "five")
    assert grade.message == 'the answer must be a number or "does-not-fit", got the string "five"'


def test_the_format_of_a_count_accepts_only_numbers(number):
    assert number.answer_format(PARAMS, {"c": 3, "f": 5, "k": 10}) == {
        "type": "number",
        "accepts": ["number"],
    }


def test_about_a_third_of_output_size_variants_do_not_fit(number):
    answers = [number.expected(PADDING, number.generate(PADDING, s)) for s in range(300)]
    share = answers.count("does-not-fit") / len(answers)
    assert 0.2 < share < 0.45


def test_the_spec_can_ask_for_every_variant_to_fit(number):
    spec = spec_for("output-size-stride", does_not_fit=0)
    assert all(number.expected(spec, number.generate(spec, s)) != "does-not-fit" for s in range(60))


# --- numbers typed as text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "readings"),
    [
        ("45,126", ("45126", "45.126")),
        ("1,000", ("1000", "1.000")),
        ("-1,000", ("-1000", "-1.000")),
    ],
)
def test_a_comma_before_three_digits_is_refused_with_both_readings(typed, readings):
    from grader.kinds.answers import read_number_text
    from grader.kinds.base import InvalidAnswer

    with pytest.raises(InvalidAnswer, match="ambiguous") as caught:
        read_number_text(typed)
    assert f"Write {readings[0]} or {readings[1]}" in str(caught.value)
    assert repr(typed) in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("1,000,000", "1000000"),
        ("1.000.000", "1000000"),
        ("1,234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("45 126", "45126"),
        ("45\u202f126", "45126"),
        ("1_000", "1000"),
    ],
)
def test_grouped_digits_are_refused_saying_how_to_write_the_number(typed, written):
    from grader.kinds.answers import read_number_text
    from grader.kinds.base import InvalidAnswer

    with pytest.raises(InvalidAnswer, match="separators between its digits") as caught:
        read_number_text(typed)
    assert f"write it as {written} " in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("7", 7),
        (" -2.5 ", -2.5),
        ("\u22123", -3),
        ("2,5", 2.5),  # a lone decimal comma that cannot be a thousands one
        ("0,125", 0.125),
        ("45.126", 45.126),  # the point is always the decimal mark
        ("45126.4", 45126.4),
        ("1e-3", 0.001),
    ],
)
def test_unambiguous_numbers_are_read(typed, value):
    from grader.kinds.answers import read_number_text

    read = read_number_text(typed)
    assert read == value and type(read) is type(value)


def test_a_students_number_is_shown_back_with_every_digit(number):
    from grader.kinds.answers import typed_number

    assert [typed_number(v) for v in (45126.4, 45126.0, 761, 0.1, -3.25)] == [
        "45126.4",
        "45126",
        "761",
        "0.1",
        "-3.25",
    ]
    grade = number.grade(PARAMS, {"c": 3, "f": 5, "k": 10}, 45126.4)
    assert grade.message.startswith("45126.4 is not right.")


def test_every_text_that_asks_for_does_not_fit_ends_with_the_one_sentence_for_both_channels():
    """The pages' forms have a box, the API takes the string: a text asking a student to answer
    that it does not fit ends with ``ANSWER_DOES_NOT_FIT``, which names both, in every
    language. (The ``answer.*`` texts say what the grader read, not what to answer.)"""
    asking = {
        key: entry
        for key, entry in catalogue().items()
        if not key.startswith("answer.") and any(DOES_NOT_FIT in t for t in entry.values())
    }
    assert {"fit.does-not-fit", "formula.does-not-fit"} <= set(asking)
    for key, entry in asking.items():
        for language in LANGUAGES:
            assert entry[language].endswith(ANSWER_DOES_NOT_FIT[language]), (key, language)
            assert entry[language].count(DOES_NOT_FIT) == 1, (key, language)
