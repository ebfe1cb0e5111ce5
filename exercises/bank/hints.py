"""Hints that unlock: the ``hints:`` list of a ``problem.yaml``, and the rule of when each one
unlocks for a student. Pure functions of their arguments: the unlocks are written by
``exercises.submissions.services`` and read by ``exercises.submissions.selectors``.

A hint is Markdown text with ``$math$`` (rendered and sanitised like a statement), written once
(``text: "..."``) or once per language (``text: {en: "...", ko: "..."}``, English required; a
reader gets their language's, else English), and exactly one unlock rule:

- ``after: N``: once the student has N wrong attempts (graded, not correct; unreadable answers
  and infrastructure errors do not count, as everywhere);
- ``on: <key>``: as soon as a grade of the student's diagnoses that misconception (a key the
  problem's kind can diagnose: a recipe's misconception, a formula's named mistake, a code
  problem's ``tests.py`` variant, or ``option:<key>`` for a choice option with feedback);
- ``on_request: true``, with an optional ``cost:``: the student asks for it; ``cost`` is the
  fraction of the problem's points taken off every later submission's score, so off the best
  score once (``exercises.submissions.services.scored``).

Stored on the problem (``Problem.hints``) in the normalised form ``Hint.to_json`` gives, in the
order of the file: a hint's index is its position from 1, the number students and the gradebook
see.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exercises import grading_texts, languages
from exercises.bank import statements
from grader.kinds import SpecError
from grader.kinds.base import check_keys, require_bool, require_int, require_number

MAX_HINTS = 10
MAX_TEXT = 4000
ATTEMPTS, MISCONCEPTION, REQUEST = "attempts", "misconception", "request"
_KEYS = frozenset({"text", "after", "on", "on_request", "cost"})


@dataclass(frozen=True)
class Hint:
    index: int  # 1-based position in the file
    text: str | Mapping[str, str]  # Markdown, or {language: Markdown}
    after: int | None = None
    on: str | None = None
    on_request: bool = False
    cost: float = 0.0

    def text_in(self, language: str | None = None) -> str:
        """The Markdown in ``language`` (default: the reader's), else in English."""
        return grading_texts.pick(self.text, language)

    @property
    def rule(self) -> str:
        """How this hint unlocks: ``attempts``, ``misconception`` or ``request``."""
        if self.after is not None:
            return ATTEMPTS
        if self.on is not None:
            return MISCONCEPTION
        return REQUEST

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": dict(self.text) if isinstance(self.text, Mapping) else self.text
        }
        if self.rule == ATTEMPTS:
            out["after"] = self.after
        elif self.rule == MISCONCEPTION:
            out["on"] = self.on
        else:
            out["on_request"] = True
            out["cost"] = self.cost
        return out


def from_json(stored: Sequence[Mapping[str, Any]] | None) -> list[Hint]:
    """A problem's stored hints (``Problem.hints``), already checked at import."""
    return [
        Hint(
            index=i,
            text=_stored_text(h.get("text", "")),
            after=h.get("after"),
            on=h.get("on"),
            on_request=bool(h.get("on_request")),
            cost=float(h.get("cost") or 0.0),
        )
        for i, h in enumerate(stored or (), start=1)
    ]


