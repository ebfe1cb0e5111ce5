"""The quiz pages: taking a quiz, the server's countdown, 409s, withheld feedback, and the
instructor's builder, preview, monitor and results."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from freezegun import freeze_time

from exercises.models import QuizAttempt, QuizSettings, Submission
from exercises.quizzes import services as quizzes
from tests.quizzes.conftest import answer_for, grade_now, staff_url, wrong_sum_for
from tests.quizzes.test_quizzes import drawn_items


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def remaining(html: str) -> int:
    return int(re.search(r'data-remaining="(\d+)"', html).group(1))


def test_the_quiz_page_offers_start_only_inside_the_window(make_quiz, student, t0):
    quiz = make_quiz()
    page = client_for(student)
    with freeze_time(t0 - timedelta(minutes=5)):
        html = page.get(f"/quizzes/{quiz.assignment_id}").content.decode()
        assert "This quiz opens at" in html and "Start the quiz" not in html
        assert page.post(f"/quizzes/{quiz.assignment_id}/start").status_code == 409
    with freeze_time(t0 + timedelta(minutes=5)):
        assert "Start the quiz" in page.get(f"/quizzes/{quiz.assignment_id}").content.decode()


def test_a_reload_and_a_second_tab_show_the_same_server_deadline(make_quiz, student, t0):
    quiz = make_quiz()
    tab1, tab2 = client_for(student), client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        assert tab1.post(f"{url}/start").status_code == 302
        first = tab1.get(url).content.decode()
    assert remaining(first) == 15 * 60
    assert "15:00" in first
    with freeze_time(t0 + timedelta(minutes=4)):
        assert tab2.post(f"{url}/start").status_code == 302  # Start again in another tab
        second = tab2.get(url).content.decode()
        reloaded = tab1.get(url).content.decode()
        clock = tab1.get(f"{url}/clock").json()
    assert remaining(second) == remaining(reloaded) == 12 * 60
    assert clock["remaining_seconds"] == 12 * 60 and clock["state"] == "running"
    assert QuizAttempt.objects.get().deadline == t0 + timedelta(minutes=16)


def test_a_student_answers_on_the_page_and_sees_only_answer_recorded(make_quiz, student, t0):
    quiz = make_quiz(feedback_policy="after_close")
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        item = drawn_items(QuizAttempt.objects.get())[0]
        response = page.post(f"{url}/questions/1", {"q1-answer": str(answer_for(student, item))})
        assert response.status_code == 302
        sub = Submission.objects.get()
        grade_now(sub.pk)
        html = page.get(url).content.decode()
        sub_html = page.get(f"/submissions/{sub.pk}").content.decode()
    assert "Answer recorded" in html
    assert "Correct" not in html and "verdict-correct" not in html
    assert "Answer recorded" in sub_html and "Correct" not in sub_html
    with freeze_time(t0 + timedelta(hours=3)):
        assert "Correct" in page.get(f"/submissions/{sub.pk}").content.decode()
        after = page.get(url).content.decode()
    assert "Time is up" in after and "best score 2" in after


def _question(html: str, position: int) -> str:
    """Question ``position``'s part of the quiz page, up to the next question (or hand-in)."""
    start = html.index(f'<section class="quiz-question" id="q{position}"')
    marks = ('<section class="quiz-question"', "quiz-finish")
    ends = [html.find(mark, start + 1) for mark in marks]
    return html[start : min(end for end in ends if end > 0)]


def test_a_question_answered_correctly_is_done_and_offers_no_other_try(make_quiz, student, t0):
    """Two tries per question, verdicts shown at once: after a right answer the question says
    it is done and offers no form, and the submission path takes no other answer to it; a
    wrong answer keeps its next try."""
    quiz = make_quiz(feedback_policy="immediate", attempt_points=[100, 50])
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        first, second = drawn_items(QuizAttempt.objects.get())[:2]
        page.post(f"{url}/questions/1", {"q1-answer": str(answer_for(student, first))})
        page.post(f"{url}/questions/2", {"q2-answer": str(wrong_sum_for(student, second))})
        for sub in Submission.objects.all():
            grade_now(sub.pk)
        html = page.get(url).content.decode()
        again = page.post(f"{url}/questions/1", {"q1-answer": str(answer_for(student, first))})
    done, wrong = _question(html, 1), _question(html, 2)
    assert "verdict-correct" in done
    assert "Answered correctly: this question is done." in done
    assert "Submit answer 1" not in html and "next try earns" not in done
    assert "Submit answer 2" in html and "next try earns up to 50%" in wrong
    assert "this question is done" not in wrong
    assert again.status_code == 409
    assert "You answered this question correctly" in again.content.decode()
    assert Submission.objects.filter(problem=first.problem).count() == 1


