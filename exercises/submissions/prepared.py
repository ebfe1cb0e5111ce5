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
        # Negative (no id is) yet within a 32-bit column's range: Django answers a lookup out
        # of a field's range with "no rows" without writing SQL for it.
        return -2_000_000_000 - n
    if kind is str:
        return f"\x1fprepared-marker-{n}\x1f"
    # Subclass either way: a test clock (freezegun) swaps this module's ``datetime`` for a
    # subclass while it runs, and a read may first compile then.
    if isinstance(kind, type) and (issubclass(kind, datetime) or issubclass(datetime, kind)):
        return _BASE_TIME + timedelta(microseconds=n + 1)
    raise TypeError(f"a prepared read takes int, str or datetime values, not {kind.__name__}")


class _Compiled:
    """A read's SQL, which value goes in each parameter, and how its columns are converted:
    Django's ``results_iter`` works the converters out again for every result (a tenth of a
    millisecond and more per read, for each column's field); here they are worked out once."""

    def __init__(self, sql: str, slots: list[tuple[str | None, Any]], compiler) -> None:
        self.sql, self.slots, self.compiler = sql, slots, compiler
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.fields = fields if compiler.has_composite_fields(fields) else None

    def convert(self, fetched: list[tuple]) -> list[tuple]:
        """Fetched rows as the queryset would give them (``results_iter``'s steps)."""
        if not self.converters and self.fields is None:
            return fetched
        rows = fetched
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        if self.fields is not None:
            rows = self.compiler.composite_fields_to_tuples(rows, self.fields)
        return list(map(tuple, rows))


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

    def alias(self) -> str:
        """The database this read goes to (what ``Chain.instances`` marks its instances with)."""
        return router.db_for_read(self._model)

    def rows(self, **values: Any) -> list[tuple]:
        if values.keys() != self._params.keys():
            raise TypeError(f"prepared read takes {sorted(self._params)}, got {sorted(values)}")
        alias = self.alias()
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
        return compiled.convert(fetched)


class Chain:
    """A model and the ones it holds (a ``select_related`` chain) read as plain columns by a
    ``Prepared`` read and made into the same instances ``select_related`` makes: each link is
    ``(path, model)``, ``path`` the lookup from the first model (``""`` for itself, then e.g.
    ``"problem__"``); ``extras`` are annotations read after the models' columns and set on the
    first instance as attributes. ``deferred`` names fields (by their full path) left unread,
    as ``QuerySet.defer`` leaves them: read from the database if ever touched."""

    def __init__(
        self,
        *links: tuple[str, type[Model]],
        extras: tuple[str, ...] = (),
        deferred: tuple[str, ...] = (),
    ) -> None:
        self.links = links
        self.extras = extras
        self._attnames = [
            [f.attname for f in m._meta.concrete_fields if path + f.name not in deferred]
            for path, m in links
        ]

    def columns(self) -> list[str]:
        """The ``values_list`` names, every concrete field of every link (but the deferred),
        then the extras."""
        names = [
            path + name
            for (path, _), attnames in zip(self.links, self._attnames, strict=True)
            for name in attnames
        ]
        return [*names, *self.extras]

    def instances(self, row: tuple, alias: str) -> list[Model]:
        """One row as its instances, in the links' order, each link's object cached on the
        link before it whose path it extends (``problem`` on the item, ``cohort`` on its
        assignment), the extras set on the first."""
        made: dict[str, Model | None] = {}
        at = 0
        for (path, model), attnames in zip(self.links, self._attnames, strict=True):
            values = row[at : at + len(attnames)]
            at += len(attnames)
            parent, _, name = path[:-2].rpartition("__")
            holder = made[parent + "__" if parent else ""] if path else None
            # A nullable relation that is empty (a LEFT JOIN's nulls) is None, as in Django.
            empty = values[attnames.index(model._meta.pk.attname)] is None
            made[path] = None if empty else model.from_db(alias, attnames, values)
            if holder is not None:
                setattr(holder, name, made[path])
        first = made[""]
        for name, value in zip(self.extras, row[at:], strict=True):
            setattr(first, name, value)
        return list(made.values())
