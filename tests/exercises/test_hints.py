"""Hints that unlock: a locked hint is absent from the page and the API until its rule fires
(wrong attempts, a diagnosed misconception, a request), then present; a requested hint's cost
comes off the score once; the importer checks hints: and reports problem.yaml:LINE."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.utils import translation

from exercises.bank.hints import read_hints
from exercises.bank.importer import ImportFailed, import_problems
from exercises.leaderboards import services as leaderboards
from exercises.models import HintUnlock, Submission, VariantPolicy
from exercises.submissions import services
from exercises.teach import gradebook
from exercises.teach.gradebook import hint_label
from grader.kinds import SpecError
from tests import factories

pytestmark = pytest.mark.django_db

# The lecture's pinned variant of conv-layer-params: 10 filters of 5x5 on depth 3.
RIGHT, FORGOT_BIAS, UNDIAGNOSED = 760, 750, 12345
HINTS = [
    {"text": "TEXT-AFTER-TWO: count the weights of one filter first.", "after": 2},
    {"text": "TEXT-ON-BIAS: every filter has one $b$ too.", "on": "forgot-bias"},
    {"text": "TEXT-ON-REQUEST: a filter spans the whole depth.", "on_request": True, "cost": 0.25},
]
LOCKED_TEXTS = ("TEXT-AFTER-TWO", "TEXT-ON-BIAS", "TEXT-ON-REQUEST")


@pytest.fixture
def problem(db):
    return factories.make_problem(
        "conv-layer-params",
        kind="number",
        spec={"recipe": "conv-layer-params"},
        points=4,
        hints=HINTS,
    )


@pytest.fixture
def assignment(cohort, problem):
    return factories.make_assignment(
        cohort, [problem], slug="params", variant_policy=VariantPolicy.PINNED
    )


@pytest.fixture
def submit(api, student, assignment, eager_celery, django_capture_on_commit_callbacks):
    """Send an answer through the API and grade it (with the hooks of a committed grade)."""

    def send(answer, user=student):
        with django_capture_on_commit_callbacks(execute=True):
            response = api(user).post(
                "/api/v1/problems/conv-layer-params/submissions", {"answer": answer}, format="json"
            )
        assert response.status_code == 202, response.content
        return Submission.objects.get(pk=response.json()["id"])

    return send


def seen(client, api, user) -> tuple[str, dict]:
    """The problem page's HTML and the API's problem detail, as ``user`` sees them."""
    client.force_login(user)
    html = client.get("/problems/conv-layer-params").content.decode()
    return html, api(user).get("/api/v1/problems/conv-layer-params").json()


def shown(html: str, detail: dict) -> set[str]:
    """The hint texts present in the page and in the API (each must agree with the other)."""
    in_page = {t for t in LOCKED_TEXTS if t in html}
    in_api = {t for t in LOCKED_TEXTS if any(t in h["text"] for h in detail["hints"])}
    assert in_page == in_api
    return in_page


# --- the rules --------------------------------------------------------------------------------


def test_a_fresh_student_sees_no_hint_text_only_the_request_button(
    client, api, student, problem, assignment
):
    html, detail = seen(client, api, student)
    assert shown(html, detail) == set()
    assert "TEXT-" not in str(detail)  # not even in another field
    assert "Show a hint (costs 25% of the points)" in html
    assert detail["hints_on_request"] == [
        {"index": 3, "cost": 0.25, "url": "/api/v1/problems/conv-layer-params/hints/3"}
    ]
    assert "2 more hints unlock as you work on this problem" in html


def test_after_n_wrong_attempts_the_hint_unlocks_and_not_before(
    client, api, student, assignment, submit
):
    submit(UNDIAGNOSED)
    html, detail = seen(client, api, student)
    assert shown(html, detail) == set()
    submit(UNDIAGNOSED + 1)
    html, detail = seen(client, api, student)
    assert shown(html, detail) == {"TEXT-AFTER-TWO"}
    (hint,) = detail["hints"]
    assert (hint["index"], hint["unlocked_by"], hint["cost"]) == (1, "attempts", 0)
    unlock = HintUnlock.objects.get()
    assert (unlock.how, unlock.attempts, unlock.hint_index) == ("attempts", 2, 1)


def test_the_diagnosed_misconception_unlocks_its_hint_at_once(
    client, api, student, assignment, submit
):
    submission = submit(FORGOT_BIAS)
    assert submission.feedback["misconception"]["key"] == "forgot-bias"
    html, detail = seen(client, api, student)
    assert shown(html, detail) == {"TEXT-ON-BIAS"}
    assert "every filter has one" in html and "$b$" in html  # Markdown rendered, math for KaTeX
    assert detail["hints"][0]["misconception"] == "forgot-bias"
    body = api(student).get(f"/api/v1/submissions/{submission.pk}").json()
    assert [h["index"] for h in body["hints"]] == [2]


def test_the_unlocks_commit_with_the_grade_itself(
    client, api, student, assignment, submit, monkeypatch
):
    """Whoever sees the grade (a ``?wait=`` request woken by the database poll, the page's next
    read) sees its hints: they are written in the grade's own transaction, not by a hook after
    it. With the after-commit hooks switched off, the unlock is there all the same."""

    monkeypatch.setattr(services, "after_graded", lambda submission_id: None)
    submission = submit(FORGOT_BIAS)
    assert submission.status == "graded"
    assert list(HintUnlock.objects.values_list("hint_index", "how")) == [(2, "misconception")]
    html, detail = seen(client, api, student)
    assert shown(html, detail) == {"TEXT-ON-BIAS"}


def test_a_failure_working_out_the_hints_never_loses_the_grade_and_the_next_grade_mends_it(
    api, student, assignment, submit, monkeypatch
):
    """The hints are worked out before the grade is written: a fault there (the database, a
    bad stored hint) leaves the grade written without them, and the student's next grade,
    which reads the whole record, unlocks what the first one should have."""
    from exercises.submissions import selectors

    real = selectors.grading_record

    def broken(*args):
        raise RuntimeError("the record could not be read")

    monkeypatch.setattr(selectors, "grading_record", broken)
    first = submit(FORGOT_BIAS)
    assert (first.status, first.verdict) == ("graded", "incorrect")
    assert not HintUnlock.objects.exists()
    monkeypatch.setattr(selectors, "grading_record", real)
    submit(UNDIAGNOSED)
    assert sorted(HintUnlock.objects.values_list("hint_index", "how")) == [
        (1, "attempts"),  # after two wrong answers: the first one counts
        (2, "misconception"),  # diagnosed by the first grade
    ]


def test_a_correct_answer_reveals_no_locked_hint(client, api, student, assignment, submit):
    submit(RIGHT)
    html, detail = seen(client, api, student)
    assert shown(html, detail) == set()
    assert not HintUnlock.objects.exists()


def test_another_students_unlocks_are_theirs_only(
    client, api, student, other_student, assignment, submit
):
    submit(FORGOT_BIAS)
    html, detail = seen(client, api, other_student)
    assert shown(html, detail) == set()


def test_a_requested_hint_shows_and_costs_its_share_once(client, api, student, assignment, submit):
    before = submit(RIGHT)  # sent before asking: keeps its points
    assert before.score == 4
    client.force_login(student)
    response = client.post("/problems/conv-layer-params/hints/3", {"assignment": assignment.pk})
    assert response.status_code == 302 and response["Location"].endswith("#hints")
    again = api(student).post("/api/v1/problems/conv-layer-params/hints/3")
    assert again.status_code == 200 and again.json()["unlocked_by"] == "request"
    assert HintUnlock.objects.filter(how="request").count() == 1
    html, detail = seen(client, api, student)
    assert shown(html, detail) == {"TEXT-ON-REQUEST"}
    assert detail["hints_on_request"] == [] and "Show a hint" not in html

    first, second = submit(RIGHT), submit(RIGHT)
    # 25% of the 4 points, once: not compounded by the second submission or the second ask.
    assert (first.score, second.score) == (3, 3)
    assert first.feedback["hint_cost_percent"] == 25
    book = gradebook.build_gradebook(assignment.cohort, assignment)
    assert book.rows[0].cells[0].best == 4  # the answer sent before asking still counts


def test_the_cost_reaches_the_gradebook_and_the_leaderboard(
    client, api, student, assignment, submit
):
    api(student).post("/api/v1/problems/conv-layer-params/hints/3")
    submit(UNDIAGNOSED)
    submit(RIGHT)
    book = gradebook.build_gradebook(assignment.cohort, assignment)
    assert book.rows[0].cells[0].best == 3
    standings = leaderboards.compute_standings(assignment.cohort_id)
    assert standings[student.pk].score == 3


def test_a_wrong_answer_never_goes_below_zero(api, student, assignment, submit):
    api(student).post("/api/v1/problems/conv-layer-params/hints/3")
    assert submit(UNDIAGNOSED).score == 0


def test_only_on_request_hints_can_be_asked_for(api, student, assignment):
    for index in (1, 2, 9):
        response = api(student).post(f"/api/v1/problems/conv-layer-params/hints/{index}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "hint_not_found"
    assert not HintUnlock.objects.exists()


def test_an_outsider_cannot_ask_for_a_hint(api, outsider, assignment):
    assert api(outsider).post("/api/v1/problems/conv-layer-params/hints/3").status_code == 404


# --- the importer -----------------------------------------------------------------------------

YAML = """\
uuid: {uuid}
title: Parameters of a conv layer
kind: number
recipe: conv-layer-params
hints:
  - text: Count one filter's weights first.
    after: 1
{extra}"""


def write(root: Path, extra: str) -> Path:
    folder = root / "conv-params"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "problem.yaml").write_text(
        YAML.format(uuid=uuid.uuid4(), extra=extra), encoding="utf-8"
    )
    (folder / "statement.md").write_text("How many parameters? {{ k }}", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("extra", "line", "words"),
    [
        ("  - text: Think of the bias.\n    on: forgot-the-bias\n", 9, "unknown misconception"),
        ("  - text: Again.\n    after: 0\n", 9, "must be >= 1"),
        ("  - text: Costly.\n    on_request: true\n    cost: 1.5\n", 10, "in [0, 1]"),
        ("  - text: Two rules.\n    after: 2\n    on_request: true\n", 8, "exactly one"),
        ("  - text: A cost without a request.\n    after: 2\n    cost: 0.1\n", 10, "cost"),
        ("  - after: 3\n", 8, "text"),
        ("  - text: Your {{ k }} filters.\n    after: 2\n", 8, "every variant"),
        ("  - text: Typo.\n    afer: 3\n", 9, "unknown key"),
    ],
)
def test_hint_errors_name_the_file_and_line(tmp_path, extra, line, words):
    folder = write(tmp_path, extra)
    with pytest.raises(ImportFailed) as caught:
        import_problems(tmp_path)
    (error,) = caught.value.errors
    assert error.startswith(f"{folder / 'problem.yaml'}:{line}: hints["), error
    assert words in error


def test_hints_import_normalised_and_count_in_the_content_hash(tmp_path):
    write(tmp_path, "  - text: Each filter has a bias.\n    on: forgot-bias\n")
    import_problems(tmp_path)
    problem = factories.Problem.objects.get(slug="conv-params")
    assert problem.hints == [
        {"text": "Count one filter's weights first.", "after": 1},
        {"text": "Each filter has a bias.", "on": "forgot-bias"},
    ]
    assert "hints" not in problem.spec  # the grader's spec stays the grader's
    before = problem.content_hash
    path = tmp_path / "conv-params" / "problem.yaml"
    path.write_text(path.read_text().replace("after: 1", "after: 2"), encoding="utf-8")
    assert import_problems(tmp_path).updated == ["conv-params"]
    problem.refresh_from_db()
    assert problem.content_hash != before and problem.hints[0]["after"] == 2


def test_choice_and_code_hints_tie_to_what_their_kinds_diagnose():
    from grader.kinds import get_kind

    choice = {
        "kind": "choice",
        "options": [
            {"key": "a", "text": "A"},
            {"key": "b", "text": "B", "feedback": "Not B: ..."},
            {"key": "c", "text": "C"},
        ],
        "correct": ["a"],
    }
    assert get_kind("choice").diagnosable(choice) == ("option:b",)
    assert read_hints([{"text": "x", "on": "option:b"}], ("option:b",))[0].on == "option:b"
    with pytest.raises(SpecError) as caught:
        read_hints([{"text": "x", "on": "option:c"}], ("option:b",))
    assert caught.value.path == "hints[0].on"


# --- the bank ---------------------------------------------------------------------------------


def test_every_bank_problem_has_hints_the_first_conceptual_none_giving_the_number(settings):
    import re

    from exercises.bank import hints as hint_rules
    from grader.kinds import get_kind

    import_problems(settings.STRIDE["CONTENT_DIR"])
    problems = list(factories.Problem.objects.all())
    assert len(problems) >= 22
    tied = 0
    for problem in problems:
        hints = hint_rules.from_json(problem.hints)
        assert len(hints) >= 2, problem.slug
        assert hints[0].rule == hint_rules.ATTEMPTS, problem.slug  # the conceptual one, first
        tied += sum(h.rule == hint_rules.MISCONCEPTION for h in hints)
        if problem.kind != "number":
            continue
        kind = get_kind(problem.kind)
        expected = kind.expected(problem.spec, kind.generate(problem.spec, None))
        numbers = {
            n
            for h in hints
            for language in ("en", "ko")  # no language gives the number away
            for n in re.findall(r"\d+(?:\.\d+)?", h.text_in(language))
        }
        # Formulas hold 1 and 2 ("+ 1", "2P"): only an answer that is no such constant counts.
        if str(expected) not in {"1", "2"}:
            assert str(expected) not in numbers, (problem.slug, expected)
    assert tied >= len(problems)  # most problems tie hints to what their recipes diagnose


# --- staff views --------------------------------------------------------------------------------


def test_the_gradebook_student_page_and_analytics_show_the_hints_used(
    client, api, student, instructor, assignment, submit
):
    submit(FORGOT_BIAS)
    submit(UNDIAGNOSED)
    api(student).post("/api/v1/problems/conv-layer-params/hints/3")
    book = gradebook.build_gradebook(assignment.cohort, assignment)
    assert book.rows[0].cells[0].hints == ["1 (attempts)", "2 (diagnosis)", "3 (asked, -25%)"]
    client.force_login(instructor)
    cohort = assignment.cohort.slug
    html = client.get(f"/teach/{cohort}/gradebook").content.decode()
    assert "hints used: 1 (attempts), 2 (diagnosis), 3 (asked, -25%)" in html
    page = client.get(f"/teach/{cohort}/students/{student.pk}").content.decode()
    assert "hints 1 (attempts), 2 (diagnosis), 3 (asked, -25%)" in page
    stats = client.get(f"/teach/{cohort}/problems/conv-layer-params/analytics")
    assert [(h.index, h.unlocked, h.requested) for h in stats.context["stats"].hint_use] == [
        (1, 1, 0),
        (2, 1, 0),
        (3, 1, 1),
    ]
    assert 'id="hint-use"' in stats.content.decode()


def test_the_gradebooks_hint_labels_follow_the_readers_language():
    """A Korean instructor reads how each hint unlocked in Korean (the per-student page and
    the gradebook's hover text); the numbers stay as they are."""
    with translation.override("ko"):
        labels = [hint_label(1, "attempts", 0), hint_label(2, "misconception", 0)]
        labels.append(hint_label(3, "request", 0.25))
    assert labels == ["1 (시도)", "2 (진단)", "3 (요청, -25%)"]
