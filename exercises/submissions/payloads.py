"""Validation of what a student sends, shared by the JSON API and the pages.

Only the envelope is checked here (keys, types, sizes, UTF-8); whether the answer itself makes
sense is the problem kind's call, which answers an unreadable answer with an ``invalid`` verdict.
One exception: a number problem's answer sent as text whose separators could mean two things
(``"45,126"``) is refused at once, as the page refuses it, so that no one reads a verdict on a
number they did not mean.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from exercises import grading_texts
from exercises.errors import BadPayload, TooLarge
from grader.kinds.answers import separator_problem

MAX_NESTING = 6


def _depth(value: Any, level: int = 0) -> int:
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value] or [level + 1])
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()] or [level + 1])
    return level


def clean_payload(kind: str, data: Any) -> dict[str, Any]:
    """Return ``{"code": str}`` for code problems, ``{"answer": ...}`` for the others."""
    if not isinstance(data, dict):
        raise BadPayload(gettext('The body must be a JSON object such as {"answer": 42}.'))
    limits = settings.STRIDE
    if kind == "code":
        unknown = set(data) - {"code"}
        if unknown:
            raise BadPayload(
                gettext('Unknown field %(field)r; send {"code": "..."}.')
                % {"field": sorted(unknown)[0]},
                field=sorted(unknown)[0],
            )
        code = data.get("code")
        if not isinstance(code, str):
            raise BadPayload(gettext('Send your program as a string in "code".'), field="code")
        if "\x00" in code:
            raise BadPayload(gettext("The code contains a NUL character."), field="code")
        size = len(code.encode("utf-8", "surrogatepass"))
        if size > limits["MAX_CODE_BYTES"]:
            raise TooLarge(
                gettext("The code is %(size)d bytes; the limit is %(limit)d bytes.")
                % {"size": size, "limit": limits["MAX_CODE_BYTES"]},
                field="code",
            )
        try:
            code.encode("utf-8")
        except UnicodeEncodeError:
            raise BadPayload(gettext("The code is not valid UTF-8."), field="code") from None
        return {"code": code}

    unknown = set(data) - {"answer"}
    if unknown:
        name = sorted(unknown)[0]
        raise BadPayload(
            gettext('Unknown field %(field)r; send {"answer": ...}.') % {"field": name}, field=name
        )
    if "answer" not in data:
        raise BadPayload(gettext('The field "answer" is required.'), field="answer")
    answer = data["answer"]
    if _depth(answer) > MAX_NESTING:
        raise BadPayload(gettext("The answer is nested too deeply."), field="answer")
    size = len(json.dumps(answer))
    if size > limits["MAX_CODE_BYTES"]:
        raise TooLarge(
            gettext("The answer is %(size)d bytes; the limit is %(limit)d.")
            % {"size": size, "limit": limits["MAX_CODE_BYTES"]},
            field="answer",
        )
    if kind == "number" and isinstance(answer, str):
        problem = separator_problem(answer)
        if problem:
            message = grading_texts.rendered(problem)  # in the reader's language
            raise BadPayload(message, field="answer", code="ambiguous_number")
    return {"answer": answer}
