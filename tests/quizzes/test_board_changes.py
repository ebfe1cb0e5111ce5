"""A quiz's edits and its early close tell the leaderboards through the one function every
write uses (``leaderboards.boards_changed``): what counts, or what is released, changed."""

from __future__ import annotations

from django.test import Client

from exercises.leaderboards import services as leaderboards
from exercises.leaderboards.services import BoardChange
from exercises.quizzes import services as quizzes
from tests.quizzes.conftest import staff_url
from tests.quizzes.test_editing import settings_of


def test_a_quiz_edit_and_an_early_close_go_through_it(make_quiz, instructor, cohort, monkeypatch):
    quiz = make_quiz()
    told = []
    monkeypatch.setattr(
        leaderboards, "boards_changed", lambda change, **w: told.append((change, w))
    )
    quizzes.update_quiz(instructor, quiz, **settings_of(quiz, counts_on_leaderboard=True))
    staff = Client()
    staff.force_login(instructor)
    assert staff.post(staff_url(quiz, "close")).status_code == 302
    expected = (
        BoardChange.ASSIGNMENT,
        {"cohort_id": cohort.pk, "assignment_id": quiz.assignment_id},
    )
    assert told == [expected, expected]
