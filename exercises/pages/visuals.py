"""Pictures made of HTML: small grids for a problem's numbers and heat maps of |yours - expected|.

Everything here is computed on the server from stored data (a variant's params, a submission's
feedback) and drawn by templates as tables, so a page needs no JavaScript and no image from
outside, and a screen reader can read every cell. Colour is never the only signal: each heat-map
cell also prints its value and marks a mismatch with a symbol.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

#: Heat levels 0..HEAT_LEVELS-1; 0 means "matches" (the CSS draws .heat-0 .. .heat-4).
HEAT_LEVELS = 5
#: Largest grid drawn cell by cell; bigger arrays are summarised by their shape.
MAX_GRID_SIDE = 32


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def is_matrix(value: Any) -> bool:
    """A non-empty rectangular list of lists of numbers."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(row, list) and row for row in value)
        and len({len(row) for row in value}) == 1
        and all(_is_number(v) for row in value for v in row)
    )


def is_volume(value: Any) -> bool:
    """A non-empty list of equally shaped matrices: (C, H, W)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(is_matrix(m) for m in value)
        and len({(len(m), len(m[0])) for m in value}) == 1
    )


def format_number(value: Any) -> str:
    """Short, exact-looking numbers for cells: 6 -> "6", 2.0 -> "2", 0.333333 -> "0.333"."""
    if isinstance(value, bool) or not _is_number(value):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.3g}"


@dataclass(frozen=True)
class Grid:
    """A matrix to draw: ``rows`` of display strings, with an optional caption."""

    caption: str
    rows: list[list[str]]

    @property
    def shape(self) -> str:
        return f"{len(self.rows)}x{len(self.rows[0]) if self.rows else 0}"


@dataclass(frozen=True)
class ParamView:
    """One param of a variant as the page shows it: a scalar, a grid, or a stack of grids."""

    name: str
    scalar: str = ""
    grids: list[Grid] = field(default_factory=list)
    note: str = ""


_PLACEHOLDER_NAME = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)")


def params_in_statement(statement: str) -> set[str]:
    """Names the statement template already shows through ``{{ name }}`` placeholders."""
    return set(_PLACEHOLDER_NAME.findall(statement))


def param_views(
    params: Mapping[str, Any], skip: set[str] | frozenset[str] = frozenset()
) -> list[ParamView]:
    """Draw each param: matrices as grids, (C, H, W) volumes as one grid per channel. Params in
    ``skip`` (already drawn by the statement) are left out."""
    views = []
    for name, value in params.items():
        if name in skip:
            continue
        if is_matrix(value):
            if max(len(value), len(value[0])) > MAX_GRID_SIDE:
                note = _("a %(rows)dx%(cols)d matrix") % {"rows": len(value), "cols": len(value[0])}
                views.append(ParamView(name, note=note))
            else:
                views.append(ParamView(name, grids=[Grid(name, _fmt_rows(value))]))
        elif is_volume(value):
            c, h, w = len(value), len(value[0]), len(value[0][0])
            if max(h, w) > MAX_GRID_SIDE or c > 16:
                note = _("a (%(c)d, %(h)d, %(w)d) volume") % {"c": c, "h": h, "w": w}
                views.append(ParamView(name, note=note))
            else:
                grids = [
                    Grid(_("%(name)s, channel %(i)d") % {"name": name, "i": i}, _fmt_rows(m))
                    for i, m in enumerate(value)
                ]
                views.append(ParamView(name, grids=grids))
        elif _is_number(value) or isinstance(value, str):
            views.append(ParamView(name, scalar=format_number(value)))
        elif isinstance(value, list) and all(_is_number(v) for v in value) and len(value) <= 64:
            views.append(ParamView(name, scalar=", ".join(format_number(v) for v in value)))
    return views


def _fmt_rows(matrix: Sequence[Sequence[Any]]) -> list[list[str]]:
    return [[format_number(v) for v in row] for row in matrix]


# --- Heat maps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    row: int  # absolute row in the compared slice
    col: int
    value: float
    level: int  # 0 = matches, 1..HEAT_LEVELS-1 = how far off, relative to the largest miss
    wrong: bool

    @property
    def text(self) -> str:
        return format_number(self.value)


@dataclass(frozen=True)
class Heatmap:
    """|yours - expected| over one 2-D slice (the first mismatching channel)."""

    title: str
    rows: list[list[HeatCell]]
    where: str  # e.g. "channel (0, 1), rows 0-4, columns 0-4"
    max_diff: float
    wrong_count: int

    @property
    def col_indices(self) -> list[int]:
        return [cell.col for cell in self.rows[0]] if self.rows else []


def heatmap_from(
    diff_map: Any,
    *,
    title: str,
    origin: Sequence[int] | None = None,
    leading: Sequence[int] | None = None,
    cells: Sequence[Sequence[int]] | None = None,
    tolerance: float = 1e-9,
) -> Heatmap | None:
    """A heat map from a stored diff map (a list of lists of |got - expected|), or None when
    the data is not one (an old or hand-edited feedback must not break the page).

    ``origin`` is the (row, col) of the map's top-left cell in its slice, ``leading`` the indices
    before the last two axes (e.g. (n, c) in NCHW), ``cells`` the [row, col] pairs the grader
    called wrong (when given they decide what is marked, else any value above ``tolerance``).
    """
    if not is_matrix(diff_map):
        return None
    if max(len(diff_map), len(diff_map[0])) > 64:
        return None
    r0, c0 = (int(origin[0]), int(origin[1])) if origin and len(origin) == 2 else (0, 0)
    marked = None
    if cells:
        marked = {(int(rc[0]), int(rc[1])) for rc in cells if isinstance(rc, list | tuple)}
    values = [[abs(float(v)) for v in row] for row in diff_map]
    largest = max((v for row in values for v in row if math.isfinite(v)), default=0.0)
    heat_rows = []
    wrong_count = 0
    for i, row in enumerate(values):
        heat_row = []
        for j, v in enumerate(row):
            r, c = r0 + i, c0 + j
            wrong = (r, c) in marked if marked is not None else not (v <= tolerance)
            wrong_count += wrong
            heat_row.append(HeatCell(r, c, v, _level(v, largest, wrong), wrong))
        heat_rows.append(heat_row)
    h, w = len(values), len(values[0])
    where_parts = []
    if leading:
        channel = str(leading[-1]) if len(leading) == 1 else str(tuple(leading))
        where_parts.append(_("channel %(channel)s") % {"channel": channel})
    if (r0, c0) != (0, 0):
        where_parts.append(
            _("rows %(r0)d-%(r1)d, columns %(c0)d-%(c1)d")
            % {"r0": r0, "r1": r0 + h - 1, "c0": c0, "c1": c0 + w - 1}
        )
    return Heatmap(
        title=title,
        rows=heat_rows,
        where=", ".join(where_parts),
        max_diff=largest,
        wrong_count=wrong_count,
    )


def _level(value: float, largest: float, wrong: bool) -> int:
    if not wrong:
        return 0
    if not math.isfinite(value) or largest <= 0:
        return HEAT_LEVELS - 1
    return max(1, min(HEAT_LEVELS - 1, math.ceil(value / largest * (HEAT_LEVELS - 1))))


def feedback_heatmaps(feedback: Mapping[str, Any], tests: Sequence[Any]) -> list[Heatmap]:
    """Every heat map a graded submission can show: the answer's own (matrix kinds) and one
    per visible test that stored a diff map (code kinds). Hidden tests never carry data."""
    maps = []
    own = feedback.get("diff_map", feedback.get("diff"))
    heat = heatmap_from(
        own,
        title=_("Your answer"),
        origin=feedback.get("diff_map_origin"),
        leading=feedback.get("diff_map_slice"),
        cells=feedback.get("cells"),
    )
    if heat:
        maps.append(heat)
    for test in tests:
        if getattr(test, "hidden", False):
            continue
        data = getattr(test, "data", None) or {}
        heat = heatmap_from(
            data.get("diff_map"),
            title=str(getattr(test, "name", "test")),
            origin=data.get("diff_map_origin"),
            leading=data.get("diff_map_slice"),
            cells=data.get("cells"),
        )
        if heat:
            maps.append(heat)
    return maps
