"""Reading an answer from the problem page's form, per answer format, and what the form shows.

The page draws one input per part of the answer (a grid of cells for a matrix, one box per
dimension of a shape, radios or checkboxes for a choice, an editor for code) so that it works with
a keyboard and a screen reader and without JavaScript. This module turns those fields back into the
JSON answer the API takes (``{"answer": ...}`` or ``{"code": "..."}``), so both go through
``services.submit_answer`` and the same kind grader.

The answer format comes from the kind (``answer_format(spec, params)``), e.g.
``{"type": "matrix", "rows": 5, "cols": 5}``, ``{"type": "number", "accepts": ["number",
"does-not-fit"]}``, ``{"type": "shape", "length": 3}``, ``{"type": "choice", "multiple": False,
"options": [...]}``. An unknown format falls back to one text box read like the API's JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from exercises import grading_texts
from grader.kinds.answers import read_number_text
from grader.kinds.base import InvalidAnswer

DOES_NOT_FIT = "does-not-fit"
#: Largest grid the page draws as inputs; larger matrices use the text box.
MAX_GRID_CELLS = 400
DEFAULT_SHAPE_LABELS = (
    pgettext_lazy("shape", "height"),
    pgettext_lazy("shape", "width"),
    pgettext_lazy("shape", "depth"),
)


class AnswerError(ValueError):
    """The form cannot be read as an answer; ``field`` names the input to point at."""

    def __init__(self, message: str, field: str = "answer") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def parse_number(text: str) -> int | float:
    """``"7"`` -> 7, ``"2.5"`` / ``"1e-3"`` / ``"2,5"`` -> float, by the kinds' own rule for
    numbers typed as text (``read_number_text``): separators that could mean two things
    (``"45,126"``) are refused with what to type, before anything is sent or an attempt used."""
    try:
        return read_number_text(text)
    except InvalidAnswer as exc:
        raise AnswerError(grading_texts.rendered(exc.text)) from None  # the reader's language


def parse_rows(text: str) -> list[list[int | float]]:
    """Whitespace- (or comma-) separated rows, one per line: what a student pastes from a
    notebook or a spreadsheet. JSON (``[[1, 2], [3, 4]]``) is read as JSON."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise AnswerError(
                _("That looks like JSON but is not: %(error)s.") % {"error": exc.msg}
            ) from None
        if not (isinstance(value, list) and all(isinstance(r, list) for r in value)):
            raise AnswerError(_("Send a list of rows, such as [[1, 2], [3, 4]]."))
        return value
    rows = []
    for line in stripped.splitlines():
        parts = line.replace(",", " ").replace(";", " ").split()
        if parts:
            rows.append([parse_number(p) for p in parts])
    if not rows:
        raise AnswerError(_("Enter the rows of numbers."))
    return rows


def _kind_type(fmt: Mapping[str, Any] | None, kind: str) -> str:
    if kind == "code":
        return "code"
    return str((fmt or {}).get("type") or "text")


def _grid_size(fmt: Mapping[str, Any]) -> tuple[int, int] | None:
    rows, cols = fmt.get("rows"), fmt.get("cols")
    if isinstance(rows, int) and isinstance(cols, int) and 0 < rows * cols <= MAX_GRID_CELLS:
        return rows, cols
    return None


def _shape_length(fmt: Mapping[str, Any]) -> int:
    length = fmt.get("length")
    return length if isinstance(length, int) and 0 < length <= 8 else 3


def shape_labels(fmt: Mapping[str, Any]) -> list[str]:
    labels = fmt.get("labels")
    length = _shape_length(fmt)
    if isinstance(labels, list) and len(labels) == length:
        return [str(label) for label in labels]
    if length == len(DEFAULT_SHAPE_LABELS):
        return list(DEFAULT_SHAPE_LABELS)
    return [_("dimension %(n)d") % {"n": i + 1} for i in range(length)]


@dataclass(frozen=True)
class ChoiceOption:
    key: str
    label: str