def test_a_withheld_right_answer_keeps_its_tries(make_quiz, student, t0):
    """While the quiz withholds verdicts, ending the tries at a right answer would give the
    verdict away: the next try stays offered and taken."""
    quiz = make_quiz(feedback_policy="after_close", attempt_points=[100, 50])
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        item = drawn_items(QuizAttempt.objects.get())[0]
        page.post(f"{url}/questions/1", {"q1-answer": str(answer_for(student, item))})
        grade_now(Submission.objects.get().pk)
        html = page.get(url).content.decode()
        again = page.post(f"{url}/questions/1", {"q1-answer": str(answer_for(student, item))})
    assert "Submit answer 1" in html and "this question is done" not in html
    assert again.status_code == 302 and Submission.objects.count() == 2


def test_the_page_refuses_a_late_answer_with_409_and_a_clear_message(make_quiz, student, t0):
    quiz = make_quiz()
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0):
        page.post(f"{url}/start")
    with freeze_time(t0 + timedelta(minutes=16)):
        response = page.post(f"{url}/questions/1", {"q1-answer": "42"})
    assert response.status_code == 409
    assert (
        "Question 1: Your time for Quiz 1 ran out at Mon 2 Mar 2026, 09:15 UTC"
        in response.content.decode()
    )
    assert not Submission.objects.exists()


def test_handing_in_ends_the_sitting_and_releases_after_submission_feedback(make_quiz, student, t0):
    quiz = make_quiz(feedback_policy="after_submission")
    page = client_for(student)
    url = f"/quizzes/{quiz.assignment_id}"
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"{url}/start")
        item = drawn_items(QuizAttempt.objects.get())[0]
        page.post(f"{url}/questions/1", {"q1-answer": str(wrong_sum_for(student, item))})
        grade_now(Submission.objects.get().pk)
        assert "Added instead of multiplied" not in page.get(url).content.decode()
        assert page.post(f"{url}/finish").status_code == 302
        html = page.get(url).content.decode()
        assert page.post(f"{url}/questions/2", {"q2-answer": "1"}).status_code == 409
    assert "You handed in this quiz" in html
    assert "Added instead of multiplied" in html


def test_practice_pages_do_not_show_quiz_submissions(make_quiz, student, cohort, bank, t0):
    from tests import factories

    factories.make_assignment(cohort, [bank[0]], title="Practice")
    quiz = make_quiz(feedback_policy="after_close", pools=[quizzes.PoolSpec(1, ("qn-1",))])
    page = client_for(student)
    with freeze_time(t0 + timedelta(minutes=1)):
        page.post(f"/quizzes/{quiz.assignment_id}/start")
        page.post(f"/quizzes/{quiz.assignment_id}/questions/1", {"q1-answer": "5"})
        grade_now(Submission.objects.get().pk)
        html = page.get("/problems/qn-1").content.decode()
    assert "Your submissions" not in html


def test_the_instructor_builds_previews_and_publishes_a_quiz(instructor, cohort, bank, student):
    cohort.timezone = "Europe/Berlin"
    cohort.save()
    page = client_for(instructor)
    response = page.post(
        f"/teach/{cohort.slug}/quizzes/new",
        {
            "title": "Products",
            "slug": "products",
            "opens_at": "2026-03-02T10:00",
            "closes_at": "2026-03-02T12:00",
            "time_limit_minutes": "15",
            "attempt_points": "100, 60, 30",
            "feedback_policy": "after_close",
            "pools": "2: qn-1, qn-2, qn-3 [products]\n1: qn-4, qn-5",
        },
    )
    assert response.status_code == 302, response.content.decode()
    quiz = QuizSettings.objects.get()
    assert quiz.opens_at.isoformat() == "2026-03-02T09:00:00+00:00"  # 10:00 in Berlin
    assert quiz.attempt_points == [100, 60, 30]
    assert quiz.assignment.attempt_limit == 3 and not quiz.assignment.published
    preview = page.get(staff_url(quiz, f"preview?student={student.pk}"))
    html = preview.content.decode()
    draw = quizzes.preview_draw(quiz, student.pk)
    assert len(draw) == 3
    for item in draw:
        assert item.problem.slug in html
    page.post(staff_url(quiz, "publish"), {"published": "1"})
    quiz.assignment.refresh_from_db()
    assert quiz.assignment.published


