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
from grader.recipes import DOES_NOT_FIT

MAX_MAGNITUDE = 1e12
MAX_ROWS = 64
MAX_COLS = 64
_DNF_SPELLINGS = {"does-not-fit", "doesn't-fit", "doesnt-fit", "does-not-fit!", "doesn't-fit!"}


def describe(value: Any) -> str:
    """How an unexpected value reads in a message: 'true', 'a list', 'the string "abc"'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the string "{shown}"'
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def read_number(value: Any, *, where: str = "the answer") -> float | int:
    """A finite real number within the cap; never a bool, string or container."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidAnswer(f"{where} must be a number, got {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidAnswer(f"{where} must be a finite number, got {value}")
    if abs(value) > MAX_MAGNITUDE:
        raise InvalidAnswer(f"{where} is too large: numbers up to {MAX_MAGNITUDE:.0e} are accepted")
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
            return (
                f"{text.strip()!r} has separators between its digits: write it as "
                f"{grouped['sign']}{grouped['head']}{digits}{frac} "
                "(no thousands separators, a point for decimals)."
            )
        return (
            f"{text.strip()!r} has separators between its digits: write one number, with no "
            "thousands separators and a point for decimals (for example 45126.4)."
        )
    if commas == 1:
        whole, frac = shown.split(",")
        if re.fullmatch(r"[+-]?[1-9]\d{0,2}", whole) and re.fullmatch(r"\d{3}", frac):
            return (
                f"{text.strip()!r} is ambiguous: {whole}{frac} with a thousands comma, or "
                f"{whole}.{frac} with a decimal comma. Write {whole}{frac} or {whole}.{frac} "
                "(no thousands separators, a point for decimals)."
            )
    return None


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
        raise InvalidAnswer(f"{shown!r} is not a number.") from None
    if not math.isfinite(value):
        raise InvalidAnswer(f"{shown!r} is not a finite number.")
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
        raise InvalidAnswer(
            'this problem\'s answer is a number; "does-not-fit" is not one of its answers'
        )
    if isinstance(value, str):
        hint = ' or "does-not-fit"' if allow_does_not_fit else ""
        raise InvalidAnswer(f"the answer must be a number{hint}, got {describe(value)}")
    return read_number(value)


def read_matrix(value: Any) -> np.ndarray:
    """A non-empty rectangular list of lists of numbers -> a 2-D float ndarray."""
    if not isinstance(value, list):
        raise InvalidAnswer(f"the answer must be a matrix (a list of rows), got {describe(value)}")
    if not value:
        raise InvalidAnswer("the matrix is empty: send a list of rows")
    if len(value) > MAX_ROWS:
        raise InvalidAnswer(f"the matrix has {len(value)} rows; at most {MAX_ROWS} are accepted")
    width: int | None = None
    for r, row in enumerate(value):
        if not isinstance(row, list):
            raise InvalidAnswer(f"row {r + 1} must be a list of numbers, got {describe(row)}")
        if len(row) > MAX_COLS:
            raise InvalidAnswer(
                f"row {r + 1} has {len(row)} cells; at most {MAX_COLS} are accepted"
            )
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise InvalidAnswer(
                f"row {r + 1} has {len(row)} cells but row 1 has {width}: "
                "every row needs the same number of cells"
            )
    if not width:
        raise InvalidAnswer("the matrix rows are empty")
    for r, row in enumerate(value):
        for c, cell in enumerate(row):
            read_number(cell, where=f"cell ({r + 1}, {c + 1})")
    return np.array(value, dtype=np.float64)


def read_int_list(value: Any, length: int, order: str) -> list[int]:
    """A list of ``length`` positive whole numbers (integral floats such as 28.0 are accepted)."""
    example = f" written as {order}" if order else ""
    if not isinstance(value, list):
        raise InvalidAnswer(
            f"the answer must be a list of {length} whole numbers{example}, got {describe(value)}"
        )
    if len(value) != length:
        raise InvalidAnswer(f"the answer must have {length} numbers{example}, got {len(value)}")
    out = []
    for i, entry in enumerate(value):
        number = read_number(entry, where=f"entry {i + 1}")
        if isinstance(number, float) and not number.is_integer():
            raise InvalidAnswer(f"entry {i + 1} must be a whole number, got {number}")
        if number < 1:
            raise InvalidAnswer(f"entry {i + 1} must be at least 1, got {number:g}")
        out.append(int(number))
    return out
