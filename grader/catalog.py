"""A JSON-ready catalogue of the recipes, their parameters and misconceptions.

For the instructor docs and the problem bank's authors: what a ``recipe:`` can be, which
parameter names it serves, the default generator ranges, the lecture's pinned numbers, and the
misconception keys a spec may list under ``misconceptions:``.
"""

from __future__ import annotations

from typing import Any

from grader.diagnose import misconceptions_for
from grader.recipes import RECIPES, ArrayParam, expected_answer


def catalog() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, recipe in RECIPES.items():
        params: dict[str, Any] = {}
        for p in recipe.params:
            entry: dict[str, Any] = {"limit": list(p.limit)}
            if isinstance(p, ArrayParam):
                entry |= {"shape": list(p.shape), "cells": {"min": p.lo, "max": p.hi}}
            elif p.choices:
                entry["choices"] = list(p.choices)
            else:
                entry |= {"min": p.lo, "max": p.hi}
            params[p.name] = entry
        pinned = {p.name: p.pinned for p in recipe.params}
        out[name] = {
            "kind": recipe.answer,
            "summary": recipe.summary,
            "params": params,
            "pinned": pinned,
            "pinned_answer": expected_answer(recipe, pinned),
            "may_not_fit": recipe.fits is not None,
            "misconceptions": [
                {"key": m.key, "title": m.text("title")} for m in misconceptions_for(name)
            ],
        }
    return out
