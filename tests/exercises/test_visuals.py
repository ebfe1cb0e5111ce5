"""Heat maps and param grids drawn from stored data."""

from __future__ import annotations

from types import SimpleNamespace

from exercises.pages.visuals import feedback_heatmaps, format_number, heatmap_from, param_views


def test_matching_cells_are_level_zero_and_the_largest_miss_is_the_top_level():
    heat = heatmap_from([[0.0, 1.0], [4.0, 0.0]], title="t")
    levels = [[cell.level for cell in row] for row in heat.rows]
    assert levels == [[0, 1], [4, 0]]
    assert heat.wrong_count == 2 and heat.max_diff == 4.0


def test_the_graders_cells_decide_what_is_wrong_and_the_origin_shifts_the_indices():
    heat = heatmap_from(
        [[0.001, 0.0]], title="t", origin=[3, 5], leading=[0, 2], cells=[[3, 5]], tolerance=0.1
    )
    cell = heat.rows[0][0]
    assert (cell.row, cell.col, cell.wrong) == (3, 5, True)
    assert heat.where == "channel (0, 2), rows 3-3, columns 5-6"


def test_garbage_feedback_draws_nothing():
    assert heatmap_from("not a map", title="t") is None
    assert heatmap_from([[1, 2], [3]], title="t") is None


def test_visible_tests_get_heat_maps_and_hidden_ones_never_do():
    tests = [
        SimpleNamespace(name="visible", hidden=False, data={"diff_map": [[0.0, 2.0]]}),
        SimpleNamespace(name="hidden", hidden=True, data={"diff_map": [[5.0]]}),
    ]
    maps = feedback_heatmaps({"diff": [[1.0]], "cells": [[0, 0]]}, tests)
    assert [m.title for m in maps] == ["Your answer", "visible"]


def test_params_are_drawn_as_grids_per_channel_and_scalars():
    views = {v.name: v for v in param_views({"x": [[[1, 2]], [[3, 4]]], "w": [[1]], "stride": 2})}
    assert [g.caption for g in views["x"].grids] == ["x, channel 0", "x, channel 1"]
    assert views["w"].grids[0].rows == [["1"]]
    assert views["stride"].scalar == "2"


def test_numbers_are_short_and_exact_looking():
    assert [format_number(v) for v in (6, 2.0, 1 / 3, -0.5)] == ["6", "2", "0.333", "-0.5"]
