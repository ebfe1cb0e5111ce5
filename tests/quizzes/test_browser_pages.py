"""In Chromium: what a student and an instructor see on the quiz pages (maths typeset by the
vendored KaTeX, unreadable answers refused on the spot, the total after handing in, and a
confirmation before the actions that cannot be undone)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from exercises.bank.importer import import_problems
from exercises.quizzes import services as quizzes
from tests.quizzes.conftest import screenshot, staff_url
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


def test_an_unreadable_answer_is_refused_and_handing_in_asks_then_shows_the_total(
    browser_page, live_server, make_quiz, student, eager_celery
):
    from exercises.models import QuizAttempt, Submission
    from tests.quizzes.conftest import answer_for
    from tests.quizzes.test_quizzes import drawn_items

    page = browser_page
    now = timezone.now()
    quiz = make_quiz(
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=1),
        feedback_policy="after_submission",
    )
    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/quizzes/{quiz.assignment_id}")
    page.click("#quiz-start")
    page.wait_for_selector("#quiz-clock")

    # Words where a number belongs: refused on the spot, with the reason, and no try used.
    page.fill("#id_q1-answer", "hello <b>x</b>")
    page.click("text=Submit answer 1")
    error = page.locator("#quiz-error")
    assert "'hello <b>x</b>' is not a number." in error.inner_text()
    assert "used no try" in error.inner_text()
    assert "Answer recorded" not in page.inner_text("#q1")
    assert "0 of 1 try used" in page.inner_text("#q1")
    assert not Submission.objects.exists()
    screenshot(page, "unreadable-refused")

    item = drawn_items(QuizAttempt.objects.get())[0]
    page.fill("#id_q1-answer", str(answer_for(student, item)))
    page.click("text=Submit answer 1")
    page.wait_for_selector("#q1 .recorded")

    # Hand in asks first and says what will happen; Cancel changes nothing.
    page.click("#quiz-finish")
    dialog = page.locator("#confirm-dialog")
    assert dialog.is_visible()
    assert "You have answered 1 of 3 questions" in dialog.inner_text()
    assert "cannot answer again" in dialog.inner_text()
    screenshot(page, "hand-in-confirm")
    page.click("#confirm-cancel")
    assert not dialog.is_visible()
    assert page.locator("#quiz-clock").is_visible()
    assert QuizAttempt.objects.get().finished_at is None

    page.click("#quiz-finish")
    page.get_by_role("button", name="Hand in the quiz").last.click()
    page.wait_for_selector("#quiz-over")
    assert QuizAttempt.objects.get().finished_at is not None
    assert "Your total: 2 of 6 points." in page.inner_text("#quiz-total")
    screenshot(page, "handed-in-total")

    page.goto(f"{live_server.url}/")
    assert page.locator("#open-quizzes").count() == 0  # no longer "open now" for alice


def test_closing_a_quiz_for_everyone_asks_first(
    browser_page, live_server, make_quiz, student, instructor
):
    from exercises.models import QuizSettings

    page = browser_page
    now = timezone.now()
    quiz = make_quiz(opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=1))
    quizzes.start_quiz(student, quiz)
    log_in(page, live_server.url, "iris")
    page.goto(f"{live_server.url}/quizzes/{quiz.assignment_id}/monitor")
    page.click("#quiz-close")
    dialog = page.locator("#confirm-dialog")
    assert dialog.is_visible()
    text = dialog.inner_text()
    assert "Quiz 1 ends now for every student: 1 still working is stopped at once" in text
    assert "cannot be undone" in text
    screenshot(page, "close-confirm")
    page.keyboard.press("Escape")  # Esc is Cancel
    assert not dialog.is_visible()
    assert QuizSettings.objects.get().closed_early_at is None

    page.click("#quiz-close")
    page.click("#confirm-ok")
    page.wait_for_url(f"**/quizzes/{quiz.assignment_id}/results")
    assert QuizSettings.objects.get().closed_early_at is not None


def test_rotating_the_code_and_disabling_joining_ask_first(
    browser_page, live_server, make_quiz, cohort, instructor
):
    from exercises.models import Cohort

    page = browser_page
    quiz = make_quiz()
    log_in(page, live_server.url, "iris")
    page.goto(f"{live_server.url}/teach/{cohort.slug}/")
    code = cohort.join_code
    dialog = page.locator("#confirm-dialog")

    page.get_by_role("button", name="Rotate the code").click()
    assert f"{code} stops working at once" in dialog.inner_text()
    page.click("#confirm-cancel")
    assert Cohort.objects.get().join_code == code
    page.get_by_role("button", name="Rotate the code").click()
    page.click("#confirm-ok")
    page.wait_for_selector("text=New join code")
    assert Cohort.objects.get().join_code != code

    page.get_by_role("button", name="Disable joining").click()
    assert "Nobody can join ML 101 with a code" in dialog.inner_text()
    page.click("#confirm-cancel")
    assert Cohort.objects.get().join_enabled
    page.get_by_role("button", name="Disable joining").click()
    page.click("#confirm-ok")
    page.wait_for_selector("text=Joining by code is disabled")
    assert not Cohort.objects.get().join_enabled

    # The quiz's "edit" opens the quiz editor, not the generic assignment form.
    page.locator(f'a[href="{staff_url(quiz, "edit")}"]').click()
    assert page.locator("h1").inner_text() == "Edit Quiz 1"
    assert "pools and points per try are locked" not in page.inner_text("main")  # none started
    assert page.locator("textarea[name=pools]").count() == 1


def test_the_gradebook_shows_each_students_own_maximum(
    browser_page, live_server, make_quiz, cohort, instructor, student, other_student, t0
):
    from tests import factories
    from tests.quizzes.conftest import TEST_KIND
    from tests.quizzes.test_gradebook import sit

    factories.make_problem("big", kind=TEST_KIND, spec={}, title="Big", points=5)
    quiz = make_quiz(pools=[quizzes.PoolSpec(1, ("qn-1", "big"))], feedback_policy="immediate")
    sit(quiz, student, "qn-1", t0, right=True)
    sit(quiz, other_student, "big", t0, right=False)
    page = browser_page
    log_in(page, live_server.url, "iris")
    page.goto(f"{live_server.url}/teach/{cohort.slug}/gradebook")
    assert "Total /7" not in page.inner_text("#gradebook thead")
    alice = page.locator('tr[data-user="alice"]')
    bob = page.locator('tr[data-user="bob"]')
    assert alice.locator("td.total").inner_text() == "2 / 2"
    assert bob.locator("td.total").inner_text() == "0 / 5"
    assert alice.locator("td.not-drawn").inner_text() == "not drawn"
    assert bob.locator("td.not-drawn").inner_text() == "not drawn"
    screenshot(page, "gradebook-per-draw")


def test_a_question_drawn_to_nobody_shows_no_mean_score(
    browser_page, live_server, instructor, cohort, student
):
    """A pool of two draws one question per student: the other, drawn to nobody, has no mean
    score to show ("—", as its Solved cell shows no percentage), not a 0% that reads as
    everyone failing it."""
    import_problems(settings.STRIDE["CONTENT_DIR"])
    now = timezone.now()
    quiz = quizzes.create_quiz(
        instructor,
        cohort,
        title="Sizes quiz",
        slug="sizes-quiz",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=1),
        time_limit_minutes=30,
        attempt_points=[100],
        feedback_policy="immediate",
        pools=[quizzes.PoolSpec(1, ("output-size-stride", "output-size-padding"))],
        published=True,
    )
    quizzes.start_quiz(student, quiz)
    page = browser_page
    log_in(page, live_server.url, "iris")
    page.goto(f"{live_server.url}/teach/{cohort.slug}/quizzes/{quiz.assignment_id}/results")
    rows = page.locator("#quiz-question-stats tbody tr")
    assert rows.count() == 2
    cells = [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()] for i in range(2)]
    drawn = {row[1]: row for row in cells}
    assert set(drawn) == {"0", "1"}
    assert drawn["0"][4] == "—"
    assert drawn["1"][4] == "0%"  # drawn, not yet answered: a real zero
