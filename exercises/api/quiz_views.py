"""API v1 for quizzes, so a notebook can sit a quiz like the page does: read the quiz and the
server's clock, start, answer through ``POST /problems/<slug>/submissions?assignment=<id>``,
hand in. Thin: the rules live in ``exercises.quizzes.services`` and ``exercises.quizzes.rules``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exercises import access
from exercises.api.serializers import ErrorSerializer
from exercises.models import QuizSettings
from exercises.quizzes import presenters as quiz_presenters
from exercises.quizzes import rules as quiz_rules
from exercises.quizzes import services as quizzes

QuizSerializer = inline_serializer(
    "Quiz",
    {
        "id": serializers.IntegerField(),
        "title": serializers.CharField(),
        "cohort": serializers.CharField(),
        "opens_at": serializers.DateTimeField(),
        "closes_at": serializers.DateTimeField(),
        "time_limit_minutes": serializers.FloatField(help_text="Including accommodations."),
        "attempt_points": serializers.ListField(child=serializers.FloatField()),
        "feedback_policy": serializers.CharField(),
        "state": serializers.CharField(help_text="not_started | running | finished"),
        "sitting": serializers.ChoiceField(
            choices=[s.value for s in quiz_rules.Sitting],
            help_text="The state in full, as the quiz page names it: upcoming | open | missed "
            "(not started, by the student's own window) | running | finished.",
        ),
        "deadline": serializers.DateTimeField(allow_null=True),
        "remaining_seconds": serializers.IntegerField(allow_null=True),
        "questions": serializers.ListField(child=serializers.DictField()),
    },
)


def quiz_body(quiz: QuizSettings, user) -> dict[str, Any]:
    """The quiz as this user meets it; questions only once they started (their own draw)."""
    now = timezone.now()
    attempt = quiz_rules.attempt_of(quiz.assignment_id, user.pk)
    accommodation = quiz_rules.accommodation_for(quiz, user.pk)
    opens, closes = quiz_rules.window_for(quiz, accommodation)
    sitting = quiz_rules.sitting_state(quiz, attempt, accommodation, now)
    clock = quiz_presenters.clock(quiz, attempt, sitting, now)
    questions = []
    if attempt is not None:
        for position, item in enumerate(quizzes.preview_draw(quiz, user.pk), start=1):
            slug = item.problem.slug
            query = f"?assignment={quiz.assignment_id}"
            questions.append(
                {
                    "position": position,
                    "slug": slug,
                    "title": item.problem.title,
                    "kind": item.problem.kind,
                    "points": item.max_points,
                    "url": reverse("api:problem-detail", args=[slug]) + query,
                    "submit_url": reverse("api:submission-create", args=[slug]) + query,
                }
            )
    return {
        "id": quiz.assignment_id,
        "title": quiz.assignment.title,
        "cohort": quiz.assignment.cohort.slug,
        "opens_at": opens,
        "closes_at": closes,
        "time_limit_minutes": quiz_rules.time_allowed(quiz, accommodation).total_seconds() / 60,
        "attempt_points": quiz.attempt_points,
        "feedback_policy": quiz.feedback_policy,
        "state": clock["state"],
        "sitting": clock["sitting"],
        "deadline": clock["deadline"],
        "remaining_seconds": clock["remaining_seconds"],
        "questions": questions,
    }


_QUIZ_ID = OpenApiParameter(
    "id",
    int,
    location=OpenApiParameter.PATH,
    description=gettext_lazy(
        "The quiz's number, as in its page's address /quizzes/<id> (the dashboard and "
        "/quizzes/ list the quizzes open to you)."
    ),
)


def _quiz_errors(conflict: str | None = None) -> dict[int, OpenApiResponse]:
    errors = {
        401: OpenApiResponse(
            ErrorSerializer, description=gettext_lazy("No token or session, or a wrong token.")
        ),
        404: OpenApiResponse(
            ErrorSerializer,
            description=gettext_lazy(
                "`quiz_not_found`: no such quiz, not published yet, or not in one of "
                "your cohorts (the API does not say which)."
            ),
        ),
    }
    if conflict:
        errors[409] = OpenApiResponse(ErrorSerializer, description=conflict)
    return errors


class QuizDetailView(APIView):
    @extend_schema(
        summary=gettext_lazy("Read a quiz: its window, your clock and your questions"),
        description=gettext_lazy(
            "The quiz's window and time limit (yours, with any accommodation), where "
            "your sitting is (`sitting`), the server's `deadline` and `remaining_seconds`, and, "
            "once you started, the questions of your own draw: fetch each with its `url` and "
            "answer it with a POST to its `submit_url` (the problem endpoints, with the quiz as "
            "`?assignment=`). Feedback on the answers follows the quiz's `feedback_policy`."
        ),
        parameters=[_QUIZ_ID],
        responses={200: QuizSerializer, **_quiz_errors()},
    )
    def get(self, request: Request, pk: int) -> Response:
        quiz, _ = access.member_quiz(request.user, pk)
        return Response(quiz_body(quiz, request.user))


class QuizStartView(APIView):
    @extend_schema(
        summary=gettext_lazy("Start a quiz: your clock begins"),
        description=gettext_lazy(
            "Draws your questions and starts your time limit (it runs even if you "
            "close the page or the notebook). Idempotent: a second call returns the same sitting "
            "and deadline."
        ),
        request=None,
        parameters=[_QUIZ_ID],
        responses={
            200: QuizSerializer,
            **_quiz_errors(
                gettext_lazy(
                    "`quiz_not_open`: the window has not opened yet; `quiz_closed`: it has closed; "
                    "`quiz_not_ready`: the quiz has no questions yet."
                )
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Start (idempotent: a second call returns the same sitting and deadline)."""
        quiz, _ = access.member_quiz(request.user, pk)
        quizzes.start_quiz(request.user, quiz)
        return Response(quiz_body(quiz, request.user))


class QuizFinishView(APIView):
    @extend_schema(
        summary=gettext_lazy("Hand in a quiz"),
        description=gettext_lazy(
            "Ends your sitting before the time is up: no more answers are taken, and "
            "feedback given after hand-in becomes visible. Handing in twice is harmless."
        ),
        request=None,
        parameters=[_QUIZ_ID],
        responses={
            200: QuizSerializer,
            **_quiz_errors(gettext_lazy("`quiz_not_started`: you have not started this quiz.")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        quiz, _ = access.member_quiz(request.user, pk)
        quizzes.finish_quiz(request.user, quiz)
        return Response(quiz_body(quiz, request.user))
