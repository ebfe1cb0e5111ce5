"""Quiz services: draws, the clock, windows, accommodations, declining points (injected ``now``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from exercises.errors import BadPayload, Closed, NotFound
from exercises.models import AssignmentProblem, QuizAttempt, Submission
from exercises.quizzes import rules as quiz_rules
from exercises.quizzes import services as quizzes
from exercises.submissions import services
from tests import factories
from tests.quizzes.conftest import answer_for, grade_now, wrong_sum_for


def drawn_items(attempt: QuizAttempt) -> list[AssignmentProblem]:
    by_id = AssignmentProblem.objects.select_related("problem", "assignment").in_bulk(
        attempt.drawn_item_ids
    )
    return [by_id[i] for i in attempt.drawn_item_ids]


def test_it_draws_the_same_questions_for_the_same_seed(make_quiz):
    quiz = make_quiz()
    first = quizzes.draw_questions(quiz, 12345)
    again = quizzes.draw_questions(quiz, 12345)
    assert [i.pk for i in first] == [i.pk for i in again]
    slugs = [i.problem.slug for i in first]
    assert len(slugs) == 3
    assert set(slugs[:2]) <= {"qn-1", "qn-2", "qn-3", "qn-4"}
    assert slugs[2] in {"qn-5", "qn-6"}


def test_different_students_get_different_draws(make_quiz):
    quiz = make_quiz()
    draws = {
        tuple(i.pk for i in quizzes.draw_questions(quiz, quizzes.quiz_seed(quiz.pk, uid)))
        for uid in range(1, 40)
    }
    assert len(draws) > 5  # 6 * 2 = 12 possible draws


def test_the_seed_depends_on_quiz_and_student():
    assert quizzes.quiz_seed(1, 2) == quizzes.quiz_seed(1, 2)
    assert quizzes.quiz_seed(1, 2) != quizzes.quiz_seed(2, 1)
    assert 0 <= quizzes.quiz_seed(1, 2) < 2**63


def test_start_records_the_draw_and_a_fixed_deadline(make_quiz, student, t0):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0 + timedelta(minutes=5))
    assert attempt.deadline == t0 + timedelta(minutes=20)
    assert [i.pk for i in quizzes.draw_questions(quiz, attempt.seed)] == attempt.drawn_item_ids
    assert [i.pk for i in quizzes.preview_draw(quiz, student.pk)] == attempt.drawn_item_ids


def test_starting_again_in_a_second_tab_keeps_the_first_deadline(make_quiz, student, t0):
    quiz = make_quiz()
    first = quizzes.start_quiz(student, quiz, now=t0 + timedelta(minutes=1))
    second = quizzes.start_quiz(student, quiz, now=t0 + timedelta(minutes=9))
    assert second.pk == first.pk
    assert second.deadline == first.deadline == t0 + timedelta(minutes=16)
    assert QuizAttempt.objects.count() == 1


def test_it_refuses_a_start_before_the_window_opens(make_quiz, student, t0):
    quiz = make_quiz()
    with pytest.raises(Closed) as exc:
        quizzes.start_quiz(student, quiz, now=t0 - timedelta(minutes=1))
    assert exc.value.status == 409
    assert "opens at Mon 2 Mar 2026, 09:00 UTC" in exc.value.message


def test_it_refuses_a_start_after_the_window_closes(make_quiz, student, t0):
    quiz = make_quiz()
    with pytest.raises(Closed, match="closed at"):
        quizzes.start_quiz(student, quiz, now=t0 + timedelta(hours=2))


def test_the_window_is_shown_in_the_cohorts_time_zone(make_quiz, student, cohort, t0):
    cohort.timezone = "Europe/Berlin"
    cohort.save()
    quiz = make_quiz()
    with pytest.raises(Closed, match="opens at Mon 2 Mar 2026, 10:00 CET"):
        quizzes.start_quiz(student, quiz, now=t0 - timedelta(minutes=1))


def test_a_late_start_gets_only_the_time_left_in_the_window(make_quiz, student, t0):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0 + timedelta(minutes=110))
    assert attempt.deadline == t0 + timedelta(hours=2)


def test_an_unpublished_quiz_cannot_be_started_by_students(make_quiz, student, t0):
    quiz = make_quiz(published=False)
    with pytest.raises(NotFound):
        quizzes.start_quiz(student, quiz, now=t0 + timedelta(minutes=1))


def test_extra_time_multiplies_the_limit(make_quiz, student, instructor, t0):
    quiz = make_quiz()
    quizzes.set_accommodation(instructor, quiz, student.pk, time_factor=1.5)
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    assert attempt.deadline == t0 + timedelta(minutes=22, seconds=30)


def test_a_personal_window_lets_one_student_sit_the_quiz_later(
    make_quiz, student, other_student, instructor, t0
):
    quiz = make_quiz()
    later = t0 + timedelta(days=1)
    quizzes.set_accommodation(
        instructor, quiz, student.pk, opens_at=later, closes_at=later + timedelta(hours=1)
    )
    with pytest.raises(Closed):
        quizzes.start_quiz(student, quiz, now=t0 + timedelta(minutes=5))
    attempt = quizzes.start_quiz(student, quiz, now=later + timedelta(minutes=1))
    assert attempt.deadline == later + timedelta(minutes=16)
    with pytest.raises(Closed):
        quizzes.start_quiz(other_student, quiz, now=later + timedelta(minutes=1))


def test_accommodations_are_for_staff_and_sane_values(make_quiz, student, other_student, t0):
    quiz = make_quiz()
    with pytest.raises(NotFound):
        quizzes.set_accommodation(student, quiz, other_student.pk, time_factor=2)
    with pytest.raises(BadPayload, match="between 1 and 10"):
        quizzes.set_accommodation(
            quiz.assignment.cohort.memberships.get(role="instructor").user,
            quiz,
            student.pk,
            time_factor=0.5,
        )


def test_an_answer_inside_the_time_is_stored_and_graded(make_quiz, student, t0):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    sub = services.submit_answer(
        student,
        item.problem.slug,
        {"answer": answer_for(student, item)},
        assignment_id=quiz.assignment_id,
        now=t0 + timedelta(minutes=14, seconds=59),
    )
    assert grade_now(sub.pk) == "correct"
    sub.refresh_from_db()
    assert sub.score == 2.0
    assert sub.late is False


def test_an_answer_after_the_deadline_is_refused(make_quiz, student, t0):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    with pytest.raises(Closed) as exc:
        services.submit_answer(
            student,
            item.problem.slug,
            {"answer": 1},
            assignment_id=quiz.assignment_id,
            now=t0 + timedelta(minutes=15),
        )
    assert exc.value.code == "quiz_time_up"
    assert "ran out at Mon 2 Mar 2026, 09:15 UTC" in exc.value.message
    assert not Submission.objects.exists()


def test_an_answer_before_start_is_refused(make_quiz, student, t0):
    quiz = make_quiz()
    with pytest.raises(Closed) as exc:
        services.submit_answer(
            student, "qn-1", {"answer": 1}, assignment_id=quiz.assignment_id, now=t0
        )
    assert exc.value.code == "quiz_not_started"


def test_an_answer_to_a_question_not_drawn_is_refused(make_quiz, student, t0):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    drawn = {i.problem.slug for i in drawn_items(attempt)}
    other = next(s for s in ("qn-1", "qn-2", "qn-3", "qn-4", "qn-5", "qn-6") if s not in drawn)
    with pytest.raises(Closed) as exc:
        services.submit_answer(
            student, other, {"answer": 1}, assignment_id=quiz.assignment_id, now=t0
        )
    assert exc.value.code == "not_in_your_quiz"


def test_an_answer_after_handing_in_is_refused(make_quiz, student, t0):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    quizzes.finish_quiz(student, quiz, now=t0 + timedelta(minutes=3))
    with pytest.raises(Closed) as exc:
        services.submit_answer(
            student,
            drawn_items(attempt)[0].problem.slug,
            {"answer": 1},
            assignment_id=quiz.assignment_id,
            now=t0 + timedelta(minutes=4),
        )
    assert exc.value.code == "quiz_finished"


def test_extending_a_students_time_moves_only_their_deadline(
    make_quiz, student, other_student, instructor, t0
):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    other = quizzes.start_quiz(other_student, quiz, now=t0)
    quizzes.extend_time(instructor, quiz, student.pk, 10)
    attempt.refresh_from_db()
    other.refresh_from_db()
    assert attempt.deadline == t0 + timedelta(minutes=25)
    assert other.deadline == t0 + timedelta(minutes=15)
    item = drawn_items(attempt)[0]
    services.submit_answer(
        student,
        item.problem.slug,
        {"answer": 1},
        assignment_id=quiz.assignment_id,
        now=t0 + timedelta(minutes=20),
    )
    with pytest.raises(NotFound):
        quizzes.extend_time(student, quiz, other_student.pk, 10)


def test_closing_early_stops_every_running_sitting(make_quiz, student, instructor, t0):
    quiz = make_quiz()
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    quizzes.close_quiz(instructor, quiz, now=t0 + timedelta(minutes=5))
    with pytest.raises(Closed):
        services.submit_answer(
            student,
            drawn_items(attempt)[0].problem.slug,
            {"answer": 1},
            assignment_id=quiz.assignment_id,
            now=t0 + timedelta(minutes=6),
        )
    quiz.refresh_from_db()
    assert quiz_rules.closes_for_everyone(quiz) == t0 + timedelta(minutes=5)


def test_points_decline_with_each_try(make_quiz, student, t0):
    quiz = make_quiz(attempt_points=[100, 60, 30])
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    scores = []
    for minute, answer in (
        (1, wrong_sum_for(student, item)),
        (2, 0),
        (3, answer_for(student, item)),
    ):
        sub = services.submit_answer(
            student,
            item.problem.slug,
            {"answer": answer},
            assignment_id=quiz.assignment_id,
            now=t0 + timedelta(minutes=minute),
        )
        grade_now(sub.pk)
        sub.refresh_from_db()
        scores.append((sub.attempt_number, sub.score))
    assert scores == [(1, 0.0), (2, 0.0), (3, pytest.approx(0.6))]  # 30% of 2 points
    assert Submission.objects.get(attempt_number=3).feedback["attempt_points_percent"] == 30
    with pytest.raises(Closed) as exc:
        services.submit_answer(
            student,
            item.problem.slug,
            {"answer": 1},
            assignment_id=quiz.assignment_id,
            now=t0 + timedelta(minutes=4),
        )
    assert exc.value.code == "no_attempts_left"


def test_a_regrade_keeps_the_declining_points_of_the_try(make_quiz, student, t0):
    """Regrading scores by record_grade's own rule: a right third try stays worth 30%."""
    from exercises.submissions import regrade

    quiz = make_quiz(attempt_points=[100, 60, 30])
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[0]
    for minute, answer in ((1, 0), (2, 0), (3, answer_for(student, item))):
        sub = services.submit_answer(
            student,
            item.problem.slug,
            {"answer": answer},
            assignment_id=quiz.assignment_id,
            now=t0 + timedelta(minutes=minute),
        )
        grade_now(sub.pk)
    sub.refresh_from_db()
    assert sub.score == pytest.approx(0.6)
    grade = regrade.regrade_one(sub)
    assert regrade.new_score(sub, grade) == pytest.approx(0.6)
    outcome = regrade.record_regrade(sub.pk, grade, never_lower=False)
    assert outcome["changed"] is False
    sub.refresh_from_db()
    assert sub.score == pytest.approx(0.6)


