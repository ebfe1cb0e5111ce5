"""The ``choice`` kind: pick one option, or several.

```yaml
kind: choice
multiple: true                 # default false: exactly one correct key
scoring: partial               # all-or-nothing (default) | partial (multiple only)
shuffle: true                  # default false: each seed gets its own option order
options:
  - {key: local, text: "Local connectivity: each unit sees a small receptive field"}
  - {key: shared, text: "Shared weights and biases across positions"}
  - key: dense
    text: "Every unit connects to every pixel"
    feedback: "That is a fully connected layer; a conv unit sees only its receptive field."
correct: [local, shared]
```

``feedback`` on an option is shown when a student picks it (a declared misconception for a
wrong option). ``text`` and ``feedback`` are plain text, or one text per language,
``{en: ..., ko: ...}`` (English required): a reader sees their language's, else English; keys,
answers and grading are the same in every language. ``partial`` scoring: (right picks - wrong
picks) / number of right options, never below 0. Params are ``{"order": [keys]}``: the order
the options are shown in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from grader.kinds.answers import describe
from grader.kinds.base import (
    InvalidAnswer,
    ProblemKind,
    SpecError,
    check_keys,
    require_bool,
    require_mapping,
    require_seed,
)
from grader.recipes import Draw
from grader.results import Grade, verdict_for
from grader.texts import LANGUAGES, Text, define

_CORRECT = define("verdict.correct", "Correct.", "정답입니다.")
_NOT_THIS_ONE = define("choice.not-this-one", "Not this one.", "이 답이 아닙니다.")
_SOME_RIGHT = define(
    "choice.some-right",
    "{hits} of your {picks} choices are right, and {missing} right options are missing.",
    "고른 {picks}개 가운데 {hits}개가 맞고, 맞는 보기 {missing}개를 빠뜨렸습니다.",
)
_SOME_RIGHT_ONE = define(
    "choice.some-right-one",
    "{hits} of your {picks} choices are right, and {missing} right option is missing.",
    "고른 {picks}개 가운데 {hits}개가 맞고, 맞는 보기 {missing}개를 빠뜨렸습니다.",
)
_WANTED_MANY = define("choice.wanted-many", "a list of option keys", "보기 키의 리스트")
_WANTED_ONE = define("choice.wanted-one", "one option key", "보기 키 하나")
_MUST_BE = define(
    "choice.must-be",
    "the answer must be {wanted}, got {got}",
    "답은 {wanted}여야 하는데 {got}이(가) 왔습니다",
)
_AT_LEAST_ONE = define(
    "choice.at-least-one", "choose at least one option", "보기를 하나 이상 고르세요"
)
_ONLY_N = define("choice.only-n", "there are only {n} options", "보기는 {n}개뿐입니다")
_UNKNOWN = define(
    "choice.unknown",
    'unknown option "{pick}"; the options are {known}',
    '"{pick}"라는 보기는 없습니다. 보기: {known}',
)
_TWICE = define("choice.twice", "an option is chosen twice", "같은 보기를 두 번 골랐습니다")
_CHOOSE_ONE = define(
    "choice.choose-one", "choose one option, got {n}", "보기를 하나만 고르세요({n}개를 골랐습니다)"
)

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
SCORINGS = ("all-or-nothing", "partial")


class ChoiceKind(ProblemKind):
    name = "choice"
    spec_keys: ClassVar[frozenset[str]] = frozenset(
        {"options", "correct", "multiple", "scoring", "shuffle"}
    )

    # --- spec ------------------------------------------------------------------------------------

    def _options(self, spec: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The options, each ``{"key", "text", "feedback"}``; text and feedback are
        ``grader.texts.Text`` (English as a string, any language on ``render``), feedback ""
        when there is none."""
        raw = spec.get("options")
        if not isinstance(raw, list) or len(raw) < 2:
            raise SpecError("options", "expected a list of at least two options")
        seen: set[str] = set()
        out = []
        for i, option in enumerate(raw):
            where = f"options[{i}]"
            option = require_mapping(option, where)
            check_keys(option, {"key", "text", "feedback"}, where)
            key = option.get("key")
            if not isinstance(key, str) or not KEY_PATTERN.match(key):
                raise SpecError(
                    f"{where}.key", f"expected a short key of letters, digits, - _ ., got {key!r}"
                )
            if key in seen:
                raise SpecError(f"{where}.key", f"duplicate key {key!r}")
            seen.add(key)
            text = _text(option.get("text"), f"{where}.text", required=True)
            feedback = _text(option.get("feedback", ""), f"{where}.feedback", required=False)
            out.append({"key": key, "text": text, "feedback": feedback})
        return out

    def _multiple(self, spec: Mapping[str, Any]) -> bool:
        return require_bool(spec.get("multiple", False), "multiple")

    def _correct(self, spec: Mapping[str, Any], options: list[dict[str, str]]) -> list[str]:
        raw = spec.get("correct")
        keys = [raw] if isinstance(raw, str) else raw
        if not isinstance(keys, list) or not keys:
            raise SpecError("correct", "expected a key or a non-empty list of keys")
        known = [o["key"] for o in options]
        for i, key in enumerate(keys):
            if key not in known:
                raise SpecError(f"correct[{i}]", f"unknown option {key!r}; options: {known}")
        if len(set(keys)) != len(keys):
            raise SpecError("correct", "a key is listed twice")
        if not self._multiple(spec) and len(keys) != 1:
            raise SpecError("correct", "a single-choice problem has exactly one correct key")
        return [k for k in known if k in keys]

    def _scoring(self, spec: Mapping[str, Any]) -> str:
        scoring = spec.get("scoring", "all-or-nothing")
        if scoring not in SCORINGS:
            raise SpecError("scoring", f"expected one of {', '.join(SCORINGS)}, got {scoring!r}")
        if scoring == "partial" and not self._multiple(spec):
            raise SpecError("scoring", "partial scoring needs multiple: true")
        return scoring

    def _validate(self, spec: Mapping[str, Any]) -> None:
        self._correct(spec, self._options(spec))
        self._scoring(spec)
        require_bool(spec.get("shuffle", False), "shuffle")

    # --- interface -----------------------------------------------------------------------------

    def generate(self, spec: Mapping[str, Any], seed: int | None) -> dict[str, Any]:
        seed = require_seed(seed)
        keys = [o["key"] for o in self._options(spec)]
        if seed is not None and require_bool(spec.get("shuffle", False), "shuffle"):
            draw = Draw(seed)
            for i in range(len(keys) - 1, 0, -1):  # Fisher-Yates on our own integer draws
                j = draw.int(0, i)
                keys[i], keys[j] = keys[j], keys[i]
        return {"order": keys}

    def _order(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> list[dict[str, str]]:
        options = {o["key"]: o for o in self._options(spec)}
        order = params.get("order") if isinstance(params, Mapping) else None
        if not isinstance(order, list) or sorted(order) != sorted(options):
            raise SpecError("params.order", "does not list this problem's option keys")
        return [options[k] for k in order]

    def expected(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
        correct = self._correct(spec, self._options(spec))
        return correct if self._multiple(spec) else correct[0]

    def answer_format(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "type": "choice",
            "multiple": self._multiple(spec),
            "options": [{"key": o["key"], "text": o["text"]} for o in self._order(spec, params)],
        }

    def _read(self, spec: Mapping[str, Any], answer: Any, known: list[str]) -> list[str]:
        multiple = self._multiple(spec)
        picks = [answer] if isinstance(answer, str) else answer
        wanted = _WANTED_MANY if multiple else _WANTED_ONE
        must_be = Text(_MUST_BE, {"wanted": Text(wanted), "got": describe(answer)})
        if not isinstance(picks, list):
            raise InvalidAnswer(must_be)
        if not picks:
            raise InvalidAnswer(Text(_AT_LEAST_ONE))
        if len(picks) > len(known):
            raise InvalidAnswer(Text(_ONLY_N, {"n": len(known)}))
        if not all(isinstance(p, str) for p in picks):
            raise InvalidAnswer(must_be)
        for pick in picks:
            if pick not in known:
                raise InvalidAnswer(Text(_UNKNOWN, {"pick": pick[:40], "known": ", ".join(known)}))
        if len(set(picks)) != len(picks):
            raise InvalidAnswer(Text(_TWICE))
        if not multiple and len(picks) != 1:
            raise InvalidAnswer(Text(_CHOOSE_ONE, {"n": len(picks)}))
        return picks

    def grade(self, spec: Mapping[str, Any], params: Mapping[str, Any], answer: Any) -> Grade:
        options = self._order(spec, params)
        known = [o["key"] for o in options]
        try:
            picks = self._read(spec, answer, known)
        except InvalidAnswer as exc:
            return Grade.invalid(exc.text)
        correct = set(self._correct(spec, options))
        hits = len(correct & set(picks))
        misses = len(set(picks) - correct)
        if self._scoring(spec) == "partial":
            score = max(0.0, (hits - misses) / len(correct))
        else:
            score = 1.0 if set(picks) == correct else 0.0
        by_key = {o["key"]: o for o in options}
        notes = [
            {"key": p, "feedback": by_key[p]["feedback"]} for p in picks if by_key[p]["feedback"]
        ]
        feedback: dict[str, Any] = {}
        if score == 1.0:
            message = Text(_CORRECT)
        elif not self._multiple(spec):
            message = Text(_NOT_THIS_ONE)
        else:
            missing = len(correct) - hits
            message = Text(
                _SOME_RIGHT_ONE if missing == 1 else _SOME_RIGHT,
                {"hits": hits, "picks": len(picks), "missing": missing},
            )
        wrong_notes = [n for n in notes if n["key"] not in correct]
        if wrong_notes:
            first = wrong_notes[0]
            feedback["misconception"] = {
                "key": f"option:{first['key']}",
                "title": by_key[first["key"]]["text"],
                "explanation": first["feedback"],
                "step": "",
            }
            message = Text.join([message, *(n["feedback"] for n in wrong_notes)])
        feedback["message"] = message
        if notes:
            feedback["picked"] = notes
        return Grade(score, verdict_for(score), feedback)

    def diagnosable(self, spec: Mapping[str, Any]) -> tuple[str, ...]:
        """A wrong option with ``feedback`` is diagnosed as ``option:<key>`` when picked."""
        options = self._options(spec)
        correct = self._correct(spec, options)
        return tuple(
            f"option:{o['key']}" for o in options if o["key"] not in correct and o["feedback"]
        )

    def wrong_answers(self, spec: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        options = self._options(spec)
        correct = self._correct(spec, options)
        wrong = [o["key"] for o in options if o["key"] not in correct]
        if not self._multiple(spec):
            return {f"option:{k}": k for k in wrong}
        out: dict[str, Any] = {f"option:{k}": [*correct, k] for k in wrong}
        if self._scoring(spec) == "all-or-nothing" or len(correct) > 1:
            out["missing-one"] = correct[:-1] if len(correct) > 1 else [*correct, *wrong[:1]]
        return out


def _text(value: Any, path: str, *, required: bool) -> Text | str:
    """An option's text or feedback: plain text, or ``{en: ..., ko: ...}`` (English required,
    every language non-empty). Written as is: braces are not placeholders here."""
    if isinstance(value, Mapping):
        for language in value:
            if language not in LANGUAGES:
                raise SpecError(
                    f"{path}.{language}", f"unknown language; languages: {', '.join(LANGUAGES)}"
                )
        if "en" not in value:
            raise SpecError(path, "the English text (en:) is required")
        texts = dict(value)
    elif isinstance(value, str):
        texts = {"en": value}
    else:
        raise SpecError(path, "expected text, or a text per language {en: ..., ko: ...}")
    for language, text in texts.items():
        if not isinstance(text, str) or ((language != "en" or required) and not text.strip()):
            where = f"{path}.{language}" if isinstance(value, Mapping) else path
            raise SpecError(where, "expected non-empty text")
    if not texts["en"].strip():
        return ""
    return Text.inline({k: v.replace("{", "{{").replace("}", "}}") for k, v in texts.items()})


KIND = ChoiceKind()
