"""Dates: one format on every page and in messages, in the cohort's time zone (exercises.dates).
They were "2 Mar 09:00", "Mon 2 Mar, 09:00 UTC", "2026-03-02 09:00", Django's default
"March 2, 2026, 9 a.m." depending on the page, and mostly in UTC whatever the cohort's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from exercises import dates
from exercises.models import Extension, Role, Status, Submission, Verdict
from tests import factories

#: Midnight UTC is 09:00 in Seoul, on the same day.
DUE = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
SHOWN = "Mon 2 Mar 2026, 09:00 KST"
TIME = '<time datetime="2026-03-02T09:00:00+09:00">Mon 2 Mar 2026, 09:00 KST</time>'


def test_one_format_per_language_in_the_zone_asked_for():
    assert dates.when_text(DUE, "Asia/Seoul") == SHOWN
    assert dates.when_text(DUE, "UTC") == "Mon 2 Mar 2026, 00:00 UTC"
    assert dates.when_text(date(2026, 3, 2)) == "Mon 2 Mar 2026"
    with translation.override("ko"):
        assert dates.when_text(DUE, "Asia/Seoul") == "2026년 3월 2일 (월요일) 09:00 KST"


def test_the_when_filter_is_a_time_element_and_nothing_for_nothing():
    page = Template('{{ due|when:zone }}|{{ none|when:zone|default:"—" }}|{{ text|when:zone }}')
    html = page.render(
        Context({"due": DUE, "none": None, "zone": "Asia/Seoul", "text": "2026-03-02T00:00:00Z"})
    )
    assert html == f"{TIME}|—|{TIME}"


def test_an_unknown_zone_falls_back_to_the_current_one():
    assert dates.when_text(DUE, "Mars/Olympus") == "Mon 2 Mar 2026, 00:00 UTC"


@pytest.fixture
def seoul(db):
    return factories.make_cohort("seoul-101", name="Seoul 101", timezone="Asia/Seoul")


def test_pages_show_due_dates_and_attempts_one_way_in_the_cohorts_zone(client, seoul):
    student = factories.make_user("minji")
    factories.add_member(student, seoul, Role.STUDENT)
    teacher = factories.make_user("teacher")
    factories.add_member(teacher, seoul, Role.INSTRUCTOR)
    problem = factories.make_problem(
        "tally-free", kind="number", spec={"recipe": "conv-layer-params"}, title="Params"
    )
    assignment = factories.make_assignment(
        seoul, [problem], title="Week 1", slug="week-1", due_at=DUE, published=True
    )
    Extension.objects.create(assignment=assignment, user=student, due_at=DUE)
    sent = Submission.objects.create(
        user=student,
        problem=problem,
        assignment=assignment,
        payload={"answer": 1},
        status=Status.GRADED,
        verdict=Verdict.INCORRECT,
        score=0,
    )
    Submission.objects.filter(pk=sent.pk).update(created_at=DUE)

    client.force_login(student)
    for url in ("/", f"/problems/{problem.slug}", f"/submissions/{sent.pk}"):
        html = client.get(url).content.decode()
        assert TIME in html, url
    client.force_login(teacher)
    for url in (
        f"/teach/{seoul.slug}/",
        f"/teach/{seoul.slug}/assignments/week-1/extensions",
        f"/teach/{seoul.slug}/students/{student.pk}",
    ):
        html = client.get(url).content.decode()
        assert TIME in html, url
        assert "March 2, 2026" not in html and "2026-03-02 00:00" not in html, url
