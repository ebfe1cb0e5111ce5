"""docs/authoring.md's examples are real: each folder imports cleanly and is sound."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exercises import authoring, soundness
from exercises.importer import import_problems
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
