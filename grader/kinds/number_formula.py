"""Number problems written as formulas: a recipe built from the problem's own ``problem.yaml``.

An author who wants "the receptive field of n stacked k x k convolutions" writes the answer as a
formula over the params instead of naming one of the built-in recipes::

    kind: number
    answer: "1 + n*(k - 1)"
    params: {n: {min: 2, max: 6}, k: {choices: [3, 5, 7]}}
    pinned: {n: 2, k: 3}
    misconceptions:
      sum-of-sizes:
        answer: "n*k"
        title: Added the filter sizes
        explain: "Each layer adds k - 1 = {k_minus_1} cells ..."

Spec keys (beyond the number kind's ``params``, ``pinned``, ``tolerance``):

``answer`` (required): the formula (``grader.formula``) over the params.
``integer``: the answer is a whole number on every variant (default true); false for real
answers, graded within ``tolerance``.
``does_not_fit_if``: a condition over the params; where it holds the answer is
``"does-not-fit"`` (and the formula is not evaluated). ``does_not_fit``: the share of variants
drawn that way (default 1/3, as for the output-size recipes).
``summary``: one line a student reads when an answer matches no misconception (default: a
generic nudge; it should not give the formula away).
``misconceptions``: ``{key: {answer, title?, explain, step?}}``: a named wrong formula and the
text a student reads when their answer matches it. ``title``, ``explain`` and ``step`` are
``str.format`` templates with the params by name, ``{wrong}`` and ``{right}`` (the two answers),
``{work}`` and ``{wrong_work}`` (the right and the wrong formula with the student's numbers in).
Each (and ``summary``) is one text, or one per language, ``{en: ..., ko: ...}`` (English
required, the same fields in every language): a student reads their language's.

Params are integers: a fixed number, ``{min, max}`` or ``{choices: [...]}``, each within
``PARAM_LIMIT``. ``pinned`` defaults to each param's smallest value. Params are drawn, and
misconceptions tried, in alphabetical order of their names: a spec stored in PostgreSQL
(``jsonb``) does not keep the order of mapping keys, and a student's variant must not depend on
where the spec was read from.

``formula_recipe(spec)`` turns this into a ``grader.recipes.Recipe`` whose ``diagnosis`` holds
the misconceptions, so grading, diagnosis, the preview and the self-check are the recipe
kinds' own. ``check_formula_spec(spec)`` is the import-time proof: every formula is evaluated on
every variant the ranges allow (or a deterministic sample of ``MAX_VARIANTS`` when there are
more), and any failure is a ``SpecError`` whose path points at the formula's line.
"""

from __future__ import annotations

import itertools
import json
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from grader import diagnose as dx
from grader.formula import Formula, FormulaError, Number
from grader.kinds.answers import MAX_MAGNITUDE
from grader.kinds.base import (
    SpecError,
    Tolerance,
    check_keys,
    require_bool,
    require_int,
    require_mapping,
    require_number,
)
from grader.recipes import (
    DOES_NOT_FIT,
    Draw,
    Generator,
    IntParam,
    Recipe,
    asking_does_not_fit,
    check_generators,
    read_generators,
)
from grader.texts import LANGUAGES, Text, define, fields

#: The spec keys only formula problems read.
FORMULA_KEYS = frozenset({"answer", "integer", "does_not_fit_if", "summary"})
PARAM_LIMIT = (-(10**6), 10**6)
#: Above this many combinations of param values, validation samples instead of enumerating.
MAX_VARIANTS = 4000
#: A misconception must differ from the answer on more than this share of the variants.
DISTINGUISHABLE = 0.5
MISCONCEPTION_KEYS = frozenset({"answer", "title", "explain", "step"})
DEFAULT_SUMMARY = "the numbers in your statement, one operation at a time"
_DEFAULT_SUMMARY = define(
    "formula.summary", DEFAULT_SUMMARY, "문제에 나온 여러분의 숫자로, 연산을 하나씩"
)
_FITS = define(
    "formula.fits",
    "It fits: {condition} is false for these numbers, so the answer is a number.",
    "들어맞습니다: 이 숫자들에서는 {condition}이(가) 거짓이므로 답은 숫자입니다.",
)
_DOES_NOT_FIT = define(
    "formula.does-not-fit",
    **asking_does_not_fit(
        "It doesn't fit: {condition} holds for these numbers.",
        "들어맞지 않습니다: 이 숫자들에서는 {condition}이(가) 참입니다.",
    ),
)
DEFAULT_RATE = 1 / 3


