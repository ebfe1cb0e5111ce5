"""Problem kinds: number, matrix, shape, choice, code.

``get_kind(name)`` imports a kind's module on first use (``grader.kinds.<name>``), so the code
kind, which lives with the sandbox, is picked up when its module is present and nothing else
pays for importing it. A kind module exposes its instance as ``KIND`` (or defines one
``ProblemKind`` subclass whose ``name`` is the module's name).
"""

from __future__ import annotations

import importlib
import inspect
from functools import cache

from grader.kinds.base import ProblemKind, SpecError
from grader.kinds.statement import render_statement

KIND_NAMES: tuple[str, ...] = ("number", "matrix", "shape", "choice", "code")

#: The kinds whose grading is a pure NumPy comparison of a few numbers with the reference (about
#: a millisecond, no student code run): a web request may grade them itself, through the same
#: ``grader.grading.grade_payload`` as a worker, instead of a Celery round trip. ``code`` is not
#: one: it runs in the sandbox, on a worker only.
QUICK_KINDS: frozenset[str] = frozenset({"number", "matrix", "shape", "choice"})

__all__ = ["KIND_NAMES", "QUICK_KINDS", "ProblemKind", "SpecError", "get_kind", "render_statement"]


def get_kind(name: str) -> ProblemKind:
    """The kind called ``name``; ``SpecError`` (path ``kind``) if there is none."""
    if not isinstance(name, str) or name not in KIND_NAMES:
        raise SpecError("kind", f"unknown kind {name!r}; kinds: {', '.join(KIND_NAMES)}")
    return _load(name)


@cache
def _load(name: str) -> ProblemKind:
    module_name = f"{__name__}.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise SpecError("kind", f"the {name!r} kind is not installed") from None
    kind = getattr(module, "KIND", None)
    if isinstance(kind, ProblemKind):
        return kind
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if issubclass(cls, ProblemKind) and not inspect.isabstract(cls) and cls.name == name:
            return cls()
    raise SpecError("kind", f"grader.kinds.{name} defines no {name!r} kind")