def test_the_builder_reports_bad_pools_on_the_form(instructor, cohort, bank):
    response = client_for(instructor).post(
        f"/teach/{cohort.slug}/quizzes/new",
        {
            "title": "X",
            "slug": "x",
            "opens_at": "2026-03-02T10:00",
            "closes_at": "2026-03-02T12:00",
            "time_limit_minutes": "15",
            "attempt_points": "100",
            "feedback_policy": "immediate",
            "pools": "3: qn-1, qn-2",
        },
    )
    assert response.status_code == 400
    assert "cannot draw 3 of 2" in response.content.decode()


def test_the_monitor_shows_who_started_time_left_and_scores(
    make_quiz, student, other_student, instructor, t0
):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    with freeze_time(t0 + timedelta(minutes=1)):
        item = drawn_items(attempt)[0]
        client_for(student).post(
            f"/quizzes/{quiz.assignment_id}/questions/1",
            {"q1-answer": str(answer_for(student, item))},
        )
    grade_now(Submission.objects.get().pk)
    with freeze_time(t0 + timedelta(minutes=5)):
        html = client_for(instructor).get(staff_url(quiz, "monitor")).content.decode()
        live = (
            client_for(instructor)
            .get(staff_url(quiz, "monitor"), HTTP_HX_REQUEST="true")
            .content.decode()
        )
    assert "1</strong> of 2 started" in html
    assert "10:00" in html  # minutes left
    assert "1 / 3" in html and "2 / 6" in html
    assert live.startswith('\n<section id="quiz-live"') or 'id="quiz-live"' in live
    assert "<html" not in live


def test_the_instructor_extends_one_students_time_from_the_monitor(
    make_quiz, student, instructor, t0
):
    quiz = make_quiz()
    quizzes.start_quiz(student, quiz, now=t0)
    response = client_for(instructor).post(
        staff_url(quiz, "extend"), {"user_id": student.pk, "minutes": "7"}
    )
    assert response.status_code == 302
    assert QuizAttempt.objects.get().deadline == t0 + timedelta(minutes=22)


def test_the_instructor_sets_an_accommodation_in_the_cohorts_time(
    make_quiz, student, instructor, t0
):
    quiz = make_quiz()
    client_for(instructor).post(
        staff_url(quiz, "accommodations"),
        {
            "user_id": student.pk,
            "time_factor": "1.5",
            "opens_at": "",
            "closes_at": "",
            "reason": "x",
        },
    )
    assert quizzes.start_quiz(student, quiz, now=t0).deadline == t0 + timedelta(
        minutes=22, seconds=30
    )


def test_results_show_success_misconceptions_and_a_csv(
    make_quiz, student, other_student, instructor, t0
):
    quiz = make_quiz(pools=[quizzes.PoolSpec(1, ("qn-1",))], feedback_policy="immediate")
    for user, right in ((student, True), (other_student, False)):
        attempt = quizzes.start_quiz(user, quiz, now=t0)
        item = drawn_items(attempt)[0]
        with freeze_time(t0 + timedelta(minutes=1)):
            client_for(user).post(
                f"/quizzes/{quiz.assignment_id}/questions/1",
                {"q1-answer": str(answer_for(user, item) if right else wrong_sum_for(user, item))},
            )
    for sub in Submission.objects.all():
        grade_now(sub.pk)
    page = client_for(instructor)
    html = page.get(staff_url(quiz, "results")).content.decode()
    assert "1 (50%)" in html
    assert "added-not-multiplied" in html and "Added instead of multiplied" in html
    csv_text = page.get(staff_url(quiz, "results.csv")).content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0] == "username,name,state,started_at,deadline,qn-1,score,max_score"
    assert lines[1].startswith("alice,Alice A.,") and lines[1].endswith(",2,2,2")
    assert lines[2].startswith("bob,Bob B.,") and lines[2].endswith(",0,0,2")


