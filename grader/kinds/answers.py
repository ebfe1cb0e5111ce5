"""Reading students' answers: anything that is not a well-formed answer raises ``InvalidAnswer``
with a message that names the problem, which the kinds return as ``Grade.invalid``.

Caps keep a hostile payload cheap to reject: numbers beyond ``MAX_MAGNITUDE`` (an output size or
parameter count of a lecture exercise is far smaller; a 10**4000 int would also make float()
raise), matrices beyond ``MAX_ROWS`` x ``MAX_COLS`` (lengths are checked before any cell is read).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from grader.kinds.base import InvalidAnswer
from grader.recipes import DOES_NOT_FIT, RECIPES, Recipe, summary_key
from grader.texts import Text, define

MAX_MAGNITUDE = 1e12
MAX_ROWS = 64
MAX_COLS = 64
_DNF_SPELLINGS = {"does-not-fit", "doesn't-fit", "doesnt-fit", "does-not-fit!", "doesn't-fit!"}


_VALUE_TRUE = define("value.true", "true", "true")
_VALUE_FALSE = define("value.false", "false", "false")
_VALUE_NULL = define("value.null", "nothing (null)", "빈 값(null)")
_VALUE_STRING = define("value.string", 'the string "{shown}"', '문자열 "{shown}"')
_VALUE_LIST = define("value.list", "a list", "리스트")
_VALUE_OBJECT = define("value.object", "an object", "객체")
_VALUE_A = define("value.a", "a {name}", "{name} 값")
_VALUE_AN = define("value.an", "an {name}", "{name} 값")
THE_ANSWER = define("where.answer", "the answer", "답")
CELL = define("where.cell", "cell ({row}, {col})", "({row}, {col}) 칸")
ENTRY = define("where.entry", "entry {i}", "{i}번째 값")
_MUST_BE_NUMBER = define(
    "answer.must-be-number",
    "{where} must be a number, got {got}",
    "{where}은(는) 숫자여야 하는데 {got}이(가) 왔습니다",
)
_MUST_BE_FINITE = define(
    "answer.must-be-finite",
    "{where} must be a finite number, got {value}",
    "{where}은(는) 유한한 숫자여야 하는데 {value}이(가) 왔습니다",
)
_TOO_LARGE = define(
    "answer.too-large",
    "{where} is too large: numbers up to {cap} are accepted",
    "{where}이(가) 너무 큽니다: {cap}까지의 숫자만 받습니다",
)


def describe(value: Any) -> Text:
    """How an unexpected value reads in a message: 'true', 'a list', 'the string "abc"'."""
    if isinstance(value, bool):
        return Text(_VALUE_TRUE if value else _VALUE_FALSE)
    if value is None:
        return Text(_VALUE_NULL)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return Text(_VALUE_STRING, {"shown": shown})
    if isinstance(value, list | tuple):
        return Text(_VALUE_LIST)
    if isinstance(value, dict):
        return Text(_VALUE_OBJECT)
    name = type(value).__name__
    return Text(_VALUE_AN if name[0] in "aeiou" else _VALUE_A, {"name": name})


def read_number(value: Any, *, where: str | None = None) -> float | int:
    """A finite real number within the cap; never a bool, string or container. ``where``
    names it in a message (a ``Text``; default "the answer")."""
    where = where or Text(THE_ANSWER)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidAnswer(Text(_MUST_BE_NUMBER, {"where": where, "got": describe(value)}))
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidAnswer(Text(_MUST_BE_FINITE, {"where": where, "value": str(value)}))
    if abs(value) > MAX_MAGNITUDE:
        raise InvalidAnswer(Text(_TOO_LARGE, {"where": where, "cap": f"{MAX_MAGNITUDE:.0e}"}))
    return value


# --- numbers as people type them ------------------------------------------------------------------

#: Digits grouped in threes by one separator, with an optional decimal part after another one:
#: "1,000,000", "45 126", "1.234,5", "1,234.5".
_GROUPED = re.compile(
    r"(?P<sign>[+-]?)(?P<head>[1-9]\d{0,2})(?P<groups>(?P<sep>[,. _\u00a0\u202f])\d{3}"
    r"(?:(?P=sep)\d{3})*)(?:(?P<dec>[.,])(?P<frac>\d+))?"
)
_BETWEEN_DIGITS = re.compile(r"\d[ _\u00a0\u202f]\d")
_NUMBERISH = re.compile(r"[+-]?[\d.,  _\u00a0\u202f]*\d[\d.,  _\u00a0\u202f]*(?:[eE][+-]?\d+)?")


def separator_problem(text: str) -> str | None:
    """What is wrong with the separators of a number typed as text, or None.

    A comma before exactly three digits ("45,126", "1,000") is a thousands separator in English
    and a decimal comma in much of Europe: read either way, some student loses an attempt to
    a number they did not mean, so it is refused with both readings spelled out. Digits grouped
    in any other way ("1,000,000", "1.234,5", "45 126") are refused as well, so that there is
    one rule to state: no thousands separators, a point (or a lone comma) for decimals. The
    point is always the decimal mark ("45.126" is 45.126), as in Python and JSON."""
    shown = text.strip().replace("\u2212", "-")
    if not _NUMBERISH.fullmatch(shown):
        return None  # words, or a number with no separators at all: other rules read them
    commas, points = shown.count(","), shown.count(".")
    if commas > 1 or points > 1 or (commas and points) or _BETWEEN_DIGITS.search(shown):
        grouped = _GROUPED.fullmatch(shown)
        if grouped and grouped["dec"] != grouped["sep"]:
            digits = re.sub(r"\D", "", grouped["groups"])
            frac = f".{grouped['frac']}" if grouped["frac"] else ""
            return Text(
                _SEPARATORS_WRITE_AS,
                {
                    "typed": repr(text.strip()),
                    "number": f"{grouped['sign']}{grouped['head']}{digits}{frac}",
                },
            )
        return Text(_SEPARATORS, {"typed": repr(text.strip())})
    if commas == 1:
        whole, frac = shown.split(",")
        if re.fullmatch(r"[+-]?[1-9]\d{0,2}", whole) and re.fullmatch(r"\d{3}", frac):
            return Text(
                _AMBIGUOUS,
                {
                    "typed": repr(text.strip()),
                    "joined": f"{whole}{frac}",
                    "point": f"{whole}.{frac}",
                },
            )
    return None


_SEPARATORS_WRITE_AS = define(
    "number.separators-write-as",
    "{typed} has separators between its digits: write it as {number} "
    "(no thousands separators, a point for decimals).",
    "{typed}에는 숫자 사이에 구분 기호가 있습니다. {number}처럼 쓰세요 "
    "(천 단위 구분 기호 없이, 소수점은 점으로).",
)
_SEPARATORS = define(
    "number.separators",
    "{typed} has separators between its digits: write one number, with no "
    "thousands separators and a point for decimals (for example 45126.4).",
    "{typed}에는 숫자 사이에 구분 기호가 있습니다. 천 단위 구분 기호 없이, 소수점은 점으로 "
    "숫자 하나만 쓰세요(예: 45126.4).",
)
_AMBIGUOUS = define(
    "number.ambiguous",
    "{typed} is ambiguous: {joined} with a thousands comma, or "
    "{point} with a decimal comma. Write {joined} or {point} "
    "(no thousands separators, a point for decimals).",
    "{typed}은(는) 두 가지로 읽힙니다. 쉼표를 천 단위 구분 기호로 보면 {joined}, 소수점으로 "
    "보면 {point}입니다. {joined}, {point} 중 하나로 쓰세요"
    "(천 단위 구분 기호 없이, 소수점은 점으로).",
)
_NOT_A_NUMBER = define(
    "number.not-a-number", "{typed} is not a number.", "{typed}은(는) 숫자가 아닙니다."
)
_NOT_FINITE = define(
    "number.not-finite", "{typed} is not a finite number.", "{typed}은(는) 유한한 숫자가 아닙니다."
)


def read_number_text(text: str) -> int | float:
    """A number typed into a box: ``"7"``, ``"-2.5"``, ``"1e-3"``, ``"\u22123"`` (a minus sign),
    ``"2,5"`` (a lone decimal comma). Raises ``InvalidAnswer`` with what to type instead, and for
    separators that could mean two things (``separator_problem``) rather than guess."""
    shown = text.strip()
    problem = separator_problem(shown)
    if problem:
        raise InvalidAnswer(problem)
    cleaned = shown.replace("\u2212", "-").replace(",", ".")  # a lone comma is a decimal one
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        value = float(cleaned)
    except ValueError:
        raise InvalidAnswer(Text(_NOT_A_NUMBER, {"typed": repr(shown)})) from None
    if not math.isfinite(value):
        raise InvalidAnswer(Text(_NOT_FINITE, {"typed": repr(shown)}))
    return value


def typed_number(value: Any) -> str:
    """A student's number shown back with every digit it has (45126.4, never 4.513e+04): the
    shortest text that reads back as the same number, without an exponent unless it is tiny."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if abs(value) >= 1e-6:
        return np.format_float_positional(value, trim="-")
    return repr(value)


