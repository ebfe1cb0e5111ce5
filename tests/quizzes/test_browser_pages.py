"""In Chromium: what a student and an instructor see on the quiz pages (maths typeset by the
vendored KaTeX, unreadable answers refused on the spot, the total after handing in, and a
confirmation before the actions that cannot be undone)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from exercises import quizzes
from exercises.importer import import_problems
from tests.quizzes.conftest import screenshot
from tests.quizzes.test_browser import log_in

pytestmark = pytest.mark.browser

# TeX that must never reach the reader as text: KaTeX turns it into typeset maths.
RAW_TEX = ("$", "\\frac", "\\begin{bmatrix}", "\\times")


def visible_text_outside_maths(page, selector: str) -> str:
    """The text of ``selector`` with KaTeX's output removed (its hidden MathML keeps the TeX
    source for screen readers and copy-paste): what is left must hold no raw TeX."""
    return page.eval_on_selector(
        selector,
        """root => {
            const copy = root.cloneNode(true);
            copy.querySelectorAll('.katex').forEach(node => node.remove());
            return copy.textContent;
        }""",
    )


def assert_maths_typeset(page, selector: str) -> None:
    page.wait_for_selector(f"{selector} .katex")
    text = visible_text_outside_maths(page, selector)
    for tex in RAW_TEX:
        assert tex not in text, f"raw {tex!r} visible in {selector}"


@pytest.fixture
def maths_quiz(instructor, cohort):
    """A running quiz of three bank problems whose statements are full of maths: display
    maths with ``\\frac``, a ``bmatrix`` and inline ``$3 \\times 3$``."""
    import_problems(settings.STRIDE["CONTENT_DIR"])
    now = timezone.now()
    return quizzes.create_quiz(
        instructor,
        cohort,
        title="Maths quiz",
        slug="maths-quiz",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=1),
        time_limit_minutes=30,
        attempt_points=[100],
        feedback_policy="after_close",
        pools=[
            quizzes.PoolSpec(1, ("output-size-stride",)),
            quizzes.PoolSpec(1, ("dot-product-3x3",)),
            quizzes.PoolSpec(1, ("dot-product-27",)),
        ],
        published=True,
    )


def test_maths_is_typeset_on_the_quiz_its_preview_and_the_problem_preview(
    browser_page, live_server, maths_quiz, student
):
    page = browser_page
    base = live_server.url
    log_in(page, base, "alice")
    page.goto(f"{base}/quizzes/{maths_quiz.assignment_id}")
    page.click("#quiz-start")
    page.wait_for_selector("#quiz-clock")
    for position in (1, 2, 3):
        assert_maths_typeset(page, f"#q{position} .statement")
    screenshot(page, "maths-take")

    page.context.clear_cookies()
    log_in(page, base, "iris")
    page.goto(f"{base}/quizzes/{maths_quiz.assignment_id}/preview")
    assert page.locator(".quiz-question").count() == 3
    assert_maths_typeset(page, "main")
    screenshot(page, "maths-preview")

    for slug in ("output-size-stride", "dot-product-3x3", "dot-product-27"):
        page.goto(f"{base}/teach/problems/{slug}/preview")
        assert_maths_typeset(page, "#statement")
    screenshot(page, "maths-problem-preview")
