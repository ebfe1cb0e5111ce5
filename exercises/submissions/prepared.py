"""Reads on the hot paths with their SQL compiled once per process.

Most of a student's request's web CPU went into the ORM turning querysets into SQL (building
the filters, compiling the select), not into running them (``make bench BENCH_ARGS=webcpu``):
a one-line count cost about as much CPU as the rest of its view. The hot reads are the same
few shapes every time, differing only in their values (this user, this problem, this instant).
A ``Prepared`` read builds its queryset once, with a marker in place of each value, compiles
it, remembers which SQL parameter is which value, and from then on runs that SQL with the
request's values through Django's own cursor (its query log, ``assertNumQueries`` and
transaction handling included) and Django's own converters for the columns it reads.

The queryset stays the one place the read is written: the rules it uses (``COUNTS``, the
pending statuses) come from the models, as in any other read. It is compiled again for each
database connection vendor (the demo's SQLite and production's PostgreSQL differ).

Only reads that return rows of plain values belong here (counts, aggregates, a few columns);
a marker must reach the SQL unchanged, so each value is a plain ``int``, ``str`` or aware
``datetime`` compared with ``=``, ``<`` or ``>`` (no ``__in`` list, no ``LIKE``): ``Prepared``
refuses, when it compiles, a read where a marker did not come through as itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet

_BASE_TIME = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


def _marker(kind: type, n: int) -> Any:
    """The ``n``-th marker of a parameter kind: values no real request sends."""
    if kind is int:
        return -7_300_000_000_000 - n
    if kind is str:
        return f"\x1fprepared-marker-{n}\x1f"
    if kind is datetime:
        return _BASE_TIME + timedelta(microseconds=n + 1)
    raise TypeError(f"a prepared read takes int, str or datetime values, not {kind.__name__}")


class _Compiled:
    def __init__(self, sql: str, slots: list[tuple[str | None, Any]], compiler) -> None:
        self.sql, self.slots, self.compiler = sql, slots, compiler


class Prepared:
    """One read of ``model``: ``build(**values)`` returns its queryset (``.values_list(...)``);
    ``params`` names each value and its type. ``rows(**values)`` runs it and returns its rows
    as tuples, the columns converted as the queryset would convert them."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], **params: type):
        self._model, self._build, self._params = model, build, params
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> _Compiled:
        ops = connections[alias].ops
        markers = {name: _marker(kind, n) for n, (name, kind) in enumerate(self._params.items())}
        # What each marker becomes in the SQL's parameters: itself, or a time as the database
        # takes it (SQLite: text), in which case each request's time is adapted the same way.
        forms = {
            name: (ops.adapt_datetimefield_value(m) if isinstance(m, datetime) else m)
            for name, m in markers.items()
        }
        compiler = self._build(**markers).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots: list[tuple[str | None, Any]] = []
        for param in params:
            name = next(
                (n for n, f in forms.items() if type(param) is type(f) and param == f), None
            )
            slots.append((name, None if name is not None else param))
        missing = set(markers) - {name for name, _ in slots}
        if missing:
            raise ValueError(f"prepared read: {sorted(missing)} did not reach the SQL as given")
        return _Compiled(sql, slots, compiler)

    def rows(self, **values: Any) -> list[tuple]:
        if values.keys() != self._params.keys():
            raise TypeError(f"prepared read takes {sorted(self._params)}, got {sorted(values)}")
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(alias)
                self._compiled[key] = compiled
        given = {
            name: (connection.ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v)
            for name, v in values.items()
        }
        params = [given[name] if name is not None else fixed for name, fixed in compiled.slots]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        return list(compiled.compiler.results_iter(results=[fetched], tuple_expected=True))