def is_formula_spec(spec: Mapping[str, Any]) -> bool:
    return "answer" in spec


# --- building the recipe ------------------------------------------------------------------------


@dataclass(frozen=True)
class FormulaProblem:
    """A formula spec, parsed: the recipe the number kind grades with, and the formulas the
    import-time check evaluates (the answer, the fit condition, each misconception's)."""

    recipe: Recipe
    answer: Formula
    does_not_fit_if: Formula | None
    integer: bool
    wrong: dict[str, Formula]
    pinned: dict[str, int]


def formula_recipe(spec: Mapping[str, Any]) -> Recipe:
    """The recipe a formula spec describes."""
    return formula_problem(spec).recipe


def formula_problem(spec: Mapping[str, Any]) -> FormulaProblem:
    """``spec`` parsed, once per distinct spec (grading calls this on every answer)."""
    relevant = {key: spec.get(key) for key in sorted(FORMULA_KEYS | _SHARED_KEYS)}
    if "recipe" in spec:
        raise SpecError("answer", "give either answer: (a formula) or recipe:, not both")
    try:
        key = json.dumps(relevant, sort_keys=True)
    except (TypeError, ValueError):
        raise SpecError("", "a formula problem's spec must be plain YAML data") from None
    return _build(key)


_SHARED_KEYS = frozenset({"params", "pinned", "misconceptions", "does_not_fit", "tolerance"})


@lru_cache(maxsize=256)
def _build(key: str) -> FormulaProblem:
    spec = json.loads(key)
    params = _read_params(spec.get("params"))
    names = [p.name for p in params]
    answer = _parse(spec.get("answer"), names, "answer")
    integer = True
    if spec.get("integer") is not None:
        integer = require_bool(spec["integer"], "integer")
    dnf = None
    if spec.get("does_not_fit_if") is not None:
        dnf = _parse(spec["does_not_fit_if"], names, "does_not_fit_if")
    rate = 0.0
    if spec.get("does_not_fit") is not None:
        if dnf is None:
            raise SpecError("does_not_fit", "needs does_not_fit_if: the condition for it")
        rate = require_number(spec["does_not_fit"], "does_not_fit", lo=0.0)
        if rate > 1:
            raise SpecError("does_not_fit", f"a share between 0 and 1, got {rate}")
    elif dnf is not None:
        rate = DEFAULT_RATE
    summary = _summary(spec.get("summary"))
    wrong = _read_wrong_formulas(spec.get("misconceptions"), names, answer)
    misconceptions = _read_misconceptions(spec["misconceptions"], names, wrong) if wrong else ()

    def solve(p: Mapping[str, Any]) -> Any:
        if dnf is not None and dnf.condition(p):
            return DOES_NOT_FIT
        return answer.number(p)

    def facts(p: Mapping[str, Any]) -> dict[str, Any]:
        out = {**p, "work": answer.substituted(p)}
        if dnf is not None:
            out["fit_condition"] = dnf.substituted(p)
        return out

    recipe = Recipe(
        name="formula",
        answer="number",
        summary=summary,
        params=params,
        solve=solve,
        fits=(lambda p: not dnf.condition(p)) if dnf is not None else None,
        does_not_fit_rate=rate,
        diagnosis=dx.RecipeDiagnosis(facts, misconceptions),
    )
    Tolerance.from_spec(spec.get("tolerance"), recipe.tolerance)
    pinned = _pinned(params, spec.get("pinned"))
    return FormulaProblem(recipe, answer, dnf, integer, wrong, pinned)