@pytest.mark.parametrize("path", ["monitor", "results", "results.csv", "preview"])
def test_students_and_outsiders_get_404_on_instructor_pages(make_quiz, student, outsider, path):
    quiz = make_quiz()
    for user in (student, outsider):
        assert client_for(user).get(staff_url(quiz, path)).status_code == 404


def test_students_do_not_see_draft_quizzes(make_quiz, student, t0):
    quiz = make_quiz(published=False)
    assert client_for(student).get(f"/quizzes/{quiz.assignment_id}").status_code == 404
    assert "Quiz 1" not in client_for(student).get("/quizzes/").content.decode()


def test_gradebooks_can_tell_which_questions_each_student_drew(
    make_quiz, student, other_student, t0
):
    from exercises.quizzes import selectors as quiz_reports

    quiz = make_quiz()
    mine = quizzes.start_quiz(student, quiz, now=t0)
    drawn = quiz_reports.drawn_items_by_student(quiz, [student.pk, other_student.pk])
    assert drawn[student.pk] == set(mine.drawn_item_ids)
    # Not started: the draw Start will give (a quiz not taken scores zero of that draw).
    theirs = quizzes.start_quiz(other_student, quiz, now=t0)
    assert drawn[other_student.pk] == set(theirs.drawn_item_ids)


def test_the_builder_page_lists_the_bank_and_the_quiz_list_links_to_it(instructor, cohort, bank):
    page = client_for(instructor)
    html = page.get(f"/teach/{cohort.slug}/quizzes/new").content.decode()
    assert "qn-1" in html and "time zone, UTC" in html
    assert f"/teach/{cohort.slug}/quizzes/new" in page.get("/quizzes/").content.decode()


def test_students_cannot_open_the_builder(student, cohort, bank):
    assert client_for(student).get(f"/teach/{cohort.slug}/quizzes/new").status_code == 404


def test_the_instructor_sees_links_to_preview_monitor_and_results_on_the_quiz_page(
    make_quiz, instructor, t0
):
    quiz = make_quiz()
    with freeze_time(t0 + timedelta(minutes=1)):
        html = client_for(instructor).get(f"/quizzes/{quiz.assignment_id}").content.decode()
    for path in ("preview", "monitor", "results"):
        assert staff_url(quiz, path) in html


def test_closing_from_the_monitor_releases_after_close_feedback(
    make_quiz, student, instructor, api, t0
):
    quiz = make_quiz(feedback_policy="after_close")
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    sub = quizzes_submit(student, quiz, item, t0)
    with freeze_time(t0 + timedelta(minutes=5)):
        assert api(student).get(f"/api/v1/submissions/{sub.pk}").json()["verdict"] is None
        response = client_for(instructor).post(staff_url(quiz, "close"))
        assert response.status_code == 302
        assert api(student).get(f"/api/v1/submissions/{sub.pk}").json()["verdict"] == "correct"


def quizzes_submit(user, quiz, item, t0):
    from exercises.submissions import services

    sub = services.submit_answer(
        user,
        item.problem.slug,
        {"answer": answer_for(user, item)},
        assignment_id=quiz.assignment_id,
        now=t0 + timedelta(minutes=1),
    )
    grade_now(sub.pk)
    return sub


def test_the_dashboard_points_to_quizzes_open_now_and_only_those(
    client, student, outsider, make_quiz, t0
):
    make_quiz()
    make_quiz(
        title="Later quiz",
        slug="later",
        opens_at=t0 + timedelta(days=1),
        closes_at=t0 + timedelta(days=2),
    )
    client.force_login(student)
    with freeze_time(t0 + timedelta(minutes=5)):
        page = client.get("/").content.decode()
    assert "Quizzes open now" in page and "Quiz 1" in page
    assert "Later quiz" not in page
    with freeze_time(t0 + timedelta(hours=3)):
        assert "Quizzes open now" not in client.get("/").content.decode()
    client.force_login(outsider)
    with freeze_time(t0 + timedelta(minutes=5)):
        assert "Quiz 1" not in client.get("/").content.decode()
