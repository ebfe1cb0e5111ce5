"""Compiling the ``.po`` catalogues to ``.mo`` in pure Python (babel), without GNU gettext.

The production image and a bare machine have no ``msgfmt``, so ``manage.py
compile_translations`` (run by ``make demo``, ``make test`` and the Dockerfile) compiles every
``.po`` under ``settings.LOCALE_PATHS`` itself. Fuzzy entries are left out of the ``.mo``, as
msgfmt leaves them out; a translation whose placeholders differ from its msgid's (``%(name)s``,
``%s``, ``{name}``) would break at run time, so it stops the build with the file and line.
``problems`` is the stricter check the test suite applies: nothing untranslated, nothing
fuzzy, and every ``.mo`` exactly what its ``.po`` compiles to.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from django.conf import settings

#: ``%(name)s``, ``%s``, ``%d``, ... (``%%`` is a literal percent sign) and ``{name}``.
PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*\d*(?:\.\d+)?(?P<type>[sdifrxXeEgGc%])")
BRACES = re.compile(r"(?<!\{)\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)?\}(?!\})")
#: The creation date of a header that gives none (see ``read``).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CatalogueError(Exception):
    """A catalogue that must not be compiled; ``str()`` is ``file:line: what``."""


@dataclass(frozen=True)
class Compiled:
    po: Path
    mo: Path
    data: bytes


def catalogues() -> list[Path]:
    """Every ``.po`` file under the project's locale folders."""
    return sorted(p for root in settings.LOCALE_PATHS for p in Path(root).rglob("*.po"))


def placeholders(text: str) -> Counter:
    found = Counter()
    for m in PERCENT.finditer(text):
        if m.group("type") != "%":
            found[f"%({m.group('name')})" if m.group("name") is not None else "%"] += 1
    for m in BRACES.finditer(text):
        found["{" + (m.group("name") or "") + "}"] += 1
    return found


def _pairs(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs to compare. A plural entry: each form against the plural
    msgid, except that a language with two or more forms compares its first to the singular."""
    if not isinstance(message.id, tuple | list):
        return [(message.id, message.string or "")]
    forms = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
    singular, plural = message.id[0], message.id[1]
    return [(singular if i == 0 and len(forms) > 1 else plural, f) for i, f in enumerate(forms)]


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return all(strings)


def read(po: Path) -> Catalog:
    try:
        with po.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except PoFileError as exc:
        raise CatalogueError(f"{po}: {exc}") from None
    if b"POT-Creation-Date:" not in po.read_bytes():
        # babel dates a header without one "now", and the .mo would differ every minute: the
        # same .po must always compile to the same bytes (the staleness check compares them).
        catalog.creation_date = EPOCH
    return catalog


def placeholder_errors(po: Path, catalog: Catalog) -> list[str]:
    errors = []
    for message in list(catalog)[1:]:
        if not _translated(message):
            continue
        for source, translation in _pairs(message):
            want, got = placeholders(source), placeholders(translation)
            if want != got:
                errors.append(
                    f"{po}:{message.lineno}: the translation's placeholders "
                    f"{sorted(got.elements())} differ from the msgid's {sorted(want.elements())}"
                )
    return errors


def compile_catalogue(po: Path) -> Compiled:
    """``po`` compiled (fuzzy entries left out); ``CatalogueError`` names file:line."""
    catalog = read(po)
    errors = placeholder_errors(po, catalog)
    if errors:
        raise CatalogueError("\n".join(errors))
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return Compiled(po, po.with_suffix(".mo"), buffer.getvalue())


def compile_all() -> list[Compiled]:
    """Compile and write every catalogue; any error stops before anything is written."""
    compiled, errors = [], []
    for po in catalogues():
        try:
            compiled.append(compile_catalogue(po))
        except CatalogueError as exc:
            errors.append(str(exc))
    if errors:
        raise CatalogueError("\n".join(errors))
    for c in compiled:
        if not c.mo.exists() or c.mo.read_bytes() != c.data:
            c.mo.write_bytes(c.data)
    return compiled


def problems(paths: list[Path] | None = None) -> list[str]:
    """What keeps the catalogues from being complete and compiled: untranslated or fuzzy
    entries, broken placeholders, a ``.mo`` missing or older than its ``.po``'s contents."""
    found = []
    for po in catalogues() if paths is None else paths:
        try:
            catalog = read(po)
        except CatalogueError as exc:
            found.append(str(exc))
            continue
        for message in list(catalog)[1:]:
            if message.fuzzy:
                found.append(f"{po}:{message.lineno}: fuzzy: {message.id!r}")
            elif not _translated(message):
                found.append(f"{po}:{message.lineno}: untranslated: {message.id!r}")
        try:
            compiled = compile_catalogue(po)
        except CatalogueError as exc:
            found.append(str(exc))
            continue
        if not compiled.mo.exists() or compiled.mo.read_bytes() != compiled.data:
            found.append(
                f"{compiled.mo}: stale or missing: run `python manage.py compile_translations`"
            )
    return found