def _parse(text: Any, names: list[str], path: str) -> Formula:
    try:
        return Formula.parse(text, names)
    except FormulaError as exc:
        raise SpecError(path, str(exc)) from None


def _read_params(value: Any) -> tuple[IntParam, ...]:
    """Each param's default generator and hard limit (the spec's ranges are read over these)."""
    if value is None:
        return ()
    mapping = require_mapping(value, "params")
    out = []
    for name, raw in mapping.items():
        where = f"params.{name}"
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise SpecError(where, "a param name is a word (letters, digits, _)")
        if isinstance(raw, Mapping) and "choices" in raw:
            choices = raw["choices"]
            if not isinstance(choices, list) or not choices:
                raise SpecError(f"{where}.choices", "expected a non-empty list of integers")
            picked = tuple(
                require_int(c, f"{where}.choices[{i}]", *PARAM_LIMIT) for i, c in enumerate(choices)
            )
            out.append(IntParam(name, min(picked), max(picked), min(picked), PARAM_LIMIT, picked))
        elif isinstance(raw, Mapping):
            check_keys(raw, {"min", "max"}, where)
            if "min" not in raw or "max" not in raw:
                raise SpecError(where, "a range needs both min and max")
            lo = require_int(raw["min"], f"{where}.min", *PARAM_LIMIT)
            hi = require_int(raw["max"], f"{where}.max", *PARAM_LIMIT)
            if lo > hi:
                raise SpecError(where, f"min ({lo}) is larger than max ({hi})")
            out.append(IntParam(name, lo, hi, lo, PARAM_LIMIT))
        else:
            fixed = require_int(raw, where, *PARAM_LIMIT)
            out.append(IntParam(name, fixed, fixed, fixed, PARAM_LIMIT))
    return tuple(out)


def _read_wrong_formulas(value: Any, names: list[str], answer: Formula) -> dict[str, Formula]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SpecError(
            "misconceptions",
            "a formula problem declares its misconceptions as a mapping "
            "{key: {answer, title, explain}}",
        )
    out = {}
    for key, raw in value.items():
        where = f"misconceptions.{key}"
        if not isinstance(key, str) or not key:
            raise SpecError(where, "a misconception key is a word, e.g. forgot-bias")
        raw = require_mapping(raw, where)
        check_keys(raw, MISCONCEPTION_KEYS, where)
        wrong = _parse(raw.get("answer"), names, f"{where}.answer")
        if wrong.text == answer.text:
            raise SpecError(f"{where}.answer", "is the answer itself")
        out[key] = wrong
    return out


def _read_misconceptions(
    value: Mapping[str, Any], names: list[str], formulas: Mapping[str, Formula]
) -> tuple[dx.Misconception, ...]:
    out = []
    for key, formula in formulas.items():
        raw, where = value[key], f"misconceptions.{key}"
        if "explain" not in raw:
            raise SpecError(where, "missing explain: what a student with this answer reads")
        texts = {}
        for field in ("title", "explain", "step"):
            default = key.replace("-", " ").capitalize() if field == "title" else "{work}"
            by_language = _languages(raw.get(field, default), f"{where}.{field}")
            for language, text in by_language.items():
                path = f"{where}.{field}" + (f".{language}" if language != "en" else "")
                if field != "title":  # the title is shown as written
                    _check_template(text, names, path)
                    if sorted(fields(text)) != sorted(fields(by_language["en"])):
                        raise SpecError(path, "use the same {fields} as the English text")
            if field == "title":
                by_language = {
                    k: v.replace("{", "{{").replace("}", "}}") for k, v in by_language.items()
                }
            texts[field] = by_language
        out.append(
            dx.Misconception(key, texts["title"], _wrong(formula), texts["explain"], texts["step"])
        )
    return tuple(out)


