"""The ``matrix`` kind: a feature map or a pooled map, as a list of rows.

```yaml
kind: matrix
recipe: conv-single-channel
params: {x: {min: 0, max: 3}, w: {min: -1, max: 1}, stride: {choices: [1, 2]}}
partial_credit: true      # default: score = fraction of right cells
tolerance: {abs: 0.01}    # optional; avg-pool defaults to 0.006 (two decimals)
misconceptions: [flipped-kernel, transposed]
```

Grading: a map of the right size scores the fraction of right cells (with ``partial_credit``),
except that a map matching a misconception as a whole scores 0: its right cells are right by
accident. A map of another size is ``invalid`` (the format says rows and columns) unless it is
what a misconception produces (stride ignored, overlapping windows), then it is ``incorrect``
with that diagnosis. Feedback carries ``cells`` ([row, col] of each wrong cell, 0-based) and
``diff`` (|yours - expected| per cell) for the page's heat map.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from grader import diagnose as dx
from grader.kinds.answers import read_matrix
from grader.kinds.base import InvalidAnswer
from grader.kinds.recipe_kind import RecipeKind
from grader.results import Grade, verdict_for
from grader.texts import Text, define

_MAP_SIZE = define(
    "matrix.size",
    "the map must be {size} ({rows} rows of {cols}), got {got}",
    "맵은 {size}({rows}행, 행마다 {cols}칸)여야 하는데 {got} 맵이 왔습니다",
)
_YOUR_MAP_IS = define(
    "matrix.your-size",
    "Your map is {got}; the answer is {size}.",
    "여러분의 맵은 {got}이고, 답은 {size}입니다.",
)
_ALL_CELLS = define(
    "matrix.correct", "Correct: every cell matches.", "정답입니다: 모든 칸이 맞습니다."
)
_CELLS_DIFFER = define(
    "matrix.cells-differ",
    "{n_wrong} of {cells} cells differ.",
    "{cells}칸 가운데 {n_wrong}칸이 다릅니다.",
)
_CELL_DIFFERS = define(
    "matrix.cell-differs",
    "{n_wrong} of {cells} cells differs.",
    "{cells}칸 가운데 {n_wrong}칸이 다릅니다.",
)


class MatrixKind(RecipeKind):
    name = "matrix"
    spec_keys: ClassVar[frozenset[str]] = RecipeKind.spec_keys | {"partial_credit"}
    partial_credit_default = True

    def answer_format(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        rows, cols = np.shape(self.expected(spec, params))
        return {"type": "matrix", "rows": rows, "cols": cols}

    def grade(self, spec: Mapping[str, Any], params: Mapping[str, Any], answer: Any) -> Grade:
        recipe = self.recipe(spec)
        params = self.params(spec, recipe, params)
        tol = self.tolerance(spec, recipe)
        keys = self.misconception_keys(spec, recipe)
        try:
            got = read_matrix(answer)
        except InvalidAnswer as exc:
            return Grade.invalid(exc.text)
        right = np.asarray(recipe.solve(params), dtype=float)
        if got.shape != right.shape:
            diagnosis = dx.diagnose(recipe, params, got, keys=keys, tolerance=tol)
            size = f"{right.shape[0]}x{right.shape[1]}"
            sizes = {"size": size, "got": f"{got.shape[0]}x{got.shape[1]}"}
            if diagnosis is None:
                return Grade.invalid(
                    Text(_MAP_SIZE, {**sizes, "rows": right.shape[0], "cols": right.shape[1]})
                )
            return Grade(
                0.0,
                "incorrect",
                {
                    "message": Text.join([Text(_YOUR_MAP_IS, sizes), diagnosis.message]),
                    "misconception": diagnosis.to_feedback(),
                    **_also(diagnosis),
                },
            )
        diff = np.abs(got - right)
        wrong = diff > tol.abs + tol.rel * np.abs(right)
        n_wrong = int(wrong.sum())
        if n_wrong == 0:
            return Grade(1.0, "correct", {"message": Text(_ALL_CELLS)})
        feedback: dict[str, Any] = {
            "cells": [[int(r), int(c)] for r, c in np.argwhere(wrong)],
            "diff": diff.tolist(),
        }
        whole = dx.diagnose(recipe, params, got, keys=keys, tolerance=tol)
        diagnosis = whole or dx.diagnose_cells(recipe, params, got, wrong, keys=keys, tolerance=tol)
        score = 0.0
        if whole is None and self.partial_credit(spec):
            score = round(1.0 - n_wrong / wrong.size, 6)
        counts = {"n_wrong": n_wrong, "cells": wrong.size}
        message = Text(_CELL_DIFFERS if n_wrong == 1 else _CELLS_DIFFER, counts)
        if diagnosis is not None:
            message = Text.join([message, diagnosis.message])
            feedback["misconception"] = diagnosis.to_feedback()
            feedback.update(_also(diagnosis))
        feedback["message"] = message
        return Grade(score, verdict_for(score), feedback)


def _also(diagnosis: dx.Diagnosis) -> dict[str, Any]:
    if not diagnosis.also:
        return {}
    return {"also": [{"key": k, "title": t} for k, t in diagnosis.also]}


KIND = MatrixKind()
