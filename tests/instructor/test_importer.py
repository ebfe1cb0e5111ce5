"""Importing problem folders: idempotent by uuid, every error with file and line, and all or
nothing (a bank with one bad folder imports none; a clash found while writing rolls back)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from exercises.bank.importer import ImportFailed, import_problems
from exercises.models import Problem
from tests import factories

UUID_A = "3f1c2b9e-7a55-4c1e-9a61-0b6d3e2f1a01"
UUID_B = "3f1c2b9e-7a55-4c1e-9a61-0b6d3e2f1a02"

GOOD_YAML = f"""\
uuid: {UUID_A}
title: Parameters of a conv layer
kind: number
points: 2
tags: [params]
recipe: conv-layer-params
params:
  c: {{min: 1, max: 8}}
  k: {{min: 2, max: 32}}
misconceptions: all
"""


def write(folder: Path, yaml_text: str, statement: str = "How many parameters? {{ k }}") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "problem.yaml").write_text(yaml_text, encoding="utf-8")
    (folder / "statement.md").write_text(statement, encoding="utf-8")
    return folder


def errors_of(root: Path) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        import_problems(root)
    return caught.value.errors


def test_importing_twice_changes_nothing_the_second_time(db, tmp_path):
    write(tmp_path / "conv-params", GOOD_YAML)
    first = import_problems(tmp_path)
    assert first.created == ["conv-params"]
    problem = Problem.objects.get(slug="conv-params")
    assert (problem.points, problem.kind, str(problem.uuid)) == (2, "number", UUID_A)
    assert problem.spec["recipe"] == "conv-layer-params"
    second = import_problems(tmp_path)
    assert (second.created, second.updated, second.unchanged) == ([], [], ["conv-params"])


def test_a_changed_file_updates_the_same_row_and_a_renamed_folder_keeps_it(db, tmp_path):
    write(tmp_path / "conv-params", GOOD_YAML)
    import_problems(tmp_path)
    pk = Problem.objects.get().pk
    (tmp_path / "conv-params").rename(tmp_path / "layer-params")
    (tmp_path / "layer-params" / "statement.md").write_text("Count them.", encoding="utf-8")
    report = import_problems(tmp_path)
    assert report.updated == ["layer-params"]
    problem = Problem.objects.get()
    assert (problem.pk, problem.slug, problem.statement) == (pk, "layer-params", "Count them.")


def test_reimporting_over_an_admin_edit_restores_the_files_and_clears_the_mark(db, tmp_path):
    write(tmp_path / "conv-params", GOOD_YAML)
    import_problems(tmp_path)
    Problem.objects.update(title="Edited", changed_since_import=True)
    assert import_problems(tmp_path).updated == ["conv-params"]
    problem = Problem.objects.get()
    assert (problem.title, problem.changed_since_import) == ("Parameters of a conv layer", False)


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (
            GOOD_YAML.replace("misconceptions: all", "tolerence: {abs: 1}"),
            ":10: tolerence: unknown key for a number problem",
        ),
        (
            GOOD_YAML.replace("k: {min: 2, max: 32}", "k: {min: 0, max: 32}"),
            ":9: params.k",
        ),
        (
            GOOD_YAML.replace("recipe: conv-layer-params", "recipe: conv-layer-parameters"),
            ":6: recipe: unknown recipe 'conv-layer-parameters'",
        ),
        (GOOD_YAML.replace("points: 2", "points: two"), ":4: points must be a whole number"),
        (GOOD_YAML.replace(UUID_A, "not-a-uuid"), ":1: uuid 'not-a-uuid' is not a UUID"),
        (
            GOOD_YAML.replace("title: Parameters of a conv layer\n", ""),
            ":1: missing required key 'title'",
        ),
        (GOOD_YAML.replace("  c: {min: 1, max: 8}", "  c: {min: 1, max: 8"), ":9: not valid YAML"),
        ("- just\n- a list\n", ":1: the file must be a mapping"),
    ],
)
def test_errors_name_the_file_and_line(db, tmp_path, yaml_text, expected):
    folder = write(tmp_path / "conv-params", yaml_text)
    [error] = errors_of(tmp_path)
    assert error.startswith(f"{folder / 'problem.yaml'}{expected}"), error


def test_every_folder_is_checked_and_a_bad_one_stops_the_whole_bank(db, tmp_path):
    write(tmp_path / "good", GOOD_YAML)
    write(
        tmp_path / "bad-one", GOOD_YAML.replace(UUID_A, UUID_B).replace("points: 2", "points: -1")
    )
    bad_two = tmp_path / "bad-two"
    bad_two.mkdir()
    (bad_two / "problem.yaml").write_text(GOOD_YAML.replace(UUID_A, str(uuid.uuid4())))
    errors = errors_of(tmp_path)
    assert len(errors) == 2
    assert errors[0].startswith(f"{tmp_path / 'bad-one' / 'problem.yaml'}:4: points")
    assert errors[1].startswith(f"{bad_two / 'statement.md'}: cannot read")
    assert not Problem.objects.exists()


def test_two_folders_with_one_uuid_are_refused(db, tmp_path):
    write(tmp_path / "one", GOOD_YAML)
    write(tmp_path / "two", GOOD_YAML)
    [error] = errors_of(tmp_path)
    assert f"uuid {UUID_A} is also used by" in error


def test_a_clash_found_while_writing_rolls_back_what_was_written(db, tmp_path):
    # "aaa" imports first, then "zzz" clashes with a slug already held by another problem.
    write(tmp_path / "aaa", GOOD_YAML)
    write(tmp_path / "zzz", GOOD_YAML.replace(UUID_A, UUID_B))
    factories.make_problem("zzz", kind="number", spec={"recipe": "conv-layer-params"})
    [error] = errors_of(tmp_path)
    assert "slug 'zzz' belongs to another problem" in error
    assert not Problem.objects.filter(slug="aaa").exists()


def test_the_command_prints_every_error_and_fails(db, tmp_path, capsys):
    write(tmp_path / "conv-params", GOOD_YAML.replace("points: 2", "points: two"))
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_problems", str(tmp_path))
    assert ":4: points must be a whole number" in capsys.readouterr().err
    assert not Problem.objects.exists()


def test_the_command_imports_a_single_folder(db, tmp_path, capsys):
    folder = write(tmp_path / "conv-params", GOOD_YAML)
    call_command("import_problems", str(folder))
    assert "created 1" in capsys.readouterr().out


def test_an_admin_edit_marks_the_problem_changed(admin_client, db, tmp_path):
    write(tmp_path / "conv-params", GOOD_YAML)
    import_problems(tmp_path)
    problem = Problem.objects.get()
    response = admin_client.post(
        f"/admin/exercises/problem/{problem.pk}/change/",
        {
            "slug": problem.slug,
            "kind": problem.kind,
            "title": "A clearer title",
            "statement": problem.statement,
            "points": 2,
            "tags": '["params"]',
            "spec": __import__("json").dumps(problem.spec),
            "limits": "{}",
            "starter_code": "",
            "changed_since_import": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    problem.refresh_from_db()
    assert (problem.title, problem.changed_since_import) == ("A clearer title", True)


CODE_YAML = """\
uuid: 3f1c2b9e-7a55-4c1e-9a61-0b6d3e2f1a09
title: Implement ReLU
kind: code
entry: relu
signature: "def relu(x)"
"""


def write_code(folder: Path, tests: str) -> Path:
    write(folder, CODE_YAML, "Write relu(x).")
    (folder / "starter.py").write_text("def relu(x):\n    return x\n", encoding="utf-8")
    (folder / "tests.py").write_text(tests, encoding="utf-8")
    return folder


def test_a_syntax_error_in_tests_py_points_at_tests_py_and_its_line(db, tmp_path):
    folder = write_code(tmp_path / "relu", "def cases(rng):\n    return [\n\ndef reference(x):\n")
    [error] = errors_of(tmp_path)
    assert error.startswith(f"{folder / 'tests.py'}:"), error
    assert "tests.py line" in error


def test_tests_py_without_a_reference_is_reported_against_tests_py(db, tmp_path):
    folder = write_code(tmp_path / "relu", "def cases(rng):\n    return []\n")
    [error] = errors_of(tmp_path)
    assert error.startswith(f"{folder / 'tests.py'}: "), error
    assert "must define a function reference()" in error


def test_a_code_problem_without_tests_py_is_refused(db, tmp_path):
    folder = write(tmp_path / "relu", CODE_YAML, "Write relu(x).")
    (folder / "starter.py").write_text("def relu(x):\n    return x\n", encoding="utf-8")
    [error] = errors_of(tmp_path)
    assert error.startswith(f"{folder / 'tests.py'}: a code problem needs this file")
