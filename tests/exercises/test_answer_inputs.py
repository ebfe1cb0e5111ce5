"""Reading the problem page's inputs back into the API's answer."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from exercises.pages.answer_inputs import AnswerError, build_widget, parse_rows, read_answer


def post(**fields) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in fields.items():
        q.setlist(key, value if isinstance(value, list) else [value])
    return q


def test_pasted_rows_split_on_spaces_commas_and_tabs():
    assert parse_rows("1 2\t3\n4,5, 6\n\n") == [[1, 2, 3], [4, 5, 6]]
    assert parse_rows("[[1, 2.5]]") == [[1, 2.5]]


def test_a_bad_number_says_which():
    with pytest.raises(AnswerError, match="'x' is not a number"):
        parse_rows("1 x")


def test_a_grid_reads_as_a_matrix_and_the_text_box_wins_when_used():
    fmt = {"type": "matrix", "rows": 1, "cols": 2}
    assert read_answer("matrix", fmt, post(**{"cell-0-0": "1", "cell-0-1": "2,5"})) == {
        "answer": [[1, 2.5]]
    }
    assert read_answer("matrix", fmt, post(answer="7 8", **{"cell-0-0": "1"})) == {
        "answer": [[7, 8]]
    }


def test_a_bad_cell_is_named_by_row_and_column():
    fmt = {"type": "matrix", "rows": 1, "cols": 2}
    with pytest.raises(AnswerError, match="Row 1, column 2") as caught:
        read_answer("matrix", fmt, post(**{"cell-0-0": "1", "cell-0-1": "abc"}))
    assert caught.value.field == "cell-0-1"


def test_does_not_fit_is_a_box_to_tick_where_the_format_takes_it():
    fmt = {"type": "number", "accepts": ["number", "does-not-fit"]}
    assert read_answer("number", fmt, post(does_not_fit="1")) == {"answer": "does-not-fit"}
    assert read_answer("number", fmt, post(answer="5")) == {"answer": 5}
    with pytest.raises(AnswerError):
        read_answer("number", {"type": "number", "accepts": ["number"]}, post(answer="five"))


def test_a_number_typed_and_the_box_ticked_are_refused_together():
    fmt = {"type": "number", "accepts": ["number", "does-not-fit"]}
    with pytest.raises(AnswerError, match="not both") as caught:
        read_answer("number", fmt, post(answer="6", does_not_fit="1"))
    assert caught.value.field == "does_not_fit"
    # The API's word keeps working when typed (the page says to tick the box).
    assert read_answer("number", fmt, post(answer="does-not-fit")) == {"answer": "does-not-fit"}


def test_a_shape_is_whole_numbers_in_order():
    fmt = {"type": "shape", "length": 3}
    assert read_answer("shape", fmt, post(**{"dim-0": "5", "dim-1": "5", "dim-2": "6.0"})) == {
        "answer": [5, 5, 6]
    }
    with pytest.raises(AnswerError, match="depth"):
        read_answer("shape", fmt, post(**{"dim-0": "5", "dim-1": "5"}))


def test_choices_are_one_key_or_a_list_and_unknown_keys_are_refused():
    options = [{"key": "a", "text": "A"}, {"key": "b", "text": "B"}]
    one = {"type": "choice", "multiple": False, "options": options}
    many = {"type": "choice", "multiple": True, "options": options}
    assert read_answer("choice", one, post(choice="b")) == {"answer": "b"}
    assert read_answer("choice", many, post(choice=["a", "b"])) == {"answer": ["a", "b"]}
    with pytest.raises(AnswerError):
        read_answer("choice", one, post(choice="z"))
    with pytest.raises(AnswerError):
        read_answer("choice", one, post(choice=["a", "b"]))


def test_code_is_sent_as_written():
    assert read_answer("code", {}, post(code="def f():\n    pass\n")) == {
        "code": "def f():\n    pass\n"
    }


def test_the_widget_keeps_what_was_typed_and_starts_code_from_the_starter():
    fmt = {"type": "matrix", "rows": 1, "cols": 1}
    grid = build_widget("matrix", fmt, post=post(**{"cell-0-0": "4"}))
    assert grid.grid[0][0]["value"] == "4"
    code = build_widget("code", {"type": "code"}, starter_code="def conv2d(x):\n")
    assert code.type == "code" and code.code.startswith("def conv2d")
    huge = build_widget("matrix", {"type": "matrix", "rows": 100, "cols": 100})
    assert huge.type == "text"
