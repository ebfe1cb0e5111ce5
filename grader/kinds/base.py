"""The contract every problem kind implements, and the spec-reading helpers they share.

A *spec* is the parsed ``problem.yaml`` of one problem (a dict). Every spec has ``kind``; the
bank's metadata keys (``COMMON_KEYS``: uuid, title, points, tags, limits, ...) are allowed on any
kind and ignored here; each kind lists the keys it reads in ``spec_keys``. Any other key is a
``SpecError``, so a typo (``tolerence:``) is caught at import instead of silently ignored.

A kind is stateless: one instance serves every problem of that kind, and every method is a
pure function of its arguments. ``params`` (from ``generate``) and answers are JSON-ready.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from grader.results import Grade

#: Keys any problem.yaml may carry for the bank and the Django side; kinds do not read them.
COMMON_KEYS = frozenset(
    {"kind", "uuid", "slug", "title", "points", "tags", "limits", "statement", "weight", "order"}
)


class SpecError(ValueError):
    """A problem spec an author must fix. ``path`` locates the culprit: ``"params.n.max"``,
    ``"options[2].key"`` (empty for the spec as a whole)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


class InvalidAnswer(Exception):
    """Raised while reading an answer that cannot be graded; kinds turn it into
    ``Grade.invalid(exc.text)``. Never escapes ``grade()``. ``str()`` is the English."""

    @property
    def text(self) -> str:
        """The message as raised: a ``grader.texts.Text`` (any language) or plain text."""
        return self.args[0] if self.args else ""


class ProblemKind(ABC):
    """One kind of problem: number, matrix, shape, choice, code.

    generate(spec, seed) -> params: deterministic on every machine for the same seed;
        ``seed=None`` gives the spec's pinned params (the lecture's own numbers).
    expected(spec, params) -> the right answer (JSON-ready; never served to students).
    answer_format(spec, params) -> what a client must send, e.g. ``{"type": "matrix", ...}``.
    grade(spec, params, answer) -> Grade; never raises on a bad answer.
    wrong_answers(spec, params) -> {misconception key: an answer that mistake produces}, used by
        ``grader.selfcheck`` to prove each declared misconception is caught; default none.
    diagnosable(spec) -> the misconception keys a grade of this problem can name in
        ``feedback["misconception"]["key"]`` (hints unlock on them); default none.
    """

    name: ClassVar[str]
    #: Keys this kind reads, beyond ``COMMON_KEYS``.
    spec_keys: ClassVar[frozenset[str]] = frozenset()

    def validate_spec(self, spec: Mapping[str, Any]) -> None:
        """Raise ``SpecError`` with a precise path for anything an author must fix."""
        if not isinstance(spec, Mapping):
            raise SpecError("", f"a problem spec is a mapping, got {type(spec).__name__}")
        if spec.get("kind") != self.name:
            raise SpecError("kind", f"expected {self.name!r}, got {spec.get('kind')!r}")
        allowed = COMMON_KEYS | self.spec_keys
        for key in spec:
            if key not in allowed:
                raise SpecError(
                    str(key),
                    f"unknown key for a {self.name} problem; allowed: {', '.join(sorted(allowed))}",
                )
        self._validate(spec)

    @abstractmethod
    def _validate(self, spec: Mapping[str, Any]) -> None:
        """Kind-specific validation, after the common keys were checked."""

    @abstractmethod
    def generate(self, spec: Mapping[str, Any], seed: int | None) -> dict[str, Any]: ...

    @abstractmethod
    def expected(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> Any: ...

    @abstractmethod
    def answer_format(
        self, spec: Mapping[str, Any], params: Mapping[str, Any]
    ) -> dict[str, Any]: ...

    @abstractmethod
    def grade(self, spec: Mapping[str, Any], params: Mapping[str, Any], answer: Any) -> Grade: ...

    def wrong_answers(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    def diagnosable(self, spec: Mapping[str, Any]) -> tuple[str, ...]:
        return ()


# --- spec-reading helpers ------------------------------------------------------------------------


def require_mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SpecError(path, f"expected a mapping, got {type(value).__name__}")
    return value


def require_int(value: Any, path: str, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(path, f"expected an integer, got {value!r}")
    if lo is not None and value < lo:
        raise SpecError(path, f"must be >= {lo}, got {value}")
    if hi is not None and value > hi:
        raise SpecError(path, f"must be <= {hi}, got {value}")
    return value


def require_number(value: Any, path: str, lo: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SpecError(path, f"expected a finite number, got {value!r}")
    if lo is not None and value < lo:
        raise SpecError(path, f"must be >= {lo}, got {value}")
    return float(value)


def require_bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise SpecError(path, f"expected true or false, got {value!r}")
    return value


def check_keys(mapping: Mapping[str, Any], allowed: set[str] | frozenset[str], path: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise SpecError(
                f"{path}.{key}" if path else str(key),
                f"unknown key; allowed: {', '.join(sorted(allowed))}",
            )


def require_seed(seed: Any) -> int | None:
    """Seeds are non-negative integers (derived from user, problem and attempt policy)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    return seed


@dataclass(frozen=True)
class Tolerance:
    """An answer ``a`` matches ``e`` when ``|a - e| <= abs + rel * |e|`` (elementwise)."""

    abs: float = 1e-9
    rel: float = 1e-9

    def close(self, a: float, e: float) -> bool:
        return abs(a - e) <= self.abs + self.rel * abs(e)

    @classmethod
    def from_spec(cls, value: Any, default: Tolerance, path: str = "tolerance") -> Tolerance:
        if value is None:
            return default
        mapping = require_mapping(value, path)
        check_keys(mapping, {"abs", "rel"}, path)
        return cls(
            abs=require_number(mapping.get("abs", default.abs), f"{path}.abs", lo=0.0),
            rel=require_number(mapping.get("rel", default.rel), f"{path}.rel", lo=0.0),
        )
