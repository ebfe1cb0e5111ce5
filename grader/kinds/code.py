"""The ``code`` problem kind: the student submits a Python module defining one function, which
runs in the sandbox on the problem's cases; the outputs are checked *here*, in the worker.

Spec (``problem.yaml`` plus two files the importer folds in)::

    kind: code
    entry: conv2d                        # the function the student defines
    signature: "def conv2d(x, w, b, stride=1, pad=0)"   # shown to students
    starter: <text of starter.py>        # what the editor opens with
    tests_source: <text of tests.py>     # trusted, author-written; never served, never sandboxed
    tolerance: {abs: 1e-8, rel: 1e-5}    # optional; compare_arrays' atol / rtol
    limits: {cpu_seconds: 2, ...}        # optional; grader.limits.Limits keys
    seed: 0                              # optional; the cases of the lecture's pinned variant
    misconceptions: [flipped-kernel]     # optional; which of tests.py's to diagnose (default all)

``tests.py`` defines two functions, run in the worker only:

* ``cases(rng) -> list[dict]``: the cases of one variant, built from a seeded
  ``numpy.random.Generator``; each ``{"name": str, "args": [...], "kwargs": {...}, "points":
  float = 1, "hidden": bool = True}``. A name may be written per language, ``{"en": ...,
  "ko": ...}``: the English is the test's name everywhere a name is a key (the stored result,
  ``expected()``, analytics), and the texts travel in the outcome's ``data["texts"]["name"]``
  so that a page shows the name in its reader's language. Arguments are arrays (NCHW inputs, weights
  (F, C, HH, WW)), numbers, strings or lists/tuples/str-keyed dicts of them.
* ``reference(*args, **kwargs)``: the right output of one case (typically via
  ``grader.reference``).

and, optionally, the teaching feedback (``grader.kinds.code_misconceptions``):

* ``variants(*args, **kwargs) -> {key: array}``: what known wrong implementations return on the
  same inputs (e.g. ``grader.checks.conv2d_variants``), and
* ``MISCONCEPTIONS``: ``{key: (title, explanation)}`` (or a dict with ``title``,
  ``explanation``, ``step``) explaining every key ``variants()`` returns.

When a case fails, its variants are computed here (never in the sandbox) and the first one the
student's output matches names the mistake: in that test's message (for a hidden case only the
mistake's title, never the case's data) and, for the most common one, in the Grade's
``feedback["misconception"]`` shaped like the quick kinds' diagnosis.

Only the *inputs* enter the sandbox, one case at a time, visible cases first. Hidden cases
report name, pass/fail and points, never their data; the student's printed output is shown only
when no case is hidden (it could echo hidden inputs; the feedback then says so), and what the
child says after a hidden input reached it is cut down to exception type and line
(``grader.sandbox.interpret``; a hidden case that raised reports only the exception's type and the
line of the student's code, ``crash_location``). A syntax error is found by compiling in the
worker before anything runs: an invalid answer, which uses no attempt. Other faults of the
student's (timeout, crash, ...) are graded results with a clear message; ``SandboxUnavailable``
propagates so that the task retries.
"""

from __future__ import annotations

import builtins
import hashlib
import re
import traceback
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from grader.checks import compare_arrays
from grader.kinds import code_misconceptions as cm
from grader.kinds.base import (
    ProblemKind,
    SpecError,
    Tolerance,
    require_bool,
    require_int,
    require_number,
    require_seed,
)
from grader.limits import Limits
from grader.results import Grade, TestOutcome, verdict_for
from grader.run_texts import (
    CASE_FAILED,
    FAILED,
    NOT_RUN,
    PASSED,
    PASSED_MATCH,
    PASSED_MATCH_MANY,
    REDUCED_EXCEPTION,
    REDUCED_EXCEPTION_AT_LINE,
    REDUCED_NOT_AN_ARRAY,
    REDUCED_TYPE,
    REDUCED_TYPE_AT_LINE,
    RUN_AND_SUMMARY,
    SUBMIT_SOURCE,
    SYNTAX,
    UNKNOWN_EXCEPTION,
)
from grader.texts import LANGUAGES, Text

