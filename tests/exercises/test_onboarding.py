"""Getting a class in: sign-up with a cohort's join code (throttled like logins), password reset
by email, instructors' invitation links for roster rows without a password, and
``manage.py create_cohort``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from exercises.accounts import logins
from exercises.cohorts import services as roster
from exercises.models import Cohort, Membership, Role
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "a-brand-new-passphrase-42"


def sign_up(client: Client, code: str, username: str = "newbie", **extra):
    return client.post(
        "/accounts/signup/",
        {
            "code": code,
            "username": username,
            "email": f"{username}@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        **extra,
    )


# --- Sign-up ------------------------------------------------------------------------------------
def test_a_student_signs_up_with_the_join_code_and_lands_in_the_cohort(client, cohort):
    response = sign_up(client, cohort.join_code.lower())  # as read aloud: case forgiven
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="newbie")
    assert user.check_password(NEW_PASSWORD)
    assert user.email == "newbie@example.org"
    membership = Membership.objects.get(user=user, cohort=cohort)
    assert membership.role == Role.STUDENT
    assert membership.display_name  # a pseudonym, as when joining by code
    assert client.session["_auth_user_id"] == str(user.pk)  # logged in at once
    assert cohort.name in client.get("/").content.decode()


def test_a_wrong_or_disabled_join_code_makes_no_account(client, cohort):
    response = sign_up(client, "NOPE2345")
    assert response.status_code == 200
    assert "No cohort takes that join code" in response.content.decode()
    cohort.join_enabled = False
    cohort.save()
    assert "No cohort takes that join code" in sign_up(client, cohort.join_code).content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_a_taken_username_and_a_weak_password_are_refused_by_djangos_own_rules(client, cohort):
    factories.make_user("alice")
    response = sign_up(client, cohort.join_code, username="ALICE")
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    weak = client.post(
        "/accounts/signup/",
        {"code": cohort.join_code, "username": "bob", "password1": "123", "password2": "123"},
    )
    assert "too short" in weak.content.decode()
    assert not User.objects.filter(username="bob").exists()


def test_guessing_join_codes_is_throttled_like_logins_even_for_the_right_code(client, cohort):
    limits = {**settings.STRIDE, "LOGIN_FAILURES_PER_ADDRESS": 3}
    with override_settings(STRIDE=limits):
        for n in range(3):
            assert sign_up(client, f"GUESS{n}AA", username=f"g{n}").status_code == 200
        response = sign_up(client, cohort.join_code)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= settings.STRIDE["LOGIN_FAILURE_WINDOW_SECONDS"] + 1
    assert "Too many failed logins from your network address" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()
    # Another address is not affected.
    assert sign_up(Client(REMOTE_ADDR="203.0.113.9"), cohort.join_code).status_code == 302


def test_a_sign_up_beyond_the_password_bound_is_a_503_and_makes_no_account(client, cohort):
    with logins.password_check_slot():  # the process's one slot is taken
        response = sign_up(client, cohort.join_code)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "Many people are logging in right now" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()
    assert sign_up(client, cohort.join_code).status_code == 302


def test_someone_logged_in_is_sent_to_join_instead(client, student):
    client.force_login(student)
    assert client.get("/accounts/signup/")["Location"] == "/join"


def test_the_login_page_links_to_sign_up_and_to_the_password_reset(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/signup/"' in page
    assert 'href="/accounts/password/reset/"' in page


# --- Password reset -----------------------------------------------------------------------------
def test_a_forgotten_password_is_reset_through_the_emailed_link(client, student):
    student.email = "alice@example.org"
    student.save()
    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/accounts/reset/done/"
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
    assert "no longer works" in client.get(link, follow=True).content.decode()  # once only


def test_the_email_backend_is_the_console_unless_an_smtp_host_is_set():
    def backend(**env) -> str:
        code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
        clean = {k: v for k, v in os.environ.items() if not k.startswith("STRIDE_EMAIL")}
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=clean | {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"} | env,
            cwd=Path(settings.BASE_DIR),
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    assert backend() == "django.core.mail.backends.console.EmailBackend"
    assert backend(STRIDE_EMAIL_HOST="smtp.example.org") == (
        "django.core.mail.backends.smtp.EmailBackend"
    )


# --- Invitations for roster rows without a password ---------------------------------------------
ROSTER = "username,email,first_name\r\nkim,kim@example.org,Minjun\r\nlee,,Ann\r\n"


def invitation_links(client: Client, cohort: Cohort) -> dict[str, str]:
    page = client.post(f"/teach/{cohort.slug}/invitations", {"format": "page"})
    assert page.status_code == 200
    found = re.findall(
        r'value="http://testserver(/accounts/invitation/[^"]+)" aria-label="Invitation link of '
        r'(\w+)"',
        page.content.decode(),
    )
    return {username: link for link, username in found}


def test_a_roster_row_without_a_password_gets_in_with_its_invitation_once(cohort, instructor):
    roster.import_roster(cohort, ROSTER)
    teacher = Client()
    teacher.force_login(instructor)
    waiting = teacher.get(f"/teach/{cohort.slug}/invitations").content.decode()
    assert "kim" in waiting and "lee" in waiting
    assert "/accounts/invitation/" not in waiting  # links are shown on POST only
    links = invitation_links(teacher, cohort)
    assert set(links) == {"kim", "lee"}

    kim = Client()
    form_page = kim.get(links["kim"], follow=True)
    assert "Your instructor made the account" in form_page.content.decode()
    response = kim.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/"
    assert kim.session["_auth_user_id"] == str(User.objects.get(username="kim").pk)
    assert Client().login(username="kim", password=NEW_PASSWORD)
    # Used: the link no longer works, and kim is no longer waiting.
    assert "no longer works" in Client().get(links["kim"], follow=True).content.decode()
    assert set(invitation_links(teacher, cohort)) == {"lee"}


def test_a_reset_link_is_not_an_invitation(cohort, instructor):
    roster.import_roster(cohort, ROSTER)
    teacher = Client()
    teacher.force_login(instructor)
    link = invitation_links(teacher, cohort)["lee"]
    as_reset = link.replace("/accounts/invitation/", "/accounts/reset/")
    assert "no longer works" in Client().get(as_reset, follow=True).content.decode()


def test_the_invitations_download_as_csv_for_a_mail_merge(cohort, instructor):
    roster.import_roster(cohort, ROSTER)
    teacher = Client()
    teacher.force_login(instructor)
    response = teacher.post(f"/teach/{cohort.slug}/invitations", {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "username,email,first_name,last_name,invitation_link"
    assert lines[1].startswith("kim,kim@example.org,Minjun,,http://testserver/accounts/invitation/")
    assert len(lines) == 3


def test_assistants_cannot_hand_out_invitations(client, cohort, assistant):
    client.force_login(assistant)
    assert client.get(f"/teach/{cohort.slug}/invitations").status_code == 403
    assert client.post(f"/teach/{cohort.slug}/invitations", {"format": "csv"}).status_code == 403


# --- manage.py create_cohort --------------------------------------------------------------------
def test_create_cohort_opens_a_cohort_and_prints_its_join_code(capsys, instructor):
    call_command("create_cohort", "CNN 2026 Spring", instructor="iris", timezone="Asia/Seoul")
    cohort = Cohort.objects.get(slug="cnn-2026-spring")
    assert cohort.timezone == "Asia/Seoul"
    assert Membership.objects.get(cohort=cohort, user=instructor).role == Role.INSTRUCTOR
    assert f"Join code: {cohort.join_code}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"instructor": "nobody"}, "No user 'nobody'"),
        ({"instructor": "iris", "timezone": "Mars/Olympus"}, "not a known time zone"),
        ({"instructor": "iris", "slug": "ml-101"}, "slug: Cohort with this Slug already exists"),
    ],
)
def test_create_cohort_refuses_what_the_form_refuses(cohort, instructor, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_cohort", "Another", **options)
    assert not Cohort.objects.filter(name="Another").exists()
