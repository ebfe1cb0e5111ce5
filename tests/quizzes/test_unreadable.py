"""An answer a quiz question's kind cannot read (words where a number belongs) is refused when
it is sent, with the kind's reason: never stored as "Answer recorded" (the student would learn
of it only after handing in), and it uses no try."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from freezegun import freeze_time

from exercises.models import QuizAttempt, Submission
from exercises.quizzes import services as quizzes
from tests import factories
from tests.quizzes.conftest import answer_for, grade_now
from tests.quizzes.test_quizzes import drawn_items

UNREADABLE = "hello <b>x</b>"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_quiz_page_refuses_an_unreadable_answer_and_keeps_the_try(make_quiz, student, t0):
    quiz = make_quiz(feedback_policy="after_close", attempt_points=[100])  # one try only
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        response = page.post(f"{url}/questions/1", {"q1-answer": UNREADABLE})
        html = response.content.decode()
        assert response.status_code == 400
        # Read by the form, as on the problem page: the reason, and no try used.
        assert "Question 1: &#x27;hello" in html and "is not a number." in html
        assert "It was not recorded and used no try" in html
        assert "<b>x</b>" not in html  # whatever is echoed is escaped
        assert not Submission.objects.exists()
        again = page.get(url).content.decode()
        assert "Answer recorded" not in again
        assert "0 of 1 try used" in again
        # The one try is still there: a readable answer is taken and graded.
        item = drawn_items(QuizAttempt.objects.get())[0]
        ok = page.post(f"{url}/questions/1", {"q1-answer": str(answer_for(student, item))})
        assert ok.status_code == 302
        sub = Submission.objects.get()
        assert sub.attempt_number == 1
        assert grade_now(sub.pk)
        sub.refresh_from_db()
    assert sub.verdict == "correct"


def test_the_api_refuses_an_unreadable_quiz_answer_with_400(make_quiz, student, api, t0):
    quiz = make_quiz(feedback_policy="after_submission")
    client = api(student)
    with freeze_time(t0 + timedelta(minutes=1)):
        question = client.post(f"/api/v1/quizzes/{quiz.assignment_id}/start").json()["questions"][0]
        response = client.post(question["submit_url"], {"answer": UNREADABLE}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unreadable_answer" and error["field"] == "answer"
    assert "Send a number." in error["message"]
    assert not Submission.objects.exists()


def test_a_real_number_kind_says_what_it_expected(cohort, instructor, student, t0):
    factories.make_problem(
        "output-size-stride",
        kind="number",
        spec={"recipe": "output-size-stride"},
        statement="An input of {{ n }} with a filter of {{ f }} at stride {{ stride }}.",
    )
    quiz = quizzes.create_quiz(
        instructor,
        cohort,
        title="Sizes",
        slug="sizes",
        opens_at=t0,
        closes_at=t0 + timedelta(hours=1),
        time_limit_minutes=10,
        attempt_points=[100],
        feedback_policy="after_close",
        pools=[quizzes.PoolSpec(1, ("output-size-stride",))],
        published=True,
    )
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        response = page.post(f"{url}/questions/1", {"q1-answer": UNREADABLE})
        readable = page.post(f"{url}/questions/1", {"q1-answer": "does-not-fit"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a number. If it does not fit, tick the box instead." in html
    assert "hello &lt;b&gt;x&lt;/b&gt;" in html
    assert readable.status_code == 302  # a readable answer, right or wrong, is recorded
    assert Submission.objects.count() == 1


def test_staff_trying_a_quiz_question_are_refused_the_same_way(make_quiz, instructor, api, t0):
    quiz = make_quiz()
    item = quiz.assignment.items.select_related("problem").first()
    client = api(instructor)
    with freeze_time(t0 + timedelta(minutes=1)):
        response = client.post(
            f"/api/v1/problems/{item.problem.slug}/submissions?assignment={quiz.assignment_id}",
            {"answer": [1, 2]},
            format="json",
        )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unreadable_answer"
    assert not Submission.objects.exists()


def test_an_unreadable_answer_stored_earlier_is_not_shown_as_recorded(make_quiz, student, t0):
    """Answers stored before the kinds' check ran at submission (or made unreadable by a
    regrade) say what was wrong, even while the quiz withholds verdicts."""
    quiz = make_quiz(feedback_policy="after_close")
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        item = drawn_items(QuizAttempt.objects.get())[0]
        sub = Submission.objects.create(
            user=student,
            problem=item.problem,
            assignment=quiz.assignment,
            payload={"answer": UNREADABLE},
            attempt_number=1,
            max_score=item.max_points,
            status="graded",
            verdict="invalid",
            score=0,
            feedback={"message": "Send a number."},
        )
        html = page.get(url).content.decode()
        sub_html = page.get(f"/submissions/{sub.pk}").content.decode()
    for shown in (html, sub_html):
        assert "This answer could not be read (Send a number.). It used no try" in shown
        assert "Answer recorded" not in shown
