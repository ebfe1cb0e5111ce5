"""Quiz questions take answers through the problem page's inputs
(``exercises.pages.answer_inputs``): a grid for a matrix, one field per dimension for a shape, a
does-not-fit box, radios for a choice, the code editor; each question's fields are named
``q<position>-...``. The same reading refuses "45,126" (ambiguous separators) with no try used."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from freezegun import freeze_time

from exercises.bank.importer import import_problems
from exercises.models import Submission
from exercises.quizzes import services as quizzes
from grader.grading import params_for
from grader.kinds import get_kind

#: One question per pool, so that question N is always this slug.
SLUGS = (
    "conv-single-channel",  # matrix
    "conv-layer-output-volume",  # shape
    "output-size-stride",  # number, may not fit
    "cnn-concepts",  # choice (several answers)
    "implement-conv2d-single",  # code
)


@pytest.fixture
def kinds_quiz(instructor, cohort, t0):
    import_problems(settings.STRIDE["CONTENT_DIR"])
    return quizzes.create_quiz(
        instructor,
        cohort,
        title="Every kind",
        slug="every-kind",
        opens_at=t0,
        closes_at=t0 + timedelta(hours=2),
        time_limit_minutes=60,
        attempt_points=[100, 50],
        feedback_policy="immediate",
        pools=[quizzes.PoolSpec(1, (slug,)) for slug in SLUGS],
        published=True,
    )


def started(student, quiz, t0) -> Client:
    client = Client()
    client.force_login(student)
    with freeze_time(t0 + timedelta(minutes=1)):
        assert client.post(f"/quizzes/{quiz.assignment_id}/start").status_code == 302
    return client


def variant(student, quiz, slug):
    from exercises.models import AssignmentProblem
    from exercises.submissions.services import variant_seed

    item = AssignmentProblem.objects.get(assignment=quiz.assignment, problem__slug=slug)
    seed = variant_seed(student.pk, item.problem, quiz.assignment, 1)
    return item.problem, params_for(item.problem.kind, item.problem.spec, seed)


def test_each_question_gets_its_kinds_inputs(kinds_quiz, student, t0):
    client = started(student, kinds_quiz, t0)
    with freeze_time(t0 + timedelta(minutes=2)):
        html = client.get(f"/quizzes/{kinds_quiz.assignment_id}").content.decode()
    assert 'name="q1-cell-0-0"' in html and "data-grid" in html  # the matrix grid
    for i in range(3):
        assert f'name="q2-dim-{i}"' in html  # height x width x depth
    assert 'name="q3-answer"' in html and 'name="q3-does_not_fit"' in html
    assert 'type="checkbox" name="q4-choice"' in html  # several may be right
    assert 'name="q5-code"' in html and 'data-editor="python"' in html
    # The old generic box and its advice to type does-not-fit are gone.
    assert "A number, <code>does-not-fit</code>, or rows of numbers" not in html


def test_a_grid_and_a_shape_answer_are_read_from_their_fields(kinds_quiz, student, t0):
    client = started(student, kinds_quiz, t0)
    url = f"/quizzes/{kinds_quiz.assignment_id}"
    problem, params = variant(student, kinds_quiz, "conv-single-channel")
    right = get_kind(problem.kind).expected(problem.spec, params)
    cells = {
        f"q1-cell-{r}-{c}": str(value) for r, row in enumerate(right) for c, value in enumerate(row)
    }
    shape_problem, shape_params = variant(student, kinds_quiz, "conv-layer-output-volume")
    shape = get_kind(shape_problem.kind).expected(shape_problem.spec, shape_params)
    with freeze_time(t0 + timedelta(minutes=2)):
        assert client.post(f"{url}/questions/1", cells).status_code == 302
        dims = {f"q2-dim-{i}": str(v) for i, v in enumerate(shape)}
        assert client.post(f"{url}/questions/2", dims).status_code == 302
    matrix, volume = Submission.objects.order_by("id")
    assert matrix.payload == {"answer": [[float(v) for v in row] for row in right]}
    assert volume.payload == {"answer": list(shape)}


def test_a_number_with_ambiguous_separators_is_refused_and_uses_no_try(kinds_quiz, student, t0):
    client = started(student, kinds_quiz, t0)
    with freeze_time(t0 + timedelta(minutes=2)):
        response = client.post(
            f"/quizzes/{kinds_quiz.assignment_id}/questions/3", {"q3-answer": "45,126"}
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Question 3:" in html and "used no try" in html
    assert "45126" in html or "45.126" in html  # the message says what to type instead
    assert 'value="45,126"' in html  # what the student typed stays in the box
    assert not Submission.objects.exists()


def test_the_does_not_fit_box_and_a_choice_are_read(kinds_quiz, student, t0):
    client = started(student, kinds_quiz, t0)
    url = f"/quizzes/{kinds_quiz.assignment_id}"
    choice_problem, params = variant(student, kinds_quiz, "cnn-concepts")
    options = get_kind("choice").answer_format(choice_problem.spec, params)["options"]
    first = options[0]["key"] if isinstance(options[0], dict) else options[0]
    with freeze_time(t0 + timedelta(minutes=2)):
        assert client.post(f"{url}/questions/3", {"q3-does_not_fit": "1"}).status_code == 302
        assert client.post(f"{url}/questions/4", {"q4-choice": first}).status_code == 302
    box, choice = Submission.objects.order_by("id")
    assert box.payload == {"answer": "does-not-fit"}
    assert choice.payload["answer"] in (first, [first])


def test_the_code_question_reopens_with_the_latest_code_sent(kinds_quiz, student, t0):
    client = started(student, kinds_quiz, t0)
    url = f"/quizzes/{kinds_quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=2)):
        before = client.get(url).content.decode()
        assert "def conv2d_single" in before  # the starter
        assert client.post(f"{url}/questions/5", {"q5-code": "# my try\n"}).status_code == 302
        after = client.get(url).content.decode()
    assert ">\n# my try\n</textarea>" in after or "># my try\n</textarea>" in after
