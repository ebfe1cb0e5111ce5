"""An edit of a problem in the Django admin passes the importer's checks (the kind's spec, the
hints, every language's statement): what the importer would refuse is a form error on the
admin's change form, and the stored problem stays as it was."""

from __future__ import annotations

import json

import pytest

from exercises.bank.importer import import_problems
from exercises.models import Problem, ProblemText
from grader.kinds import get_kind
from tests.instructor.test_importer import GOOD_YAML, write


@pytest.fixture
def problem(db, tmp_path) -> Problem:
    """conv-params (a number problem; statement "How many parameters? {{ k }}"), imported, with
    a Korean translation that shows the same placeholder."""
    write(tmp_path / "conv-params", GOOD_YAML)
    import_problems(tmp_path)
    problem = Problem.objects.get(slug="conv-params")
    ProblemText.objects.create(
        problem=problem,
        language="ko",
        title="합성곱 층의 파라미터",
        statement="파라미터는? {{ k }}",
    )
    return problem


def change(admin_client, problem: Problem, **edits):
    """POST the admin's change form: the problem as stored, with ``edits`` (Python values;
    the JSON fields are sent as the form's JSON text)."""
    values = {
        "uuid": str(problem.uuid),
        "slug": problem.slug,
        "kind": problem.kind,
        "title": problem.title,
        "statement": problem.statement,
        "points": problem.points,
        "tags": problem.tags,
        "spec": problem.spec,
        "limits": problem.limits,
        "starter_code": problem.starter_code,
        "hints": problem.hints,
        **edits,
    }
    data = {
        name: json.dumps(value) if name in ("tags", "spec", "limits", "hints") else value
        for name, value in values.items()
    }
    return admin_client.post(f"/admin/exercises/problem/{problem.pk}/change/", data)


def errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200, "a refused edit shows the form again"
    return {
        name: list(messages) for name, messages in response.context["adminform"].form.errors.items()
    }


def test_a_good_edit_is_saved(admin_client, problem):
    response = change(admin_client, problem, title="Parameters of one conv layer")
    assert response.status_code == 302, response.content.decode()[:3000]
    problem.refresh_from_db()
    assert problem.title == "Parameters of one conv layer"


def test_a_spec_its_kind_refuses_is_a_form_error(admin_client, problem):
    before = dict(problem.spec)
    spec = {**problem.spec, "params": {**problem.spec["params"], "k": {"min": 9, "max": 2}}}
    found = errors(change(admin_client, problem, spec=spec))
    assert list(found) == ["spec"]
    assert "params.k" in found["spec"][0]
    problem.refresh_from_db()
    assert problem.spec == before


def test_an_unknown_key_or_recipe_is_a_form_error(admin_client, problem):
    assert "spec" in errors(change(admin_client, problem, spec={**problem.spec, "stride": 2}))
    bad_recipe = {**problem.spec, "recipe": "no-such-recipe"}
    assert "spec" in errors(change(admin_client, problem, spec=bad_recipe))


def test_an_unknown_kind_is_a_form_error_on_the_kind(admin_client, problem):
    found = errors(change(admin_client, problem, kind="essay"))
    assert "unknown kind 'essay'" in found["kind"][0]
    problem.refresh_from_db()
    assert problem.kind == "number"


def test_a_hint_on_a_misconception_the_kind_cannot_diagnose_is_a_form_error(admin_client, problem):
    hints = [{"text": "Count the biases too.", "on": "no-such-misconception"}]
    found = errors(change(admin_client, problem, hints=hints))
    assert list(found) == ["hints"]
    assert "unknown misconception 'no-such-misconception'" in found["hints"][0]
    assert Problem.objects.get(pk=problem.pk).hints == []


@pytest.mark.parametrize(
    "hint",
    [
        {"text": "A hint that names a {{ k }}.", "after": 1},
        {"text": "Two rules.", "after": 1, "on_request": True},
        {"text": "Too dear.", "on_request": True, "cost": 2},
        {"after": 2},
    ],
)
def test_a_malformed_hint_is_a_form_error(admin_client, problem, hint):
    assert list(errors(change(admin_client, problem, hints=[hint]))) == ["hints"]


def test_good_hints_are_stored_as_the_importer_stores_them(admin_client, problem):
    key = get_kind("number").diagnosable(problem.spec)[0]
    hints = [
        {"text": "Look again at the kernel.", "after": 2},
        {"text": "A classic slip.", "on": key},
        {"text": "The formula.", "on_request": True},
    ]
    response = change(admin_client, problem, hints=hints)
    assert response.status_code == 302, errors(response)
    problem.refresh_from_db()
    assert problem.hints == [
        {"text": "Look again at the kernel.", "after": 2},
        {"text": "A classic slip.", "on": key},
        {"text": "The formula.", "on_request": True, "cost": 0.0},
    ]


def test_an_english_statement_that_drops_a_translations_placeholder_is_a_form_error(
    admin_client, problem
):
    found = errors(change(admin_client, problem, statement="How many parameters?"))
    assert list(found) == ["statement"]
    assert "'ko'" in found["statement"][0] and "['k']" in found["statement"][0]
    assert Problem.objects.get(pk=problem.pk).statement == "How many parameters? {{ k }}"


def test_hangul_inside_maths_is_a_form_error(admin_client, problem):
    found = errors(change(admin_client, problem, statement="How many? $k = 커널$ {{ k }}"))
    assert "Hangul inside $...$" in found["statement"][0]


def test_a_translation_edit_keeps_the_english_placeholders(admin_client, problem):
    text = problem.texts.get(language="ko")
    url = f"/admin/exercises/problemtext/{text.pk}/change/"
    refused = admin_client.post(url, {"title": text.title, "statement": "파라미터는?"})
    assert refused.status_code == 200
    [message] = refused.context["adminform"].form.errors["statement"]
    assert "differ from statement.md's ['k']" in message
    assert (
        admin_client.post(url, {"title": text.title, "statement": "개수는? {{ k }}"}).status_code
        == 302
    )
    text.refresh_from_db()
    assert text.statement == "개수는? {{ k }}"