def is_does_not_fit(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    normalized = "-".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
    return normalized.replace("\u2019", "'") in _DNF_SPELLINGS


def read_size_or_number(value: Any, *, allow_does_not_fit: bool) -> float | int | str:
    """A number, or ``DOES_NOT_FIT`` where the problem accepts it."""
    if is_does_not_fit(value):
        if allow_does_not_fit:
            return DOES_NOT_FIT
        raise InvalidAnswer(Text(_NO_DNF))
    if isinstance(value, str):
        key = _NUMBER_OR_DNF if allow_does_not_fit else _NUMBER_ONLY
        raise InvalidAnswer(Text(key, {"got": describe(value)}))
    return read_number(value)


_NO_DNF = define(
    "answer.no-dnf",
    'this problem\'s answer is a number; "does-not-fit" is not one of its answers',
    '이 문제의 답은 숫자입니다. "does-not-fit"은 답이 될 수 없습니다',
)
_NUMBER_OR_DNF = define(
    "answer.number-or-dnf",
    'the answer must be a number or "does-not-fit", got {got}',
    '답은 숫자나 "does-not-fit"이어야 하는데 {got}이(가) 왔습니다',
)
_NUMBER_ONLY = define(
    "answer.number",
    "the answer must be a number, got {got}",
    "답은 숫자여야 하는데 {got}이(가) 왔습니다",
)


_MATRIX_TYPE = define(
    "matrix.type",
    "the answer must be a matrix (a list of rows), got {got}",
    "답은 행렬(행들의 리스트)이어야 하는데 {got}이(가) 왔습니다",
)
_MATRIX_EMPTY = define(
    "matrix.empty",
    "the matrix is empty: send a list of rows",
    "행렬이 비어 있습니다. 행들의 리스트를 보내세요",
)
_MATRIX_ROWS = define(
    "matrix.too-many-rows",
    "the matrix has {rows} rows; at most {cap} are accepted",
    "행렬의 행이 {rows}개입니다. 최대 {cap}개까지 받습니다",
)
_ROW_TYPE = define(
    "matrix.row-type",
    "row {row} must be a list of numbers, got {got}",
    "{row}행은 숫자 리스트여야 하는데 {got}이(가) 왔습니다",
)
_ROW_TOO_LONG = define(
    "matrix.row-too-long",
    "row {row} has {cells} cells; at most {cap} are accepted",
    "{row}행의 칸이 {cells}개입니다. 최대 {cap}개까지 받습니다",
)
_RAGGED = define(
    "matrix.ragged",
    "row {row} has {cells} cells but row 1 has {width}: every row needs the same number of cells",
    "{row}행은 {cells}칸인데 1행은 {width}칸입니다. 모든 행의 칸 수가 같아야 합니다",
)
_ROWS_EMPTY = define("matrix.rows-empty", "the matrix rows are empty", "행렬의 행이 비어 있습니다")


def read_matrix(value: Any) -> np.ndarray:
    """A non-empty rectangular list of lists of numbers -> a 2-D float ndarray."""
    if not isinstance(value, list):
        raise InvalidAnswer(Text(_MATRIX_TYPE, {"got": describe(value)}))
    if not value:
        raise InvalidAnswer(Text(_MATRIX_EMPTY))
    if len(value) > MAX_ROWS:
        raise InvalidAnswer(Text(_MATRIX_ROWS, {"rows": len(value), "cap": MAX_ROWS}))
    width: int | None = None
    for r, row in enumerate(value):
        if not isinstance(row, list):
            raise InvalidAnswer(Text(_ROW_TYPE, {"row": r + 1, "got": describe(row)}))
        if len(row) > MAX_COLS:
            raise InvalidAnswer(
                Text(_ROW_TOO_LONG, {"row": r + 1, "cells": len(row), "cap": MAX_COLS})
            )
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise InvalidAnswer(Text(_RAGGED, {"row": r + 1, "cells": len(row), "width": width}))
    if not width:
        raise InvalidAnswer(Text(_ROWS_EMPTY))
    for r, row in enumerate(value):
        for c, cell in enumerate(row):
            read_number(cell, where=Text(CELL, {"row": r + 1, "col": c + 1}))
    return np.array(value, dtype=np.float64)


#: How a shape's entries are ordered (``Recipe.order``), in each language.
ORDERS = {
    "height x width x depth": define("order.volume", "height x width x depth", "높이 x 너비 x 깊이")
}
_LIST_TYPE = define(
    "shape.type",
    "the answer must be a list of {length} whole numbers, got {got}",
    "답은 정수 {length}개의 리스트여야 하는데 {got}이(가) 왔습니다",
)
_LIST_TYPE_ORDERED = define(
    "shape.type-ordered",
    "the answer must be a list of {length} whole numbers written as {order}, got {got}",
    "답은 {order} 순서로 쓴 정수 {length}개의 리스트여야 하는데 {got}이(가) 왔습니다",
)
_LIST_LENGTH = define(
    "shape.length",
    "the answer must have {length} numbers, got {got}",
    "답은 숫자 {length}개여야 하는데 {got}개가 왔습니다",
)
_LIST_LENGTH_ORDERED = define(
    "shape.length-ordered",
    "the answer must have {length} numbers written as {order}, got {got}",
    "답은 {order} 순서로 쓴 숫자 {length}개여야 하는데 {got}개가 왔습니다",
)
_ENTRY_WHOLE = define(
    "shape.entry-whole",
    "entry {i} must be a whole number, got {got}",
    "{i}번째 값은 정수여야 하는데 {got}이(가) 왔습니다",
)
_ENTRY_POSITIVE = define(
    "shape.entry-positive",
    "entry {i} must be at least 1, got {got}",
    "{i}번째 값은 1 이상이어야 하는데 {got}이(가) 왔습니다",
)


def order_text(order: str) -> Text:
    """A recipe's ``order`` as a text (an order without a translation reads as written)."""
    return Text(ORDERS[order]) if order in ORDERS else Text.literal(order)


def read_int_list(value: Any, length: int, order: str) -> list[int]:
    """A list of ``length`` positive whole numbers (integral floats such as 28.0 are accepted)."""
    facts = {"length": length, "order": order_text(order)}
    if not isinstance(value, list):
        key = _LIST_TYPE_ORDERED if order else _LIST_TYPE
        raise InvalidAnswer(Text(key, {**facts, "got": describe(value)}))
    if len(value) != length:
        key = _LIST_LENGTH_ORDERED if order else _LIST_LENGTH
        raise InvalidAnswer(Text(key, {**facts, "got": len(value)}))
    out = []
    for i, entry in enumerate(value):
        number = read_number(entry, where=Text(ENTRY, {"i": i + 1}))
        if isinstance(number, float) and not number.is_integer():
            raise InvalidAnswer(Text(_ENTRY_WHOLE, {"i": i + 1, "got": str(number)}))
        if number < 1:
            raise InvalidAnswer(Text(_ENTRY_POSITIVE, {"i": i + 1, "got": f"{number:g}"}))
        out.append(int(number))
    return out


def recipe_summary(recipe: Recipe) -> Text:
    """A recipe's one-line summary as a text: a formula problem's own (already a text), a
    built-in recipe's from the catalogue."""
    if isinstance(recipe.summary, Text):
        return recipe.summary
    if recipe.name in RECIPES:
        return Text(summary_key(recipe.name))
    return Text.literal(recipe.summary)
