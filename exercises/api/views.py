"""API v1 views: thin. Authenticate, call a selector or a service, serialize."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from exercises import leaderboards, presenters, quiz_presenters, selectors, services
from exercises.api import serializers as s
from exercises.errors import BadPayload


class TokenThrottle(AnonRateThrottle):
    rate = "30/min"


def _assignment_param(request: Request) -> int | None:
    raw = request.query_params.get("assignment")
    if raw in (None, ""):
        return None
    if not raw.isdigit():
        raise BadPayload("assignment must be an assignment id.", field="assignment")
    return int(raw)


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TokenThrottle]

    @extend_schema(request=s.TokenRequestSerializer, responses=s.TokenSerializer)
    def post(self, request: Request) -> Response:
        form = s.TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=form.validated_data["username"],
            password=form.validated_data["password"],
        )
        if user is None:
            raise BadPayload("Wrong username or password.", code="invalid_credentials")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class ProblemListView(APIView):
    @extend_schema(responses=s.ProblemSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        items = selectors.visible_problem_items(request.user)
        return Response([presenters.problem_summary(item) for item in items])


class ProblemDetailView(APIView):
    @extend_schema(responses=s.ProblemDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        access = selectors.access_problem(
            request.user, slug, assignment_id=_assignment_param(request)
        )
        return Response(presenters.problem_detail(request.user, access))


class SubmissionCreateView(APIView):
    @extend_schema(
        request=s.SubmitRequestSerializer, responses={202: s.SubmissionCreatedSerializer}
    )
    def post(self, request: Request, slug: str) -> Response:
        submission = services.submit_answer(
            request.user, slug, request.data, assignment_id=_assignment_param(request)
        )
        url = reverse("api:submission-detail", args=[submission.pk])
        return Response(
            {"id": submission.pk, "status": submission.status, "url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )


class SubmissionDetailView(APIView):
    @extend_schema(responses=s.SubmissionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        submission = selectors.access_submission(request.user, pk)
        data = s.SubmissionSerializer(submission).data
        return Response(quiz_presenters.apply_feedback_policy(data, submission, request.user))


class LeaderboardView(APIView):
    @extend_schema(responses=s.LeaderboardSerializer)
    def get(self, request: Request, slug: str) -> Response:
        cohort, assignment, role = leaderboards.access_board(
            request.user, slug, request.query_params.get("assignment") or None
        )
        board = leaderboards.board_for(cohort, request.user, assignment=assignment, role=role)
        return Response(leaderboards.board_payload(board))
