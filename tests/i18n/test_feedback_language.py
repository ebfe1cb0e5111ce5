"""Feedback, hints and choice options in the reader's language: the API renders a grade's texts
in the language asked for (English by default, exactly as stored), the pages in the switch's;
hints are written in both languages and checked in both; old feedback stays English."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone, translation

from exercises.assignments import presenters
from exercises.bank import hints
from exercises.bank.importer import import_problems, parse_folder
from exercises.bank.statements import HANGUL
from exercises.models import Problem, Submission, VariantPolicy
from grader.kinds import SpecError
from tests import factories

pytestmark = pytest.mark.django_db

BANK = Path(settings.STRIDE["CONTENT_DIR"])


@pytest.fixture
def bank(cohort):
    import_problems(BANK / "conv-layer-params")
    import_problems(BANK / "cnn-concepts")
    problems = list(Problem.objects.filter(slug__in=["conv-layer-params", "cnn-concepts"]))
    factories.make_assignment(cohort, problems, variant_policy=VariantPolicy.PINNED)
    return {p.slug: p for p in problems}


def _graded(api, student, slug, answer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = api(student).post(
            f"/api/v1/problems/{slug}/submissions", {"answer": answer}, format="json"
        )
    assert body.status_code == 202, body.content
    return Submission.objects.get(pk=body.json()["id"])


def test_the_api_renders_a_diagnosis_in_the_language_asked_for(
    api, student, bank, eager_celery, django_capture_on_commit_callbacks
):
    submission = _graded(api, student, "conv-layer-params", 750, django_capture_on_commit_callbacks)
    stored = submission.feedback
    assert stored["misconception"]["key"] == "forgot-bias" and "texts" in stored
    url = f"/api/v1/submissions/{submission.pk}"

    english = api(student).get(url).json()
    assert english["feedback_language"] == "en"
    # Every existing field, with the English value it had before Korean existed.
    assert english["feedback"] == {k: v for k, v in stored.items() if k != "texts"}
    assert english["feedback"]["misconception"]["title"] == "Forgot the bias"

    korean = api(student).get(url, HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9").json()
    assert korean["feedback_language"] == "ko"
    assert korean["feedback"].keys() == english["feedback"].keys()
    diagnosis = korean["feedback"]["misconception"]
    assert diagnosis["key"] == "forgot-bias"  # keys never change with the language
    assert diagnosis["title"] == "편향을 빠뜨림"
    assert "필터마다 편향도 하나씩" in diagnosis["explanation"]
    assert "(5*5*3)*10 = 750" in diagnosis["explanation"]  # the same numbers
    assert HANGUL.search(korean["feedback"]["message"])
    assert "texts" not in korean["feedback"]


def test_feedback_stored_before_texts_reads_in_english_whatever_is_asked(
    api, student, bank, eager_celery, django_capture_on_commit_callbacks
):
    submission = _graded(api, student, "conv-layer-params", 750, django_capture_on_commit_callbacks)
    old = {k: v for k, v in submission.feedback.items() if k != "texts"}
    Submission.objects.filter(pk=submission.pk).update(feedback=old)
    korean = (
        api(student).get(f"/api/v1/submissions/{submission.pk}", HTTP_ACCEPT_LANGUAGE="ko").json()
    )
    assert korean["feedback"] == old
    assert korean["feedback_language"] == "en"


def test_the_problem_page_shows_the_diagnosis_in_korean_to_a_korean_reader(
    client, api, student, bank, eager_celery, django_capture_on_commit_callbacks
):
    submission = _graded(api, student, "conv-layer-params", 750, django_capture_on_commit_callbacks)
    client.force_login(student)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    page = client.get(f"/submissions/{submission.pk}").content.decode()
    assert "편향을 빠뜨림" in page and "(5*5*3)*10 = 750" in page
    history = client.get("/problems/conv-layer-params").content.decode()
    assert "편향을 빠뜨림" in history  # the attempts list too
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Forgot the bias" in client.get(f"/submissions/{submission.pk}").content.decode()


def test_choice_options_read_in_korean_and_grade_the_same(
    api, student, bank, eager_celery, django_capture_on_commit_callbacks
):
    url = "/api/v1/problems/cnn-concepts"
    korean = api(student).get(url, HTTP_ACCEPT_LANGUAGE="ko").json()["answer_format"]
    english = api(student).get(url).json()["answer_format"]
    assert [o["key"] for o in korean["options"]] == [o["key"] for o in english["options"]]
    by_key = {o["key"]: o["text"] for o in korean["options"]}
    assert by_key["shared"] == "필터는 이미지의 모든 위치에서 같은 가중치와 같은 편향을 씁니다."
    submission = _graded(
        api,
        student,
        "cnn-concepts",
        ["local", "shared", "compose", "extract", "depth", "pool-weights"],
        django_capture_on_commit_callbacks,
    )
    assert submission.verdict == "incorrect"  # all or nothing, whatever the language
    body = (
        api(student).get(f"/api/v1/submissions/{submission.pk}", HTTP_ACCEPT_LANGUAGE="ko").json()
    )
    assert body["feedback"]["misconception"]["key"] == "option:pool-weights"
    assert (
        body["feedback"]["misconception"]["title"] == "풀링 층도 합성곱 층처럼 가중치를 학습합니다."
    )
    assert "풀링에는 가중치가 없습니다" in body["feedback"]["message"]


# --- hints ----------------------------------------------------------------------------------------


def test_a_hint_is_plain_text_or_one_text_per_language():
    both = hints.read_hints(
        [
            {"text": {"en": "Count the bias.", "ko": "편향을 세세요."}, "after": 1},
            {"text": "Plain", "after": 2},
        ],
        (),
    )
    assert both[0].text_in("ko") == "편향을 세세요." and both[0].text_in("en") == "Count the bias."
    assert both[1].text_in("ko") == "Plain"  # one text: every language reads it
    assert hints.from_json([h.to_json() for h in both]) == both


@pytest.mark.parametrize(
    "text, path",
    [
        ({"ko": "편향"}, "hints[0].text"),  # no English
        ({"en": "x", "fr": "y"}, "hints[0].text.fr"),  # a language Stride is not in
        ({"en": "x", "ko": " "}, "hints[0].text.ko"),
        ({"en": "x", "ko": "$\\text{a} 편향$"}, "hints[0].text.ko"),  # Hangul inside maths
        ({"en": "x", "ko": "{{ n }}"}, "hints[0].text.ko"),
    ],
)
def test_each_language_of_a_hint_is_checked(text, path):
    with pytest.raises(SpecError) as raised:
        hints.read_hints([{"text": text, "after": 1}], ())
    assert raised.value.path == path


def test_every_bank_hint_is_in_korean_and_the_korean_counts_in_the_content_hash(tmp_path):
    import yaml

    for folder in sorted(BANK.glob("*/problem.yaml")):
        for hint in yaml.safe_load(folder.read_text(encoding="utf-8")).get("hints", []):
            assert set(hint["text"]) == {"en", "ko"}, folder.parent.name
            assert HANGUL.search(hint["text"]["ko"]), folder.parent.name
    copy = tmp_path / "conv-layer-params"
    shutil.copytree(BANK / "conv-layer-params", copy)
    before = parse_folder(copy, errors := [])
    yaml_path = copy / "problem.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(
        text.replace("편향 $b$가 하나 있습니다", "편향 $b$가 꼭 하나 있습니다"), "utf-8"
    )
    after = parse_folder(copy, errors)
    assert errors == [] and before.content_hash != after.content_hash
    assert after.fields["hints"][1]["text"]["ko"].startswith("필터마다 가중치 말고도")


def test_an_unlocked_hint_reads_in_the_readers_language(bank):
    problem = bank["conv-layer-params"]
    hint = hints.from_json(problem.hints)[1]
    unlock = SimpleNamespace(
        how="misconception", misconception="forgot-bias", cost=0.0, unlocked_at=timezone.now()
    )
    with translation.override("ko"):
        assert presenters.hint_payload(hint, unlock)["text"].startswith("필터마다 가중치 말고도")
    with translation.override("en"):
        assert presenters.hint_payload(hint, unlock)["text"].startswith("Each filter has one bias")


def test_an_ambiguous_number_is_refused_in_the_readers_language(api, student, bank):
    url = "/api/v1/problems/conv-layer-params/submissions"
    korean = api(student).post(url, {"answer": "45,126"}, format="json", HTTP_ACCEPT_LANGUAGE="ko")
    english = api(student).post(url, {"answer": "45,126"}, format="json")
    assert korean.status_code == english.status_code == 400
    assert english.json()["error"]["message"].startswith("'45,126' is ambiguous: 45126")
    message = korean.json()["error"]["message"]
    assert "두 가지로 읽힙니다" in message and "45126" in message and "45.126" in message
    assert korean.json()["error"]["code"] == english.json()["error"]["code"] == "ambiguous_number"
