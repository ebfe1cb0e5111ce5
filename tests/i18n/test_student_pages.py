"""Every student page in Korean: no English left in the interface of a ``ko`` reader, and the
same pages in English for an ``en`` reader.

Each page is rendered as a student of a cohort working on the lecture's bank (a graded attempt
with feedback on a problem of each kind, a quiz running and one handed in, the leaderboard, the
account pages). Its visible text (text nodes, and the ``aria-label``, ``title``, ``alt``,
``placeholder`` and button values a screen reader reads) is collected, leaving out what is not
the interface's: ``<code>``/``<pre>``, KaTeX, problem statements, parts marked with another
``lang`` (the language switch names each language in itself), and the data the page shows
(usernames, cohort and assignment titles, the grader's messages and diagnoses, test names,
a choice problem's options and the answer sent: translated where they are made, if at all, not
by the page). What remains must not hold an English word.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from exercises.accounts import services as accounts
from exercises.models import Problem, Role, Submission, TestResult
from exercises.quizzes import services as quizzes
from tests import factories
from tests.browser.conftest import _import_bank
from tests.i18n.visible_text import FORMULA

pytestmark = pytest.mark.django_db

#: ASCII words a Korean page keeps, and why: the product's name; acronyms and names Korean
#: text writes in Latin letters (the lecture does too); the time zone's abbreviation that the
#: date format prints; the names printed on keyboard keys; a tensor layout that a problem's
#: Korean title names as the lecture does ("합성곱 층 구현하기 (NCHW)"). Formulas are taken
#: out before the words are read (``FORMULA`` below).
ALLOWED = {
    "Stride",
    "API",
    "CNN",
    "CSV",
    "JSON",
    "ReLU",
    "NumPy",
    "Python",
    "KST",
    "UTC",
    "Esc",
    "Tab",
    "Enter",
    "NCHW",
}
WORD = re.compile(r"[A-Za-z]{3,}")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: Elements whose text is not the interface's own (code, formulas, statements, scripts).
SKIPPED_TAGS = {"code", "pre", "script", "style", "textarea"}
SKIPPED_CLASSES = {"katex", "statement", "hint-text", "code-input"}
ATTRIBUTES = ("aria-label", "title", "alt", "placeholder", "data-confirm", "data-confirm-button")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class VisibleText(HTMLParser):
    """The interface's text of a page in ``language`` (see the module's docstring)."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[bool] = []  # per open element: is its text skipped?
        self.found: list[str] = []

    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        skip = (
            self.skipping()
            or tag in SKIPPED_TAGS
            or bool(classes & SKIPPED_CLASSES)
            or attrs.get("lang", self.language) != self.language
        )
        if tag == "html":
            skip = False
        if not skip:
            self.found.extend(attrs[a] for a in ATTRIBUTES if attrs.get(a))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.found.append(attrs["value"])
        if tag not in VOID:
            self.stack.append(skip)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.skipping() and data.strip():
            self.found.append(data.strip())


def visible_text(html: str, language: str) -> list[str]:
    parser = VisibleText(language)
    parser.feed(html)
    return parser.found


def without_data(texts: list[str], data: set[str]) -> list[str]:
    """``texts`` with every occurrence of the page's data taken out (longest first)."""
    out = []
    for text in texts:
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        out.append(text)
    return out


#: What a student types as an answer, quoted as it is in every language (like code).
ANSWER_TOKENS = ("does-not-fit",)


def english_words(texts: list[str]) -> list[str]:
    texts = [FORMULA.sub(" ", t) for t in without_data(texts, set(ANSWER_TOKENS))]
    return sorted({w for t in texts for w in WORD.findall(t) if w not in ALLOWED})


# --- the student's world -------------------------------------------------------------------------


