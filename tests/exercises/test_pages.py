"""The student's pages through Django's test client: dashboard, the inputs of each kind,
submitting with and without htmx, the refusals (same as the API's), live status fragments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import LatePolicy, Status, Submission, VariantPolicy, Verdict

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def logged_in(client, student):
    client.force_login(student)
    return client


def test_the_dashboard_shows_cohorts_progress_and_what_to_do_next(logged_in, student, bank):
    problem = bank["output-size-stride"]
    Submission.objects.create(
        user=student,
        problem=problem,
        assignment=bank["assignment"],
        payload={"answer": 3},
        status=Status.GRADED,
        verdict=Verdict.CORRECT,
        score=1,
    )
    html = logged_in.get("/").content.decode()
    assert "ML 101" in html and "CNN basics" in html
    assert "1 of 5 solved" in html
    assert "What to do next" in html
    # The next problem is the first unsolved one in the assignment's order.
    assert 'class="button" href="/problems/conv-single-channel?assignment=cnn-basics"' in html


def test_a_student_without_a_cohort_is_sent_to_join(client):
    from tests import factories

    client.force_login(factories.make_user("loner"))
    html = client.get("/").content.decode()
    assert "You are not in a cohort yet" in html and 'href="/join"' in html


def test_the_matrix_page_draws_a_labelled_grid_and_reads_without_javascript(logged_in, bank):
    html = logged_in.get("/problems/conv-single-channel").content.decode()
    assert 'name="cell-0-0"' in html and 'aria-label="row 1, column 1"' in html
    assert "$w$" in html  # math left for KaTeX, the words readable without it
    assert "Your numbers" in html and "(7x7)" in html
    assert "vendor/katex/katex.min.js" in html and "cdn" not in html.lower()


def test_the_other_kinds_draw_their_own_inputs(logged_in, bank):
    shape = logged_in.get("/problems/feature-map-volume").content.decode()
    assert all(f'name="dim-{i}"' in shape for i in range(3)) and "Height" in shape
    number = logged_in.get("/problems/output-size-stride").content.decode()
    assert 'name="answer"' in number and 'name="does_not_fit"' in number
    choice = logged_in.get("/problems/cnn-concepts").content.decode()
    assert choice.count('type="checkbox" name="choice"') == 3
    assert "Shared weights" in choice


def test_a_grid_answer_is_submitted_and_redirects_to_its_page(logged_in, student, bank):
    detail = logged_in.get("/problems/conv-single-channel")
    rows = detail.context["widget"].fmt["rows"]
    cols = detail.context["widget"].fmt["cols"]
    post = {f"cell-{r}-{c}": str(r + c) for r in range(rows) for c in range(cols)}
    response = logged_in.post("/problems/conv-single-channel", post)
    submission = Submission.objects.get(user=student)
    assert response.status_code == 302 and response["Location"] == f"/submissions/{submission.pk}"
    assert submission.payload == {"answer": [[r + c for c in range(cols)] for r in range(rows)]}


def test_an_empty_cell_is_named_and_the_typed_values_kept(logged_in, bank):
    response = logged_in.post("/problems/conv-single-channel", {"cell-0-0": "6"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cells of the" in html and "are empty" in html
    assert 'name="cell-0-0" id="id_cell-0-0" value="6"' in html
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("typed", "readings"), [("45,126", "Write 45126 or 45.126"), ("1,000", "Write 1000 or 1.000")]
)
def test_a_number_with_ambiguous_separators_is_refused_and_kept_as_typed(
    logged_in, bank, typed, readings
):
    response = logged_in.post("/problems/output-size-stride", {"answer": typed})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is ambiguous" in html and readings in html
    assert f'value="{typed}"' in html  # the box keeps what the student typed
    assert not Submission.objects.exists()  # nothing sent, no attempt used


def test_a_grid_cell_with_a_thousands_comma_is_named(logged_in, bank):
    response = logged_in.post("/problems/conv-single-channel", {"cell-0-1": "1,000"})
    assert response.status_code == 400
    assert "Row 1, column 2: &#x27;1,000&#x27; is ambiguous" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_submitted_number_is_shown_with_every_digit(logged_in, student, bank):
    response = logged_in.post("/problems/output-size-stride", {"answer": "45126.4"})
    submission = Submission.objects.get(user=student)
    assert response.status_code == 302 and submission.payload == {"answer": 45126.4}
    html = logged_in.get(f"/submissions/{submission.pk}").content.decode()
    assert "Your answer: <strong>45126.4</strong>" in html


def test_an_htmx_submit_answers_with_the_live_status_fragment(logged_in, bank):
    dims = {f"dim-{i}": "3" for i in range(3)}
    response = logged_in.post("/problems/feature-map-volume", dims, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger"] == "stride:submitted"
    assert 'id="submission-status"' in html and 'hx-trigger="load, stride:retry"' in html
    assert "?wait=20" in html  # one request that waits for the grade, not polling
    assert Submission.objects.get().payload == {"answer": [3, 3, 3]}


def test_a_pending_submission_polls_and_a_graded_one_stops_and_announces(logged_in, student, bank):
    submission = Submission.objects.create(
        user=student,
        problem=bank["output-size-stride"],
        assignment=bank["assignment"],
        payload={"answer": 3},
    )
    pending = logged_in.get(f"/submissions/{submission.pk}", **HTMX)
    assert "?wait=20" in pending.content.decode() and "HX-Trigger" not in pending
    submission.status, submission.verdict, submission.score = Status.GRADED, Verdict.CORRECT, 1
    submission.feedback = {"message": "Right."}
    submission.save()
    done = logged_in.get(f"/submissions/{submission.pk}", **HTMX)
    html = done.content.decode()
    assert "?wait=" not in html and done["HX-Trigger"] == "stride:graded"
    assert "Correct" in html and "Right." in html


def test_the_progress_fragment_refreshes_attempts_and_history(logged_in, student, bank):
    bank["assignment"].attempt_limit = 3
    bank["assignment"].save()
    logged_in.post("/problems/output-size-stride", {"answer": "3"})
    html = logged_in.get("/problems/output-size-stride/progress", **HTMX).content.decode()
    assert "<strong>2</strong> attempts left of 3" in html
    assert 'id="history"' in html and 'hx-swap-oob="true"' in html and "Attempt 1" in html


def test_the_graded_status_box_carries_the_history_as_of_its_grade(logged_in, student, bank):
    """On the problem page the answer that shows the grade also shows it in the history, and
    says which read it is (``data-as-of``): later than the refresh the submit asked for."""
    logged_in.post("/problems/output-size-stride", {"answer": "3"})
    submission = Submission.objects.get()
    queued = logged_in.get("/problems/output-size-stride/progress", **HTMX).content.decode()
    assert f'data-as-of="{submission.pk}:0"' in queued and "status-queued" in queued
    submission.status, submission.verdict, submission.score = Status.GRADED, Verdict.CORRECT, 1
    submission.save()
    on_problem_page = HTMX | {
        "HTTP_HX_CURRENT_URL": "http://testserver/problems/output-size-stride?assignment=cnn-basics"
    }
    html = logged_in.get(f"/submissions/{submission.pk}?wait=20", **on_problem_page).content
    html = html.decode()
    history = html[html.index('<section id="history"') :]
    assert f'data-as-of="{submission.pk}:1"' in history and 'hx-swap-oob="true"' in history
    assert "status-graded" in history and "verdict-correct" in history
    # The attempt's own page has no history to refresh: none is sent.
    on_its_page = HTMX | {"HTTP_HX_CURRENT_URL": f"http://testserver/submissions/{submission.pk}"}
    own = logged_in.get(f"/submissions/{submission.pk}", **on_its_page).content.decode()
    assert 'id="history"' not in own and "verdict-correct" in own


@pytest.mark.parametrize("channel", ["page", "api"])
def test_a_closed_assignment_refuses_the_same_way_on_page_and_api(
    channel, client, api, student, bank
):
    bank["assignment"].due_at = timezone.now() - timedelta(minutes=5)
    bank["assignment"].late_policy = LatePolicy.REFUSE
    bank["assignment"].save()
    response = _submit(channel, client, api, student)
    assert response.status_code == 409
    assert "takes no more submissions" in _message(channel, response)
    assert not Submission.objects.exists()


@pytest.mark.parametrize("channel", ["page", "api"])
def test_no_attempts_left_refuses_the_same_way_on_page_and_api(channel, client, api, student, bank):
    bank["assignment"].attempt_limit = 1
    bank["assignment"].save()
    assert _submit(channel, client, api, student).status_code in (202, 302)
    response = _submit(channel, client, api, student)
    assert response.status_code == 409
    assert "used all 1 attempts" in _message(channel, response)


@pytest.mark.parametrize("channel", ["page", "api"])
def test_the_rate_limit_is_the_same_on_page_and_api(channel, client, api, student, bank, settings):
    settings.STRIDE = {**settings.STRIDE, "SUBMISSIONS_PER_MINUTE": 1}
    assert _submit(channel, client, api, student).status_code in (202, 302)
    response = _submit(channel, client, api, student)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "submissions a minute" in _message(channel, response)


def test_an_htmx_refusal_is_shown_in_place(logged_in, bank):
    bank["assignment"].attempt_limit = 0
    bank["assignment"].save()
    response = logged_in.post("/problems/output-size-stride", {"answer": "3"}, **HTMX)
    assert response.status_code == 200 and response["X-Stride-Status"] == "409"
    assert 'role="alert"' in response.content.decode()


def _submit(channel, client, api, student):
    if channel == "api":
        return api(student).post(
            "/api/v1/problems/output-size-stride/submissions", {"answer": 3}, format="json"
        )
    client.force_login(student)
    return client.post("/problems/output-size-stride", {"answer": "3"})


def _message(channel, response) -> str:
    if channel == "api":
        return response.json()["error"]["message"]
    return response.content.decode().replace("&#x27;", "'")


def test_the_step_through_moves_with_htmx_and_falls_back_to_a_link(logged_in, student, bank):
    submission = Submission.objects.create(
        user=student,
        problem=bank["conv-single-channel"],
        assignment=bank["assignment"],
        payload={"answer": [[0]]},
        status=Status.GRADED,
        verdict=Verdict.CORRECT,
        score=1,
        variant_seed=None,
    )
    fragment = logged_in.get(f"/submissions/{submission.pk}/window?row=1&col=2", **HTMX)
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="stepthrough"')
    assert 'data-row="1" data-col="2" aria-current="true"' in html
    # The lecture's map: output (1, 2) is 7.
    assert "Output (1, 2) = 7" in html
    plain = logged_in.get(f"/submissions/{submission.pk}/window?row=1&col=2")
    assert plain.status_code == 302
    assert plain["Location"] == f"/submissions/{submission.pk}?row=1&col=2#stepthrough"
    page = logged_in.get(plain["Location"]).content.decode()
    assert "Output (1, 2) = 7" in page


def test_with_a_new_variant_per_attempt_an_htmx_submit_leaves_the_stale_numbers(logged_in, bank):
    bank["assignment"].variant_policy = VariantPolicy.PER_ATTEMPT
    bank["assignment"].save()
    response = logged_in.post("/problems/output-size-stride", {"answer": "3"}, **HTMX)
    submission = Submission.objects.get()
    assert response["HX-Redirect"] == f"/submissions/{submission.pk}"


def test_the_code_editor_opens_with_the_latest_submitted_code(logged_in, student, cohort):
    from tests import factories

    problem = factories.make_problem(
        "code-x",
        kind="code",
        spec={"entry": "f"},
        starter_code="def f():\n    raise NotImplementedError\n",
    )
    assignment = factories.make_assignment(cohort, [problem])
    other = factories.make_assignment(cohort, [], slug="elsewhere")
    html = logged_in.get("/problems/code-x").content.decode()
    assert "raise NotImplementedError" in html  # nothing sent yet: the starter
    for code, where in (("def f():\n    return 1\n", assignment), ("def f(): 2", assignment)):
        Submission.objects.create(
            user=student, problem=problem, assignment=where, payload={"code": code}
        )
    Submission.objects.create(  # another assignment's code is not this one's work
        user=student, problem=problem, assignment=other, payload={"code": "other"}
    )
    html = logged_in.get("/problems/code-x").content.decode()
    assert ">def f(): 2</textarea>" in html
