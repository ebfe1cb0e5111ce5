"""The convolution step-through: window position, terms, running sum, bias, the map so far."""

from __future__ import annotations

import numpy as np

from exercises.pages.stepthrough import feature_map, window_step
from grader import reference

X7 = [
    [2, 3, 0, 1, 3, 2, 1],
    [0, 2, 2, 2, 2, 1, 0],
    [1, 2, 1, 1, 1, 0, 0],
    [3, 2, 2, 0, 0, 2, 3],
    [2, 0, 0, 0, 0, 2, 0],
    [0, 0, 0, 2, 2, 2, 2],
    [1, 3, 2, 3, 2, 1, 0],
]
W3 = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
LECTURE_MAP = [[6, 9, 7, 6, 6], [9, 7, 7, 6, 5], [6, 5, 2, 3, 3], [5, 4, 4, 6, 9], [5, 6, 6, 8, 4]]


def test_the_lectures_map_comes_out_of_the_single_channel_example():
    assert feature_map({"x": X7, "w": W3, "stride": 1}).tolist() == LECTURE_MAP


def test_a_cell_lists_its_nine_products_and_their_running_sum():
    step = window_step({"x": X7, "w": W3, "stride": 1}, 0, 1)
    assert (step.top, step.left) == (0, 1)
    assert [t.product for t in step.terms] == ["3", "0", "1", "0", "2", "0", "2", "0", "1"]
    assert [t.running for t in step.terms][-1] == "9" == step.total
    assert step.bias is None


def test_the_map_is_filled_up_to_the_selected_cell_like_the_slides():
    step = window_step({"x": X7, "w": W3, "stride": 1}, 1, 1)
    texts = [[cell.text for cell in row] for row in step.output]
    assert texts[0] == ["6", "9", "7", "6", "6"]
    assert texts[1] == ["9", "7", "", "", ""]
    assert step.output[1][1].selected and step.previous == (1, 0) and step.next == (1, 2)


def test_the_window_moves_by_the_stride_and_only_its_cells_are_marked():
    step = window_step({"x": X7, "w": W3, "stride": 2}, 1, 2)
    assert (step.out_rows, step.out_cols) == (3, 3)
    assert (step.top, step.left) == (2, 4)
    marked = [
        (i, j) for i, row in enumerate(step.inputs[0]) for j, c in enumerate(row) if c.in_window
    ]
    assert marked == [(i, j) for i in range(2, 5) for j in range(4, 7)]


def test_three_channels_sum_27_products_then_add_the_bias():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 3, (3, 7, 7)).tolist()
    w = rng.integers(-1, 2, (3, 3, 3)).tolist()
    step = window_step({"x": x, "w": w, "b": 1}, 2, 3)
    assert len(step.terms) == 27 and step.bias == "1"
    expected = reference.conv2d(np.array([x], float), np.array([w], float), np.array([1.0]))
    assert float(step.total) == expected[0, 0, 2, 3]
    assert float(step.terms[-1].running) + 1 == float(step.total)


def test_padding_is_drawn_as_zeros_around_the_input():
    step = window_step({"x": X7, "w": W3, "stride": 1, "pad": 1}, 0, 0)
    assert (step.out_rows, step.out_cols) == (7, 7)
    assert step.inputs[0][0][0].padding and step.inputs[0][0][0].text == "0"
    assert not step.inputs[0][1][1].padding


def test_it_draws_nothing_for_params_that_are_not_one_convolution():
    assert window_step({"n": 7, "f": 3}, 0, 0) is None
    assert window_step({"x": X7, "w": W3, "stride": 3}, 0, 0) is None  # does not fit
    assert window_step({"x": X7, "w": [[[1]]], "stride": 1}, 0, 0) is None


def test_an_out_of_range_cell_is_clamped_into_the_map():
    step = window_step({"x": X7, "w": W3, "stride": 1}, 99, 99)
    assert (step.row, step.col) == (4, 4) and step.next is None


POOL_X = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def test_max_pooling_keeps_the_running_maximum_of_the_window():
    step = window_step({"x": POOL_X, "size": 2, "stride": 2}, 0, 1, mode="max")
    assert (step.top, step.left, step.out_rows) == (0, 2, 2)
    assert [t.x for t in step.terms] == ["2", "4", "7", "8"]
    assert [t.running for t in step.terms] == ["2", "4", "7", "8"] and step.total == "8"
    assert step.filters == [] and step.bias is None


def test_average_pooling_sums_the_window_then_divides_by_its_size():
    step = window_step({"x": POOL_X, "size": 2, "stride": 2}, 1, 0, mode="avg")
    assert step.terms[-1].running == "8" and step.count == 4 and step.total == "2"
    assert [[c.text for c in row] for row in step.output] == [["3.25", "5.25"], ["2", ""]]


def test_a_pooling_window_that_does_not_tile_draws_nothing():
    assert window_step({"x": POOL_X, "size": 3, "stride": 2}, 0, 0, mode="max") is None