@pytest.fixture
def world(db, eager_celery, django_capture_on_commit_callbacks):
    """A student (a Korean username), an instructor, a cohort in Seoul with the lecture's bank,
    an attempt with feedback on a problem of each kind, a running and a finished quiz."""
    cohort = factories.make_cohort("cnn-club", name="합성곱 스터디", timezone="Asia/Seoul")
    student = factories.make_user("민지", email="minji@example.com")
    factories.add_member(student, cohort, Role.STUDENT, display_name="민지 킴")
    rival = factories.make_user("서준")
    factories.add_member(rival, cohort, Role.STUDENT, display_name="서준")
    instructor = factories.make_user("교수")
    factories.add_member(instructor, cohort, Role.INSTRUCTOR)
    problems = {p.slug: p for p in _import_bank()}
    assignment = factories.make_assignment(
        cohort,
        list(problems.values()),
        title="기초 과제",
        slug="basics",
        due_at=timezone.now() + timedelta(days=3),
    )
    client = Client()
    client.force_login(student)
    fmt = client.get("/problems/conv-single-channel").context["detail"]["answer_format"]
    ones = "\n".join(" ".join("1" for _ in range(fmt["cols"])) for _ in range(fmt["rows"]))
    wrong = {
        "conv-single-channel": {"answer": ones},
        "output-size-padding": {"answer": "4"},
        "feature-map-volume": {"dim-0": "1", "dim-1": "2", "dim-2": "3"},
        "cnn-concepts": {"choice": ["local", "fc-first"]},
    }
    attempts = {}
    for slug, form in wrong.items():
        assert slug in problems, sorted(problems)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/problems/{slug}?assignment=basics", form)
        assert response.status_code == 302, response.content.decode()[:600]
        attempts[slug] = Submission.objects.filter(problem__slug=slug).latest("id")
    attempts["implement-conv2d"] = graded_code_attempt(student, problems, assignment)
    running = quiz(instructor, cohort, "running-quiz", "달리는 퀴즈", "output-size-stride")
    finished = quiz(instructor, cohort, "finished-quiz", "끝난 퀴즈", "pool-output-size")
    with django_capture_on_commit_callbacks(execute=True):
        for q in (running, finished):
            assert client.post(f"/quizzes/{q.assignment_id}/start").status_code == 302
        client.post(f"/quizzes/{finished.assignment_id}/questions/1", {"answer": "3"})
        client.post(f"/quizzes/{finished.assignment_id}/finish")
    client.get("/")  # the messages those posts left, in the language they were made in
    return {
        "cohort": cohort,
        "student": student,
        "assignment": assignment,
        "attempts": attempts,
        "running": running,
        "finished": finished,
        "client": client,
    }


def graded_code_attempt(student, problems, assignment) -> Submission:
    """A stored grade of ``implement-conv2d`` with a passed, a failed and a hidden test (the
    page draws what the worker stored; the sandbox is not what this test is about)."""
    problem = problems["implement-conv2d"]
    submission = Submission.objects.create(
        user=student,
        problem=problem,
        assignment=assignment,
        payload={"code": "def conv2d(x, w, stride=1, pad=0):\n    return x\n"},
        status="graded",
        verdict="partial",
        score=0.5,
        max_score=problem.points,
        feedback={"stdout": "hello\n", "message": "1 of 3 tests passed."},
    )
    diff = [[0.0, 1.0], [2.0, 0.0]]
    TestResult.objects.create(
        submission=submission, order=0, name="2x2 입력", passed=True, points=1, max_points=1
    )
    TestResult.objects.create(
        submission=submission,
        order=1,
        name="스트라이드 2",
        passed=False,
        max_points=1,
        message="출력이 다릅니다.",
        data={"diff_map": diff},
    )
    TestResult.objects.create(
        submission=submission, order=2, name="숨은 테스트", passed=False, hidden=True, max_points=1
    )
    return submission


def quiz(instructor, cohort, slug, title, problem_slug):
    now = timezone.now()
    return quizzes.create_quiz(
        instructor,
        cohort,
        title=title,
        slug=slug,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=2),
        time_limit_minutes=30,
        attempt_points=[100, 50],
        feedback_policy="immediate",
        pools=[quizzes.PoolSpec(1, (problem_slug,))],
        published=True,
    )


def data_of(world) -> set[str]:
    """What the pages show that is data, not interface (see the module's docstring)."""
    found = {
        "민지",
        "서준",
        "교수",
        "민지 킴",
        "합성곱 스터디",
        "기초 과제",
        "달리는 퀴즈",
        "끝난 퀴즈",
    }
    found |= {"minji@example.com"}
    for s in Submission.objects.all():
        feedback = s.feedback or {}
        found |= {feedback.get("message") or "", feedback.get("hint") or ""}
        misconception = feedback.get("misconception") or {}
        found |= {misconception.get("title") or "", misconception.get("explanation") or ""}
        found |= {s.error_message}
        for t in s.tests.all():
            found |= {t.name, t.message}
    found |= set(Problem.objects.values_list("slug", flat=True))
    for spec in Problem.objects.filter(kind="choice").values_list("spec", flat=True):
        found |= {str(o.get("text") or o.get("label") or "") for o in spec.get("options", [])}
        found |= {str(o.get("key") or "") for o in spec.get("options", [])}
    return {d for d in found if d}


