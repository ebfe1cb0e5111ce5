"""A small, safe evaluator for the formulas authors write in ``problem.yaml``.

A number problem may give its answer as an expression over its integer params instead of a
named recipe: ``answer: "(f*f*c + 1)*k"``. The text is parsed with ``ast`` (``mode="eval"``) and
every node is checked against a short allowlist before anything runs; nothing is ever passed to
``eval``/``exec``, no attribute, subscript, lambda or comprehension is accepted, and the only
names are the problem's params and the functions in ``FUNCTIONS``.

What a formula may use:
- numbers (integers and decimals), the params by name, parentheses;
- ``+ - * / // % **`` and unary ``-``/``+``; comparisons (``< <= > >= == !=``, chained),
  ``and``/``or``/``not`` and ``a if condition else b``;
- ``floor``, ``ceil``, ``min``, ``max``, ``sqrt``, ``abs``.

Arithmetic is exact where it can be: integers stay integers, ``/`` gives a ``Fraction``
(``(7 - 3) / 2 + 1`` is exactly 3, ``(7 - 3) / 3 + 1`` exactly 7/3), so "is the answer a whole
number?" has a true answer. Decimals in the text and ``sqrt`` of a non-square give floats.

Bounds keep author text cheap on every variant: at most ``MAX_LENGTH`` characters and
``MAX_NODES`` nodes, exponents at most ``MAX_EXPONENT`` in size, and every intermediate
integer (numerator and denominator) below ``MAX_BITS`` bits. Breaking a bound, dividing by zero
or the square root of a negative number raises ``FormulaError`` naming the piece of the formula
at fault, with the params that made it fail.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

Number = int | float | Fraction
Value = Number | bool

MAX_LENGTH = 500
MAX_NODES = 200
MAX_EXPONENT = 64
MAX_BITS = 128

FUNCTIONS: dict[str, tuple[int, int]] = {
    # name: (fewest, most) arguments
    "floor": (1, 1),
    "ceil": (1, 1),
    "sqrt": (1, 1),
    "abs": (1, 1),
    "min": (2, 8),
    "max": (2, 8),
}

_BINARY: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


class FormulaError(ValueError):
    """A formula that cannot be accepted (at parse time) or evaluated (for some params)."""


Evaluator = Callable[[Mapping[str, Any]], Value]


@dataclass(frozen=True)
class Formula:
    """A parsed formula: ``evaluate(params)`` gives an int, Fraction, float or bool."""

    text: str
    names: frozenset[str]
    _run: Evaluator
    _tree: ast.Expression

    @classmethod
    def parse(cls, text: Any, names: Iterable[str]) -> Formula:
        """Check ``text`` against the allowlist; ``names`` are the params it may use."""
        if isinstance(text, int | float):
            text = str(text)  # ``answer: 3`` in YAML is a (constant) formula too
        if not isinstance(text, str) or not text.strip():
            raise FormulaError(f"expected a formula (text), got {text!r}")
        if len(text) > MAX_LENGTH:
            raise FormulaError(f"a formula has at most {MAX_LENGTH} characters")
        source = " ".join(text.split())  # YAML folded lines are one expression
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"not a formula: {exc.msg} in {source!r}") from None
        nodes = sum(1 for _ in ast.walk(tree))
        if nodes > MAX_NODES:
            raise FormulaError(f"the formula is too long ({nodes} parts; at most {MAX_NODES})")
        allowed = frozenset(names)
        compiler = _Compiler(source, allowed)
        run = compiler.compile(tree.body)
        return cls(source, frozenset(compiler.used), run, tree)

    def evaluate(self, params: Mapping[str, Any]) -> Value:
        try:
            return self._run(params)
        except FormulaError as exc:
            when = _describe(params, self.names)
            raise FormulaError(f"{exc} when {when}" if when else str(exc)) from None

    def number(self, params: Mapping[str, Any]) -> Number:
        """The formula's value, which must be a number (not a comparison)."""
        value = self.evaluate(params)
        if isinstance(value, bool):
            raise FormulaError("this is a condition (true/false), not a number")
        return value

    def condition(self, params: Mapping[str, Any]) -> bool:
        """The formula's value, which must be a condition (a comparison, and/or/not)."""
        value = self.evaluate(params)
        if not isinstance(value, bool):
            raise FormulaError(
                f"this is a number, not a condition: compare it, e.g. {self.text} != 0"
            )
        return value

    def substituted(self, params: Mapping[str, Any]) -> str:
        """The formula with each param replaced by its value: ``(5*5*3 + 1)*10``, the step a
        student can follow with their own numbers."""

        names = sorted(
            (n for n in ast.walk(self._tree) if isinstance(n, ast.Name) and n.id in params),
            key=lambda n: n.col_offset,
            reverse=True,
        )
        text = self.text
        for node in names:  # right to left, so earlier offsets stay valid
            value = params[node.id]
            shown = str(value) if value >= 0 else f"({value})"
            text = text[: node.col_offset] + shown + text[node.end_col_offset :]
        return text


