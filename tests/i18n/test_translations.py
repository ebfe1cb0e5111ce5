"""The .po -> .mo step: pure Python (no msgfmt), fuzzy entries left out, a broken placeholder
stops the build with file:line, and the suite fails while a catalogue is incomplete or its
compiled .mo is stale."""

from __future__ import annotations

import gettext
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from exercises.ops import translations

ROOT = Path(__file__).resolve().parents[2]
HEADER = """\
msgid ""
msgstr ""
"Language: ko\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"""


def po_file(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "ko" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "django.po"
    po.write_text(HEADER + body, encoding="utf-8")
    return po


def test_the_committed_catalogues_are_complete_and_compiled():
    """Fails on an untranslated or fuzzy entry, or a .mo that is not what its .po compiles to:
    run `python manage.py compile_translations` (make test does) after editing a .po."""
    assert translations.catalogues(), "no .po under LOCALE_PATHS"
    assert translations.problems() == []


def test_untranslated_fuzzy_and_stale_are_each_reported_with_their_line(tmp_path):
    po = po_file(
        tmp_path,
        '\nmsgid "Done"\nmsgstr "완료"\n'
        '\nmsgid "Missing"\nmsgstr ""\n'
        '\n#, fuzzy\nmsgid "Unsure"\nmsgstr "아마"\n',
    )
    found = translations.problems([po])
    assert f"{po}:10: untranslated: 'Missing'" in found
    assert f"{po}:14: fuzzy: 'Unsure'" in found
    assert any(line.startswith(f"{po.with_suffix('.mo')}: stale or missing") for line in found)
    po.with_suffix(".mo").write_bytes(translations.compile_catalogue(po).data)
    assert not any("stale" in line for line in translations.problems([po]))
    po.write_text(po.read_text(encoding="utf-8").replace("완료", "끝"), encoding="utf-8")
    assert any("stale" in line for line in translations.problems([po]))


def test_the_same_po_compiles_to_the_same_bytes_at_any_time(tmp_path):
    from freezegun import freeze_time

    po = po_file(tmp_path, '\nmsgid "Done"\nmsgstr "완료"\n')
    with freeze_time("2020-01-01 10:00"):
        first = translations.compile_catalogue(po).data
    with freeze_time("2024-06-30 23:59"):
        second = translations.compile_catalogue(po).data
    assert first == second


def test_fuzzy_entries_are_left_out_of_the_compiled_catalogue(tmp_path):
    po = po_file(
        tmp_path, '\nmsgid "Done"\nmsgstr "완료"\n\n#, fuzzy\nmsgid "Unsure"\nmsgstr "아마"\n'
    )
    compiled = translations.compile_catalogue(po)
    po.with_suffix(".mo").write_bytes(compiled.data)
    with po.with_suffix(".mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    # Looked up through a name xgettext does not scan: makemessages must not copy these test
    # strings into the project's catalogue.
    lookup = catalogue.gettext
    assert lookup("Done") == "완료"
    assert lookup("Unsure") == "Unsure"


@pytest.mark.parametrize(
    "msgstr",
    ["%(name)s님, 안녕하세요", "%(user)s님 %(count)d", "{user}님", "%s님"],
)
def test_a_broken_placeholder_stops_the_build_with_file_and_line(tmp_path, settings, msgstr):
    po = po_file(tmp_path, f'\nmsgid "Hello %(user)s"\nmsgstr "{msgstr}"\n')
    settings.LOCALE_PATHS = [tmp_path]
    with pytest.raises(CommandError, match=rf"^{po}:7: the translation's placeholders"):
        call_command("compile_translations", verbosity=0)
    assert not po.with_suffix(".mo").exists()


def test_matching_placeholders_compile_and_a_literal_percent_is_no_placeholder(tmp_path, settings):
    po = po_file(
        tmp_path,
        '\nmsgid "Hello %(user)s, 100%% done"\nmsgstr "%(user)s님, 100%% 완료"\n'
        '\nmsgid "{n} left"\nmsgstr "{n}개 남음"\n'
        '\nmsgid "%(n)s item"\nmsgid_plural "%(n)s items"\nmsgstr[0] "%(n)s개"\n',
    )
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_translations", verbosity=0)
    with po.with_suffix(".mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    lookup, lookup_plural = catalogue.gettext, catalogue.ngettext  # (not scanned, as above)
    assert lookup("Hello %(user)s, 100%% done") % {"user": "민지"} == "민지님, 100% 완료"
    assert lookup_plural("%(n)s item", "%(n)s items", 3) % {"n": 3} == "3개"


def test_the_command_needs_no_gettext_binaries(tmp_path):
    """As on the production image: no msgfmt anywhere on PATH."""
    env = {
        **os.environ,
        "PATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
    }
    mo = Path(settings.LOCALE_PATHS[0]) / "ko" / "LC_MESSAGES" / "django.mo"
    before = mo.read_bytes() if mo.exists() else None
    result = subprocess.run(
        [sys.executable, "manage.py", "compile_translations"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("compiled ")
    assert before is None or mo.read_bytes() == before