DEFAULT_TOLERANCE = Tolerance(abs=1e-8, rel=1e-5)
CASE_KEYS = frozenset({"name", "args", "kwargs", "points", "hidden"})
MAX_CASES = 64
#: The name the sandbox gives the student's module in its tracebacks.
SUBMISSION_FILE = "submission.py"


@lru_cache(maxsize=64)
def _load_tests(source: str) -> Mapping[str, Any]:
    """Execute a problem's trusted ``tests.py`` once per distinct text (worker side only)."""
    namespace: dict[str, Any] = {"__name__": "stride_problem_tests_" + _digest(source)}
    exec(compile(source, "tests.py", "exec"), namespace)  # noqa: S102 - author-written, trusted
    return namespace


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def output_digest(value: Any) -> str | None:
    """A short digest of an output array's shape and values rounded to 4 decimals (so float
    noise from summation order does not tell two equal answers apart); None when it is not
    numeric."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    digest = hashlib.sha256(repr(array.shape).encode())
    digest.update(np.ascontiguousarray(np.round(array, 4) + 0.0).tobytes())
    return digest.hexdigest()[:16]


class CodeKind(ProblemKind):
    name = "code"
    spec_keys = frozenset(
        {"entry", "signature", "starter", "tests_source", "tolerance", "seed", "misconceptions"}
    )

    # ------------------------------------------------------------------ spec

    def _validate(self, spec: Mapping[str, Any]) -> None:
        entry = spec.get("entry")
        if not isinstance(entry, str) or not entry.isidentifier():
            raise SpecError("entry", f"expected the name of a Python function, got {entry!r}")
        for key in ("signature", "starter"):
            if not isinstance(spec.get(key, ""), str):
                raise SpecError(key, "expected text")
        source = spec.get("tests_source")
        if not isinstance(source, str) or not source.strip():
            raise SpecError("tests_source", "a code problem needs a tests.py")
        try:
            namespace = _load_tests(source)
        except SyntaxError as exc:
            raise SpecError("tests_source", f"tests.py line {exc.lineno}: {exc.msg}") from None
        except Exception as exc:
            raise SpecError("tests_source", f"tests.py failed to load: {exc!r}") from None
        for fn in ("cases", "reference"):
            if not callable(namespace.get(fn)):
                raise SpecError("tests_source", f"tests.py must define a function {fn}()")
        Tolerance.from_spec(spec.get("tolerance"), DEFAULT_TOLERANCE)
        try:
            Limits.from_mapping(spec.get("limits"))
        except (TypeError, ValueError) as exc:
            raise SpecError("limits", str(exc)) from None
        if "seed" in spec:
            require_int(spec["seed"], "seed", lo=0)
        known = cm.read_misconceptions(namespace)
        cm.selected_keys(spec, known)
        # Build the pinned variant once: an author's broken cases() or variants() fails at
        # import, not in a task.
        cm.check_variants(spec, namespace, known, self._cases(spec, self.generate(spec, None)))

    def _cases(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The variant's cases, checked; each gets its reference output under ``expected``."""
        namespace = _load_tests(spec["tests_source"])
        rng = np.random.default_rng(params["seed"])
        try:
            raw = namespace["cases"](rng)
        except Exception as exc:
            raise SpecError("tests_source", f"cases() raised {exc!r}") from None
        if not isinstance(raw, list | tuple) or not 0 < len(raw) <= MAX_CASES:
            raise SpecError("tests_source", f"cases() must return 1..{MAX_CASES} cases")
        cases, names = [], set()
        for i, case in enumerate(raw):
            path = f"tests_source.cases[{i}]"
            if not isinstance(case, Mapping) or set(case) - CASE_KEYS:
                raise SpecError(path, f"a case is a dict with keys {sorted(CASE_KEYS)}")
            title = _case_name(case.get("name", f"test {i + 1}"), f"{path}.name")
            name = str.__str__(title) if isinstance(title, Text) else title
            if name in names:
                raise SpecError(f"{path}.name", f"duplicate test name {name!r}")
            names.add(name)
            args, kwargs = list(case.get("args", [])), dict(case.get("kwargs", {}))
            try:
                expected = np.asarray(namespace["reference"](*args, **kwargs), dtype=np.float64)
            except Exception as exc:
                raise SpecError(path, f"reference() raised {exc!r}") from None
            cases.append(
                {
                    "name": name,
                    "title": title,
                    "args": args,
                    "kwargs": kwargs,
                    "points": require_number(case.get("points", 1.0), f"{path}.points", lo=0.0),
                    "hidden": require_bool(case.get("hidden", True), f"{path}.hidden"),
                    "expected": expected,
                }
            )
        if sum(c["points"] for c in cases) <= 0:
            raise SpecError("tests_source", "the cases carry no points")
        return cases

    # ------------------------------------------------------------------ the contract

    def diagnosable(self, spec: Mapping[str, Any]) -> tuple[str, ...]:
        """The keys of ``tests.py``'s ``MISCONCEPTIONS`` that ``misconceptions:`` selects."""
        known = cm.read_misconceptions(_load_tests(spec["tests_source"]))
        return cm.selected_keys(spec, known)

    def generate(self, spec: Mapping[str, Any], seed: int | None) -> dict[str, Any]:
        seed = require_seed(seed)
        return {"seed": int(spec.get("seed", 0)) if seed is None else seed}

    def expected(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
        return {c["name"]: c["expected"].tolist() for c in self._cases(spec, params)}

    def answer_format(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "type": "code",
            "language": "python",
            "entry": spec["entry"],
            "signature": spec.get("signature", ""),
            "starter": spec.get("starter", ""),
        }

    def grade(self, spec: Mapping[str, Any], params: Mapping[str, Any], answer: Any) -> Grade:
        if not isinstance(answer, str) or not answer.strip():
            return Grade.invalid(Text(SUBMIT_SOURCE))
        # lazy: a web process validates and previews code problems through this kind without
        # loading the sandbox; only grading, on a worker, runs it.
        from grader.sandbox import RunStatus, run_calls

        syntax = syntax_error(answer)
        if syntax is not None:
            # Found here, in the worker, before any run: nothing ran, so the attempt does not
            # count (an invalid answer uses none), and a forged report could not fake one.
            return Grade.invalid(
                Text(SYNTAX, {"error": Text.literal(syntax)}),
                status=RunStatus.SYNTAX_ERROR.value,
            )
        cases = self._cases(spec, params)
        tol = Tolerance.from_spec(spec.get("tolerance"), DEFAULT_TOLERANCE)
        limits = Limits.from_mapping(spec.get("limits"))
        # Visible cases run first, so nothing the child reports about them can depend on a
        # hidden input; ``slot[i]`` is where case i ran.
        order = sorted(range(len(cases)), key=lambda i: cases[i]["hidden"])
        slot = {i: n for n, i in enumerate(order)}
        calls = [{"args": cases[i]["args"], "kwargs": cases[i]["kwargs"]} for i in order]
        hidden = [cases[i]["hidden"] for i in order]
        # SandboxUnavailable propagates
        run = run_calls(answer, spec["entry"], calls, limits, hidden=hidden)
        namespace = _load_tests(spec["tests_source"])
        known = cm.read_misconceptions(namespace)
        keys = cm.selected_keys(spec, known)
        outcomes: list[TestOutcome] = []
        diagnosed: list[tuple[str, str]] = []
        crashes: list[dict[str, Any]] = []
        for i, case in enumerate(cases):
            outcome, key = self._outcome(spec, case, run, slot[i], tol, namespace, known, keys)
            outcomes.append(outcome)
            if key is not None:
                diagnosed.append((case["title"], key))
            crash = _hidden_crash(case, run, slot[i], answer)
            if crash is not None:
                crashes.append(crash)
        total = sum(c["points"] for c in cases)
        score = min(1.0, sum(o.points for o in outcomes) / total)
        passed = sum(o.passed for o in outcomes)
        message = run.message if run.status is not RunStatus.OK else ""
        summary = Text(PASSED, {"passed": passed, "total": len(outcomes)})
        diagnosis = cm.summarize(diagnosed, len(outcomes) - passed, known)
        if diagnosis:
            hint = diagnosis["misconception"]
            count = len(hint["tests"])
            summary = Text(
                PASSED_MATCH_MANY if count != 1 else PASSED_MATCH,
                {"passed": passed, "total": len(outcomes), "count": count, "title": hint["title"]},
            )
        if message and not isinstance(message, Text):
            message = Text.literal(message)
        feedback: dict[str, Any] = {
            "message": Text(RUN_AND_SUMMARY, {"run": message, "summary": summary})
            if message
            else summary,
            "status": run.status.value,
            "tier": run.tier,
            **diagnosis,
        }
        if run.unsafe:
            feedback["unsafe"] = True
        if crashes:
            feedback["crashes"] = crashes
        if not any(c["hidden"] for c in cases):
            feedback["stdout"], feedback["stderr"] = run.stdout, run.stderr
        elif run.stdout or run.stderr:
            feedback["output_withheld"] = True  # printed while hidden cases ran: may echo them
        return Grade(score, verdict_for(score), feedback, tuple(outcomes))

    def _outcome(
        self,
        spec: Mapping[str, Any],
        case: dict[str, Any],
        run: Any,
        slot: int,
        tol: Tolerance,
        namespace: Mapping[str, Any],
        known: Mapping[str, cm.Misconception],
        keys: tuple[str, ...],
    ) -> tuple[TestOutcome, str | None]:
        """One case's outcome (``run.calls[slot]``), and the misconception its output matches
        (None if none or passed). A hidden case's message and data never show its inputs or
        expected output."""
        hidden, points = case["hidden"], case["points"]

        def fail(message: str, data: dict[str, Any] | None = None) -> TestOutcome:
            return TestOutcome(
                case["name"],
                False,
                0.0,
                points,
                "" if hidden else message,
                hidden,
                _named(case, data),
            )

        if slot >= len(run.calls):
            return fail(run.message or Text(NOT_RUN)), None
        call = run.calls[slot]
        if not call.ok:
            return fail(call.error or Text(FAILED)), None
        check = compare_arrays(
            call.value, case["expected"], rtol=tol.rel, atol=tol.abs, name=spec["entry"]
        )
        if check.ok:
            return TestOutcome(case["name"], True, points, points, "", hidden, _named(case)), None
        key = None
        if keys and check.stage in ("shape", "values"):
            key = cm.diagnose_case(namespace, case, call.value, keys, tol)
        # The wrong output's digest (never the output): the integrity report compares it across
        # students; two independent solutions rarely fail a hidden case with the same numbers.
        data: dict[str, Any] = {"output_digest": output_digest(call.value)}
        if not hidden and check.diff_map is not None:
            data |= {
                "diff_map": check.diff_map,
                "diff_map_origin": list(check.diff_map_origin or (0, 0)),
                "diff_map_slice": list(check.diff_map_slice or ()),
                "max_abs_diff": check.max_abs_diff,
            }
        if key is None:
            return fail(check.message, data), None
        data["misconception"] = key
        if hidden:
            message = cm.case_hint(known, key, capital=True)
        else:
            message = Text(CASE_FAILED, {"check": check.message, "hint": cm.case_hint(known, key)})
        return TestOutcome(
            case["name"], False, 0.0, points, message, hidden, _named(case, data)
        ), key


def _case_name(raw: Any, path: str) -> str | Text:
    """A case's name as ``tests.py`` writes it: a string (kept as it is, every language reads
    it) or ``{language: name}`` with English, which becomes a ``Text`` (its ``str`` is the
    English). A name is not a template: braces in it are literal."""
    if not isinstance(raw, Mapping):
        return str(raw)
    unknown = set(raw) - set(LANGUAGES)
    if unknown or not isinstance(raw.get("en"), str) or not raw["en"].strip():
        raise SpecError(path, f"a name is a string or {{language: name}} with en, got {raw!r}")
    if not all(isinstance(v, str) and v.strip() for v in raw.values()):
        raise SpecError(path, f"every language's name is text, got {raw!r}")
    return Text.inline({lang: v.replace("{", "{{").replace("}", "}}") for lang, v in raw.items()})


def _named(case: Mapping[str, Any], data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An outcome's ``data`` with the texts of its case's name, when it has them (the stored
    name is the English; ``exercises.grading_texts.shown_test_name`` reads the others)."""
    out = dict(data or {})
    if isinstance(case["title"], Text):
        out["texts"] = {**(out.get("texts") or {}), "name": case["title"].to_json()}
    return out


def syntax_error(source: str) -> str | None:
    """The syntax error of ``source`` as Python shows it (line, caret, message), or None.
    Compiling runs none of the code; CPython bounds the constants it folds while compiling."""
    try:
        compile(source, SUBMISSION_FILE, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
    except (ValueError, MemoryError, RecursionError) as exc:  # NUL bytes, absurd nesting
        return f"{type(exc).__name__}: {exc}"
    return None


_FRAME_LINE = re.compile(r'File "' + re.escape(SUBMISSION_FILE) + r'", line (\d+)')
_EXCEPTION_NAME = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")
#: What ``grader.sandbox.interpret.reduced`` leaves of a hidden case's error: a text whose
#: facts are the type's ``name`` and the ``line``, where known.
_REDUCED = frozenset(
    [REDUCED_TYPE, REDUCED_TYPE_AT_LINE, REDUCED_EXCEPTION, REDUCED_EXCEPTION_AT_LINE]
)


def crash_location(error: str, source: str) -> tuple[str, int | None] | None:
    """(exception type, line of the student's code) read from a failed call's traceback, or
    None when it is not a traceback. The text comes from the sandbox, where the student's code
    could have rewritten it to spell out a hidden case's data: only a builtin exception's name
    and a line that exists in ``source`` are believed ("an exception", None otherwise)."""
    lines = [line.strip() for line in (error or "").strip().splitlines() if line.strip()]
    if not lines:
        return None
    if isinstance(error, Text) and error.key in _REDUCED:  # already cut to type and line
        name, line = str(error.facts.get("name", "")), error.facts.get("line")
        frames = [] if line is None else [line]
    else:
        match = _EXCEPTION_NAME.match(lines[-1])
        name, frames = (match.group(1) if match else ""), _FRAME_LINE.findall(error)
    builtin = getattr(builtins, name, None)
    if not (isinstance(builtin, type) and issubclass(builtin, BaseException)):
        name = "an exception"
    line = int(frames[-1]) if frames else None
    if line is not None and not 1 <= line <= len(source.splitlines()):
        line = None
    return name, line


def _hidden_crash(case: Mapping[str, Any], run: Any, i: int, source: str) -> dict[str, Any] | None:
    """Where a hidden case's call raised, for the student: ``{"test", "exception", "line"}``
    (a visible case's message already holds the whole traceback). A call that returned a value
    of the wrong type raised nothing: no entry (the visible tests say what it returned)."""
    if not case["hidden"] or i >= len(run.calls) or run.calls[i].ok:
        return None
    error = run.calls[i].error or ""
    if getattr(error, "key", "") == REDUCED_NOT_AN_ARRAY:
        return None
    found = crash_location(error, source)
    if found is None:
        return None
    name, line = found
    # A type's name reads the same in every language; "an exception" is words, in the reader's.
    exception = Text(UNKNOWN_EXCEPTION) if name == "an exception" else name
    return {"test": case["title"], "exception": exception, "line": line}


KIND = CodeKind()