def _describe(params: Mapping[str, Any], names: Iterable[str]) -> str:
    shown = [f"{name}={params[name]}" for name in sorted(names) if name in params]
    return ", ".join(shown)


# --- checking and compiling ----------------------------------------------------------------------


class _Compiler:
    """Turns an allowed AST into nested closures (fast to run on thousands of variants)."""

    def __init__(self, source: str, names: frozenset[str]) -> None:
        self.source = source
        self.names = names
        self.used: set[str] = set()

    def piece(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)

    def reject(self, node: ast.AST, why: str) -> FormulaError:
        return FormulaError(f"{why}: {self.piece(node)!r}")

    def compile(self, node: ast.AST) -> Evaluator:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.reject(node, f"{_what(node)} is not allowed in a formula")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Evaluator:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.reject(node, "only numbers are allowed as constants")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.reject(node, "the number is too large")
        if isinstance(value, int):
            _check_int(value, self.piece(node))
        return lambda p: value

    def _Name(self, node: ast.Name) -> Evaluator:
        name = node.id
        if name in FUNCTIONS:
            raise self.reject(node, f"{name} is a function: call it, e.g. {name}(x)")
        if name not in self.names:
            known = ", ".join(sorted(self.names)) or "none"
            raise self.reject(node, f"unknown name {name!r}; the params are: {known}")
        self.used.add(name)

        def run(p: Mapping[str, Any]) -> Value:
            value = p[name]
            if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
                raise FormulaError(f"the param {name} is not a number")
            return value

        return run

    def _UnaryOp(self, node: ast.UnaryOp) -> Evaluator:
        operand = self.compile(node.operand)
        piece = self.piece(node)
        if isinstance(node.op, ast.Not):
            return lambda p: not _condition(operand(p), piece)
        if isinstance(node.op, ast.USub):
            return lambda p: -_number(operand(p), piece)
        if isinstance(node.op, ast.UAdd):
            return lambda p: +_number(operand(p), piece)
        raise self.reject(node, "this operator is not allowed in a formula")

    def _BinOp(self, node: ast.BinOp) -> Evaluator:
        symbol = _BINARY.get(type(node.op))
        if symbol is None:
            raise self.reject(node, "this operator is not allowed in a formula")
        left, right = self.compile(node.left), self.compile(node.right)
        piece = self.piece(node)

        def run(p: Mapping[str, Any]) -> Value:
            a = _number(left(p), piece)
            b = _number(right(p), piece)
            return _bounded(_arith(symbol, a, b, piece), piece)

        return run

    def _Compare(self, node: ast.Compare) -> Evaluator:
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise self.reject(node, "only < <= > >= == != compare numbers")
        first = self.compile(node.left)
        rest = [
            (_COMPARE[type(op)], self.compile(c))
            for op, c in zip(node.ops, node.comparators, strict=True)
        ]
        piece = self.piece(node)

        def run(p: Mapping[str, Any]) -> bool:
            a = _number(first(p), piece)
            for compare, right in rest:
                b = _number(right(p), piece)
                if not compare(a, b):
                    return False
                a = b
            return True

        return run

    def _BoolOp(self, node: ast.BoolOp) -> Evaluator:
        parts = [self.compile(v) for v in node.values]
        piece = self.piece(node)
        if isinstance(node.op, ast.And):
            return lambda p: all(_condition(part(p), piece) for part in parts)
        return lambda p: any(_condition(part(p), piece) for part in parts)

    def _IfExp(self, node: ast.IfExp) -> Evaluator:
        test, body, orelse = (self.compile(n) for n in (node.test, node.body, node.orelse))
        piece = self.piece(node.test)
        return lambda p: body(p) if _condition(test(p), piece) else orelse(p)

    def _Call(self, node: ast.Call) -> Evaluator:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise self.reject(
                node.func,
                f"only these functions may be called: {', '.join(sorted(FUNCTIONS))}",
            )
        name = node.func.id
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.reject(node, f"{name}() takes plain arguments")
        fewest, most = FUNCTIONS[name]
        if not fewest <= len(node.args) <= most:
            count = f"{fewest}" if fewest == most else f"{fewest} to {most}"
            raise self.reject(node, f"{name}() takes {count} argument(s), got {len(node.args)}")
        args = [self.compile(a) for a in node.args]
        piece = self.piece(node)
        function = _FUNCTION_IMPLS[name]
        return lambda p: _bounded(function([_number(a(p), piece) for a in args], piece), piece)


