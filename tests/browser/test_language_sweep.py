"""The whole product walked in Chromium, in each language: what a reader sees once the page's
scripts ran (the JavaScript catalogue's strings, htmx-swapped fragments, a dialog opened, a
form sent back with its errors) holds no English for a ``ko`` reader and no Hangul of the
interface's own for an ``en`` reader.

The server-rendered HTML of every page is checked without a browser (``tests/i18n``); this
walk adds what only a browser shows. The worlds are those tests' (``world``: a student with a
wrong attempt on a problem of each kind, a running and a handed-in quiz; ``seeded``: a cohort
with something on every instructor page), and so is what counts as content rather than
interface (names, titles, slugs, the grader's stored messages, authors' text).
"""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.i18n.test_api_docs import ALLOWED as API_DOCS_ALLOWED
from tests.i18n.test_instructor_pages import ALLOWED as STAFF_ALLOWED
from tests.i18n.test_instructor_pages import content_strings, seeded  # noqa: F401 - fixture
from tests.i18n.test_student_pages import ALLOWED as STUDENT_ALLOWED
from tests.i18n.test_student_pages import ANSWER_TOKENS, data_of, world  # noqa: F401 - fixture
from tests.i18n.visible_text import english_words, hangul, visible_texts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The regions a reader meets: the header (navigation, the language switch) and the page.
REGIONS = ("title", "header", "main")
#: The language switch names each language in itself (``lang`` on each option).
LANGUAGE_NAMES = {"English", "한국어"}
#: What the student types where a number belongs: quoted back to them as they typed it.
TYPED = "forty two"


def in_language(page, live_server, language: str):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    return page


def shown(page) -> list[str]:
    """What the reader sees now: the page after its scripts, an open dialog included."""
    page.wait_for_load_state("networkidle")
    return visible_texts(page.content(), REGIONS)


class Sweep:
    """Walks pages in one language and keeps, per page, what does not belong there."""

    def __init__(self, page, language: str, content: set[str], allowed: set[str]):
        self.page, self.language = page, language
        self.content = content | LANGUAGE_NAMES | set(ANSWER_TOKENS) | {TYPED}
        self.allowed = allowed
        self.found: dict[str, list] = {}
        self.visited = 0

    def check(self, name: str, *, allowed: frozenset[str] = frozenset()) -> None:
        texts = shown(self.page)
        assert self.page.locator("html").get_attribute("lang") == self.language, name
        self.visited += 1
        # The page is read, not an empty or foreign one: its own language is on it.
        assert hangul(texts) if self.language == "ko" else english_words(texts), name
        if self.language == "ko":
            left = english_words(texts, content=self.content, allowed=self.allowed | allowed)
        else:
            stripped = [t for t in texts if not any(c and c in t for c in self.content)]
            left = hangul(stripped)
        if left:
            self.found[name] = left[:8]

    def visit(self, name: str, path: str, *, allowed: frozenset[str] = frozenset()) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, (name, path)
        assert response.url.endswith(path), (name, path, response.url)  # not sent to log in
        self.check(name, allowed=allowed)


def walk_student(sweep: Sweep, w: dict) -> None:
    page = sweep.page
    attempts = w["attempts"]
    sweep.visit("dashboard", "/")
    for slug, submission in attempts.items():
        sweep.visit(f"problem {slug}", f"/problems/{slug}?assignment=basics")
        sweep.visit(f"attempt {slug}", f"/submissions/{submission.pk}")
    # The step-through: a cell and "next" swap the window in place (htmx).
    sweep.visit("step-through", f"/submissions/{attempts['conv-single-channel'].pk}")
    page.locator("#stepthrough [data-row='0'][data-col='1']").click()
    page.wait_for_selector("#stepthrough [data-row='0'][data-col='1'][aria-current='true']")
    sweep.check("step-through, a cell chosen")
    page.locator("#stepthrough [data-nav='next']").click()
    page.wait_for_selector("#stepthrough [aria-current='true']")
    sweep.check("step-through, next")
    # A wrong answer sent from the page: the status and the verdict swapped in.
    page.goto("/problems/output-size-padding?assignment=basics")
    page.locator("input[name='answer']").fill("5")
    page.locator("form.answer-form button[type='submit']").click()
    page.wait_for_selector("[data-testid='verdict']", timeout=30_000)
    sweep.check("problem, a wrong answer graded")
    page.goto("/problems/output-size-padding?assignment=basics")
    page.locator("input[name='answer']").fill(TYPED)
    page.locator("form.answer-form button[type='submit']").click()
    page.wait_for_selector("#result .error, #result [data-testid='verdict']")
    sweep.check("problem, an unreadable answer")
    # Quizzes: the list, the running one (its countdown and the hand-in question), the result.
    sweep.visit("quiz list", "/quizzes/")
    sweep.visit("quiz running", f"/quizzes/{w['running'].assignment_id}")
    page.locator("form[action$='/finish'] button[type='submit']").click()
    page.wait_for_selector("#confirm-dialog[open]")
    sweep.check("quiz running, hand-in question")
    page.keyboard.press("Escape")
    sweep.visit("quiz handed in", f"/quizzes/{w['finished'].assignment_id}")
    sweep.visit("leaderboard", f"/cohorts/{w['cohort'].slug}/leaderboard")
    sweep.visit("api docs", "/api/docs", allowed=frozenset(API_DOCS_ALLOWED))
    # Accounts: joining with a wrong code, the password change with its errors.
    sweep.visit("join", "/join")
    page.locator("form input[name='code'], form input[name='join_code']").first.fill("NOPE0000")
    page.locator("main form button[type='submit']").first.click()
    sweep.check("join, a wrong code")
    sweep.visit("password change", "/accounts/password/")
    page.locator("input[name='old_password']").fill("wrong")
    page.locator("input[name='new_password1']").fill("short")
    page.locator("input[name='new_password2']").fill("other")
    page.locator("main form button[type='submit']").first.click()
    sweep.check("password change, errors")