def test_a_second_try_that_is_right_earns_the_second_percentage(make_quiz, student, t0):
    quiz = make_quiz(attempt_points=[100, 50])
    attempt = quizzes.start_quiz(student, quiz, now=t0)
    item = drawn_items(attempt)[1]
    for answer in (0, answer_for(student, item)):
        sub = services.submit_answer(
            student,
            item.problem.slug,
            {"answer": answer},
            assignment_id=quiz.assignment_id,
            now=t0 + timedelta(minutes=1),
        )
        grade_now(sub.pk)
    sub.refresh_from_db()
    assert sub.score == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("points", "message"),
    [([], "at least one"), ([100, 120], "between 0 and 100"), ([60, 100], "only decline")],
)
def test_it_rejects_bad_try_percentages(make_quiz, points, message):
    with pytest.raises(BadPayload, match=message):
        make_quiz(attempt_points=points)


def test_it_rejects_pools_naming_unknown_problems(make_quiz):
    with pytest.raises(BadPayload, match="No problem 'nope'"):
        make_quiz(pools=[quizzes.PoolSpec(1, ("nope",))])


def test_it_parses_pool_lines_and_names_the_bad_line():
    pools = quizzes.parse_pools("2: a, b, c [sizes]\n\n1: d; e\n")
    assert pools == [quizzes.PoolSpec(2, ("a", "b", "c"), "sizes"), quizzes.PoolSpec(1, ("d", "e"))]
    with pytest.raises(BadPayload, match="line 2: cannot draw 3 of 2"):
        quizzes.parse_pools("1: a\n3: b, c")
    with pytest.raises(BadPayload, match="line 1"):
        quizzes.parse_pools("some: a")


def test_students_cannot_build_quizzes(cohort, student, bank, t0):
    with pytest.raises(NotFound):
        quizzes.create_quiz(
            student,
            cohort,
            title="X",
            slug="x",
            opens_at=t0,
            closes_at=t0 + timedelta(hours=1),
            time_limit_minutes=10,
            attempt_points=[100],
            feedback_policy="immediate",
            pools=[quizzes.PoolSpec(1, ("qn-1",))],
        )


def test_staff_outside_the_cohort_cannot_extend(make_quiz, student, t0):
    quiz = make_quiz()
    quizzes.start_quiz(student, quiz, now=t0)
    stranger = factories.make_user("stranger")
    with pytest.raises(NotFound):
        quizzes.extend_time(stranger, quiz, student.pk, 5)
