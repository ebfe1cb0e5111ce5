"""The instructor's pages speak the reader's language: every /teach/ page (and every staff quiz
page under it), walked from the URLconf with a seeded cohort, shows a ``ko`` instructor no
English of its own, and an ``en`` instructor no Korean. Writes are followed to the page their
message lands on, so the views' messages are read too.

What may stay in Latin letters, and why (``ALLOWED``): the product's name (Stride), acronyms
that Korean technical writing keeps as they are (CSV, UTF, API, CNN), and the time zone
abbreviations Django's ``T`` date format prints (KST, UTC). Taken out as content
(``content_strings``): what users wrote (names, titles, notes, reasons, join codes), what
authors wrote (statements, hidden cases' names, misconception titles and messages, which the
grader's own catalogue translates), and identifiers shown as they are typed (slugs, kinds, IANA
time zone names, the roster's CSV column names).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation

from exercises.bank import authoring
from exercises.cohorts import services as roster
from exercises.integrity import evidence
from exercises.integrity.selectors import reasons_of
from exercises.models import (
    Assignment,
    Cohort,
    Extension,
    IntegrityReport,
    IntegrityReview,
    Membership,
    Problem,
    ProblemText,
    QuizAccommodation,
    RegradeJob,
    Status,
    Submission,
    Verdict,
)
from exercises.quizzes import services as quizzes
from exercises.teach.forms import timezone_choices
from tests import factories
from tests.i18n.visible_text import english_words, hangul, visible_texts

ALLOWED = {"Stride", "CSV", "UTF", "API", "CNN", "KST", "UTC"}

#: Each /teach/ route: how the walk visits it. ``get`` pages are read as they are; a write is
#: POSTed (with ``data``) and its redirect followed, so the message it leaves is on the page
#: read. ``None``: a download (CSV), whose headers stay machine-readable in every language.
VISITS: dict[str, tuple[str, str, dict] | None] = {
    "teach/": ("get", "/teach/", {}),
    "teach/problems/": ("get", "/teach/problems/", {}),
    "teach/problems/<slug:problem_slug>/preview": ("get", "/teach/problems/{p}/preview", {}),
    "teach/problems/<slug:problem_slug>/preview/check": (
        "get",
        "/teach/problems/{p}/preview/check",
        {},
    ),
    "teach/<slug:slug>/": ("get", "/teach/{c}/", {}),
    "teach/<slug:slug>/join-code": ("post", "/teach/{c}/join-code", {"action": "disable"}),
    "teach/<slug:slug>/members/<int:membership_id>/role": (
        "post",
        "/teach/{c}/members/{m}/role",
        {"role": "student"},
    ),
    "teach/<slug:slug>/roster": ("get", "/teach/{c}/roster", {}),
    "teach/<slug:slug>/invitations": ("post", "/teach/{c}/invitations", {"format": "page"}),
    "teach/<slug:slug>/assignments/new": ("get", "/teach/{c}/assignments/new", {}),
    "teach/<slug:slug>/assignments/<slug:assignment_slug>/edit": (
        "get",
        "/teach/{c}/assignments/{a}/edit",
        {},
    ),
    "teach/<slug:slug>/assignments/<slug:assignment_slug>/extensions": (
        "get",
        "/teach/{c}/assignments/{a}/extensions",
        {},
    ),
    "teach/<slug:slug>/assignments/<slug:assignment_slug>/integrity": (
        "get",
        "/teach/{c}/assignments/{a}/integrity",
        {},
    ),
    "teach/<slug:slug>/assignments/<slug:assignment_slug>/integrity.csv": None,
    "teach/<slug:slug>/assignments/<slug:assignment_slug>/integrity/<slug:problem_slug>/"
    "<int:a_id>-<int:b_id>": (
        "post",
        "/teach/{c}/assignments/{a}/integrity/{code}/{s}-{os}",
        {"status": "suspicious", "note": "looked at it"},
    ),
    "teach/<slug:slug>/gradebook": ("get", "/teach/{c}/gradebook", {}),
    "teach/<slug:slug>/gradebook.csv": None,
    "teach/<slug:slug>/students/<int:user_id>": ("get", "/teach/{c}/students/{s}", {}),
    "teach/<slug:slug>/problems/<slug:problem_slug>/analytics": (
        "get",
        "/teach/{c}/problems/{p}/analytics",
        {},
    ),
    "teach/<slug:slug>/problems/<slug:problem_slug>/regrade": (
        "get",
        "/teach/{c}/problems/{p}/regrade",
        {},
    ),
    "teach/<slug:slug>/regrades/<int:job_id>": ("get", "/teach/{c}/regrades/{job}", {}),
    "teach/<slug:slug>/quizzes/new": ("get", "/teach/{c}/quizzes/new", {}),
    "teach/<slug:slug>/quizzes/<int:pk>/edit": ("get", "/teach/{c}/quizzes/{q}/edit", {}),
    "teach/<slug:slug>/quizzes/<int:pk>/preview": ("get", "/teach/{c}/quizzes/{q}/preview", {}),
    "teach/<slug:slug>/quizzes/<int:pk>/publish": (
        "post",
        "/teach/{c}/quizzes/{q}/publish",
        {"published": "1"},
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/monitor": ("get", "/teach/{c}/quizzes/{q}/monitor", {}),
    "teach/<slug:slug>/quizzes/<int:pk>/extend": (
        "post",
        "/teach/{c}/quizzes/{q}/extend",
        {"user_id": "{s}", "minutes": "3"},
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/accommodations": (
        "post",
        "/teach/{c}/quizzes/{q}/accommodations",
        {"user_id": "{os}", "time_factor": "2"},
    ),
    "teach/<slug:slug>/quizzes/<int:pk>/close": ("post", "/teach/{c}/quizzes/{q}/close", {}),
    "teach/<slug:slug>/quizzes/<int:pk>/results": ("get", "/teach/{c}/quizzes/{q}/results", {}),
    "teach/<slug:slug>/quizzes/<int:pk>/results.csv": None,
}


def teach_routes() -> list[str]:
    """Every route under ``teach/`` as the URLconf writes it."""

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    return sorted(r for r in walk(get_resolver().url_patterns, "") if r.startswith("teach/"))


@pytest.fixture
def seeded(cohort, student, other_student, assistant, instructor):
    """A cohort with something on every instructor page: a number problem with hints and
    misconceptions in a published assignment (graded, late and wrong answers, an extension), a
    code problem with a finished integrity report and a review, a finished regrade preview
    with changes, a quiz students are sitting (one with an accommodation), and a roster row
    waiting for its invitation."""
    Cohort.objects.filter(pk=cohort.pk).update(timezone="Asia/Seoul")
    cohort.refresh_from_db()
    problem = factories.make_problem(
        "output-size-stride",
        kind="number",
        spec={"recipe": "output-size-stride"},
        title="Output size with a stride",
        hints=[
            {"text": "Count the positions.", "on_request": True},
            {"text": "Mind the stride.", "after": 1},
        ],
    )
    # As the importer stores it: one text per language, English included.
    ProblemText.objects.create(problem=problem, language="en", title=problem.title)
    ProblemText.objects.create(problem=problem, language="ko", title="스트라이드와 출력 크기")
    code = factories.make_problem("implement-x", kind="code", spec={}, starter_code="")
    due = timezone.now() - timedelta(days=1)
    assignment = factories.make_assignment(
        cohort, [problem, code], slug="week-1", title="Week one", due_at=due
    )
    Extension.objects.create(
        assignment=assignment,
        user=student,
        due_at=timezone.now() + timedelta(days=2),
        extra_attempts=1,
        reason="Was ill",
    )
    for user, verdict, score, late in (
        (student, Verdict.INCORRECT, 0, False),
        (student, Verdict.CORRECT, 1, True),
        (other_student, Verdict.INCORRECT, 0, False),
    ):
        Submission.objects.create(
            user=user,
            problem=problem,
            assignment=assignment,
            payload={"answer": 7},
            status=Status.GRADED,
            verdict=verdict,
            score=score,
            late=late,
            feedback=(
                {"misconception": {"key": "ignored_stride", "title": "Ignored the stride"}}
                if verdict == Verdict.INCORRECT
                else {}
            ),
        )
    for user in (student, other_student):
        Submission.objects.create(
            user=user,
            problem=code,
            assignment=assignment,
            payload={"code": "def f(x):\n    return x\n"},
            status=Status.GRADED,
            verdict=Verdict.CORRECT,
            score=1,
        )
    IntegrityReport.objects.create(
        assignment=assignment,
        state=IntegrityReport.State.DONE,
        problems=[{"title": code.title, "submissions": 2, "dropped_common": 1}],
        pairs=[
            {
                "problem": code.slug,
                "a": student.username,
                "b": other_student.username,
                "a_id": student.pk,
                "b_id": other_student.pk,
                "score": 3.5,
                "similarity": 1.0,
                "similarity_z": 4.2,
                "gap_seconds": 600,
                "same_wrong_outputs": ["big"],
                "same_misconceptions": [["big", "ignored_stride"]],
                "lines_a": [1, 2],
                "lines_b": [1, 2],
                "repeated_in": [],
                "reasons": ["stored English"],
            }
        ],
        finished_at=timezone.now(),
    )
    IntegrityReview.objects.create(
        assignment=assignment,
        first=student,
        second=other_student,
        status=IntegrityReview.Status.FINE,
        note="Same tutor",
    )
    job = RegradeJob.objects.create(
        cohort=cohort,
        problem=problem,
        created_by=instructor,
        mode=RegradeJob.Mode.PREVIEW,
        state=RegradeJob.State.DONE,
        total=3,
        done=3,
        changed=1,
        results=[
            {
                "submission": Submission.objects.filter(user=student).first().pk,
                "user": student.username,
                "old": 1.0,
                "new": 0.5,
                "delta": -0.5,
                "old_verdict": "correct",
                "new_verdict": "partial",
                "changed": True,
            }
        ],
        finished_at=timezone.now(),
    )
    factories.make_problem("quiz-size", kind="number", spec={"recipe": "output-size-stride"})
    now = timezone.now()
    quiz = quizzes.create_quiz(
        instructor,
        cohort,
        title="Pop quiz",
        slug="pop-quiz",
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=1),
        time_limit_minutes=30,
        attempt_points=[100, 50],
        feedback_policy="after_close",
        pools=[quizzes.PoolSpec(1, ("quiz-size",), "sizes")],
        published=True,
    )
    quizzes.start_quiz(student, quiz)
    QuizAccommodation.objects.create(
        assignment=quiz.assignment, user=other_student, time_factor=1.5, reason="Needs time"
    )
    waiting = factories.make_user("waiting-kim", first_name="Kim", last_name="Waits")
    waiting.set_unusable_password()
    waiting.save()
    factories.add_member(waiting, cohort)
    return {
        "c": cohort.slug,
        "p": problem.slug,
        "a": assignment.slug,
        "s": student.pk,
        "os": other_student.pk,
        "code": code.slug,
        "m": Membership.objects.get(user=assistant, cohort=cohort).pk,
        "q": quiz.assignment_id,
        "job": job.pk,
    }


def content_strings() -> set[str]:
    """What users and authors wrote, in every language, and the codes pages show as they are."""
    found = {label for _, label in timezone_choices()} | set(roster.COLUMNS) | {"big"}
    for user in get_user_model().objects.all():
        found |= {user.username, user.get_full_name(), user.first_name, user.last_name}
    found |= set(Membership.objects.values_list("display_name", flat=True))
    for name, join_code in Cohort.objects.values_list("name", "join_code"):
        found |= {name, join_code}  # a random code may be all letters
    found |= set(Assignment.objects.values_list("title", flat=True))
    found |= set(Extension.objects.values_list("reason", flat=True))
    found |= set(QuizAccommodation.objects.values_list("reason", flat=True))
    found |= set(IntegrityReview.objects.values_list("note", flat=True))
    found |= {"sizes", "looked at it", "Ignored the stride"}  # a grader's stored diagnosis
    for problem in Problem.objects.all():
        found |= {problem.title, problem.slug, problem.kind, problem.statement}
        found |= {t.title for t in problem.texts.all()}
        # Misconceptions are the problem kind's content (their titles and messages are the
        # grader's catalogue to translate), shown by the preview and the analytics.
        for m in authoring.preview_problem(problem, None).misconceptions:
            found |= {m.title, m.message, m.key}
    return found


def visit(client: Client, how: tuple[str, str, dict], names: dict) -> str:
    method, url, data = how
    url = url.format(**names)
    data = {k: v.format(**names) for k, v in data.items()}
    response = client.get(url) if method == "get" else client.post(url, data, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def client_in(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_every_teach_route_has_a_visit():
    """A new /teach/ page must be added to the walk (or named a download)."""
    assert sorted(VISITS) == teach_routes()


@pytest.mark.parametrize("route", sorted(r for r, how in VISITS.items() if how is not None))
def test_a_korean_instructor_meets_no_english_interface_text(route, seeded, instructor):
    html = visit(client_in(instructor, "ko"), VISITS[route], seeded)
    texts = visible_texts(html)
    assert hangul(texts), f"{route}: no Korean at all"
    left = english_words(texts, content=content_strings(), allowed=ALLOWED)
    assert left == [], f"{route}: untranslated {left}"


@pytest.mark.parametrize("route", sorted(r for r, how in VISITS.items() if how is not None))
def test_an_english_instructor_meets_no_korean(route, seeded, instructor):
    html = visit(client_in(instructor, "en"), VISITS[route], seeded)
    texts = visible_texts(html)
    content = content_strings()
    assert english_words(texts, content=content), f"{route}: no English at all"
    assert hangul(t for t in texts if t not in content) == [], route


def test_the_korean_gradebook_reads_as_the_lecture_says_it(seeded, instructor):
    html = visit(client_in(instructor, "ko"), VISITS["teach/<slug:slug>/gradebook"], seeded)
    texts = visible_texts(html)
    for phrase in ("성적부", "CSV 내보내기", "학생", "합계", "지각", "2회 시도"):
        assert any(phrase in t for t in texts), phrase


def test_a_writes_message_is_in_the_readers_language(seeded, instructor):
    korean = visit(client_in(instructor, "ko"), VISITS["teach/<slug:slug>/join-code"], seeded)
    assert "참여 코드로 들어오는 것을 막았습니다." in korean
    english = visit(client_in(instructor, "en"), VISITS["teach/<slug:slug>/join-code"], seeded)
    assert "Joining by code is disabled." in english


def test_csv_headers_stay_machine_readable_in_korean(seeded, instructor):
    """A spreadsheet or script that reads the exports by column name keeps working."""
    client = client_in(instructor, "ko")
    gradebook = client.get(f"/teach/{seeded['c']}/gradebook.csv").content.decode("utf-8-sig")
    assert gradebook.splitlines()[0].startswith("username,name,display_name,")
    results = client.get(f"/teach/{seeded['c']}/quizzes/{seeded['q']}/results.csv")
    assert results.content.decode().splitlines()[0].startswith("username,name,state,")


def test_integrity_reasons_are_said_again_in_the_readers_language():
    """The page's sentences are the analysis's own in English (so the two cannot drift), and
    Korean for a Korean reader."""
    pair = evidence.PairEvidence(
        problem="p",
        a="ann",
        b="bo",
        similarity=0.83,
        similarity_z=3.04,
        gap_seconds=754,
        score=2.0,
        same_wrong_outputs=("big", "edge"),
        same_misconceptions=(("big", "ignored_stride"),),
        repeated_in=("pool",),
    )
    stored = {
        "a": pair.a,
        "b": pair.b,
        "similarity": pair.similarity,
        "similarity_z": pair.similarity_z,
        "gap_seconds": pair.gap_seconds,
        "same_wrong_outputs": list(pair.same_wrong_outputs),
        "same_misconceptions": [list(m) for m in pair.same_misconceptions],
        "repeated_in": list(pair.repeated_in),
    }
    with translation.override("en"):
        assert reasons_of(stored) == evidence._reasons(pair)
    with translation.override("ko"):
        korean = reasons_of(stored)
    assert len(korean) == 5 and all(hangul([line]) for line in korean)
    assert reasons_of({"reasons": ["old report"]}) == ("old report",)
