"""Who sees what: staff of one cohort see nothing of another (404), assistants read but do not
write (403), students are not staff (404), and every page renders for those who may see it."""

from __future__ import annotations

import pytest

from exercises.models import Cohort, Membership, Role

READ_PAGES = [
    "/teach/{c}/",
    "/teach/{c}/gradebook",
    "/teach/{c}/gradebook?assignment={a}",
    "/teach/{c}/gradebook.csv",
    "/teach/{c}/students/{s}",
    "/teach/{c}/problems/{p}/analytics",
    "/teach/{c}/assignments/{a}/extensions",
]
WRITE_PAGES = [
    "/teach/{c}/roster",
    "/teach/{c}/assignments/new",
    "/teach/{c}/assignments/{a}/edit",
    "/teach/{c}/problems/{p}/regrade",
]
WRITE_POSTS = [
    ("/teach/{c}/join-code", {"action": "rotate"}),
    ("/teach/{c}/members/{m}/role", {"role": "assistant"}),
    ("/teach/{c}/roster", {}),
    ("/teach/{c}/assignments/new", {"title": "X"}),
    ("/teach/{c}/assignments/{a}/extensions", {"username": "alice", "due_at": "2026-05-01T10:00"}),
    ("/teach/{c}/problems/{p}/regrade", {"mode": "preview"}),
]


@pytest.fixture
def urls(cohort, student, assignment, tally_problem):
    membership = Membership.objects.get(user=student, cohort=cohort)

    def fmt(url: str) -> str:
        return url.format(
            c=cohort.slug, a=assignment.slug, p=tally_problem.slug, s=student.pk, m=membership.pk
        )

    return fmt


@pytest.mark.parametrize("page", READ_PAGES + WRITE_PAGES)
def test_the_instructor_sees_every_page_of_their_cohort(client_for, instructor, urls, page):
    assert client_for(instructor).get(urls(page)).status_code == 200


@pytest.mark.parametrize("page", READ_PAGES)
def test_an_assistant_reads_every_page(client_for, assistant, urls, page):
    assert client_for(assistant).get(urls(page)).status_code == 200


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_an_assistant_cannot_open_a_form_that_writes(client_for, assistant, urls, page):
    assert client_for(assistant).get(urls(page)).status_code == 403


@pytest.mark.parametrize(("page", "data"), WRITE_POSTS)
def test_an_assistant_cannot_write(client_for, assistant, cohort, urls, page, data):
    code = cohort.join_code
    response = client_for(assistant).post(urls(page), data)
    assert response.status_code == 403
    cohort.refresh_from_db()
    assert cohort.join_code == code
    assert not cohort.assignments.filter(title="X").exists()


@pytest.mark.parametrize("page", READ_PAGES + WRITE_PAGES)
def test_an_instructor_of_another_cohort_sees_nothing(client_for, other_instructor, urls, page):
    response = client_for(other_instructor).get(urls(page))
    assert response.status_code == 404
    assert b"ML 101" not in response.content


@pytest.mark.parametrize(("page", "data"), WRITE_POSTS)
def test_an_instructor_of_another_cohort_cannot_write(
    client_for, other_instructor, urls, page, data
):
    assert client_for(other_instructor).post(urls(page), data).status_code == 404


@pytest.mark.parametrize("page", READ_PAGES)
def test_a_student_gets_404_on_instructor_pages(client_for, student, urls, page):
    assert client_for(student).get(urls(page)).status_code == 404


def test_the_teach_link_shows_for_staff_only(client_for, instructor, student, cohort):
    assert b'href="/teach/"' in client_for(instructor).get("/").content
    assert b'href="/teach/"' not in client_for(student).get("/").content


def test_the_problem_bank_is_for_staff(client_for, student, assistant, tally_problem):
    assert client_for(student).get("/teach/problems/").status_code == 404
    assert (
        client_for(assistant).get(f"/teach/problems/{tally_problem.slug}/preview").status_code
        == 200
    )


def test_a_problem_outside_the_cohort_has_no_analytics_there(
    client_for, instructor, cohort, second_problem, db
):
    from tests import factories

    lonely = factories.make_problem("lonely", kind="tally", spec={"a": [1, 1], "b": [1, 1]})
    response = client_for(instructor).get(f"/teach/{cohort.slug}/problems/{lonely.slug}/analytics")
    assert response.status_code == 404


def test_the_instructor_rotates_and_disables_the_join_code(client_for, instructor, cohort):
    client = client_for(instructor)
    old = cohort.join_code
    client.post(f"/teach/{cohort.slug}/join-code", {"action": "rotate"})
    cohort.refresh_from_db()
    assert cohort.join_code != old and cohort.join_enabled
    client.post(f"/teach/{cohort.slug}/join-code", {"action": "disable"})
    cohort.refresh_from_db()
    assert not cohort.join_enabled


def test_the_last_instructor_cannot_step_down(client_for, instructor, cohort):
    membership = Membership.objects.get(user=instructor, cohort=cohort)
    client_for(instructor).post(
        f"/teach/{cohort.slug}/members/{membership.pk}/role", {"role": "student"}
    )
    membership.refresh_from_db()
    assert membership.role == Role.INSTRUCTOR


def test_an_instructor_creates_a_cohort_and_teaches_it(client_for, instructor):
    response = client_for(instructor).post(
        "/teach/", {"name": "Vision 2027", "slug": "vision-2027", "timezone": "Asia/Seoul"}
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get(slug="vision-2027")
    assert Membership.objects.get(cohort=cohort, user=instructor).role == Role.INSTRUCTOR


def test_a_bad_time_zone_is_refused(client_for, instructor):
    response = client_for(instructor).post(
        "/teach/", {"name": "X", "slug": "x", "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert b"not a known time zone" in response.content
