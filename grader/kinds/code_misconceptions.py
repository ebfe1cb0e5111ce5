"""Which known wrong implementation a code problem's failed case matches, and how to say so.

A code problem's ``tests.py`` may define, together (both or neither):

* ``variants(*args, **kwargs) -> {key: array}``: what each known wrong implementation returns on
  one case's inputs (same call as ``reference``), e.g. ``grader.checks.conv2d_variants``. The
  order matters: the first variant an output matches is the diagnosis.
* ``MISCONCEPTIONS``: ``{key: (title, explanation)}`` or ``{key: {"title", "explanation",
  "step"?}}``, the text a student reads; every key ``variants()`` returns must be here. Each
  text is plain text or one per language, ``{"en": ..., "ko": ...}`` (English required), and
  reads in the student's language (``grader.texts``).

``problem.yaml`` may narrow them with ``misconceptions:``, a list of keys (each checked against
``MISCONCEPTIONS`` and required to come out of ``variants()`` on the pinned cases), ``all`` (the
default) or ``[]`` (diagnose nothing), as the quick kinds do.

Everything here runs in the worker, on trusted code: the variants are computed from a case's
inputs only after the student's output for that case failed, never inside the sandbox. The
feedback is shaped like the quick kinds' diagnosis (``grader.diagnose.Diagnosis.to_feedback``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.checks import diagnose_array
from grader.kinds.base import SpecError, Tolerance
from grader.run_texts import MATCHES, MATCHES_CAPITAL
from grader.texts import LANGUAGES, Text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Misconception:
    """One declared mistake: ``key`` as ``variants()`` names it, and the student-facing text."""

    key: str
    title: Text
    explanation: Text
    step: Text | str = ""

    def to_feedback(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "explanation": self.explanation,
            "step": self.step,
        }


def read_misconceptions(namespace: Mapping[str, Any]) -> dict[str, Misconception]:
    """``tests.py``'s ``MISCONCEPTIONS``, checked; empty when it declares no diagnosis.

    Raises ``SpecError`` (path ``tests_source``) when only one of ``variants`` and
    ``MISCONCEPTIONS`` is defined, or when an entry is not a title and an explanation.
    """
    has_variants = "variants" in namespace
    raw = namespace.get("MISCONCEPTIONS")
    if has_variants and not callable(namespace["variants"]):
        raise SpecError("tests_source", "tests.py: variants must be a function")
    if raw is None:
        if has_variants:
            raise SpecError(
                "tests_source", "tests.py defines variants() but no MISCONCEPTIONS to explain them"
            )
        return {}
    if not has_variants:
        raise SpecError(
            "tests_source", "tests.py defines MISCONCEPTIONS but no variants() to detect them"
        )
    if not isinstance(raw, Mapping):
        raise SpecError("tests_source", "tests.py: MISCONCEPTIONS must be a dict of key -> text")
    out: dict[str, Misconception] = {}
    for key, entry in raw.items():
        where = f"tests.py: MISCONCEPTIONS[{key!r}]"
        if not isinstance(key, str) or not key:
            raise SpecError("tests_source", f"{where}: a key is a non-empty string")
        if isinstance(entry, Mapping):
            unknown = set(entry) - {"title", "explanation", "step"}
            if unknown:
                raise SpecError("tests_source", f"{where}: unknown keys {sorted(unknown)}")
            title, explanation, step = (
                entry.get("title"),
                entry.get("explanation"),
                entry.get("step", ""),
            )
        elif isinstance(entry, Sequence) and not isinstance(entry, str) and len(entry) == 2:
            (title, explanation), step = entry, ""
        else:
            raise SpecError(
                "tests_source", f"{where}: expected (title, explanation) or a dict with both"
            )
        texts = {
            name: _text(value, f"{where}: the {name}", required=name != "step")
            for name, value in (("title", title), ("explanation", explanation), ("step", step))
        }
        out[key] = Misconception(key, texts["title"], texts["explanation"], texts["step"])
    return out


def _text(value: Any, where: str, *, required: bool) -> Text | str:
    """One text of a ``MISCONCEPTIONS`` entry: a ``Text`` (``grader.checks``' own), plain
    text, or ``{"en": ..., "ko": ...}``; written as is, braces included."""
    if isinstance(value, Text):
        return value
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in LANGUAGES]
        if unknown or "en" not in value:
            raise SpecError(
                "tests_source",
                f"{where} in several languages needs en (and only {', '.join(LANGUAGES)})",
            )
        texts = dict(value)
    elif isinstance(value, str):
        texts = {"en": value}
    else:
        texts = {"en": None}
    for text in texts.values():
        if not isinstance(text, str) or (required and not text.strip()):
            raise SpecError(
                "tests_source", f"{where} must be {'non-empty ' if required else ''}text"
            )
    if not texts["en"].strip():
        return ""
    return Text.inline({k: v.replace("{", "{{").replace("}", "}}") for k, v in texts.items()})


def selected_keys(spec: Mapping[str, Any], known: Mapping[str, Misconception]) -> tuple[str, ...]:
    """The keys to diagnose: ``misconceptions:`` of problem.yaml (default ``all``)."""
    value = spec.get("misconceptions", "all")
    if value == "all":
        return tuple(known)
    if not isinstance(value, list):
        raise SpecError("misconceptions", f"expected a list of keys or 'all', got {value!r}")
    for i, key in enumerate(value):
        if key not in known:
            listed = ", ".join(known) if known else "none (tests.py defines no MISCONCEPTIONS)"
            raise SpecError(
                f"misconceptions[{i}]",
                f"unknown misconception {key!r}; tests.py declares: {listed}",
            )
    return tuple(value)


def _variants(namespace: Mapping[str, Any], case: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The case's variant outputs as float64 arrays; ``ValueError`` for anything malformed."""
    raw = namespace["variants"](*case["args"], **case["kwargs"])
    if not isinstance(raw, Mapping):
        raise ValueError(f"variants() must return a dict, got {type(raw).__name__}")
    out = {}
    for key, value in raw.items():
        array = np.asarray(value, dtype=np.float64)
        if not np.isfinite(array).all():
            raise ValueError(f"variants()[{key!r}] holds NaN or infinity")
        out[key] = array
    return out


def check_variants(
    spec: Mapping[str, Any],
    namespace: Mapping[str, Any],
    known: Mapping[str, Misconception],
    cases: Sequence[Mapping[str, Any]],
) -> None:
    """Run ``variants()`` on the pinned variant's cases, so an author's mistake fails the import:
    it must return numeric arrays under declared keys, and produce every key problem.yaml lists."""
    if not known:
        selected_keys(spec, known)  # a misconceptions: list without a variants() is an error
        return
    produced: set[str] = set()
    for i, case in enumerate(cases):
        path = f"tests_source.cases[{i}]"
        try:
            variants = _variants(namespace, case)
        except Exception as exc:
            raise SpecError(path, f"variants() failed: {exc!r}") from None
        unknown = [k for k in variants if k not in known]
        if unknown:
            raise SpecError(
                path,
                f"variants() returned {unknown[0]!r}, which MISCONCEPTIONS does not explain",
            )
        produced.update(variants)
    declared = spec.get("misconceptions", "all")
    for i, key in enumerate(selected_keys(spec, known)):
        if declared != "all" and key not in produced:
            raise SpecError(
                f"misconceptions[{i}]",
                f"variants() never returns {key!r} on the pinned variant's cases",
            )


def diagnose_case(
    namespace: Mapping[str, Any],
    case: Mapping[str, Any],
    got: Any,
    keys: Sequence[str],
    tol: Tolerance,
) -> str | None:
    """The misconception (one of ``keys``) whose variant ``got`` matches on this case, or None.

    Called only for a failed case. A broken ``variants()`` on a student's seed costs the
    diagnosis, never the grade: it is logged for the author and the case gets no hint.
    """
    try:
        variants = _variants(namespace, case)
    except Exception:
        log.exception("tests.py variants() failed on case %r; no diagnosis", case.get("name"))
        return None
    wanted = {k: v for k, v in variants.items() if k in keys}
    return diagnose_array(got, wanted, expected=case["expected"], rtol=tol.rel, atol=tol.abs)


def summarize(
    diagnosed: Sequence[tuple[str, str]], failed: int, known: Mapping[str, Misconception]
) -> dict[str, Any]:
    """The Grade feedback for the failed cases' diagnoses (``(test name, key)`` in test order).

    ``misconception`` is the key most failed tests match (the first on a tie), with the names of
    those tests; ``partial`` and ``matched_tests`` when other failed tests do not match it, as the
    matrix kind marks a diagnosis of some cells. Other keys go to ``also``. Empty when none.
    """
    if not diagnosed:
        return {}
    counts = Counter(key for _, key in diagnosed)
    key, count = counts.most_common(1)[0]
    feedback = known[key].to_feedback()
    feedback["tests"] = [name for name, k in diagnosed if k == key]
    if count < failed:
        feedback["partial"] = True
        feedback["matched_tests"] = count
    out: dict[str, Any] = {"misconception": feedback}
    others = [k for k in counts if k != key]
    if others:
        out["also"] = [{"key": k, "title": known[k].title} for k in others]
    return out


def case_hint(known: Mapping[str, Misconception], key: str, *, capital: bool = False) -> Text:
    """The line a failed test shows: it names the mistake, never the case's data."""
    return Text(MATCHES_CAPITAL if capital else MATCHES, {"title": known[key].title})