def choice_options(fmt: Mapping[str, Any]) -> list[ChoiceOption]:
    """Options as ``{"key", "label"|"text"}`` mappings, or plain strings (key = label)."""
    options = []
    for raw in fmt.get("options") or []:
        if isinstance(raw, Mapping):
            key = str(raw.get("key", ""))
            label = str(raw.get("label") or raw.get("text") or key)
        else:
            key = label = str(raw)
        if key:
            options.append(ChoiceOption(key, label))
    return options


def read_answer(
    kind: str, fmt: Mapping[str, Any] | None, post: QueryDict, *, prefix: str = ""
) -> dict[str, Any]:
    """The submission payload from the page's POST; raises ``AnswerError`` with what to fix.

    ``prefix`` starts every field's name (``"q2-"``: question 2 of a quiz page, where several
    answer forms share one page). The fallback text box (``answer``) always wins when it was
    used, so the page may offer it next to a grid (paste a whole matrix) and the API-style JSON
    answer keeps working.
    """
    fmt = fmt or {}
    kind_type = _kind_type(fmt, kind)
    if kind_type == "code":
        return {"code": post.get(f"{prefix}code", "")}
    text = post.get(f"{prefix}answer", "")
    if kind_type == "matrix":
        if text.strip():
            return {"answer": parse_rows(text)}
        return {"answer": _read_grid(fmt, post, prefix)}
    if kind_type == "number":
        return {"answer": _read_number(fmt, text, bool(post.get(f"{prefix}does_not_fit")))}
    if kind_type == "shape":
        values = []
        for i, label in enumerate(shape_labels(fmt)):
            name = f"{prefix}dim-{i}"
            raw = post.get(name, "").strip()
            if not raw:
                raise AnswerError(_("Enter the %(label)s.") % {"label": label}, field=name)
            number = parse_number(raw)
            if isinstance(number, float):
                if not number.is_integer():
                    raise AnswerError(
                        _("The %(label)s is a whole number.") % {"label": label}, field=name
                    )
                number = int(number)
            values.append(number)
        return {"answer": values}
    if kind_type == "choice":
        chosen = [c for c in post.getlist(f"{prefix}choice") if c]
        keys = {o.key for o in choice_options(fmt)}
        unknown = [c for c in chosen if c not in keys]
        if unknown:
            raise AnswerError(
                _("%(choice)r is not one of the options.") % {"choice": unknown[0]},
                field=f"{prefix}choice",
            )
        if not chosen:
            raise AnswerError(_("Choose an option."), field=f"{prefix}choice")
        if fmt.get("multiple"):
            return {"answer": chosen}
        if len(chosen) > 1:
            raise AnswerError(_("Choose one option."), field=f"{prefix}choice")
        return {"answer": chosen[0]}
    # Unknown format: the text box, read as JSON when it parses, else rows or a plain string.
    if not text.strip():
        raise AnswerError(_("Enter an answer."))
    try:
        return {"answer": json.loads(text)}
    except json.JSONDecodeError:
        pass
    try:
        rows = parse_rows(text)
    except AnswerError:
        return {"answer": text.strip()}
    return {"answer": rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows}


def _read_number(fmt: Mapping[str, Any], text: str, ticked: bool) -> int | float | str:
    """A number, or ``DOES_NOT_FIT`` from the box (or typed, as the API takes it); a number
    typed *and* the box ticked is refused rather than one of them silently taken."""
    if ticked and DOES_NOT_FIT in (fmt.get("accepts") or []):
        if text.strip():
            raise AnswerError(
                _("Either type the size or tick “It does not fit”, not both."),
                field="does_not_fit",
            )
        return DOES_NOT_FIT
    if not text.strip():
        raise AnswerError(_("Enter a number."))
    if text.strip().lower() == DOES_NOT_FIT:
        return DOES_NOT_FIT
    try:
        return parse_number(text)
    except AnswerError as exc:
        if DOES_NOT_FIT in (fmt.get("accepts") or []):
            raise AnswerError(
                _("%(problem)s If it does not fit, tick the box instead.")
                % {"problem": exc.message}
            ) from None
        raise


