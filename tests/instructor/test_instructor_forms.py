"""The instructor's forms as a new instructor meets them: assignment problems by title and in
the order chosen, the description shown to students, /teach/ after login, and a cohort form
whose errors sit under their own field and whose time zone is picked from a list."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from exercises.models import Assignment
from tests import factories

pytestmark = pytest.mark.django_db

SETTINGS = {
    "title": "Week 1",
    "slug": "",
    "type": "practice",
    "published": "on",
    "late_policy": "refuse",
    "late_penalty_percent": "0",
    "variant_policy": "per_student",
    "leaderboard_freeze_minutes": "0",
}


@pytest.fixture
def three(db):
    """Three problems whose slugs sort the other way round from the order wanted."""
    return [
        factories.make_problem(slug, kind="tally", spec={"a": [1, 2], "b": [1, 2]}, title=title)
        for slug, title in (
            ("z-first", "Dot products"),
            ("y-second", "Output sizes"),
            ("x-third", "Parameters"),
        )
    ]


def test_the_assignment_form_lists_titles_and_orders_by_the_positions_typed(
    client_for, instructor, cohort, three
):
    first, second, third = three
    client = client_for(instructor)
    page = client.get(f"/teach/{cohort.slug}/assignments/new").content.decode()
    assert ">Dot products</label>" in page and ">Output sizes</label>" in page
    response = client.post(
        f"/teach/{cohort.slug}/assignments/new",
        SETTINGS
        | {
            "problems": [p.pk for p in three],
            f"position-{first.pk}": "1",
            f"position-{second.pk}": "2",
            f"position-{third.pk}": "3",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    week = Assignment.objects.get(cohort=cohort, slug="week-1")
    assert [i.problem.slug for i in week.items.all()] == ["z-first", "y-second", "x-third"]

    # Reordered: the third first; a blank position keeps its place among the others.
    edit = f"/teach/{cohort.slug}/assignments/week-1/edit"
    response = client.post(
        edit,
        SETTINGS
        | {
            "problems": [p.pk for p in three],
            f"position-{third.pk}": "1",
            f"position-{first.pk}": "2",
        },
    )
    assert response.status_code == 302
    assert [i.problem.slug for i in week.items.all()] == ["x-third", "z-first", "y-second"]
    # The edit form shows them in that order, numbered.
    page = client.get(edit).content.decode()
    titles = re.findall(r'<label for="problem-\d+">([^<]+)</label>', page)
    assert titles[:3] == ["Parameters", "Dot products", "Output sizes"]
    assert f'name="position-{third.pk}" value="1"' in page


def test_a_position_that_is_not_a_number_is_refused_under_the_problems(
    client_for, instructor, cohort, three
):
    response = client_for(instructor).post(
        f"/teach/{cohort.slug}/assignments/new",
        SETTINGS | {"problems": [three[0].pk], f"position-{three[0].pk}": "first"},
    )
    assert response.status_code == 200
    assert "The position of Dot products is not a number." in response.content.decode()
    assert not Assignment.objects.filter(slug="week-1").exists()


def test_students_see_the_assignments_description(client, cohort, student, three):
    factories.make_assignment(
        cohort,
        three,
        title="Week 1",
        description="Read **chapter 2** first.<script>alert(1)</script>",
    )
    client.force_login(student)
    page = client.get("/").content.decode()
    assert "Read <strong>chapter 2</strong> first." in page
    assert "<script>alert(1)" not in page


@pytest.mark.parametrize(
    ("persona", "lands_on"),
    [("instructor", "/teach/"), ("assistant", "/teach/"), ("student", "/")],
)
def test_after_logging_in_staff_land_on_teach_and_students_on_their_dashboard(
    request, persona, lands_on
):
    user = request.getfixturevalue(persona)
    response = Client().post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == lands_on


def test_a_next_page_still_wins_over_teach(instructor, cohort):
    response = Client().post(
        f"/accounts/login/?next=/cohorts/{cohort.slug}/leaderboard",
        {"username": "iris", "password": factories.PASSWORD},
    )
    assert response["Location"] == f"/cohorts/{cohort.slug}/leaderboard"


def test_the_cohort_forms_slug_error_is_under_the_slug_and_the_zone_is_a_list(
    client_for, instructor, cohort
):
    client = client_for(instructor)
    page = client.get("/teach/").content.decode()
    assert '<select name="timezone"' in page
    assert '<option value="Asia/Seoul">Asia/Seoul</option>' in page
    assert '<option value="UTC" selected>UTC</option>' in page
    response = client.post("/teach/", {"name": "Again", "slug": cohort.slug, "timezone": "UTC"})
    page = response.content.decode()
    error = page.index("Cohort with this Slug already exists")
    assert page.index('id="id_slug"') < error < page.index('id="id_timezone"')
    assert page.index('id="id_name"') < page.index('id="id_slug"')
    refused = client.post("/teach/", {"name": "Mars", "slug": "mars", "timezone": "Mars/Olympus"})
    assert "&#x27;Mars/Olympus&#x27; is not a known time zone" in refused.content.decode()
