"""The dashboard, the gradebook and the staff lists of problems make a fixed number of queries:
the same for a small class (two students, two problems, one quiz) as for one grown to many
students, problems and quizzes. Each page is measured on the small world, the world is grown,
and measured again: the counts must be equal and within the budget written here
(``django_assert_max_num_queries``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exercises.models import (
    AssignmentProblem,
    ProblemText,
    Role,
    Status,
    Submission,
    Verdict,
)
from exercises.quizzes import services as quizzes
from tests import factories
from tests.exercises.conftest import SIZE_SPEC

# Measured on PostgreSQL, each with the session and user lookups.
BUDGETS = {
    "dashboard": 12,
    "gradebook": 15,  # with the columns' titles in the reader's language
    "problem bank": 6,
    "cohort": 10,
    "assignment form": 10,
    "quiz builder": 6,
    "student": 13,
}


class World:
    """A cohort with one assignment, quizzes the student has started, and graded work."""

    def __init__(self, cohort, student, instructor):
        self.cohort, self.student, self.instructor = cohort, student, instructor
        self.problems = []
        self.assignment = factories.make_assignment(
            cohort, [], title="Week", slug="week", attempt_limit=3
        )
        self.students = [student]
        self.quizzes = 0
        self.grow(students=1, problems=2, quizzes=1)

    def grow(self, *, students: int, problems: int, quizzes: int) -> None:
        for _ in range(problems):
            problem = factories.make_problem(
                f"p-{len(self.problems)}", kind="number", spec=SIZE_SPEC
            )
            # As the importer stores a problem: its text in each language.
            ProblemText.objects.create(problem=problem, language="en", title=problem.title)
            ProblemText.objects.create(problem=problem, language="ko", title=f"문제 {problem.pk}")
            AssignmentProblem.objects.create(
                assignment=self.assignment, problem=problem, order=len(self.problems)
            )
            self.problems.append(problem)
        for _ in range(students):
            user = factories.make_user(f"peer{len(self.students)}")
            factories.add_member(user, self.cohort, Role.STUDENT)
            self.students.append(user)
        for _ in range(quizzes):
            self._quiz()
        for user in self.students:
            self._graded(user)

    def _quiz(self) -> None:
        now = timezone.now()
        n = self.quizzes
        self.quizzes += 1
        pool = [
            factories.make_problem(f"q{n}-{i}", kind="number", spec=SIZE_SPEC).slug
            for i in range(2)
        ]
        quiz = quizzes.create_quiz(
            self.instructor,
            self.cohort,
            title=f"Quiz {n}",
            slug=f"quiz-{n}",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(hours=2),
            time_limit_minutes=30,
            attempt_points=[100],
            feedback_policy="immediate",
            pools=[quizzes.PoolSpec(1, tuple(pool))],
            published=True,
        )
        quizzes.start_quiz(self.student, quiz)

    def _graded(self, user) -> None:
        """One graded attempt per problem the user has none on yet."""
        done = set(Submission.objects.filter(user=user).values_list("problem_id", flat=True))
        for problem in self.problems:
            if problem.pk in done:
                continue
            Submission.objects.create(
                user=user,
                problem=problem,
                assignment=self.assignment,
                payload={"answer": 1},
                attempt_number=1,
                max_score=1.0,
                status=Status.GRADED,
                verdict=Verdict.INCORRECT,
                score=0.0,
            )


def _pages(world: World) -> dict:
    return {
        "dashboard": (world.student, "/"),
        "gradebook": (world.instructor, f"/teach/{world.cohort.slug}/gradebook"),
        # Lists of problems, each titled in the reader's language (their texts prefetched).
        "problem bank": (world.instructor, "/teach/problems/"),
        "cohort": (world.instructor, f"/teach/{world.cohort.slug}/"),
        "assignment form": (
            world.instructor,
            f"/teach/{world.cohort.slug}/assignments/{world.assignment.slug}/edit",
        ),
        "quiz builder": (world.instructor, f"/teach/{world.cohort.slug}/quizzes/new"),
        "student": (world.instructor, f"/teach/{world.cohort.slug}/students/{world.student.pk}"),
    }


def _count(world: World) -> dict[str, int]:
    counts = {}
    for name, (user, url) in _pages(world).items():
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


@pytest.mark.django_db
def test_pages_make_the_same_queries_however_large_the_class(
    cohort, student, instructor, django_assert_max_num_queries
):
    world = World(cohort, student, instructor)
    small = _count(world)
    world.grow(students=12, problems=6, quizzes=3)
    large = _count(world)
    assert large == small, f"query counts grew: {small} -> {large}"
    over = {name: n for name, n in large.items() if n > BUDGETS[name]}
    assert not over, f"over budget: {over} (budgets {BUDGETS})"
    for name, (user, url) in _pages(world).items():
        client = Client()
        client.force_login(user)
        with django_assert_max_num_queries(BUDGETS[name]):
            client.get(url)
