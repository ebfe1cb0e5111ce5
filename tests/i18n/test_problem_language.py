"""A problem in the reader's language: the problem page, the dashboard and the API show the
title and statement in the active language, else English, with the same variant either way."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from exercises.bank.importer import import_problems
from exercises.models import Problem, VariantPolicy
from tests import factories

pytestmark = pytest.mark.django_db

KOREAN = "ko-KR,ko;q=0.9"
BANK = settings.STRIDE["CONTENT_DIR"]
KO_TITLE = "합성곱 층의 파라미터 수 세기"
EN_TITLE = "Counting a conv layer's parameters"


@pytest.fixture
def problems(cohort):
    """The bank's conv-layer-params (English and Korean) and an English-only problem, in a
    pinned assignment of ``cohort``."""
    import_problems(BANK / "conv-layer-params")
    bilingual = Problem.objects.get(slug="conv-layer-params")
    english_only = factories.make_problem(
        "english-only",
        kind="number",
        spec=bilingual.spec,
        title="Only in English",
        statement="Depth {{ c }}, {{ k }} filters of {{ f }}.",
    )
    factories.make_assignment(
        cohort, [bilingual, english_only], variant_policy=VariantPolicy.PINNED
    )
    return bilingual, english_only


def detail(api, user, slug, language=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = api(user).get(f"/api/v1/problems/{slug}", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_detail_honours_accept_language_and_says_which_it_returned(api, student, problems):
    ko = detail(api, student, "conv-layer-params", KOREAN)
    en = detail(api, student, "conv-layer-params", "en")
    default = detail(api, student, "conv-layer-params")
    assert (ko["language"], ko["languages"], ko["title"]) == ("ko", ["ko", "en"], KO_TITLE)
    assert (en["language"], en["languages"], en["title"]) == ("en", ["ko", "en"], EN_TITLE)
    assert default["language"] == "en"
    # The lecture's numbers, rendered into each language's own sentence.
    assert "입력의 깊이는 $C = 3$입니다." in ko["statement"]
    assert "The input has depth $C = 3$." in en["statement"]
    same = {k: v for k, v in ko.items() if k not in ("title", "statement", "language")}
    assert same == {k: v for k, v in en.items() if k not in ("title", "statement", "language")}


def test_a_problem_without_korean_falls_back_to_english_with_the_same_variant(
    api, student, problems
):
    ko = detail(api, student, "english-only", KOREAN)
    en = detail(api, student, "english-only", "en")
    assert (ko["language"], ko["languages"], ko["title"]) == ("en", ["en"], "Only in English")
    assert ko == en
    assert ko["statement"] == "Depth 3, 10 filters of 5."


def test_the_api_list_gives_titles_in_the_readers_language(api, student, problems):
    titles = {
        row["slug"]: row["title"]
        for row in api(student).get("/api/v1/problems", HTTP_ACCEPT_LANGUAGE=KOREAN).json()
    }
    assert titles == {"conv-layer-params": KO_TITLE, "english-only": "Only in English"}


def test_the_problem_page_shows_the_korean_title_and_statement(student, problems):
    client = Client()
    client.force_login(student)
    html = client.get("/problems/conv-layer-params", HTTP_ACCEPT_LANGUAGE=KOREAN).content.decode()
    assert f"<h1>{KO_TITLE}</h1>" in html
    assert f"<title>{KO_TITLE} · Stride</title>" in html
    statement = re.search(r'<section class="statement"[^>]*lang="ko">(.*?)</section>', html, re.S)
    assert statement and "입력의 깊이는 $C = 3$입니다." in statement.group(1)
    english = client.get("/problems/conv-layer-params").content.decode()
    assert f"<h1>{EN_TITLE.replace(chr(39), '&#x27;')}</h1>" in english
    assert "입력의 깊이" not in english


def test_an_english_only_statement_is_marked_english_on_a_korean_page(student, problems):
    client = Client()
    client.force_login(student)
    html = client.get("/problems/english-only", HTTP_ACCEPT_LANGUAGE=KOREAN).content.decode()
    assert '<html lang="ko">' in html
    assert re.search(r'<section class="statement"[^>]*lang="en">\s*<p>Depth 3,', html)


def test_the_dashboard_lists_titles_in_the_readers_language(student, problems):
    client = Client()
    client.force_login(student)
    korean = client.get("/", HTTP_ACCEPT_LANGUAGE=KOREAN).content.decode()
    assert '<a href="/problems/conv-layer-params?assignment=' in korean
    assert f">{KO_TITLE}</a>" in korean
    assert '<a href="/problems/english-only?assignment=' in korean
    assert ">Only in English</a>" in korean
    assert KO_TITLE not in client.get("/").content.decode()


def test_the_dashboard_reads_every_title_in_one_query(
    student, problems, django_assert_max_num_queries
):
    client = Client()
    client.force_login(student)
    client.get("/", HTTP_ACCEPT_LANGUAGE=KOREAN)
    import_problems(BANK / "conv-layer-params")  # nothing changes: same count after
    with django_assert_max_num_queries(30) as queries:
        client.get("/", HTTP_ACCEPT_LANGUAGE=KOREAN)
    texts = [q for q in queries.captured_queries if "exercises_problemtext" in q["sql"]]
    assert len(texts) == 1
