"""Choosing the language: Accept-Language on a first visit, the header's switch (Django's
set_language), the choice stored per user and applied at the next login, an unknown code
falling back without an error page, and the JavaScript catalogue."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from exercises.models import LanguagePreference
from tests import factories

pytestmark = pytest.mark.django_db

KOREAN = "ko-KR,ko;q=0.9,en;q=0.5"


def page_language(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_accept_language_decides_a_first_visit():
    korean = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=KOREAN)
    assert (korean.status_code, page_language(korean), korean["Content-Language"]) == (
        200,
        "ko",
        "ko",
    )
    assert '<label for="language-switch" class="sr-only">언어</label>' in korean.content.decode()
    english = Client().get("/accounts/login/")
    assert (page_language(english), english["Content-Language"]) == ("en", "en")
    assert "언어" not in english.content.decode()


def test_the_header_switch_posts_to_set_language_with_the_current_language_selected():
    html = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=KOREAN).content.decode()
    form = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', html, re.S)
    assert form, "no language switch in the header"
    assert 'name="next" value="/accounts/login/"' in form.group(0)
    options = re.findall(r'<option value="(\w+)" lang="\w+"( selected)?>([^<]+)</option>', html)
    assert options == [("ko", " selected", "한국어"), ("en", "", "English")]


def test_the_switch_sets_the_cookie_and_goes_back():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/accounts/login/"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"
    # The cookie wins over the browser's Accept-Language from now on.
    assert page_language(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")) == "ko"
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert page_language(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=KOREAN)) == "en"


@pytest.mark.parametrize("code", ["xx", "fr", "", "ko'><script>", "../../etc"])
def test_an_unknown_code_falls_back_without_an_error_page(code):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": code, "next": "/accounts/login/"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    page = client.get("/accounts/login/")
    assert (page.status_code, page_language(page)) == (200, "en")
    korean = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=KOREAN)
    assert (korean.status_code, page_language(korean)) == (200, "ko")


def test_a_cookie_with_an_unknown_code_falls_back_too():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zz-ZZ"
    page = client.get("/accounts/login/")
    assert (page.status_code, page_language(page)) == (200, "en")


def test_a_logged_in_switch_is_stored_for_the_user_and_an_anonymous_one_is_not(student):
    Client().post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert not LanguagePreference.objects.exists()
    client = Client()
    client.force_login(student)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    assert LanguagePreference.objects.get(user=student).language == "ko"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert LanguagePreference.objects.get(user=student).language == "ko"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert LanguagePreference.objects.get(user=student).language == "en"


def test_the_stored_choice_is_applied_after_login_on_another_browser(student):
    LanguagePreference.objects.create(user=student, language="ko")
    browser = Client()  # a new browser that asks for English
    response = browser.post(
        "/accounts/login/",
        {"username": "alice", "password": factories.PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"
    dashboard = browser.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(dashboard) == "ko"


def test_a_user_who_never_chose_keeps_the_browsers_language_at_login(student):
    browser = Client()
    response = browser.post(
        "/accounts/login/",
        {"username": "alice", "password": factories.PASSWORD},
        HTTP_ACCEPT_LANGUAGE=KOREAN,
    )
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert page_language(browser.get("/", HTTP_ACCEPT_LANGUAGE=KOREAN)) == "ko"
    assert page_language(browser.get("/")) == "en"


def test_set_language_only_answers_post():
    assert Client().get("/i18n/setlang/?language=ko").status_code == 405


def test_the_javascript_catalogue_follows_the_language():
    korean = Client().get("/jsi18n/", HTTP_ACCEPT_LANGUAGE=KOREAN)
    english = Client().get("/jsi18n/")
    assert korean.status_code == english.status_code == 200
    assert korean["Content-Type"].startswith("text/javascript")
    assert "django.gettext" in korean.content.decode()
    assert '"DATE_FORMAT": "Y\\ub144 n\\uc6d4 j\\uc77c"' in korean.content.decode()
    assert '"DATE_FORMAT": "N j, Y"' in english.content.decode()
