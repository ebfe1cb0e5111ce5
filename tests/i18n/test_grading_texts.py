"""Grading speaks Korean and English: every text grading produces (misconceptions, check and
answer-reading messages, run messages, step-through captions) has a Korean template with the
English one's placeholders; every bank problem's declared misconceptions read in Korean, with
the same numbers, on real variants; stored feedback renders in the reader's language and old
(English-only) feedback keeps rendering."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from exercises.bank.importer import problem_folders
from exercises.bank.statements import HANGUL
from exercises.pages import stepthrough  # noqa: F401 - defines the step-through's captions
from grader import texts
from grader.grading import params_for
from grader.kinds import code_misconceptions as cm
from grader.kinds import get_kind
from grader.kinds.code import _load_tests
from grader.texts import Text, fields

CONTENT = Path(settings.STRIDE["CONTENT_DIR"])
FOLDERS = problem_folders(CONTENT)
#: Texts that are the same in both languages: JSON's literals and pure formulas.
SAME_IN_BOTH = {"value.true", "value.false"}
#: Words the lecture does not use for its terms (its own: 합성곱, 필터, 스트라이드, 패딩, ...).
NOT_OUR_TERMS = ("컨볼루션", "콘볼루션", "보폭", "피처 맵", "특징 맵", "전결합", "바이어스", "커널")
NUMBER = re.compile(r"(?<![A-Za-z])-?\d+(?:\.\d+)?")


def words(template: str) -> str:
    """A template without its placeholders: what a reader reads around the numbers."""
    return re.sub(r"\{[^{}]*\}", " ", template)


def test_every_grading_text_has_korean_with_the_english_placeholders():
    catalogue = texts.catalogue()
    assert len(catalogue) > 300  # misconceptions, checks, answers, runs, captions
    for key, templates in catalogue.items():
        assert set(templates) == set(texts.LANGUAGES), key
        en, ko = templates["en"], templates["ko"]
        assert Counter(fields(ko)) == Counter(fields(en)) or set(fields(ko)) == set(fields(en)), key
        assert set(fields(ko)) == set(fields(en)), key
        if re.search(r"[A-Za-z]{3,}", words(en)) and key not in SAME_IN_BOTH:
            assert HANGUL.search(ko), f"{key}: no Korean in {ko!r}"
        assert not [w for w in NOT_OUR_TERMS if w in ko], key
        # Numbers written into a template (27 products, 180 degrees, 3x3x3) are the same.
        assert sorted(NUMBER.findall(words(ko))) == sorted(NUMBER.findall(words(en))), key


def test_every_text_a_sandbox_run_is_worded_with_is_in_the_catalogue_in_both_languages():
    """The sandbox child names why a call failed (a reason and one fact); the worker words it
    (``grader.sandbox.interpret``). Each such text is a catalogue entry with Korean, and the
    fact the child's name fills is a placeholder of both templates."""
    from grader import run_texts as rt
    from grader.sandbox.interpret import RETURNED

    catalogue = texts.catalogue()
    for key, fact in RETURNED.values():
        assert set(fields(catalogue[key]["en"])) == set(fields(catalogue[key]["ko"]))
        assert set(fields(catalogue[key]["en"])) == ({fact} if fact else set()), key
    worded = [key for key, _ in RETURNED.values()] + [
        rt.MEMORY_ERROR,
        rt.SYS_EXIT,
        rt.REDUCED_TYPE,
        rt.REDUCED_TYPE_AT_LINE,
        rt.REDUCED_EXCEPTION,
        rt.REDUCED_EXCEPTION_AT_LINE,
        rt.REDUCED_NOT_AN_ARRAY,
    ]
    assert len(set(worded)) == 12
    for key in worded:
        assert HANGUL.search(catalogue[key]["ko"]), key


def test_every_recipe_misconception_is_in_the_catalogue_in_both_languages():
    from grader.diagnose import MISCONCEPTIONS, TEXT_FIELDS

    count = 0
    for recipe, table in MISCONCEPTIONS.items():
        for m in table.misconceptions:
            for name in TEXT_FIELDS:
                assert set(texts.CATALOGUE[f"misconception.{recipe}.{m.key}.{name}"]) == {
                    "en",
                    "ko",
                }
            count += 1
    assert count >= 63


def test_a_placeholder_missing_from_korean_is_caught_by_the_rule():
    """The rule above, on a broken pair: the check is not vacuous."""
    assert set(fields("{n} - {f} = {wrong}")) != set(fields("{n} - {f} = ?"))


