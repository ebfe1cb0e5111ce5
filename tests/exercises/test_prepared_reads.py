"""``submissions.prepared``: a read compiled once answers exactly what its queryset answers,
for every value it is given afterwards, and refuses, when it compiles, a read whose values do
not reach the SQL as given."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from exercises.models import Status, Submission, Verdict
from exercises.models.submission import PENDING_STATUSES
from exercises.submissions import selectors
from exercises.submissions.prepared import Prepared
from tests import factories
from tests.exercises.conftest import SIZE_SPEC


@pytest.fixture
def world(cohort, student):
    problems = [
        factories.make_problem(f"prep-{i}", kind="number", spec=SIZE_SPEC) for i in range(2)
    ]
    assignment = factories.make_assignment(cohort, problems, title="Week", slug="week")
    now = timezone.now()
    rows = [
        (problems[0], Status.GRADED, Verdict.INCORRECT, now - timedelta(seconds=90)),
        (problems[0], Status.GRADED, Verdict.CORRECT, now - timedelta(seconds=30)),
        (problems[0], Status.ERROR, "", now - timedelta(seconds=20)),  # uses no attempt
        (problems[0], Status.GRADED, Verdict.INVALID, now - timedelta(seconds=10)),  # nor this
        (problems[1], Status.QUEUED, "", now - timedelta(seconds=5)),
    ]
    for n, (problem, status, verdict, created) in enumerate(rows):
        s = Submission.objects.create(
            user=student,
            problem=problem,
            assignment=assignment,
            payload={"answer": n},
            attempt_number=n + 1,
            max_score=1.0,
            status=status,
            verdict=verdict,
            idempotency_key=f"key-{n}",
            request_digest=f"digest-{n}",
        )
        Submission.objects.filter(pk=s.pk).update(created_at=created)
    return student, problems, assignment, now


@pytest.mark.django_db
def test_prepared_reads_answer_as_their_querysets_for_every_value(world, other_student):
    student, problems, assignment, now = world
    for user in (student, other_student):
        for problem in problems:
            expected = (
                Submission.objects.filter(user=user, problem=problem, assignment=assignment)
                .counting()
                .count()
            )
            assert selectors.attempts_used(user, problem, assignment) == expected
        for seconds in (1, 15, 60, 600):
            since = now - timedelta(seconds=seconds)
            mine = Submission.objects.filter(user=user)
            recent = mine.filter(created_at__gt=since)
            activity = selectors.recent_activity(user, since)
            assert activity.recent == recent.count()
            assert activity.first_recent_at == (
                recent.order_by("created_at").values_list("created_at", flat=True).first()
            )
            assert activity.pending == mine.filter(status__in=PENDING_STATUSES).count()
    assert student_keys(student) == {
        f"key-{n}": (pk, f"digest-{n}")
        for n, pk in enumerate(
            Submission.objects.filter(user=student).order_by("pk").values_list("pk", flat=True)
        )
    }
    assert selectors.submission_with_key(student, "no-such-key") is None
    assert selectors.submission_with_key(other_student, "key-0") is None
    for submission in Submission.objects.all():
        assert selectors.submission_is_final(submission.pk) == (not submission.is_pending)


def student_keys(user):
    return {f"key-{n}": selectors.submission_with_key(user, f"key-{n}") for n in range(5)}


@pytest.mark.django_db
def test_a_read_whose_value_the_orm_rewrites_is_refused_when_it_compiles(student):
    # icontains wraps the value in %...%: the marker does not reach the SQL as itself.
    read = Prepared(
        Submission,
        lambda key: Submission.objects.filter(idempotency_key__icontains=key).values_list("pk"),
        key=str,
    )
    with pytest.raises(ValueError, match="did not reach the SQL"):
        read.rows(key="abc")


@pytest.mark.django_db
def test_a_read_first_compiled_under_a_frozen_clock_compiles(student):
    """A quiz test freezes the clock (freezegun swaps ``datetime`` for a subclass in every
    module): a prepared read compiled for the first time then still takes its time value."""

    read = Prepared(
        Submission,
        lambda user_id, since: Submission.objects.filter(
            user_id=user_id, created_at__gte=since
        ).values_list("pk"),
        user_id=int,
        since=datetime,
    )
    with freeze_time("2026-03-02 09:00:00"):
        assert read.rows(user_id=student.pk, since=timezone.now()) == []


@pytest.mark.django_db
def test_a_prepared_read_counts_as_one_query(world, django_assert_num_queries):
    student, problems, assignment, _ = world
    selectors.attempts_used(student, problems[0], assignment)  # compiled here
    with django_assert_num_queries(1):
        assert selectors.attempts_used(student, problems[0], assignment) == 2


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.mark.django_db
def test_the_access_read_makes_the_instances_select_related_makes(
    world, instructor, outsider, django_assert_num_queries
):
    """The items of a problem as the access check reads them (prepared columns made into
    instances) equal the queryset's, related objects and the user's role and extension
    included, and reading their relations costs no query."""
    from exercises.models import Extension

    student, problems, assignment, now = world
    Extension.objects.create(
        assignment=assignment, user=student, due_at=now + timedelta(days=3), extra_attempts=2
    )
    slug = problems[0].slug
    for user in (student, instructor, outsider):
        expected = list(
            selectors._visible_items(user.pk, now)
            .filter(problem__slug=slug)
            .select_related("problem", "assignment", "assignment__cohort")
        )
        got = selectors._items_of_problem(user, slug, now)
        assert len(got) == len(expected) == (0 if user is outsider else 1)
        for mine, theirs in zip(got, expected, strict=True):
            with django_assert_num_queries(0):
                assert _fields(mine) == _fields(theirs)
                assert _fields(mine.problem) == _fields(theirs.problem)
                assert _fields(mine.assignment) == _fields(theirs.assignment)
                assert _fields(mine.assignment.cohort) == _fields(theirs.assignment.cohort)
                for name in ("viewer_role", "ext_id", "ext_due_at", "ext_extra_attempts"):
                    assert getattr(mine, name) == getattr(theirs, name)
    assert selectors._items_of_problem(student, slug, now)[0].ext_extra_attempts == 2


@pytest.mark.django_db
def test_the_poll_read_makes_the_instances_select_related_makes(world, django_assert_num_queries):
    """A submission as the poll reads it equals ``select_related``'s, its empty assignment
    (a submission outside any) included."""
    student, problems, _, _ = world
    outside = Submission.objects.create(
        user=student, problem=problems[1], payload={"answer": 1}, max_score=1.0
    )
    related = ("problem", "assignment", "assignment__cohort", "user")
    for expected in Submission.objects.select_related(*related):
        with django_assert_num_queries(1):
            got = selectors._submission(expected.pk)
            assert _fields(got) == _fields(expected)
            assert _fields(got.problem) == _fields(expected.problem)
            assert _fields(got.user) == _fields(expected.user)
            if expected.assignment is None:
                assert got.assignment is None and expected.pk == outside.pk
            else:
                assert _fields(got.assignment) == _fields(expected.assignment)
                assert _fields(got.assignment.cohort) == _fields(expected.assignment.cohort)
    assert selectors._submission(-1) is None


@pytest.mark.django_db(transaction=True)
def test_the_submit_lock_compiles_on_a_32_bit_user_id(student):
    """The lock's read filters ``auth.User``'s 32-bit primary key: its marker must be a value
    that column can hold (an out-of-range one compiled to nothing, a 500 on every submit)."""
    from django.db import transaction

    from exercises.submissions import services

    for _ in range(2):
        with transaction.atomic():
            services._lock_user(student)


@pytest.mark.django_db
def test_the_reads_of_a_grades_hint_unlocks_answer_as_their_querysets(world, other_student):
    from exercises.models import HintUnlock

    student, problems, assignment, _ = world
    first = Submission.objects.filter(user=student, problem=problems[0]).order_by("pk").first()
    Submission.objects.filter(pk=first.pk).update(
        feedback={"misconception": {"key": "forgot-padding"}}
    )
    HintUnlock.objects.create(
        user=student, problem=problems[0], assignment=assignment, hint_index=1, how="auto"
    )
    for submission in Submission.objects.all():
        expected = (
            Submission.objects.filter(pk=submission.pk)
            .exclude(assignment=None)
            .values_list("user_id", "problem_id", "assignment_id", "problem__hints")
            .first()
        )
        found = selectors.hint_subject(submission.pk)
        assert (found and tuple(vars(found).values())) == expected
    for user in (student, other_student):
        for problem in problems:
            ids = (user.pk, problem.pk, assignment.pk)
            record = Submission.objects.filter(
                user=user, problem=problem, assignment=assignment, status=Status.GRADED
            ).values_list("verdict", "feedback__misconception__key")
            assert sorted(selectors.grading_record(*ids), key=str) == sorted(record, key=str)
            indexes = HintUnlock.objects.filter(
                user=user, problem=problem, assignment=assignment
            ).values_list("hint_index", flat=True)
            assert selectors.unlocked_hint_indexes(*ids) == set(indexes)
    assert ("incorrect", "forgot-padding") in selectors.grading_record(
        student.pk, problems[0].pk, assignment.pk
    )


@pytest.mark.django_db
def test_a_problems_texts_read_prepared_are_its_texts(world):
    from exercises.models import Problem, ProblemText

    _, problems, _, _ = world
    ProblemText.objects.create(problem=problems[0], language="ko", title="문제", statement="풀기")
    ProblemText.objects.create(problem=problems[0], language="en", title="Problem", statement="Do")
    for problem in problems:
        fresh = Problem.objects.get(pk=problem.pk)
        expected = {t.language: (t.pk, t.title, t.statement) for t in fresh.texts.all()}
        read = selectors.read_texts(Problem.objects.get(pk=problem.pk))
        assert read.texts_in_hand
        assert {
            language: (
                read.text(language).pk,
                read.text(language).title,
                read.text(language).statement,
            )
            for language in expected
        } == expected
        assert read.available_languages == fresh.available_languages


@pytest.mark.django_db
def test_a_graded_code_submissions_tests_read_prepared_are_its_tests(cohort, student):
    from exercises.models import TestResult

    code = factories.make_problem("prep-code", kind="code", spec={})
    assignment = factories.make_assignment(cohort, [code], title="Code", slug="code")
    submission = Submission.objects.create(
        user=student,
        problem=code,
        assignment=assignment,
        payload={"code": "x = 1\n"},
        max_score=1.0,
        status=Status.GRADED,
        verdict=Verdict.PARTIAL,
    )
    for order, name in ((2, "third"), (0, "first"), (1, "second")):
        TestResult.objects.create(
            submission=submission,
            order=order,
            name=name,
            passed=order != 1,
            points=1,
            max_points=1,
            hidden=order == 2,
            data={"got": [order]},
        )
    read = selectors.access_submission(student, submission.pk).shown_tests
    expected = list(Submission.objects.get(pk=submission.pk).tests.all())
    columns = [f.attname for f in TestResult._meta.concrete_fields]
    assert [[getattr(t, c) for c in columns] for t in read] == [
        [getattr(t, c) for c in columns] for t in expected
    ]
    assert [t.name for t in read] == ["first", "second", "third"]