def _languages(value: Any, path: str) -> dict[str, str]:
    """A text of the spec: plain text (English), or ``{en: ..., ko: ...}``."""
    texts = dict(value) if isinstance(value, Mapping) else {"en": value}
    for language, text in texts.items():
        if language not in LANGUAGES:
            raise SpecError(
                f"{path}.{language}", f"unknown language; languages: {', '.join(LANGUAGES)}"
            )
        if not isinstance(text, str) or not text.strip():
            where = path + (f".{language}" if isinstance(value, Mapping) else "")
            raise SpecError(where, f"expected text, got {text!r}")
    if "en" not in texts:
        raise SpecError(path, "the English text (en:) is required")
    return texts


def _summary(value: Any) -> Text:
    """The ``summary:`` as a text (written as is), or the default nudge."""
    if value is None or value == "":
        return Text(_DEFAULT_SUMMARY)
    texts = _languages(value, "summary")
    return Text.inline({k: v.replace("{", "{{").replace("}", "}}") for k, v in texts.items()})


TEMPLATE_FIELDS = ("wrong", "right", "work", "wrong_work")


def _check_template(text: str, names: list[str], path: str) -> None:
    allowed = set(names) | set(TEMPLATE_FIELDS)
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise SpecError(path, f"{exc} (write a literal brace as {{{{ or }}}})") from None
    for field in fields:
        if field not in allowed:
            raise SpecError(
                path,
                f"unknown field {{{field}}}; use the params ({', '.join(names) or 'none'}) "
                f"or {', '.join('{' + f + '}' for f in TEMPLATE_FIELDS)}",
            )


def _wrong(formula: Formula):
    """A misconception's answers for these params: one candidate, with its worked formula."""

    def wrong(p: Mapping[str, Any]) -> Any:
        try:
            value = formula.number(p)
        except FormulaError:
            return None  # proven not to happen at import; a changed spec must not crash grading
        return dx.Variants([(value, {"wrong_work": formula.substituted(p)})])

    return wrong


def _pinned(params: tuple[IntParam, ...], value: Any) -> dict[str, int]:
    pinned = {p.name: p.pinned for p in params}
    if value is not None:
        mapping = require_mapping(value, "pinned")
        check_keys(mapping, set(pinned), "pinned")
        for name, raw in mapping.items():
            pinned[name] = require_int(raw, f"pinned.{name}", *PARAM_LIMIT)
    return pinned


# --- proving it at import -------------------------------------------------------------------------


