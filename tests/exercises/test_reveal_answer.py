"""The right answer after the last attempt: the assignment chooses (off by default). Before the
last attempt, and whenever the option is off, neither the feedback paragraph nor the diagnosis
states the right number."""

from __future__ import annotations

import pytest

from exercises.models import Submission
from exercises.submissions.tasks import grade_submission
from tests import factories

pytestmark = pytest.mark.django_db

#: The lecture's layer: 5x5x3 filters, 10 of them -> 760 parameters; 750 forgot the biases.
PARAMS_SPEC = {"recipe": "conv-layer-params"}


@pytest.fixture
def layer_params(cohort):
    problem = factories.make_problem("conv-layer-params", kind="number", spec=PARAMS_SPEC)
    assignment = factories.make_assignment(
        cohort, [problem], attempt_limit=2, variant_policy="pinned"
    )
    return problem, assignment


def send(client, answer) -> str:
    client.post("/problems/conv-layer-params", {"answer": str(answer)})
    submission = Submission.objects.order_by("id").last()
    grade_submission.apply(args=[submission.pk]).get()
    return client.get(f"/submissions/{submission.pk}").content.decode()


def test_the_feedback_explains_without_the_answer_and_shows_it_only_when_chosen(
    client, student, layer_params
):
    _, assignment = layer_params
    client.force_login(student)
    first = send(client, 750)
    assert "Forgot the bias" in first  # the diagnosis box
    assert "760" not in first  # neither the paragraph nor the diagnosis gives the answer
    assert first.count("each filter also has one bias") == 1  # said once, not twice
    last = send(client, 751)
    assert "760" not in last  # the option is off by default
    assert 'data-testid="right-answer"' not in last

    assignment.reveal_answer = True
    assignment.save()
    shown = client.get(f"/submissions/{Submission.objects.order_by('id').last().pk}")
    assert 'data-testid="right-answer"' in shown.content.decode()
    assert "<strong>760</strong>" in shown.content.decode()


def test_the_answer_waits_for_the_last_attempt(client, student, layer_params):
    _, assignment = layer_params
    assignment.reveal_answer = True
    assignment.save()
    client.force_login(student)
    assert 'data-testid="right-answer"' not in send(client, 750)  # one attempt left


def test_the_assignment_form_offers_the_option(client, instructor, cohort):
    client.force_login(instructor)
    html = client.get(f"/teach/{cohort.slug}/assignments/new").content.decode()
    assert 'name="reveal_answer"' in html