def _unhidden(data):
    """A text's JSON with no answer hidden (``hide`` dropped everywhere)."""
    if isinstance(data, dict):
        return {k: _unhidden(v) for k, v in data.items() if k != "hide"}
    if isinstance(data, list):
        return [_unhidden(v) for v in data]
    return data


def _korean_feedback_strings(feedback: dict) -> dict[str, tuple[str, str]]:
    """{path: (English, Korean)} for every string of ``feedback`` that has a text."""
    korean = texts.localize(feedback, "ko")
    out = {}
    for path in feedback.get("texts", {}):
        node_en, node_ko = feedback, korean
        for step in path.split("."):
            index = int(step) if isinstance(node_en, list) else step
            node_en, node_ko = node_en[index], node_ko[index]
        out[path] = (node_en, node_ko)
    return out


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_every_bank_problems_declared_misconceptions_read_in_korean_on_real_variants(folder):
    spec = yaml.safe_load((folder / "problem.yaml").read_text(encoding="utf-8"))
    spec.pop("hints", None)
    kind = get_kind(spec["kind"])
    if spec["kind"] == "code":
        spec["tests_source"] = (folder / "tests.py").read_text(encoding="utf-8")
        known = cm.read_misconceptions(_load_tests(spec["tests_source"]))
        assert set(cm.selected_keys(spec, known)) == set(kind.diagnosable(spec))
        for key in kind.diagnosable(spec):
            for text in (known[key].title, known[key].explanation):
                assert isinstance(text, Text) and HANGUL.search(text.render("ko")), key
                assert NUMBER.findall(text.render("ko")) == NUMBER.findall(str(text)), key
        return
    declared = set(kind.diagnosable(spec))
    diagnosed = set()
    for seed in (None, *range(12)):
        params = params_for(spec["kind"], spec, seed)
        for key, answer in kind.wrong_answers(spec, params).items():
            grade = kind.grade(spec, params, answer)
            feedback = grade.feedback
            misconception = feedback.get("misconception")
            if misconception is None or misconception["key"] != key:
                continue
            diagnosed.add(key)
            shown = _korean_feedback_strings(feedback)
            for name in ("title", "explanation"):
                assert f"misconception.{name}" in shown, (key, name)
            assert "message" in shown
            for path, (en, ko) in shown.items():
                if re.search(r"[A-Za-z]{3,}", en):  # words around the numbers, not a formula
                    assert HANGUL.search(ko), (folder.name, key, path, ko)
                assert "{" not in ko.replace("{{", ""), (key, path, ko)
                # the student's numbers, the same in both (compared before the answer is hidden:
                # English also hides "is 7" in "the padded input is 7 + 2*1" when 7 is the answer)
                text = Text.from_json(_unhidden(feedback["texts"][path]))
                en, ko = text.render("en"), text.render("ko")
                assert sorted(NUMBER.findall(ko)) == sorted(NUMBER.findall(en)), (key, path, en, ko)
    assert diagnosed == declared, f"{folder.name}: never diagnosed {declared - diagnosed}"


def test_stored_feedback_renders_in_korean_and_old_feedback_stays_english():
    from grader.kinds.number import KIND

    spec = yaml.safe_load((CONTENT / "conv-layer-params" / "problem.yaml").read_text("utf-8"))
    spec.pop("hints")
    params = KIND.generate(spec, None)
    grade = KIND.grade(spec, params, 750)  # the bias forgotten: (5*5*3)*10
    stored = grade.to_dict()["feedback"]
    assert stored["misconception"]["title"] == "Forgot the bias"
    assert stored["texts"]["misconception.title"] == {
        "key": "misconception.conv-layer-params.forgot-bias.title"
    }
    korean = texts.localize(stored, "ko")
    assert korean["misconception"]["title"] == "편향을 빠뜨림"
    assert "750" in korean["misconception"]["explanation"]
    assert "= ?" in korean["misconception"]["explanation"]  # the answer is left to find
    assert "760" not in korean["misconception"]["explanation"]
    assert "texts" not in korean
    # English reads exactly as stored, and a grade stored before texts existed stays English.
    assert texts.localize(stored, "en") == {k: v for k, v in stored.items() if k != "texts"}
    old = {k: v for k, v in stored.items() if k != "texts"}
    assert texts.localize(old, "ko") == old
    # A text whose key has since gone keeps its stored English, never an error.
    broken = {**stored, "texts": {"message": {"key": "no.such.key"}}}
    assert texts.localize(broken, "ko")["message"] == stored["message"]