def _read_grid(fmt: Mapping[str, Any], post: QueryDict, prefix: str) -> list[list[int | float]]:
    size = _grid_size(fmt)
    if size is None:
        raise AnswerError(_("Enter the rows of numbers."))
    rows, cols = size
    matrix: list[list[int | float]] = []
    missing = 0
    first_missing = ""
    for r in range(rows):
        row: list[int | float] = []
        for c in range(cols):
            name = f"{prefix}cell-{r}-{c}"
            raw = post.get(name, "").strip()
            if not raw:
                missing += 1
                first_missing = first_missing or name
                row.append(0)
                continue
            try:
                row.append(parse_number(raw))
            except AnswerError as exc:
                raise AnswerError(
                    _("Row %(row)d, column %(col)d: %(problem)s")
                    % {"row": r + 1, "col": c + 1, "problem": exc.message},
                    field=name,
                ) from None
        matrix.append(row)
    if missing:
        raise AnswerError(
            ngettext(
                "%(n)d cell of the %(rows)dx%(cols)d grid is empty.",
                "%(n)d cells of the %(rows)dx%(cols)d grid are empty.",
                missing,
            )
            % {"n": missing, "rows": rows, "cols": cols},
            field=first_missing,
        )
    return matrix


@dataclass
class AnswerWidget:
    """What the template needs to draw the inputs for one answer format, with the values the
    student typed (kept after an error) or sent last."""

    type: str
    fmt: Mapping[str, Any]
    #: Starts every input's name and id (``"q2-"`` on a quiz page); "" on a problem page.
    prefix: str = ""
    #: The number or text box's label (a quiz page says which question).
    label: str = gettext_lazy("Your answer")
    grid: list[list[dict[str, Any]]] = field(default_factory=list)
    dims: list[dict[str, Any]] = field(default_factory=list)
    options: list[dict[str, Any]] = field(default_factory=list)
    multiple: bool = False
    accepts_does_not_fit: bool = False
    text: str = ""
    does_not_fit: bool = False
    code: str = ""


def build_widget(
    kind: str,
    fmt: Mapping[str, Any] | None,
    *,
    post: QueryDict | None = None,
    starter_code: str = "",
    prefix: str = "",
    label: str = gettext_lazy("Your answer"),
) -> AnswerWidget:
    """The inputs for ``fmt``, filled from ``post`` (the form sent back with an error) or
    empty; the code editor opens with ``starter_code``. ``prefix`` as in ``read_answer``."""
    fmt = fmt or {}
    kind_type = _kind_type(fmt, kind)
    widget = AnswerWidget(type=kind_type, fmt=fmt, prefix=prefix, label=label)
    if kind_type == "matrix" and _grid_size(fmt) is None:
        widget.type = "text"

    def sent(name: str) -> str:
        return post.get(f"{prefix}{name}", "") if post is not None else ""

    widget.text = sent("answer")
    widget.does_not_fit = bool(sent("does_not_fit"))
    if widget.type == "code":
        widget.code = sent("code") if post is not None else starter_code
    elif widget.type == "matrix":
        rows, cols = _grid_size(fmt) or (0, 0)
        widget.grid = [
            [
                {
                    "name": f"{prefix}cell-{r}-{c}",
                    "row": r,
                    "col": c,
                    "value": sent(f"cell-{r}-{c}"),
                }
                for c in range(cols)
            ]
            for r in range(rows)
        ]
    elif widget.type == "number":
        widget.accepts_does_not_fit = DOES_NOT_FIT in (fmt.get("accepts") or [])
    elif widget.type == "shape":
        widget.dims = [
            {"name": f"{prefix}dim-{i}", "label": label, "value": sent(f"dim-{i}")}
            for i, label in enumerate(shape_labels(fmt))
        ]
    elif widget.type == "choice":
        widget.multiple = bool(fmt.get("multiple"))
        chosen = set(post.getlist(f"{prefix}choice")) if post is not None else set()
        widget.options = [
            {
                "key": o.key,
                "label": o.label,
                "checked": o.key in chosen,
                "id": f"{prefix}choice-{i}",
            }
            for i, o in enumerate(choice_options(fmt))
        ]
    return widget
