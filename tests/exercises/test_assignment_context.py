"""A problem in two assignments: links, pages and the API name the assignment (by slug, or by
id as before), the page says which one it is and offers the other, and an answer counts in the
assignment it was given in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import Submission
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(cohort, bank):
    """``output-size-stride`` in the personas' "CNN basics" (due later) and in a "Revision"
    assignment due sooner, which therefore is the default."""
    problem = bank["output-size-stride"]
    revision = factories.make_assignment(
        cohort,
        [problem],
        title="Revision",
        slug="revision",
        due_at=timezone.now() + timedelta(days=1),
        attempt_limit=2,
    )
    basics = bank["assignment"]
    basics.due_at = timezone.now() + timedelta(days=9)
    basics.save()
    return {"problem": problem, "basics": basics, "revision": revision}


def test_the_api_takes_the_assignment_by_slug_as_the_problem_list_shows_it(api, student, two):
    client = api(student)
    rows = client.get("/api/v1/problems").json()
    row = next(r for r in rows if r["slug"] == "output-size-stride")
    assert row["url"] == f"/api/v1/problems/output-size-stride?assignment={row['assignment']}"
    default = client.get("/api/v1/problems/output-size-stride").json()
    assert default["attempts_left"] == 2  # Revision: due soonest, two attempts
    by_slug = client.get("/api/v1/problems/output-size-stride?assignment=cnn-basics")
    assert by_slug.status_code == 200, by_slug.content
    assert by_slug.json()["attempts_left"] is None  # CNN basics: unlimited
    by_id = client.get(f"/api/v1/problems/output-size-stride?assignment={two['basics'].pk}")
    assert by_id.json() == by_slug.json()  # the old form still works

    response = client.post(
        "/api/v1/problems/output-size-stride/submissions?assignment=cnn-basics",
        {"answer": 3},
        format="json",
    )
    assert response.status_code == 202, response.content
    assert Submission.objects.get().assignment == two["basics"]


def test_another_cohorts_assignment_slug_is_not_found(api, student, two, other_cohort):
    factories.make_assignment(other_cohort, [two["problem"]], slug="elsewhere")
    response = api(student).get("/api/v1/problems/output-size-stride?assignment=elsewhere")
    assert response.status_code == 404


def test_the_page_names_its_assignment_and_offers_the_other(client, student, two):
    client.force_login(student)
    page = client.get("/problems/output-size-stride").content.decode()
    assert "You are working on it in <strong>Revision</strong>" in page
    assert 'href="/problems/output-size-stride?assignment=cnn-basics">CNN basics</a>' in page
    page = client.get("/problems/output-size-stride?assignment=cnn-basics").content.decode()
    assert "You are working on it in <strong>CNN basics</strong>" in page
    # The form and the progress line keep the assignment.
    assert 'action="/problems/output-size-stride?assignment=cnn-basics"' in page
    assert 'hx-get="/problems/output-size-stride/progress?assignment=cnn-basics"' in page
    response = client.post("/problems/output-size-stride?assignment=cnn-basics", {"answer": "3"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Submission.objects.get().assignment == two["basics"]
    submission_page = client.get(response["Location"]).content.decode()
    assert 'href="/problems/output-size-stride?assignment=cnn-basics"' in submission_page


def test_a_problem_in_one_assignment_offers_no_choice(client, student, bank):
    client.force_login(student)
    page = client.get("/problems/output-size-stride").content.decode()
    assert 'id="assignment-choice"' not in page


def test_the_dashboard_links_each_problem_in_its_own_assignment(client, student, two):
    client.force_login(student)
    page = client.get("/").content.decode()
    assert 'href="/problems/output-size-stride?assignment=revision"' in page
    assert 'href="/problems/output-size-stride?assignment=cnn-basics"' in page
