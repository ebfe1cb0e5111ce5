"""The integrity report on the Django side: the task over stored final submissions, the staff
pages (and who may see them), reviews, the CSV, and the leak flag raised at grading time."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.integrity import evidence, services
from exercises.integrity.tasks import build_report
from exercises.models import (
    IntegrityReport,
    IntegrityReview,
    LeakFlag,
    Role,
    Status,
    Submission,
    TestResult,
    VariantPolicy,
)
from grader.grading import grade_payload
from tests import factories
from tests.integrity.test_fingerprints import STARTER, sources

pytestmark = pytest.mark.django_db


def submit_code(user, problem, assignment, source, *, minutes_ago=0.0, hidden=()):
    """A graded final code submission with its hidden cases' outcomes (name -> digest or True)."""
    submission = Submission.objects.create(
        user=user,
        problem=problem,
        assignment=assignment,
        payload={"code": source},
        status=Status.GRADED,
        verdict="partial" if hidden else "correct",
    )
    Submission.objects.filter(pk=submission.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    for order, (name, outcome) in enumerate(hidden):
        TestResult.objects.create(
            submission=submission,
            order=order,
            name=name,
            passed=outcome is True,
            hidden=True,
            data={} if outcome is True else {"output_digest": outcome},
        )
    return submission


@pytest.fixture
def class_of_conv2d(cohort, instructor):
    """The 25 hand-written solutions as a cohort's final submissions to one code problem, an
    hour apart, plus the instructor's own copy of s01 (staff are never compared)."""
    problem = factories.make_problem(
        "implement-conv2d", kind="code", spec={}, starter_code=STARTER, title="conv2d"
    )
    assignment = factories.make_assignment(cohort, [problem], slug="code-week")
    users = {}
    for i, (name, source) in enumerate(sorted(sources().items())):
        user = factories.make_user(name.replace("_", "-"))
        factories.add_member(user, cohort, Role.STUDENT)
        submit_code(user, problem, assignment, source, minutes_ago=60 * (30 - i))
        users[name] = user
    submit_code(instructor, problem, assignment, sources()["s01_four_loops"])
    return {"problem": problem, "assignment": assignment, "users": users}


def run_report(assignment, user):
    report = IntegrityReport.objects.create(assignment=assignment, requested_by=user)
    assert build_report(report.pk) == "done"
    report.refresh_from_db()
    return report


def test_the_task_ranks_every_copy_above_every_independent_pair(class_of_conv2d, instructor):
    report = run_report(class_of_conv2d["assignment"], instructor)
    assert report.state == "done" and report.problems[0]["submissions"] == 25
    copies = {
        frozenset({"s01-four-loops", "copy-of-s01-renamed"}),
        frozenset({"s13-dict-cache", "copy-of-s13-renamed-reordered"}),
        frozenset({"s19-flatten-filters-loop", "copy-of-s19-reworked"}),
    }
    top = [frozenset({p["a"], p["b"]}) for p in report.pairs[:3]]
    assert set(top) == copies
    assert instructor.username not in {p["a"] for p in report.pairs} | {
        p["b"] for p in report.pairs
    }
    assert build_report(report.pk) == "skipped"  # a duplicate delivery does nothing


def test_identical_wrong_outputs_on_hidden_cases_raise_a_pair(cohort, instructor):
    problem = factories.make_problem("p-code", kind="code", spec={}, starter_code="")
    assignment = factories.make_assignment(cohort, [problem], slug="hw")
    independent = [src for name, src in sorted(sources().items()) if not name.startswith("copy")]
    for i, source in enumerate(independent):
        user = factories.make_user(f"u{i}")
        factories.add_member(user, cohort, Role.STUDENT)
        digest = "same-wrong" if i in (2, 6) else True
        submit_code(user, problem, assignment, source, minutes_ago=60 * i, hidden=[("big", digest)])
    report = run_report(assignment, instructor)
    ranked = [{p["a"], p["b"]} for p in report.pairs]
    pair = report.pairs[ranked.index({"u2", "u6"})]
    assert pair["same_wrong_outputs"] == ["big"]
    assert any("identical wrong output" in reason for reason in pair["reasons"])
    # the same cohort without the shared wrong output: the pair ranks far lower or not at all
    TestResult.objects.filter(name="big").update(passed=True, data={})
    again = [{p["a"], p["b"]} for p in run_report(assignment, instructor).pairs]
    assert {"u2", "u6"} not in again or again.index({"u2", "u6"}) > ranked.index({"u2", "u6"})


# --- the pages -----------------------------------------------------------------------------------
def report_url(cohort, assignment, suffix=""):
    return f"/teach/{cohort.slug}/assignments/{assignment.slug}/integrity{suffix}"


@pytest.fixture
def assistant(cohort):
    user = factories.make_user("ada")
    factories.add_member(user, cohort, Role.ASSISTANT)
    return user


def test_only_the_cohorts_staff_see_the_report_and_only_instructors_change_it(
    client,
    class_of_conv2d,
    cohort,
    instructor,
    assistant,
    student,
    outsider,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    assignment = class_of_conv2d["assignment"]
    url = report_url(cohort, assignment)
    for user in (student, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
        assert client.get(url.replace("integrity", "integrity.csv")).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(assistant)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 403
    assert not IntegrityReport.objects.exists()
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert IntegrityReport.objects.get().state == "done"


def test_the_report_page_ranks_pairs_and_shows_them_side_by_side_with_a_review(
    client, class_of_conv2d, cohort, instructor, assistant
):
    assignment = class_of_conv2d["assignment"]
    report = run_report(assignment, instructor)
    client.force_login(instructor)
    page = client.get(report_url(cohort, assignment)).content.decode()
    assert "copy-of-s01-renamed" in page and "Download CSV" in page
    assert 'id="clusters"' not in page  # three copied pairs, no group of three
    top = report.pairs[0]
    pair_url = report_url(cohort, assignment, f"/{top['problem']}/{top['a_id']}-{top['b_id']}")
    page = client.get(pair_url).content.decode()
    assert page.count('class="line shared') > 5  # the copied lines are marked
    assert top["a"] in page and top["b"] in page
    assert 'class="line starter' in page or "starter" not in STARTER  # starter lines dimmed
    response = client.post(pair_url, {"status": "suspicious", "note": "same odd loop order"})
    assert response.status_code == 302
    review = IntegrityReview.objects.get()
    assert (review.status, review.note, review.reviewed_by) == (
        "suspicious",
        "same odd loop order",
        instructor,
    )
    assert {review.first_id, review.second_id} == {top["a_id"], top["b_id"]}
    # the review outlives a new run, and an assistant reads it but cannot change it
    run_report(assignment, instructor)
    client.force_login(assistant)
    assert "same odd loop order" in client.get(report_url(cohort, assignment)).content.decode()
    assert client.post(pair_url, {"status": "fine"}).status_code == 403
    assert IntegrityReview.objects.get().status == "suspicious"
    # a pair that is not in the report is not a page
    assert client.get(report_url(cohort, assignment, f"/{top['problem']}/1-2")).status_code == 404


def test_the_csv_lists_the_ranked_pairs_with_their_reviews(
    client, class_of_conv2d, cohort, instructor
):
    assignment = class_of_conv2d["assignment"]
    report = run_report(assignment, instructor)
    top = report.pairs[0]
    services.save_review(assignment, (top["a_id"], top["b_id"]), "fine", "=cmd|x", instructor)
    client.force_login(instructor)
    response = client.get(report_url(cohort, assignment, ".csv"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["rank", "problem", "first", "second"]
    assert rows[1][1:4] == [top["problem"], top["a"], top["b"]]
    assert rows[1][6:8] == ["fine", "'=cmd|x"]  # a formula in a note is defused
    assert len([r for r in rows if r and r[0].isdigit()]) == len(report.pairs)


# --- cross-variant leaks at grading time ----------------------------------------------------------
@pytest.fixture
def matrix_class(cohort):
    conv = factories.make_problem(
        "conv-single-channel", kind="matrix", spec={"recipe": "conv-single-channel"}
    )
    size = factories.make_problem(
        "output-size-stride",
        kind="number",
        spec={"recipe": "output-size-stride"},
        tags=["convolution", "output-size"],
    )
    assignment = factories.make_assignment(
        cohort, [conv, size], slug="maps", variant_policy=VariantPolicy.PER_STUDENT
    )
    students = []
    for i in range(6):
        user = factories.make_user(f"kid{i}")
        factories.add_member(user, cohort, Role.STUDENT)
        students.append(user)
    return {"conv": conv, "size": size, "assignment": assignment, "students": students}


def expected_for(user, problem, assignment):
    from exercises.submissions.services import variant_seed

    seed = variant_seed(user.pk, problem, assignment, 1)
    return seed, services._expected(problem, seed)


def graded(user, problem, assignment, answer):
    seed, _ = expected_for(user, problem, assignment)
    grade = grade_payload(problem.kind, problem.spec, seed, {"answer": answer})
    return Submission.objects.create(
        user=user,
        problem=problem,
        assignment=assignment,
        payload={"answer": answer},
        variant_seed=seed,
        status=Status.GRADED,
        verdict=grade.verdict.value,
    )


def unique_victim(matrix_class, thief):
    """A student whose feature map no other student shares, the thief included: variants
    follow the user ids (which differ from run to run), and a map two variants share points at
    nobody."""
    conv, assignment = matrix_class["conv"], matrix_class["assignment"]
    maps = {u: expected_for(u, conv, assignment)[1] for u in matrix_class["students"]}
    return next(u for u in maps if u != thief and sum(m == maps[u] for m in maps.values()) == 1)


def test_a_feature_map_copied_from_another_variant_is_flagged_naming_its_owner(matrix_class):
    conv, assignment = matrix_class["conv"], matrix_class["assignment"]
    thief = matrix_class["students"][0]
    victim = unique_victim(matrix_class, thief)
    _, theirs = expected_for(victim, conv, assignment)
    _, mine = expected_for(thief, conv, assignment)
    assert theirs != mine
    copied = graded(thief, conv, assignment, theirs)
    assert copied.verdict != "correct"
    flag = services.check_leak(copied.pk)
    assert flag is not None and flag.source == victim and flag.sources == [victim.pk]
    assert LeakFlag.objects.get().submission == copied
    # one's own right answer, or an honest wrong one, flags nothing
    assert services.check_leak(graded(thief, conv, assignment, mine).pk) is None
    assert services.check_leak(graded(thief, conv, assignment, [[0, 1], [2, 3]]).pk) is None


def test_the_class_variants_are_built_once_per_roster_and_a_newcomer_is_seen(
    matrix_class, cohort, monkeypatch
):
    """Checks of one cohort's wrong answers share the class's variants (built once), and a
    student who joins is a source for the next check."""
    conv, assignment = matrix_class["conv"], matrix_class["assignment"]
    thief = matrix_class["students"][0]
    wrong = [graded(thief, conv, assignment, [[n, 1], [2, 3]]) for n in (0, 5, 7)]
    built = []
    expected = services._expected
    monkeypatch.setattr(
        services, "_expected", lambda problem, seed: built.append(seed) or expected(problem, seed)
    )
    for submission in wrong:
        assert services.check_leak(submission.pk) is None
    assert len(built) == len(matrix_class["students"])  # once per student, for three checks
    newcomer = factories.make_user("newcomer")
    factories.add_member(newcomer, cohort, Role.STUDENT)
    _, theirs = expected_for(newcomer, conv, assignment)
    if sum(expected_for(u, conv, assignment)[1] == theirs for u in matrix_class["students"]):
        pytest.skip("the newcomer's map is another student's too: it points at nobody")
    flag = services.check_leak(graded(thief, conv, assignment, theirs).pk)
    assert flag is not None and flag.source == newcomer


def test_a_copied_output_size_never_flags(matrix_class):
    size, assignment = matrix_class["size"], matrix_class["assignment"]
    students = matrix_class["students"]
    for thief in students:
        for victim in students:
            if victim == thief:
                continue
            _, theirs = expected_for(victim, size, assignment)
            _, mine = expected_for(thief, size, assignment)
            if theirs != mine:
                assert services.check_leak(graded(thief, size, assignment, theirs).pk) is None
    assert not LeakFlag.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_grading_a_wrong_answer_runs_the_leak_check_and_staff_see_the_flag(
    client, matrix_class, cohort, instructor, eager_celery
):
    """Through the real task: the worker grades, then the leak check runs on its queue."""
    from exercises.submissions.tasks import grade_submission

    conv, assignment = matrix_class["conv"], matrix_class["assignment"]
    thief = matrix_class["students"][1]
    seed, mine = expected_for(thief, conv, assignment)
    victim = unique_victim(matrix_class, thief)
    theirs = expected_for(victim, conv, assignment)[1]
    assert theirs != mine
    submission = Submission.objects.create(
        user=thief,
        problem=conv,
        assignment=assignment,
        payload={"answer": theirs},
        variant_seed=seed,
    )
    assert grade_submission.apply(args=[submission.pk]).get() != "correct"
    assert LeakFlag.objects.get().source == victim
    client.force_login(instructor)
    page = client.get(report_url(cohort, assignment)).content.decode()
    assert thief.username in page and victim.username in page
    client.force_login(thief)
    assert client.get(report_url(cohort, assignment)).status_code == 404


def test_the_report_page_shows_a_group_that_shared_one_solution_as_a_cluster(
    client, cohort, instructor
):
    problem = factories.make_problem("p-group", kind="code", spec={}, starter_code=STARTER)
    assignment = factories.make_assignment(cohort, [problem], slug="group-work")
    independent = [src for name, src in sorted(sources().items()) if not name.startswith("copy")]
    for i, source in enumerate(independent[:12]):
        user = factories.make_user(f"solo{i}")
        factories.add_member(user, cohort, Role.STUDENT)
        submit_code(user, problem, assignment, source, minutes_ago=90 * (i + 1))
    shared = sources()["s06_scalar_loops"]
    for n, name in enumerate(("gina", "hugo", "ines")):
        user = factories.make_user(name)
        factories.add_member(user, cohort, Role.STUDENT)
        submit_code(user, problem, assignment, shared.replace("out", f"out{n}"), minutes_ago=n)
    run_report(assignment, instructor)
    client.force_login(instructor)
    page = client.get(report_url(cohort, assignment)).content.decode()
    assert 'id="clusters"' in page
    assert "gina, hugo, ines" in page


@pytest.mark.parametrize(
    ("second", "copied"), [("copy_of_s01_renamed", True), ("s03_einsum_windows", False)]
)
def test_a_report_of_two_students_scores_their_pair_by_its_real_overlap(
    cohort, instructor, client, second, copied
):
    """Two students handing in within minutes of each other: a copy ranks high with its 100%
    overlap, unrelated code low (it used to be 1.0, the timing bonus, either way)."""
    problem = factories.make_problem("p-code", kind="code", spec={}, starter_code=STARTER)
    assignment = factories.make_assignment(cohort, [problem], slug="hw")
    for name, minutes_ago in (("s01_four_loops", 5), (second, 1)):
        user = factories.make_user(name.replace("_", "-"))
        factories.add_member(user, cohort, Role.STUDENT)
        submit_code(user, problem, assignment, sources()[name], minutes_ago=minutes_ago)
    [pair] = run_report(assignment, instructor).pairs
    if copied:
        assert pair["similarity"] == 1.0 and pair["score"] >= evidence.CLUSTER_THRESHOLD
    else:
        assert 0 < pair["similarity"] < 0.2 and pair["score"] < evidence.REPEAT_THRESHOLD
    client.force_login(instructor)
    page = client.get(report_url(cohort, assignment)).content.decode()
    assert f"code overlap {pair['similarity']:.0%}" in page
