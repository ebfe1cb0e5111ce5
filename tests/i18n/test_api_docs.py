"""``/api/docs`` in the reader's language: its prose, the endpoints' summaries and descriptions
(written once, in the views, for the OpenAPI schema) and the words around them are Korean for a
``ko`` reader; the code samples, field names, paths and JSON stay as the API has them, and an
``en`` reader gets the page with no Hangul."""

from __future__ import annotations

import pytest
from django.test import Client

from exercises.api import docs
from tests.i18n.visible_text import english_words, hangul, visible_texts

pytestmark = pytest.mark.django_db

#: Latin words the Korean page keeps, and why: the product's name and acronyms Korean writes
#: in Latin letters; HTTP's method names and header names; the names of the schema's format and
#: tool (OpenAPI, Swagger UI), which are proper nouns.
ALLOWED = {
    "Stride",
    "API",
    "CNN",
    "JSON",
    "UUID",
    "CSRF",
    "URL",
    "GET",
    "POST",
    "ETag",
    "OpenAPI",
    "Swagger",
}


def page(language: str) -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/api/docs")
    assert response.status_code == 200
    return response.content.decode()


def test_a_korean_reader_meets_no_english_prose_on_the_api_docs():
    html = page("ko")
    texts = visible_texts(html)
    assert english_words(texts, allowed=ALLOWED) == []
    # The endpoints are described in Korean, from the views' own texts...
    assert "API 토큰 받기" in html and "퀴즈 시작: 내 시간이 흐르기 시작합니다" in html
    assert "노트북에서 제출하기" in html
    # ... while the code sample and the names a client types stay as they are.
    assert 'requests.post(f"{BASE}/token"' in html
    assert "<code>/api/v1/problems/{slug}/submissions</code>" in html
    assert "<code>Idempotency-Key</code>" in html


def test_an_english_reader_meets_no_hangul_on_the_api_docs():
    texts = visible_texts(page("en"))
    assert hangul(texts) == []
    assert "Get your API token" in texts


def test_the_schema_is_built_once_per_language_and_keeps_its_structure():
    english, korean = docs.api_schema("en"), docs.api_schema("ko")
    assert english["paths"].keys() == korean["paths"].keys()
    token = ("/api/v1/token", "post")
    assert english["paths"][token[0]][token[1]]["summary"] == "Get your API token"
    assert korean["paths"][token[0]][token[1]]["summary"] == "API 토큰 받기"
    assert docs.api_schema("ko") is korean


def test_backticked_names_in_a_description_read_as_code_and_are_escaped():
    assert docs.prose("`status` <b>x</b>") == "<code>status</code> &lt;b&gt;x&lt;/b&gt;"
