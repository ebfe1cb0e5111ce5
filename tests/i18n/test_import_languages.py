"""Importing a problem in several languages: one ``ProblemText`` row per statement file, the
title as a string or a mapping, every file in the content hash, and each mistake reported with
its file (and line)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exercises.bank.importer import ImportFailed, import_problems
from exercises.models import Problem, ProblemText
from tests.instructor.test_importer import GOOD_YAML, write

TITLES_YAML = GOOD_YAML.replace(
    "title: Parameters of a conv layer\n",
    "title:\n  ko: 합성곱 층의 파라미터\n  en: Parameters of a conv layer\n",
)
KO_STATEMENT = "파라미터는 몇 개인가요? {{ k }}"


def errors_of(root: Path) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        import_problems(root)
    return caught.value.errors


def bilingual(folder: Path, ko: str = KO_STATEMENT, yaml_text: str = TITLES_YAML) -> Path:
    write(folder, yaml_text)
    (folder / "statement.ko.md").write_text(ko, encoding="utf-8")
    return folder


def test_one_row_per_language_and_the_english_text_on_the_problem(db, tmp_path):
    bilingual(tmp_path / "conv-params")
    import_problems(tmp_path)
    problem = Problem.objects.get()
    rows = {t.language: (t.title, t.statement) for t in problem.texts.all()}
    assert rows == {
        "ko": ("합성곱 층의 파라미터", KO_STATEMENT),
        "en": ("Parameters of a conv layer", "How many parameters? {{ k }}"),
    }
    assert (problem.title, problem.statement) == rows["en"]
    assert problem.available_languages == ["ko", "en"]
    assert problem.text("ko").title == "합성곱 층의 파라미터"
    assert problem.text("ko-KR").title == "합성곱 층의 파라미터"


def test_a_plain_string_title_is_english_and_a_problem_without_korean_falls_back(db, tmp_path):
    write(tmp_path / "conv-params", GOOD_YAML)
    import_problems(tmp_path)
    problem = Problem.objects.get()
    assert list(problem.texts.values_list("language", flat=True)) == ["en"]
    assert problem.text("ko").language == "en"
    assert problem.text("ko").title == "Parameters of a conv layer"


def test_a_korean_statement_without_a_korean_title_keeps_the_english_title(db, tmp_path):
    bilingual(tmp_path / "conv-params", yaml_text=GOOD_YAML)
    import_problems(tmp_path)
    assert ProblemText.objects.get(language="ko").title == "Parameters of a conv layer"


def test_a_changed_translation_updates_the_problem_and_a_removed_one_goes(db, tmp_path):
    folder = bilingual(tmp_path / "conv-params")
    import_problems(tmp_path)
    (folder / "statement.ko.md").write_text("고친 문장 {{ k }}", encoding="utf-8")
    assert import_problems(tmp_path).updated == ["conv-params"]
    assert ProblemText.objects.get(language="ko").statement == "고친 문장 {{ k }}"
    assert import_problems(tmp_path).unchanged == ["conv-params"]
    (folder / "statement.ko.md").unlink()
    (folder / "problem.yaml").write_text(GOOD_YAML, encoding="utf-8")
    assert import_problems(tmp_path).updated == ["conv-params"]
    assert list(ProblemText.objects.values_list("language", flat=True)) == ["en"]


def test_a_statement_in_an_unconfigured_language_is_an_error_naming_the_file(db, tmp_path):
    folder = bilingual(tmp_path / "conv-params")
    (folder / "statement.fr.md").write_text("Combien ? {{ k }}", encoding="utf-8")
    [error] = errors_of(tmp_path)
    assert error.startswith(f"{folder / 'statement.fr.md'}: a statement in 'fr'")
    assert not Problem.objects.exists()


def test_hangul_inside_maths_is_an_error_with_file_and_line(db, tmp_path):
    ko = (
        "첫 줄\n\n$N = 7$, 그리고 $\\text{출력} = 5$ 는 괜찮습니다.\n\n"
        "$M = \\frac{입력 - F}{S}$ {{ k }}\n"
    )
    folder = bilingual(tmp_path / "conv-params", ko=ko)
    [error] = errors_of(tmp_path)
    assert error.startswith(f"{folder / 'statement.ko.md'}:5: Hangul inside $...$")


def test_display_maths_across_lines_reports_the_line_of_the_hangul(db, tmp_path):
    ko = "{{ k }}\n$$\nM = 1\n+ 필터\n$$\n"
    folder = bilingual(tmp_path / "conv-params", ko=ko)
    [error] = errors_of(tmp_path)
    assert error.startswith(f"{folder / 'statement.ko.md'}:4:")


def test_a_translation_must_show_the_same_numbers(db, tmp_path):
    folder = bilingual(tmp_path / "conv-params", ko="파라미터는 몇 개인가요? {{ c }}")
    [error] = errors_of(tmp_path)
    assert error.startswith(f"{folder / 'statement.ko.md'}: placeholders ['c'] differ")


@pytest.mark.parametrize(
    ("title_yaml", "expected"),
    [
        ("title:\n  ko: 한국어 제목\n", ":2: title needs an 'en' entry"),
        ("title:\n  en: A title\n  fr: Un titre\n", ":4: title in 'fr', which is not"),
        ("title: [a, b]\n", ":2: title must be a string or a mapping"),
    ],
)
def test_title_mistakes_name_the_line(db, tmp_path, title_yaml, expected):
    yaml_text = GOOD_YAML.replace("title: Parameters of a conv layer\n", title_yaml)
    bilingual(tmp_path / "conv-params", yaml_text=yaml_text)
    [error] = errors_of(tmp_path)
    assert expected in error, error


def test_a_korean_title_without_a_korean_statement_is_an_error(db, tmp_path):
    write(tmp_path / "conv-params", TITLES_YAML)
    [error] = errors_of(tmp_path)
    assert ":3: a title in 'ko' but no statement.ko.md" in error


def test_an_admin_edit_of_the_english_title_is_what_english_readers_see(admin_client, tmp_path):
    bilingual(tmp_path / "conv-params")
    import_problems(tmp_path)
    problem = Problem.objects.get()
    response = admin_client.post(
        f"/admin/exercises/problem/{problem.pk}/change/",
        {
            "slug": problem.slug,
            "kind": problem.kind,
            "title": "A clearer title",
            "statement": "Count them: {{ k }}",
            "points": 2,
            "tags": '["params"]',
            "spec": json.dumps(problem.spec),
            "limits": "{}",
            "starter_code": "",
        },
    )
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert (problem.text("en").title, problem.text("en").statement) == (
        "A clearer title",
        "Count them: {{ k }}",
    )
    assert problem.text("ko").title == "합성곱 층의 파라미터"


def test_an_admin_fix_to_a_translation_marks_the_problem_changed(admin_client, tmp_path):
    bilingual(tmp_path / "conv-params")
    import_problems(tmp_path)
    korean = ProblemText.objects.get(language="ko")
    response = admin_client.post(
        f"/admin/exercises/problemtext/{korean.pk}/change/",
        {"title": "합성곱 층의 파라미터 개수", "statement": korean.statement},
    )
    assert response.status_code == 302
    assert Problem.objects.get().changed_since_import
    assert Problem.objects.get().text("ko").title == "합성곱 층의 파라미터 개수"
    assert import_problems(tmp_path).updated == ["conv-params"]  # the files win again
    assert Problem.objects.get().text("ko").title == "합성곱 층의 파라미터"