def student_pages(world) -> dict[str, str]:
    """{name: path} of every student page of the interface."""
    a = world["attempts"]
    pages = {
        "dashboard": "/",
        "join": "/join",
        "quiz list": "/quizzes/",
        "quiz running": f"/quizzes/{world['running'].assignment_id}",
        "quiz handed in": f"/quizzes/{world['finished'].assignment_id}",
        "leaderboard": "/cohorts/cnn-club/leaderboard",
        "api docs": "/api/docs",
    }
    for slug, submission in a.items():
        pages[f"problem {slug}"] = f"/problems/{slug}?assignment=basics"
        pages[f"attempt {slug}"] = f"/submissions/{submission.pk}"
    return pages


def anonymous_pages(world) -> dict[str, str]:
    student = world["student"]
    uid = urlsafe_base64_encode(force_bytes(student.pk))
    reset_token = default_token_generator.make_token(student)
    return {
        "login": "/accounts/login/",
        "sign-up": "/accounts/signup/",
        "password reset": "/accounts/password/reset/",
        "reset sent": "/accounts/password/reset/sent/",
        "reset choose": f"/accounts/reset/{uid}/{reset_token}/",
        "reset broken link": f"/accounts/reset/{uid}/not-a-token/",
        "reset done": "/accounts/reset/done/",
        "invitation": accounts.invitation_path(student),
    }


def render(client: Client, path: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path, follow=True)
    assert response.status_code == 200, (path, response.status_code)
    html = response.content.decode()
    assert f'<html lang="{language}">' in html, path
    return html


def interface_text(html: str, language: str, data: set[str], *, chrome_only: bool = False):
    if chrome_only:  # the API's reference is English prose about English field names
        html = re.sub(r"<main.*</main>", "", html, flags=re.S)
    return without_data(visible_text(html, language), data)


# --- the checks ----------------------------------------------------------------------------------


def all_pages(world) -> list[tuple[str, Client, str]]:
    anonymous = Client()
    return [(name, world["client"], path) for name, path in student_pages(world).items()] + [
        (name, anonymous, path) for name, path in anonymous_pages(world).items()
    ]


def test_a_korean_student_sees_no_english_in_the_interface(world):
    data = data_of(world)
    leftovers = {}
    for name, client, path in all_pages(world):
        html = render(client, path, "ko")
        texts = interface_text(html, "ko", data, chrome_only=name == "api docs")
        words = english_words(texts)
        if words:
            leftovers[name] = (words, [t for t in texts if WORD.search(t)][:12])
        assert HANGUL.search(" ".join(texts)), f"{name}: no Korean at all"
    assert leftovers == {}, "\n".join(f"{k}: {v}" for k, v in leftovers.items())


def test_an_english_reader_gets_the_same_pages_in_english(world):
    data = data_of(world)
    korean = {}
    for name, client, path in all_pages(world):
        html = render(client, path, "en")
        texts = interface_text(html, "en", data)
        hangul = [t for t in texts if HANGUL.search(t)]
        if hangul:
            korean[name] = hangul[:5]
        assert english_words(texts), name
    assert korean == {}


def test_the_grading_feedback_is_on_the_korean_pages(world):
    """The pages above really carry what they are meant to check: a graded verdict, a heat map,
    the step-through, the tests of a code attempt, a running countdown."""
    client = world["client"]
    a = world["attempts"]
    conv = render(client, f"/submissions/{a['conv-single-channel'].pk}", "ko")
    assert 'data-testid="heatmap"' in conv and 'data-testid="stepthrough"' in conv
    assert "채점 완료" in conv and "다른 곳: 내 답" in conv
    code = render(client, f"/submissions/{a['implement-conv2d'].pk}", "ko")
    assert "숨은 테스트" in code and "부분 정답" in code
    running = render(client, f"/quizzes/{world['running'].assignment_id}", "ko")
    assert 'id="quiz-clock"' in running and "남은 시간" in running