def variants(recipe: Recipe, gens: Mapping[str, Generator]) -> Iterator[dict[str, int]]:
    """Every combination of param values when there are at most ``MAX_VARIANTS``, else the
    corners of the ranges and a deterministic sample (the same on every machine)."""
    values = {
        p.name: list(g.choices) if g.choices else list(range(g.lo, g.hi + 1))
        for p, g in ((p, gens[p.name]) for p in recipe.params)
    }
    total = 1
    for options in values.values():
        total *= len(options)
    names = list(values)
    if total <= MAX_VARIANTS:
        for combo in itertools.product(*values.values()):
            yield dict(zip(names, combo, strict=True))
        return
    corners = [sorted({options[0], options[-1]}) for options in values.values()]
    for combo in itertools.islice(itertools.product(*corners), MAX_VARIANTS // 4):
        yield dict(zip(names, combo, strict=True))
    draw = Draw(0)
    for _ in range(MAX_VARIANTS):
        yield {name: gens[name].draw(draw, recipe.param(name)) for name in names}


def check_formula_spec(spec: Mapping[str, Any]) -> None:
    """Raise ``SpecError`` (path -> the YAML line) for anything that would fail a student:
    a formula that errs on some variant (division by zero, a huge power), a fractional answer
    where ``integer`` is true, an answer too large to type, a condition that is not a
    condition, a misconception that is the answer on most variants, a template that does not
    fill. Reports the first failure with the params that caused it."""
    problem = formula_problem(spec)
    recipe = problem.recipe
    gens = read_generators(recipe, spec.get("params"))
    sweep = [problem.pinned, *variants(recipe, gens)]
    # per misconception and outcome (fits or not): [variants, variants where it differs]
    differs = {key: {True: [0, 0], False: [0, 0]} for key in problem.wrong}
    fitting = 0
    for params in sweep:
        right: Any = DOES_NOT_FIT
        fits = True
        if problem.does_not_fit_if is not None:
            try:
                fits = not problem.does_not_fit_if.condition(params)
            except FormulaError as exc:
                raise SpecError("does_not_fit_if", str(exc)) from None
        if fits:
            fitting += 1
            right = _checked_answer(problem.answer, params, problem.integer)
        for key, formula in problem.wrong.items():
            try:
                wrong = formula.number(params)
            except FormulaError as exc:
                raise SpecError(f"misconceptions.{key}.answer", str(exc)) from None
            tally = differs[key][fits]
            tally[0] += 1
            tally[1] += not dx.same_answer("number", wrong, right, recipe.tolerance)
    if problem.does_not_fit_if is not None and fitting == 0:
        raise SpecError("does_not_fit_if", "holds on every variant: nothing ever fits")
    if problem.does_not_fit_if is not None:
        check_generators(recipe, gens, recipe.does_not_fit_rate)
    for key, by_outcome in differs.items():
        # A mistake about fitting (rounding a size that doesn't fit) only shows where nothing
        # fits: it must differ from the answer on most variants of at least one outcome.
        shares = [d / n for n, d in by_outcome.values() if n]
        if max(shares) <= DISTINGUISHABLE:
            raise SpecError(
                f"misconceptions.{key}.answer",
                f"gives the right answer on {1 - max(shares):.0%} of the variants; a "
                "misconception must differ from the answer on most of them",
            )
    # Fill every template once with real numbers: a bad format spec fails here, not later.
    for m in dx.table_for(recipe).misconceptions:
        for wrong, extra in dx.candidates(m, problem.pinned):
            try:
                dx.explain(recipe, m, problem.pinned, wrong, extra)
            except (ValueError, KeyError, IndexError, AttributeError) as exc:
                raise SpecError(f"misconceptions.{m.key}.explain", str(exc)) from None


def _checked_answer(answer: Formula, params: Mapping[str, Any], integer: bool) -> Number:
    try:
        value = answer.number(params)
    except FormulaError as exc:
        raise SpecError("answer", str(exc)) from None
    if abs(value) > MAX_MAGNITUDE:
        raise SpecError(
            "answer", f"{float(value):g} is too large to type (when {_when(params, answer)})"
        )
    if integer and not _whole(value):
        raise SpecError(
            "answer",
            f"{dx.fmt(value)} is not a whole number (when {_when(params, answer)}); "
            "use floor(), ceil() or //, or integer: false for a real-valued answer",
        )
    return value


def _whole(value: Number) -> bool:
    if isinstance(value, Fraction):
        return value.denominator == 1
    if isinstance(value, float):
        return value.is_integer()
    return True


def _when(params: Mapping[str, Any], formula: Formula) -> str:
    return ", ".join(f"{n}={params[n]}" for n in sorted(formula.names)) or "always"


def fit_feedback(recipe: Recipe, params: Mapping[str, Any], *, fits: bool) -> dict[str, Any]:
    """Why a formula problem's variant does or doesn't fit: its condition, with the numbers."""
    condition = dx.table_for(recipe).facts(params)["fit_condition"]
    message = Text(_FITS if fits else _DOES_NOT_FIT, {"condition": condition})
    return {"fits": fits, "message": message, "step": condition}
