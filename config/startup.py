"""Turn start-up failures into one clear line instead of a traceback.

A missing ``SECRET_KEY``, an unreachable database or broker are configuration problems an
operator fixes by reading one sentence; a 60-line traceback hides that sentence.
"""

from __future__ import annotations

import sys


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or exc.__class__.__name__


def run_command_line(argv: list[str]) -> int:
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line
        from django.db.utils import OperationalError as DatabaseError

        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        print(f"stride: configuration error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except DatabaseError as exc:
        print(f"stride: cannot reach the database: {_one_line(exc)}", file=sys.stderr)
        return 1
    return 0