def _what(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access",
        ast.Subscript: "indexing",
        ast.Lambda: "a lambda",
        ast.NamedExpr: "assignment (:=)",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.JoinedStr: "an f-string",
        ast.Await: "await",
        ast.Starred: "unpacking",
    }
    for cls, text in names.items():
        if isinstance(node, cls):
            return text
    if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return "a comprehension"
    return type(node).__name__


# --- running -----------------------------------------------------------------------------------


def _number(value: Value, piece: str) -> Number:
    if isinstance(value, bool):
        raise FormulaError(f"a condition (true/false) used as a number in {piece!r}")
    return value


def _condition(value: Value, piece: str) -> bool:
    if not isinstance(value, bool):
        raise FormulaError(f"a number used as a condition in {piece!r}: compare it")
    return value


def _check_int(value: int, piece: str) -> None:
    if value.bit_length() > MAX_BITS:
        raise FormulaError(f"a number beyond 2**{MAX_BITS} in {piece!r}")


def _bounded(value: Number, piece: str) -> Number:
    """Keep integers and fractions small; turn a whole Fraction back into an int."""
    if isinstance(value, Fraction):
        _check_int(value.numerator, piece)
        _check_int(value.denominator, piece)
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, int):
        _check_int(value, piece)
        return value
    if isinstance(value, complex) or not math.isfinite(value):
        raise FormulaError(f"not a finite real number in {piece!r}")
    return value


def _arith(symbol: str, a: Number, b: Number, piece: str) -> Number:
    if symbol == "+":
        return a + b
    if symbol == "-":
        return a - b
    if symbol == "*":
        return a * b
    if symbol == "**":
        return _power(a, b, piece)
    if b == 0:
        raise FormulaError(f"division by zero in {piece!r}")
    if symbol == "/":
        if isinstance(a, float) or isinstance(b, float):
            return a / b
        return Fraction(a) / Fraction(b)
    if symbol == "//":
        return a // b
    return a % b


def _power(base: Number, exponent: Number, piece: str) -> Number:
    if isinstance(exponent, Fraction) and exponent.denominator == 1:
        exponent = exponent.numerator
    if isinstance(exponent, int):
        if abs(exponent) > MAX_EXPONENT:
            raise FormulaError(f"the exponent {exponent} is beyond {MAX_EXPONENT} in {piece!r}")
        if base == 0 and exponent < 0:
            raise FormulaError(f"division by zero in {piece!r}")
        if isinstance(base, float):
            return base**exponent
        # an integer base is at most 2**128, so base**64 stays small enough to compute and check
        return Fraction(base) ** exponent
    if abs(exponent) > MAX_EXPONENT:
        raise FormulaError(f"the exponent {float(exponent):g} is beyond {MAX_EXPONENT}")
    if base < 0:
        raise FormulaError(f"a negative number to a fractional power in {piece!r}")
    if base == 0 and exponent < 0:
        raise FormulaError(f"division by zero in {piece!r}")
    try:
        return float(base) ** float(exponent)
    except OverflowError:
        raise FormulaError(f"the result is too large in {piece!r}") from None


def _sqrt(args: list[Number], piece: str) -> Number:
    (x,) = args
    if x < 0:
        raise FormulaError(f"the square root of a negative number in {piece!r}")
    if isinstance(x, int) or (isinstance(x, Fraction) and x.denominator == 1):
        root = math.isqrt(int(x))
        if root * root == x:
            return root  # exact for perfect squares: sqrt(49) is 7, not 7.0
    return math.sqrt(x)


def _whole(function: Callable[[Any], int]) -> Callable[[list[Number], str], int]:
    def run(args: list[Number], piece: str) -> int:
        try:
            return function(args[0])
        except (OverflowError, ValueError):
            raise FormulaError(f"not a finite number in {piece!r}") from None

    return run


_FUNCTION_IMPLS: dict[str, Callable[[list[Number], str], Number]] = {
    "floor": _whole(math.floor),
    "ceil": _whole(math.ceil),
    "sqrt": _sqrt,
    "abs": lambda args, piece: abs(args[0]),
    "min": lambda args, piece: min(args),
    "max": lambda args, piece: max(args),
}
