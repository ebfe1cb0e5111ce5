"""Staff lists name problems in the reader's language: the problem bank, the cohort page, the
assignment form, the gradebook's column titles, a student's page, the quiz builder's bank, the
analytics, regrade and integrity pages show a ``ko`` instructor the Korean title (the English
one when a problem has none), and an ``en`` instructor the English title."""

from __future__ import annotations

import pytest

from exercises.models import IntegrityReport, LeakFlag, Problem, ProblemText, Submission
from tests.i18n.test_instructor_pages import client_in, seeded  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

KO, EN = "스트라이드와 출력 크기", "Output size with a stride"
PAGES = {
    "problem bank": "/teach/problems/",
    "cohort": "/teach/{c}/",
    "assignment form": "/teach/{c}/assignments/{a}/edit",
    "new assignment": "/teach/{c}/assignments/new",
    "gradebook": "/teach/{c}/gradebook",
    "student": "/teach/{c}/students/{s}",
    "quiz builder": "/teach/{c}/quizzes/new",
    "analytics": "/teach/{c}/problems/{p}/analytics",
    "regrade": "/teach/{c}/problems/{p}/regrade",
    "regrade job": "/teach/{c}/regrades/{job}",
    "integrity": "/teach/{c}/assignments/{a}/integrity",
}


@pytest.fixture
def flagged(seeded, student, other_student):  # noqa: F811 - the fixture imported above
    """A leak flag on the number problem, so the integrity page lists it by title."""
    wrong = Submission.objects.filter(user=student, problem__slug=seeded["p"]).first()
    LeakFlag.objects.create(submission=wrong, source=other_student, sources=[other_student.pk])
    return seeded


@pytest.mark.parametrize("page", PAGES)
def test_a_korean_instructor_reads_problem_titles_in_korean(page, flagged, instructor):
    html = client_in(instructor, "ko").get(PAGES[page].format(**flagged)).content.decode()
    assert KO in html and EN not in html


@pytest.mark.parametrize("page", PAGES)
def test_an_english_instructor_reads_them_in_english(page, flagged, instructor):
    html = client_in(instructor, "en").get(PAGES[page].format(**flagged)).content.decode()
    assert EN in html and KO not in html


def test_the_integrity_reports_problems_are_titled_in_the_readers_language(
    seeded,  # noqa: F811 - the fixture imported above
    instructor,
):
    """The report stored the English title when it ran; the page names it as its reader reads."""
    code = seeded["code"]
    report = IntegrityReport.objects.get()
    report.problems = [{**report.problems[0], "problem": code}]
    report.save()
    problem = Problem.objects.get(slug=code)
    ProblemText.objects.create(problem=problem, language="en", title=problem.title)
    ProblemText.objects.create(problem=problem, language="ko", title="코드 문제")
    url = "/teach/{c}/assignments/{a}/integrity".format(**seeded)
    assert "<td>코드 문제</td>" in client_in(instructor, "ko").get(url).content.decode()
    assert f"<td>{problem.title}</td>" in client_in(instructor, "en").get(url).content.decode()
