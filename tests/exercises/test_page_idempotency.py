"""The problem page's form token: a resent answer form is the same attempt; the next answer,
with the token the page was given after the first, is a new one."""

from __future__ import annotations

import re

import pytest

from exercises.models import Submission

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TOKEN = re.compile(
    r'<input type="hidden" name="idempotency_key" id="id_idempotency_key" value="(\w+)"'
)


@pytest.fixture
def logged_in(client, student):
    client.force_login(student)
    return client


def form_token(html: str) -> str:
    found = TOKEN.findall(html)
    assert len(found) == 1, html
    return found[0]


def test_every_render_of_the_form_carries_a_new_token(logged_in, bank):
    first = form_token(logged_in.get("/problems/output-size-stride").content.decode())
    second = form_token(logged_in.get("/problems/output-size-stride").content.decode())
    assert first != second


def test_a_resent_form_is_the_same_attempt(logged_in, student, bank):
    token = form_token(logged_in.get("/problems/output-size-stride").content.decode())
    form = {"answer": "3", "idempotency_key": token}
    first = logged_in.post("/problems/output-size-stride", form)
    again = logged_in.post("/problems/output-size-stride", form)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Submission.objects.filter(user=student).count() == 1


def test_an_htmx_submit_hands_the_form_a_new_token_for_the_next_answer(logged_in, student, bank):
    token = form_token(logged_in.get("/problems/output-size-stride").content.decode())
    response = logged_in.post(
        "/problems/output-size-stride", {"answer": "3", "idempotency_key": token}, **HTMX
    )
    html = response.content.decode()
    assert 'hx-swap-oob="true"' in html
    fresh = form_token(html)
    assert fresh != token
    logged_in.post(
        "/problems/output-size-stride", {"answer": "4", "idempotency_key": fresh}, **HTMX
    )
    assert Submission.objects.filter(user=student).count() == 2


def test_an_htmx_refusal_also_hands_a_new_token(logged_in, bank):
    bank["assignment"].attempt_limit = 0
    bank["assignment"].save()
    response = logged_in.post(
        "/problems/output-size-stride", {"answer": "3", "idempotency_key": "t1"}, **HTMX
    )
    assert response["X-Stride-Status"] == "409"
    assert form_token(response.content.decode()) != "t1"


def test_an_old_token_with_another_answer_is_refused_with_a_fresh_form(logged_in, student, bank):
    logged_in.post("/problems/output-size-stride", {"answer": "3", "idempotency_key": "t1"})
    response = logged_in.post(
        "/problems/output-size-stride", {"answer": "4", "idempotency_key": "t1"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "already used for a different submission" in html
    assert form_token(html) != "t1"
    assert 'value="4"' in html  # what the student typed is kept
    assert Submission.objects.filter(user=student).count() == 1
