"""The integrity report as CSV: the ranked pairs, then the leak flags (spreadsheet-safe cells,
UTF-8 with a BOM, as the gradebook's)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from exercises.gradebook import spreadsheet_safe
from exercises.integrity.selectors import PairRow
from exercises.models import LeakFlag


def report_csv(rows: Iterable[PairRow], flags: Iterable[LeakFlag]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(
        ["rank", "problem", "first", "second", "score", "similarity", "review", "note", "reasons"]
    )
    for row in rows:
        cells = [
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
        writer.writerow([spreadsheet_safe(c) for c in cells])
    writer.writerow([])
    writer.writerow(["leak", "problem", "student", "submission", "answer of", "submitted at"])
    for flag in flags:
        cells = [
            "leak",
            flag.submission.problem.slug,
            flag.submission.user.username,
            flag.submission_id,
            flag.source.username,
            flag.submission.created_at.isoformat(),
        ]
        writer.writerow([spreadsheet_safe(c) for c in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