def read_hints(value: Any, diagnosable: Collection[str]) -> list[Hint]:
    """Check the ``hints:`` of a problem.yaml; ``SpecError`` with the path of the culprit
    (``hints[1].cost``) for anything an author must fix. ``diagnosable``: the misconception keys
    the problem's kind can name (``ProblemKind.diagnosable``)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise SpecError("hints", f"expected a list of hints, got {type(value).__name__}")
    if len(value) > MAX_HINTS:
        raise SpecError("hints", f"at most {MAX_HINTS} hints, got {len(value)}")
    out = []
    for i, raw in enumerate(value):
        where = f"hints[{i}]"
        if not isinstance(raw, Mapping):
            raise SpecError(where, "a hint is a mapping with text: and one unlock rule")
        # YAML 1.1 (PyYAML) reads a bare ``on`` key as the boolean true: it means ``on:``.
        raw = {("on" if k is True else k): v for k, v in raw.items()}
        check_keys(raw, _KEYS, where)
        text = _read_text(raw.get("text"), f"{where}.text")
        rules = [k for k in ("after", "on", "on_request") if k in raw]
        if len(rules) != 1:
            raise SpecError(
                where, "give exactly one unlock rule: after: N, on: <misconception> or on_request"
            )
        rule = rules[0]
        if "cost" in raw and rule != "on_request":
            raise SpecError(f"{where}.cost", "only an on_request hint has a cost")
        hint = Hint(index=i + 1, text=text)
        if rule == "after":
            hint = Hint(i + 1, text, after=require_int(raw["after"], f"{where}.after", lo=1))
        elif rule == "on":
            key = raw["on"]
            if not isinstance(key, str) or key not in diagnosable:
                known = ", ".join(diagnosable) or "none"
                raise SpecError(
                    f"{where}.on",
                    f"unknown misconception {key!r} for this problem; it diagnoses: {known}",
                )
            hint = Hint(i + 1, text, on=key)
        else:
            if not require_bool(raw["on_request"], f"{where}.on_request"):
                raise SpecError(f"{where}.on_request", "write on_request: true, or leave it out")
            cost = require_number(raw.get("cost", 0), f"{where}.cost", lo=0.0)
            if cost > 1:
                raise SpecError(f"{where}.cost", f"a fraction of the points in [0, 1], got {cost}")
            hint = Hint(i + 1, text, on_request=True, cost=cost)
        out.append(hint)
    return out


def _stored_text(value: Any) -> str | dict[str, str]:
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return str(value or "")


def _read_text(value: Any, where: str) -> str | dict[str, str]:
    """A hint's ``text:``: Markdown, or ``{en: ..., ko: ...}`` in configured languages with
    English; each checked alike (and Korean for Hangul inside math, as statements are)."""
    if isinstance(value, Mapping):
        known = languages.configured()
        for code in value:
            if code not in known:
                raise SpecError(
                    f"{where}.{code}", f"unknown language; languages: {', '.join(known)}"
                )
        if languages.fallback() not in value:
            raise SpecError(where, f"the {languages.fallback()} text is required")
        texts = {str(code): value[code] for code in value}
    else:
        texts = {languages.fallback(): value}
    for code, text in texts.items():
        at = f"{where}.{code}" if isinstance(value, Mapping) else where
        if not isinstance(text, str) or not text.strip():
            raise SpecError(at, "a hint needs its text (Markdown)")
        if "{{" in text:
            raise SpecError(at, "a hint reads the same for every variant: no {{ }}")
        if len(text) > MAX_TEXT:
            raise SpecError(at, f"at most {MAX_TEXT} characters")
        if statements.hangul_in_math(text):
            raise SpecError(at, statements.HANGUL_IN_MATH)
    return texts if isinstance(value, Mapping) else texts[languages.fallback()]


@dataclass(frozen=True)
class Unlock:
    """A hint a grade unlocks, and why."""

    index: int
    how: str
    misconception: str = ""


def unlocked_by_grading(
    hints: Sequence[Hint], wrong_attempts: int, diagnosed: Collection[str]
) -> list[Unlock]:
    """The hints a student's record unlocks: ``wrong_attempts`` so far, and the misconception
    keys their grades have diagnosed. On-request hints never unlock here."""
    out = []
    for hint in hints:
        if hint.rule == ATTEMPTS and wrong_attempts >= (hint.after or 0):
            out.append(Unlock(hint.index, ATTEMPTS))
        elif hint.rule == MISCONCEPTION and hint.on in diagnosed:
            out.append(Unlock(hint.index, MISCONCEPTION, str(hint.on)))
    return out


def charged(costs: Sequence[float]) -> float:
    """The fraction of the points the requested hints cost together (never more than all)."""
    return min(1.0, round(sum(costs), 6))
