"""Small things a student or an instructor sees: a favicon (no 404), "1 minute" not
"1 minutes", and quiz states in words (never the raw ``not_started``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from freezegun import freeze_time

from exercises.quizzes import services as quizzes
from tests.quizzes.conftest import staff_url

pytestmark = pytest.mark.django_db


def test_every_page_links_a_favicon_and_favicon_ico_leads_to_it(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in html and "exercises/favicon" in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("exercises/favicon.svg")
    assert finders.find("exercises/favicon.svg")


def test_one_minute_is_singular_and_states_are_words(make_quiz, student, instructor, t0):
    quiz = make_quiz(time_limit_minutes=1)
    page = Client()
    page.force_login(student)
    with freeze_time(t0 + timedelta(minutes=1)):
        html = page.get(f"/quizzes/{quiz.assignment_id}").content.decode()
        assert "1 minute from Start" in html and "1 minutes" not in html
        assert "your 1 minute begins, and it keeps running" in html
        dashboard = page.get("/").content.decode()
        assert "1 minute once you start" in dashboard
        quizzes.start_quiz(student, quiz)
        staff = Client()
        staff.force_login(instructor)
        results = staff.get(staff_url(quiz, "results")).content.decode()
        monitor = staff.get(staff_url(quiz, "monitor")).content.decode()
        extend = staff.post(
            staff_url(quiz, "extend"), {"user_id": student.pk, "minutes": 1}, follow=True
        )
    for html in (results, monitor):
        assert "not_started" not in html
    assert "working" in results
    assert "alice has 1 more minute." in extend.content.decode()
