"""Every CSV export of Stride (the gradebook, the invitation links, the integrity report) is
written by ``spreadsheet_csv``, so each opens cleanly in a spreadsheet.

UTF-8 with a BOM (Excel otherwise guesses a legacy code page and mangles "김민준" or emoji),
every field quoted where needed by the csv module, and any text cell that a spreadsheet would
run as a formula (starting with = + - @, tab or CR) prefixed with an apostrophe (OWASP's
CSV-injection advice). Numbers are written as numbers. Shared by several domain packages, so it
lives beside ``errors`` and ``access``, not in any one of them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would evaluate gets a leading apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as CSV bytes a spreadsheet opens cleanly: UTF-8 with a BOM, CRLF rows, minimal
    quoting, every cell through ``spreadsheet_safe``. Every CSV export of Stride is written so."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
