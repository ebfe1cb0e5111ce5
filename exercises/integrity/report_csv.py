"""The integrity report as CSV: the ranked pairs, then the leak flags (spreadsheet-safe cells,
UTF-8 with a BOM, as the gradebook's)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from exercises.integrity.selectors import PairRow
from exercises.models import LeakFlag
from exercises.spreadsheets import spreadsheet_csv


def report_csv(rows: Iterable[PairRow], flags: Iterable[LeakFlag]) -> bytes:
    lines: list[list[Any]] = [
        ["rank", "problem", "first", "second", "score", "similarity", "review", "note", "reasons"]
    ]
    for row in rows:
        lines.append(
            [
                row.rank,
                row.problem,
                row.a,
                row.b,
                row.score,
                row.similarity,
                row.review,
                row.note,
                "; ".join(row.reasons),
            ]
        )
    lines.append([])
    lines.append(["leak", "problem", "student", "submission", "answer of", "submitted at"])
    for flag in flags:
        submission = flag.submission
        lines.append(
            [
                "leak",
                submission.problem.slug,
                submission.user.username,
                flag.submission_id,
                flag.source.username,
                submission.created_at.isoformat(),
            ]
        )
    return spreadsheet_csv(lines)
