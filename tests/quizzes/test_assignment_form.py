"""A quiz is edited in the quiz editor only (its pools lock once a student has started): the
cohort page links there, and the generic assignment form neither opens nor saves a quiz."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client

from exercises.models import Assignment, AssignmentProblem
from exercises.quizzes import services as quizzes
from tests import factories
from tests.quizzes.conftest import TEST_KIND, staff_url


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def generic_form(**values) -> dict:
    form = {
        "title": "Quiz 1",
        "slug": "quiz-1",
        "type": "practice",
        "late_policy": "accept",
        "late_penalty_percent": "0",
        "variant_policy": "per_student",
        "leaderboard_freeze_minutes": "0",
    }
    form.update(values)
    return form


def test_the_cohort_pages_edit_link_of_a_quiz_opens_the_quiz_editor(
    make_quiz, cohort, instructor, bank
):
    quiz = make_quiz()
    practice = factories.make_assignment(cohort, bank[:1], title="Week 1", slug="week-1")
    html = client_for(instructor).get(f"/teach/{cohort.slug}/").content.decode()
    edits = re.findall(r'<a href="([^"]+)">edit</a>', html)
    assert staff_url(quiz, "edit") in edits
    assert f"/teach/{cohort.slug}/assignments/{practice.slug}/edit" in edits
    assert f"/teach/{cohort.slug}/assignments/quiz-1/edit" not in html


def test_the_generic_form_sends_a_quiz_to_its_editor(make_quiz, cohort, instructor):
    quiz = make_quiz()
    response = client_for(instructor).get(f"/teach/{cohort.slug}/assignments/quiz-1/edit")
    assert response.status_code == 302
    assert response["Location"] == staff_url(quiz, "edit")


def test_the_generic_form_cannot_add_problems_to_a_started_quiz(
    make_quiz, cohort, instructor, student, t0
):
    quiz = make_quiz()
    quizzes.start_quiz(student, quiz, now=t0 + timedelta(minutes=1))
    extra = factories.make_problem("extra", kind=TEST_KIND, spec={}, points=9)
    before = set(AssignmentProblem.objects.filter(assignment=quiz.assignment).values_list("pk"))
    ids = [str(pk) for pk in quiz.assignment.items.values_list("problem_id", flat=True)]
    response = client_for(instructor).post(
        f"/teach/{cohort.slug}/assignments/quiz-1/edit",
        generic_form(problems=[*ids, str(extra.pk)]),
    )
    assert response.status_code == 200
    assert "Quizzes are built and edited in the quiz editor" in response.content.decode()
    after = set(AssignmentProblem.objects.filter(assignment=quiz.assignment).values_list("pk"))
    assert after == before
    quiz.assignment.refresh_from_db()
    assert quiz.assignment.type == Assignment.Type.QUIZ and quiz.assignment.attempt_limit == 1


def test_the_generic_form_does_not_make_a_quiz(cohort, instructor, bank):
    page = client_for(instructor)
    form_html = page.get(f"/teach/{cohort.slug}/assignments/new").content.decode()
    assert 'value="quiz"' not in form_html and "quiz builder" in form_html
    response = page.post(
        f"/teach/{cohort.slug}/assignments/new",
        generic_form(title="Sneaky", slug="sneaky", type="quiz", problems=[str(bank[0].pk)]),
    )
    assert response.status_code == 200
    assert not Assignment.objects.filter(slug="sneaky").exists()


def test_the_service_refuses_a_quiz_whatever_the_form_says(make_quiz, cohort):
    from exercises.assignments import services as teach
    from exercises.errors import BadPayload
    from exercises.teach import forms

    quiz = make_quiz()
    form = forms.AssignmentForm(
        generic_form(), instance=Assignment.objects.get(pk=quiz.assignment_id), cohort=cohort
    )
    assert form.is_valid(), form.errors
    try:
        teach.save_assignment(form, [])
    except BadPayload as exc:
        assert exc.field == "type"
    else:
        raise AssertionError("a quiz was saved through the generic form")
    assert quiz.assignment.items.count() == 6
