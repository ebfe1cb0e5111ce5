"""Rendering a problem statement: ``{{ name }}`` placeholders filled from a variant's params.

Substitution only: a placeholder is a parameter name and an optional filter from a fixed list,
nothing is evaluated. An unknown name or filter, or anything else between ``{{`` and ``}}``, is a
``SpecError`` (so a LaTeX group like ``x^{{2}}`` must be written ``x^{ {2} }``).

- numbers: as written by hand (``7``, ``0.25``);
- 2-D arrays: a Markdown pipe table (default, filter ``table``), readable without JavaScript
  and by screen readers; the header row is left empty because a feature map has no column names.
  Filter ``latex`` gives ``$$\\begin{bmatrix} ... \\end{bmatrix}$$`` for KaTeX instead;
- 3-D arrays (C, H, W): one table (or matrix) per channel, headed "channel 1", ...;
- 1-D lists: ``28 x 28 x 6`` (filter ``shape``, the default for 1-D) or ``28, 28, 6`` (``list``).

Put an array placeholder on a line of its own: a table is a block.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.kinds.base import SpecError

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
INNER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*([a-z]+)\s*)?$")
FILTERS = ("table", "latex", "shape", "list")


def _number(value: Any) -> str:
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.6g}"


def _table(matrix: np.ndarray) -> str:
    cols = matrix.shape[1]
    lines = ["|" + "   |" * cols, "|" + ":-:|" * cols]
    lines += ["| " + " | ".join(_number(v) for v in row) + " |" for row in matrix]
    return "\n".join(lines)


def _latex(matrix: np.ndarray) -> str:
    rows = r" \\ ".join(" & ".join(_number(v) for v in row) for row in matrix)
    return rf"$$\begin{{bmatrix}} {rows} \end{{bmatrix}}$$"


def render_value(value: Any, how: str | None, where: str) -> str:
    if isinstance(value, bool) or value is None:
        raise SpecError(where, f"cannot render {value!r}")
    if isinstance(value, int | float):
        if how is not None:
            raise SpecError(where, f"the filter {how!r} applies to arrays, not numbers")
        return _number(value)
    if isinstance(value, str):
        return value
    array = np.asarray(value, dtype=float)
    if array.ndim == 1:
        if how in (None, "shape"):
            return " x ".join(_number(v) for v in array)
        if how == "list":
            return ", ".join(_number(v) for v in array)
    elif array.ndim == 2 and how in (None, "table", "latex"):
        return _latex(array) if how == "latex" else _table(array)
    elif array.ndim == 3 and how in (None, "table", "latex"):
        draw = _latex if how == "latex" else _table
        return "\n\n".join(
            f"*channel {c + 1}*\n\n{draw(channel)}" for c, channel in enumerate(array)
        )
    raise SpecError(where, f"cannot render a {array.ndim}-D value with filter {how!r}")


def render_statement(template: str, params: Mapping[str, Any]) -> str:
    """``template`` with every ``{{ name }}`` / ``{{ name | filter }}`` replaced."""

    def replace(match: re.Match[str]) -> str:
        inner = INNER.match(match.group(1))
        where = f"statement: {match.group(0)!s}"
        if inner is None:
            raise SpecError(where, "a placeholder is a parameter name, optionally | a filter")
        name, how = inner.group(1), inner.group(2)
        if name not in params:
            known = ", ".join(sorted(params)) or "none"
            raise SpecError(where, f"unknown parameter {name!r}; this problem has: {known}")
        if how is not None and how not in FILTERS:
            raise SpecError(where, f"unknown filter {how!r}; filters: {', '.join(FILTERS)}")
        return render_value(params[name], how, where)

    return PLACEHOLDER.sub(replace, template)
