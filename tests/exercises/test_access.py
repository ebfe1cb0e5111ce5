"""What a student may never see, through the pages or the API: another student's submissions,
hidden tests' data, the expected answer, a spec's hidden ``tests_source``, other cohorts'
problems."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from exercises.models import Status, Submission, TestResult, Verdict
from exercises.submissions import selectors, services
from grader.kinds import get_kind
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "SECRET-HIDDEN-TESTS-7f3a"


def graded(user, problem, assignment, **extra) -> Submission:
    return Submission.objects.create(
        user=user,
        problem=problem,
        assignment=assignment,
        payload=extra.pop("payload", {"answer": 1}),
        status=Status.GRADED,
        verdict=extra.pop("verdict", Verdict.INCORRECT),
        score=0,
        **extra,
    )


def test_another_students_submission_is_a_404_on_the_page_and_the_api(
    client, api, student, other_student, bank
):
    theirs = graded(other_student, bank["output-size-stride"], bank["assignment"])
    client.force_login(student)
    assert client.get(f"/submissions/{theirs.pk}").status_code == 404
    assert client.get(f"/submissions/{theirs.pk}/window", HTTP_HX_REQUEST="true").status_code == (
        404
    )
    assert api(student).get(f"/api/v1/submissions/{theirs.pk}").status_code == 404


def test_the_history_on_a_problem_page_holds_only_my_attempts(client, student, other_student, bank):
    problem = bank["output-size-stride"]
    graded(other_student, problem, bank["assignment"], payload={"answer": 987654})
    mine = graded(student, problem, bank["assignment"], payload={"answer": 123456})
    client.force_login(student)
    html = client.get(f"/problems/{problem.slug}").content.decode()
    assert "123456" in html and "987654" not in html
    assert f"/submissions/{mine.pk}" in html


def test_an_instructor_reads_a_students_submission(client, student, instructor, bank):
    theirs = graded(student, bank["output-size-stride"], bank["assignment"])
    client.force_login(instructor)
    response = client.get(f"/submissions/{theirs.pk}")
    assert response.status_code == 200
    assert "Submitted by alice" in response.content.decode()


def test_hidden_tests_show_only_name_and_outcome_on_the_page(client, student, cohort):
    code = factories.make_problem("conv-code", kind="code", spec={})  # graded by tests
    assignment = factories.make_assignment(cohort, [code], title="Code", slug="code")
    submission = graded(
        student,
        code,
        assignment,
        payload={"code": "def conv(x):\n    return x\n"},
        feedback={"message": "1 of 2 tests passed"},
    )
    TestResult.objects.create(
        submission=submission,
        order=0,
        name="visible: lecture example",
        passed=False,
        message="2 of 25 values differ",
        data={"diff_map": [[0.0, 2.0], [0.0, 0.0]]},
    )
    TestResult.objects.create(
        submission=submission,
        order=1,
        name="hidden: random batch",
        passed=True,
        hidden=True,
        message=f"inputs {SECRET}",
        data={"diff_map": [[9.0]], "inputs": SECRET},
    )
    client.force_login(student)
    html = client.get(f"/submissions/{submission.pk}").content.decode()
    assert "hidden: random batch" in html and "1 of 1 hidden passed" in html
    # How many passed in all is said once, by the summary; the list is headed "Tests".
    assert html.count("1 of 2 tests passed") == 1 and "Tests: 2 tests" not in html
    assert SECRET not in html
    assert "Hidden test: its inputs and expected output are not shown." in html
    # The visible test's diff map is drawn; the hidden one's is not.
    assert html.count('data-testid="heatmap"') == 1


def test_the_expected_answer_is_never_served_before_it_is_solved(client, api, student, bank):
    problem = bank["conv-single-channel"]
    client.force_login(student)
    detail = api(student).get(f"/api/v1/problems/{problem.slug}").json()
    kind = get_kind(problem.kind)
    expected = kind.expected(problem.spec, detail["params"])
    assert "spec" not in detail and "expected" not in json.dumps(detail)
    # A wrong attempt: the step-through uses the lecture's example, not the student's own
    # numbers (that would spell out their map) while the next attempt has the same numbers.
    wrong = [[0] * len(expected[0]) for _ in expected]
    access = selectors.access_problem(student, problem.slug)
    submission = graded(
        student,
        problem,
        bank["assignment"],
        payload={"answer": wrong},
        variant_seed=services.current_seed(student, access),  # the seed the service would use
    )
    html = client.get(f"/submissions/{submission.pk}").content.decode()
    assert "on the lecture&#x27;s numbers" in html
    assert "on the numbers of this attempt" not in html
    # Once it is solved, the step-through shows the student's own numbers.
    submission.verdict = Verdict.CORRECT
    submission.save()
    html = client.get(f"/submissions/{submission.pk}").content.decode()
    assert 'data-testid="stepthrough"' in html
    assert "on the numbers of this attempt" in html


def test_a_specs_hidden_tests_source_is_never_served(client, api, student, cohort):
    problem = factories.make_problem(
        "conv-with-secret",
        kind="matrix",
        spec={"recipe": "conv-single-channel", "tests_source": f"assert x == '{SECRET}'"},
    )
    factories.make_assignment(cohort, [problem])
    client.force_login(student)
    assert SECRET not in client.get(f"/problems/{problem.slug}").content.decode()
    assert SECRET not in api(student).get(f"/api/v1/problems/{problem.slug}").content.decode()
    assert SECRET not in api(student).get("/api/v1/problems").content.decode()


def test_other_cohorts_problems_are_not_found_anywhere(client, api, student, bank, secret_problem):
    slug = secret_problem.slug
    client.force_login(student)
    assert client.get(f"/problems/{slug}").status_code == 404
    assert client.post(f"/problems/{slug}", {"answer": "3"}).status_code == 404
    assert slug not in client.get("/").content.decode()
    assert api(student).get(f"/api/v1/problems/{slug}").status_code == 404
    response = api(student).post(
        f"/api/v1/problems/{slug}/submissions", {"answer": 3}, format="json"
    )
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_before_solving_the_step_through_moves_with_the_students_own_stride(
    client, student, cohort, monkeypatch
):
    from exercises.pages import stepthrough

    problem = factories.make_problem(
        "conv-single-channel", kind="matrix", spec={"recipe": "conv-single-channel"}
    )
    assignment = factories.make_assignment(cohort, [problem])
    # A variant at stride 2, where the lecture's example is at stride 1.
    seed = next(
        s for s in range(500) if get_kind("matrix").generate(problem.spec, s)["stride"] == 2
    )
    own = get_kind("matrix").generate(problem.spec, seed)
    submission = graded(
        student, problem, assignment, payload={"answer": [[0] * 3] * 3}, variant_seed=seed
    )
    # Their next attempt has these numbers too: they may not see them yet.
    monkeypatch.setattr(services, "current_seed", lambda user, access: seed)
    client.force_login(student)
    html = client.get(f"/submissions/{submission.pk}").content.decode()
    assert "2 cells at a time" in html  # the student's stride
    assert "on the lecture&#x27;s numbers with your stride 2" in html
    assert 'data-rows="3" data-cols="3"' in html  # the student's map size
    # Their own map is nowhere: the window runs over the lecture's input.
    own_map = stepthrough.feature_map(own)
    lecture = stepthrough.feature_map(
        {**get_kind("matrix").generate(problem.spec, None), "stride": 2}
    )
    assert own_map.tolist() != lecture.tolist()


def test_the_access_check_joins_the_users_membership_once():
    """Every problem open and submit runs this check: a second join of the memberships (a
    filter through the relation instead of the annotation) was planned on PostgreSQL through
    the cohort's index, so each check read the whole cohort's rows."""
    sql = str(selectors._visible_items(1, timezone.now()).query)
    assert sql.count('JOIN "exercises_membership"') == 1, sql
