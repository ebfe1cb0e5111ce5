"""docs/authoring.md's examples are real: each folder imports cleanly and is sound."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from exercises.bank import authoring, soundness
from exercises.bank.importer import import_problems
from exercises.models import Problem

DOC = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"
BLOCK = re.compile(r"^```\w+ file=(\S+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
KINDS = ("number", "matrix", "shape", "choice", "code")


def example_files() -> dict[str, str]:
    return {path: body for path, body in BLOCK.findall(DOC.read_text(encoding="utf-8"))}


def test_the_guide_has_a_complete_example_of_every_kind():
    files = example_files()
    folders = {path.split("/")[0] for path in files}
    kinds = set()
    for folder in folders:
        assert f"{folder}/problem.yaml" in files and f"{folder}/statement.md" in files
        kind = re.search(r"^kind: (\w+)$", files[f"{folder}/problem.yaml"], re.M).group(1)
        kinds.add(kind)
        if kind == "code":
            assert f"{folder}/starter.py" in files and f"{folder}/tests.py" in files
    assert kinds == set(KINDS)


@pytest.fixture
def imported(db, tmp_path):
    for path, body in example_files().items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    report = import_problems(tmp_path)
    assert sorted(report.created) == sorted(EXAMPLES)
    return {p.slug: p for p in Problem.objects.all()}


EXAMPLES = sorted({path.split("/")[0] for path in example_files()})


@pytest.mark.parametrize("slug", EXAMPLES)
def test_each_example_imports_and_is_sound(imported, slug):
    problem = imported[slug]
    check = soundness.self_check(problem)
    assert check.sound, [(c.name, c.message) for c in check.checks if not c.ok]
    preview = authoring.preview_problem(problem, 11)
    assert preview.error is None and "{{" not in preview.statement_html


# --- The commands the guides give work as written ----------------------------------------------
ROOT = DOC.parents[1]
GUIDES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MAKE_MANAGE = re.compile(r"make manage ARGS=['\"]?(\w+)")


def test_the_guides_give_manage_commands_that_run_from_a_fresh_checkout():
    """A bare ``python manage.py`` needs the venv on PATH and then a SECRET_KEY: the guides say
    ``make manage ARGS=...`` (or the venv's Python, on a server), and name real commands."""
    from django.core.management import get_commands

    named = []
    for guide in GUIDES:
        text = guide.read_text(encoding="utf-8")
        bare = re.findall(r"(?<![/\w])python3? manage\.py", text)
        assert not bare, f"{guide.name}: 'python manage.py' fails outside the venv"
        named += MAKE_MANAGE.findall(text)
    assert {"import_problems", "enroll", "create_cohort"} <= set(named)
    assert set(named) <= set(get_commands()), set(named) - set(get_commands())


def test_make_manage_runs_without_a_secret_key_or_debug(tmp_path):
    """``make manage`` as a new author types it: no SECRET_KEY, no DEBUG, no settings module."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "STRIDE_DEMO")
    }
    # -o: the venv counts as installed (the suite runs in it); PY: this very interpreter.
    command = ["make", "-s", "-o", ".venv/.installed", "manage", "ARGS=help import_problems"]
    result = subprocess.run(
        [*command, f"PY={sys.executable}"],
        cwd=ROOT,
        env=env | {"STRIDE_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: manage.py import_problems" in result.stdout


def test_example_statements_do_not_tell_students_to_type_what_the_page_asks_with_inputs():
    """The page has a grid for a matrix, fields for a shape and a box for "does not fit"."""
    for path, body in example_files().items():
        if path.endswith("statement.md"):
            assert not re.search(r"`\[", body), f"{path} asks for a typed list"
            assert "`does-not-fit`" not in body and '"does-not-fit"' not in body, path