def walk_anonymous(sweep: Sweep) -> None:
    page = sweep.page
    sweep.visit("login", "/accounts/login/")
    page.locator("input[name='username']").fill("nobody")
    page.locator("input[name='password']").fill("wrong")
    page.locator("main form button[type='submit']").first.click()
    sweep.check("login, wrong password")
    sweep.visit("sign-up", "/accounts/signup/")
    page.locator("main form button[type='submit']").first.click()
    sweep.check("sign-up, empty")
    sweep.visit("password reset", "/accounts/password/reset/")
    sweep.visit("reset sent", "/accounts/password/reset/sent/")
    sweep.visit("reset done", "/accounts/reset/done/")


def staff_pages(names: dict) -> dict[str, str]:
    c, a, p = names["c"], names["a"], names["p"]
    return {
        "teach home": "/teach/",
        "problem bank": "/teach/problems/",
        "problem preview": f"/teach/problems/{p}/preview",
        "cohort": f"/teach/{c}/",
        "new assignment": f"/teach/{c}/assignments/new",
        "assignment form": f"/teach/{c}/assignments/{a}/edit",
        "extensions": f"/teach/{c}/assignments/{a}/extensions",
        "integrity": f"/teach/{c}/assignments/{a}/integrity",
        "integrity pair": f"/teach/{c}/assignments/{a}/integrity/{names['code']}/"
        f"{names['s']}-{names['os']}",
        "gradebook": f"/teach/{c}/gradebook",
        "student": f"/teach/{c}/students/{names['s']}",
        "analytics": f"/teach/{c}/problems/{p}/analytics",
        "regrade": f"/teach/{c}/problems/{p}/regrade",
        "regrade job": f"/teach/{c}/regrades/{names['job']}",
        "quiz builder": f"/teach/{c}/quizzes/new",
        "quiz edit": f"/teach/{c}/quizzes/{names['q']}/edit",
        "quiz preview": f"/teach/{c}/quizzes/{names['q']}/preview",
        "quiz monitor": f"/teach/{c}/quizzes/{names['q']}/monitor",
        "quiz results": f"/teach/{c}/quizzes/{names['q']}/results",
    }


def walk_staff(sweep: Sweep, names: dict) -> None:
    page = sweep.page
    for name, path in staff_pages(names).items():
        sweep.visit(name, path)
    # The preview's self-check block (polled in), and forms sent back with their errors.
    page.goto(f"/teach/problems/{names['p']}/preview?check=1")
    sweep.check("problem preview, self-check")
    page.goto(f"/teach/{names['c']}/assignments/new")
    page.locator("main form button[type='submit']").first.click()
    sweep.check("new assignment, errors")
    page.goto(f"/teach/{names['c']}/quizzes/new")
    page.locator("main form button[type='submit']").first.click()
    sweep.check("quiz builder, errors")
    page.goto(f"/teach/{names['c']}/quizzes/{names['q']}/monitor")
    page.locator("form[action$='/close'] button[type='submit']").click()
    page.wait_for_selector("#confirm-dialog[open]")
    sweep.check("quiz monitor, close question")
    page.keyboard.press("Escape")


def report(sweep: Sweep) -> str:
    return "\n".join(f"{name}: {left}" for name, left in sweep.found.items())


@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_student_walks_every_page_in_their_language(
    language,
    world,  # noqa: F811 - the fixture imported above
    new_page,
    live_server,
    client,
):
    client.force_login(world["student"])
    page = in_language(new_page(), live_server, language)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    sweep = Sweep(page, language, data_of(world), STUDENT_ALLOWED)
    walk_student(sweep, world)
    anonymous = Sweep(
        in_language(new_page(), live_server, language), language, sweep.content, STUDENT_ALLOWED
    )
    walk_anonymous(anonymous)
    found = {**sweep.found, **anonymous.found}
    assert found == {}, report(sweep) + "\n" + report(anonymous)
    assert sweep.visited + anonymous.visited > 30


@pytest.mark.parametrize("language", ["ko", "en"])
def test_an_instructor_walks_every_teach_page_in_their_language(
    language,
    seeded,  # noqa: F811 - the fixture imported above
    instructor,
    page_for,
    live_server,
):
    page = in_language(page_for(instructor), live_server, language)
    sweep = Sweep(page, language, content_strings(), STAFF_ALLOWED | {"ReLU", "NumPy", "Python"})
    walk_staff(sweep, seeded)
    assert sweep.found == {}, report(sweep)
    assert sweep.visited > 20


def test_the_sweep_finds_english_where_it_is():
    """The walk's check is not blind: an English word in a Korean page's header, or in a
    button's tooltip, is found; a user's name is not."""
    html = (
        "<html><title>제목</title><header><a>Dashboard</a></header>"
        '<main>민지 <button title="Close now">닫기</button></main></html>'
    )
    found = english_words(visible_texts(html, REGIONS), content={"민지"})
    assert [word for word, _ in found] == ["Dashboard", "Close", "now"]
