"""Every problem of the lecture's bank can be solved through its page: the inputs the page draws
for its answer format can express the right answer of the student's own variant, and the page's
submission is graded correct (the same grader the API uses)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from exercises.bank.importer import import_problems
from exercises.models import Problem, Submission
from grader.kinds import get_kind
from tests import factories

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.STRIDE["CONTENT_DIR"])
SLUGS = sorted(p.parent.name for p in CONTENT.glob("*/problem.yaml"))
SOLUTIONS = Path(__file__).parent / "bank_solutions"
#: The bank's code problems and the right solution for each (tests/exercises/bank_solutions).
CODE_SOLUTIONS = {
    "implement-conv2d-single": "conv2d_single.py",
    "implement-conv2d": "conv2d.py",
    "implement-max-pool": "max_pool2d.py",
    "implement-avg-pool": "avg_pool2d.py",
    "implement-cnn-forward": "cnn_forward.py",
}


def form_fields(fmt: dict, answer) -> dict:
    """What a student types into the page's inputs for ``answer`` (the inverse of reading them)."""
    kind = fmt["type"]
    if kind == "matrix":
        return {
            f"cell-{r}-{c}": repr(float(v)) if not float(v).is_integer() else str(int(v))
            for r, row in enumerate(answer)
            for c, v in enumerate(row)
        }
    if kind == "number":
        if answer == "does-not-fit":
            return {"does_not_fit": "1", "answer": ""}
        return {"answer": repr(answer)}
    if kind == "shape":
        return {f"dim-{i}": str(v) for i, v in enumerate(answer)}
    if kind == "choice":
        return {"choice": answer if isinstance(answer, list) else [answer]}
    raise AssertionError(f"no page input for {fmt}")


@pytest.fixture
def bank_assignment(db, cohort):
    import_problems(CONTENT)
    problems = list(Problem.objects.order_by("slug"))
    return factories.make_assignment(cohort, problems, title="CNN basics", slug="cnn-basics")


@pytest.mark.parametrize("slug", [s for s in SLUGS if s not in CODE_SOLUTIONS])
def test_every_quick_problem_is_solved_through_its_page(
    slug, client, student, bank_assignment, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(student)
    page = client.get(f"/problems/{slug}")
    assert page.status_code == 200
    detail = page.context["detail"]
    problem = page.context["problem"]
    kind = get_kind(problem.kind)
    right = kind.expected(problem.spec, detail["params"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/problems/{slug}", form_fields(detail["answer_format"], right))
    assert response.status_code == 302, response.content.decode()[:2000]
    submission = Submission.objects.get(user=student, problem=problem)
    assert submission.status == "graded"
    assert submission.verdict == "correct", submission.feedback
    feedback_page = client.get(response["Location"]).content.decode()
    assert "Correct" in feedback_page


@pytest.mark.sandbox
@pytest.mark.parametrize("slug", sorted(CODE_SOLUTIONS))
def test_every_code_problem_is_solved_from_its_editor(
    slug, client, student, bank_assignment, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(student)
    page = client.get(f"/problems/{slug}")
    html = page.content.decode()
    assert 'data-editor="python"' in html and "def " in html  # the starter in the editor
    source = (SOLUTIONS / CODE_SOLUTIONS[slug]).read_text()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/problems/{slug}", {"code": source})
    assert response.status_code == 302
    submission = Submission.objects.get(user=student, problem__slug=slug)
    assert (submission.status, submission.verdict) == ("graded", "correct"), submission.feedback
