"""The lecture's bank in Korean and English: every problem has a Korean title and statement in
the lecture's terms, the same figures, and the same variant, answer and grade in both."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from django.conf import settings

from exercises.bank.importer import import_problems, problem_folders
from exercises.bank.statements import HANGUL, placeholders
from exercises.models import Problem, VariantPolicy
from grader.kinds import get_kind
from grader.kinds.code import _load_tests
from grader.results import Verdict
from tests import factories

CONTENT = Path(settings.STRIDE["CONTENT_DIR"])
SLUGS = [f.name for f in problem_folders(CONTENT)]
#: The lecture's own Korean terms; each statement uses some of them, never a made-up synonym.
TERMS = ("합성곱", "필터", "스트라이드", "패딩", "풀링", "특성 맵", "완전 연결 층", "편향", "CNN")
#: Words a Korean statement must not fall back to for these concepts.
NOT_OUR_TERMS = ("컨볼루션", "콘볼루션", "보폭", "피처 맵", "특징 맵", "전결합")
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def texts(slug: str) -> tuple[str, str]:
    folder = CONTENT / slug
    return (
        (folder / "statement.md").read_text(encoding="utf-8"),
        (folder / "statement.ko.md").read_text(encoding="utf-8"),
    )


def geometry(svg: str) -> str:
    """An SVG without its words: labels, title and aria-label emptied."""
    svg = re.sub(r'aria-label="[^"]*"', 'aria-label=""', svg)
    svg = re.sub(r"<title>.*?</title>", "<title></title>", svg)
    return re.sub(r"(<text[^>]*>).*?(</text>)", r"\1\2", svg)


def test_the_whole_bank_is_there():
    assert len(SLUGS) == 23


@pytest.mark.parametrize("slug", SLUGS)
def test_every_problem_has_a_korean_title_and_statement(slug):
    spec = yaml.safe_load((CONTENT / slug / "problem.yaml").read_text(encoding="utf-8"))
    assert set(spec["title"]) == {"ko", "en"}
    assert HANGUL.search(spec["title"]["ko"])
    english, korean = texts(slug)
    assert placeholders(korean) == placeholders(english)
    assert any(term in korean for term in TERMS), slug
    assert not [w for w in NOT_OUR_TERMS if w in korean]
    if spec["kind"] == "code":
        signature = re.search(r"^def .*$", english, re.M).group(0)
        assert signature in korean  # the code is the same code
        assert "## 도움말" in korean
    else:
        assert "## 내 숫자" in korean or not placeholders(english)
        assert "## 제출할 답" in korean
    for literal in re.findall(r"`[^`\n]+`", re.sub(r"```.*?```", "", english, flags=re.S)):
        if re.fullmatch(r"`[\w\-\[\]\"', ().:*+@=/<>]+`", literal):
            assert literal in korean, literal  # code, keys and answers are never translated


CODE_SLUGS = [s for s in SLUGS if s.startswith("implement-")]
#: The words a Korean case name uses for the lecture's concepts (the statements' TERMS, and the
#: everyday ones a case's inputs need).
NAME_TERMS = (*TERMS, "배치", "채널", "입력", "창", "신경망")


@pytest.mark.parametrize("slug", CODE_SLUGS)
def test_every_case_of_a_code_problem_is_named_in_both_languages(slug):
    tests_py = (CONTENT / slug / "tests.py").read_text(encoding="utf-8")
    names = [c["name"] for c in _load_tests(tests_py)["cases"](np.random.default_rng(0))]
    assert all(isinstance(n, dict) and set(n) == {"en", "ko"} for n in names), names
    for name in names:
        assert HANGUL.search(name["ko"]) and any(t in name["ko"] for t in NAME_TERMS), name
        assert not [w for w in NOT_OUR_TERMS if w in name["ko"]]
        assert not re.search("[A-Za-z]{2}", name["ko"]), name  # no English left in the Korean
        # the sizes and numbers of a case are the same in both
        assert sorted(re.findall(r"\d+", name["ko"])) == sorted(re.findall(r"\d+", name["en"]))
    assert len({n["ko"] for n in names}) == len(names)


def test_the_bank_has_code_problems():
    assert len(CODE_SLUGS) == 5


@pytest.mark.parametrize("slug", SLUGS)
def test_the_figures_are_the_same_drawings_with_korean_words(slug):
    english, korean = texts(slug)
    en_svgs, ko_svgs = SVG.findall(english), SVG.findall(korean)
    assert [geometry(s) for s in ko_svgs] == [geometry(s) for s in en_svgs]
    for svg in ko_svgs:
        label = re.search(r'aria-label="([^"]*)"', svg).group(1)
        title = re.search(r"<title>(.*?)</title>", svg).group(1)
        assert HANGUL.search(label) and HANGUL.search(title)
        words = [
            w for w in re.findall(r"<text[^>]*>(.*?)</text>", svg) if re.search("[A-Za-z]{3}", w)
        ]
        assert not [w for w in words if not HANGUL.search(w) and "ReLU" not in w], words


@pytest.mark.django_db
def test_variants_answers_and_grades_are_the_same_in_both_languages(api, student, cohort):
    import_problems(CONTENT)
    problems = list(Problem.objects.exclude(kind="code"))
    factories.make_assignment(cohort, problems, variant_policy=VariantPolicy.PER_STUDENT)
    client = api(student)
    for problem in problems:
        url = f"/api/v1/problems/{problem.slug}"
        ko = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").json()
        en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
        assert (ko["language"], en["language"]) == ("ko", "en")
        assert ko["title"] != en["title"] and ko["statement"] != en["statement"]
        text_fields = ("title", "statement", "language", "answer_format", "hints")
        assert {k: v for k, v in ko.items() if k not in text_fields} == {
            k: v for k, v in en.items() if k not in text_fields
        }, problem.slug
        # A choice's options read in Korean; their keys, order and the rest are the same.
        ko_format, en_format = dict(ko["answer_format"]), dict(en["answer_format"])
        ko_options, en_options = ko_format.pop("options", []), en_format.pop("options", [])
        assert ko_format == en_format
        assert [o["key"] for o in ko_options] == [o["key"] for o in en_options]
        assert all(HANGUL.search(o["text"]) for o in ko_options), problem.slug
        kind = get_kind(problem.kind)
        answer = kind.expected(problem.spec, en["params"])
        assert kind.grade(problem.spec, ko["params"], answer).verdict == Verdict.CORRECT
