"""Korean in Chromium: the header's switch turns a problem page Korean, the statement's Hangul
is drawn by a Korean font (not boxes), and KaTeX typesets every formula, ``\\text{한글}`` too."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Faces that hold Hangul: the CSS stack's (Debian's fonts-noto-cjk gives "Noto Sans CJK KR"),
#: and the serif one Chromium falls back to after KaTeX's own serif inside ``\text{}``.
HANGUL_FACES = (
    "Noto Sans KR",
    "Apple SD Gothic Neo",
    "Malgun Gothic",
    "Noto Sans CJK",
    "Noto Serif CJK",
)


def platform_fonts(page, selector: str) -> dict[str, int]:
    """{font family: glyphs drawn} for the text of the first ``selector`` (Chromium's own
    answer, through the DevTools protocol: what it really drew with, fallbacks included)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"]: f["glyphCount"] for f in fonts}


def test_the_switch_turns_the_problem_page_korean_with_hangul_fonts_and_maths_intact(
    lecture_bank, student, page_for, screenshot
):
    problem = lecture_bank["conv-layer-params"]
    page = page_for(student)
    page.goto(f"/problems/{problem.slug}")
    expect(page.get_by_role("heading", name="Counting a conv layer's parameters")).to_be_visible()
    english_formulas = page.locator(".statement .katex").count()

    page.get_by_label("Language").select_option("ko")
    page.get_by_role("button", name="Change language").click()
    expect(page.get_by_role("heading", name="합성곱 층의 파라미터 수 세기")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    statement = page.locator(".statement")
    expect(statement).to_have_attribute("lang", "ko")
    expect(statement).to_contain_text("가중치 공유")
    expect(statement).to_contain_text("입력의 깊이는")
    # Every formula typeset, none failed (KaTeX marks a failure .katex-error), the same count.
    expect(statement.locator(".katex").first).to_be_visible()
    assert statement.locator(".katex").count() == english_formulas > 0
    expect(statement.locator(".katex-error")).to_have_count(0)
    # The student's own numbers sit in the Korean sentence.
    expect(statement.locator(".katex").filter(has_text="C=3")).to_have_count(1)

    stack = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert stack.endswith(
        '"Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans CJK KR", sans-serif'
    ), stack  # a Hangul face on Android/Linux, macOS/iOS, Windows and Debian, in that order
    drawn = platform_fonts(page, ".statement p")
    hangul = {f: n for f, n in drawn.items() if f.startswith(HANGUL_FACES[:4])}
    assert hangul and sum(hangul.values()) > 50, drawn  # the page's sans stack, not a fallback
    # Hangul inside \text{...} of a display formula is drawn by a Korean face as well.
    display_text = platform_fonts(page, ".statement .katex-display .text")
    assert any(f.startswith(HANGUL_FACES) for f in display_text), display_text
    screenshot(page, "problem-korean-conv-layer-params")

    # The choice sticks: the dashboard comes in Korean too, with the Korean title.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("link", name="합성곱 층의 파라미터 수 세기")).to_be_visible()


def test_every_korean_statement_typesets_without_a_katex_error(
    lecture_bank, student, page_for, live_server
):
    page = page_for(student)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ko", "url": live_server.url}]
    )
    failures = {}
    for slug in sorted(lecture_bank):
        page.goto(f"/problems/{slug}")
        statement = page.locator(".statement")
        expect(statement).to_have_attribute("lang", "ko")
        page.wait_for_function("() => !!window.renderMathInElement")
        errors = statement.locator(".katex-error").all_inner_texts()
        if errors:
            failures[slug] = errors
    assert failures == {}
