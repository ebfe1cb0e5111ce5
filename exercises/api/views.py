"""API v1 views: thin. Authenticate, call a selector or a service, serialize."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exercises.accounts import logins
from exercises.api import serializers as s
from exercises.assignments import presenters
from exercises.bank import hints
from exercises.errors import BadPayload
from exercises.leaderboards import selectors as leaderboard_reads
from exercises.leaderboards import services as leaderboards
from exercises.quizzes import presenters as quiz_presenters
from exercises.submissions import grade_events, selectors, services


def _assignment_param(request: Request, slug: str) -> int | None:
    """``?assignment=``: the slug the problem list shows, or the assignment's id."""
    return selectors.assignment_for(request.user, slug, request.query_params.get("assignment"))


_ERRORS = {
    400: gettext_lazy(
        "Malformed JSON, an unknown field, or a missing answer/code (the field is named)."
    ),
    401: gettext_lazy("No token or session, or a wrong token."),
    403: gettext_lazy("A session request without its CSRF token."),
    404: gettext_lazy("No such thing, or not open to you (the API does not say which)."),
    409: gettext_lazy("The assignment is closed, or no attempts are left."),
    413: gettext_lazy("The body, the answer or the code is too large."),
    415: gettext_lazy("The body is not application/json."),
    422: gettext_lazy(
        "The Idempotency-Key was already used for a different request: use a new key."
    ),
    429: gettext_lazy(
        "Too many submissions, or failed logins: wait the seconds in the Retry-After header."
    ),
    503: gettext_lazy(
        "Too many logins at this moment: wait the seconds in the Retry-After header."
    ),
}
_ASSIGNMENT = OpenApiParameter(
    "assignment",
    str,
    description=gettext_lazy(
        "The assignment's slug (as the problem list gives it) or its numeric id, "
        "when the problem is in more than one of yours (default: the open one due soonest)."
    ),
)


_IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    description=gettext_lazy(
        "A new unique value (a UUID) per answer, sent again unchanged when you retry "
        "after a timeout or a lost response: a retry returns the first request's submission "
        "(200, same id) instead of making another attempt. The same key with a different body "
        "is refused with 422. Keys are yours alone and kept with the submission."
    ),
)


def _errors(*statuses: int) -> dict[int, OpenApiResponse]:
    return {
        code: OpenApiResponse(s.ErrorSerializer, description=_ERRORS[code]) for code in statuses
    }


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary=gettext_lazy("Get your API token"),
        description=gettext_lazy(
            "Trade a username and password for the token to send as "
            "`Authorization: Token <token>`; the same token every time, and it does not expire: "
            "ask once per device and keep it."
        ),
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, **_errors(400, 415, 429, 503)},
    )
    def post(self, request: Request) -> Response:
        form = s.TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = logins.check_password_login(
            request._request,
            form.validated_data["username"],
            form.validated_data["password"],
        )
        if user is None:
            raise BadPayload(gettext("Wrong username or password."), code="invalid_credentials")
        return Response({"token": logins.token_for(user)})


class ProblemListView(APIView):
    @extend_schema(
        summary=gettext_lazy("List your problems"),
        description=gettext_lazy("Every problem open to you, one row each, soonest due first."),
        responses={200: s.ProblemSummarySerializer(many=True), **_errors(401)},
    )
    def get(self, request: Request) -> Response:
        items = selectors.visible_problem_items(request.user)
        return Response([presenters.problem_summary(item) for item in items])


class ProblemDetailView(APIView):
    @extend_schema(
        summary=gettext_lazy("Fetch a problem: your variant"),
        description=gettext_lazy(
            "The statement and `params` are your own variant; `answer_format` says "
            "what to send; `attempts_left` is null when unlimited."
        ),
        parameters=[_ASSIGNMENT],
        responses={200: s.ProblemDetailSerializer, **_errors(400, 401, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        access = selectors.access_problem(
            request.user, slug, assignment_id=_assignment_param(request, slug)
        )
        return Response(presenters.problem_detail(request.user, access))


_WAIT = OpenApiParameter(
    "wait",
    int,
    description=format_lazy(
        gettext_lazy(
            "Seconds (0 to {seconds}) to wait for the grade: the answer comes as soon as the "
            "submission is graded (or ends in error), else after that long with the pending "
            "state. The `X-Stride-Wait` header says how it ended: `final`, `timeout`, or `busy` "
            "(the server already holds its most waiting requests: this is the current state at "
            "once; ask again in a second)."
        ),
        seconds=grade_events.MAX_WAIT_SECONDS,
    ),
)


class SubmissionCreateView(APIView):
    @extend_schema(
        summary=gettext_lazy("Submit an answer or code"),
        description=gettext_lazy(
            'Send `{"answer": ...}` (a number, a list of rows, a list of ints, a '
            'choice key or list of keys, or "does-not-fit"), or `{"code": "..."}` for code '
            "problems. A number, matrix, shape or choice answer is usually graded before the "
            'answer comes back: `status` is then `"graded"` and the body holds the grade, every '
            "field of the submission's read. Otherwise (code, always) `status` is "
            '`"queued"`: grading runs in the background; read the returned url with `?wait=20`. '
            "Send an "
            "`Idempotency-Key` header so that a retry cannot make a second attempt. A number sent "
            'as text with separators that could mean two things (`"45,126"`: 45126 or 45.126) is '
            "refused with 400 `ambiguous_number` and what to send instead; a quiz question's "
            "answer that its kind cannot read at all (words for a number) is refused with 400 "
            "`unreadable_answer` and the reason. Neither is stored or uses a try."
        ),
        parameters=[_ASSIGNMENT, _IDEMPOTENCY_KEY, _WAIT],
        request=s.SubmitRequestSerializer,
        responses={
            202: OpenApiResponse(
                s.SubmissionCreatedSerializer,
                description=gettext_lazy(
                    "Stored; queued for grading, or already graded (`status`)."
                ),
            ),
            200: OpenApiResponse(
                s.SubmissionCreatedSerializer,
                description=gettext_lazy(
                    "A retry with an Idempotency-Key already used for this request: "
                    "the first request's submission, nothing new stored "
                    "(header `Idempotent-Replayed: true`)."
                ),
            ),
            **_errors(400, 401, 403, 404, 409, 413, 415, 422, 429),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        # Read before anything is stored: a malformed wait is a 400 that uses no attempt.
        seconds = grade_events.wait_seconds(request.query_params.get("wait"))
        submitted = services.submit(
            request.user,
            slug,
            request.data,
            assignment_id=_assignment_param(request, slug),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
        # Asked to wait: the worker's grade (code) comes in this answer when it lands in time,
        # one request instead of a submit and a GET with ?wait=.
        submission, outcome = grade_events.await_result(submitted.submission, seconds)
        url = reverse("api:submission-detail", args=[submission.pk])
        headers = {"Location": url}
        if outcome is not None:
            headers["X-Stride-Wait"] = outcome.value
        if submitted.replayed:
            headers["Idempotent-Replayed"] = "true"
        body = {"id": submission.pk, "status": submission.status, "url": url}
        if not submission.is_pending:  # graded in this request (or the replayed one's final)
            body = _submission_answer(request, submission) | body
        return Response(
            body,
            status=status.HTTP_200_OK if submitted.replayed else status.HTTP_202_ACCEPTED,
            headers=headers,
        )


def _submission_answer(request: Request, submission) -> dict:
    """A submission as its reader may see it: the body of ``GET /submissions/<id>`` (the
    submit's too, once final), with the quiz's feedback policy applied."""
    data = s.submission_body(submission)  # SubmissionSerializer's fields, cheaper
    data["hints"] = presenters.submission_hints(
        submission.user_id, submission.problem, submission.assignment
    )
    return quiz_presenters.apply_feedback_policy(data, submission, request.user)


class SubmissionDetailView(APIView):
    @extend_schema(
        summary=gettext_lazy("Read a submission and its grade"),
        description=gettext_lazy(
            "`status` goes queued -> running -> graded (or error, which uses no "
            "attempt). Hidden tests give only name, passed and points. Send `?wait=20` to have "
            "the answer come when the grade does, instead of polling."
        ),
        parameters=[_WAIT],
        responses={200: s.SubmissionSerializer, **_errors(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        seconds = grade_events.wait_seconds(request.query_params.get("wait"))
        submission = selectors.access_submission(request.user, pk)
        submission, outcome = grade_events.await_result(submission, seconds)
        response = Response(_submission_answer(request, submission))
        if outcome is not None:
            response["X-Stride-Wait"] = outcome.value
        return response


class HintRequestView(APIView):
    @extend_schema(
        summary=gettext_lazy("Ask for a hint"),
        description=gettext_lazy(
            "Unlock an on-request hint (one listed in the problem's "
            "`hints_on_request`). Its `cost`, a fraction of the problem's points, is taken off "
            "the score of every submission you send afterwards, so off your best score once; "
            "asking again costs nothing more. A quiz shows no hints while it withholds feedback."
        ),
        parameters=[_ASSIGNMENT],
        request=None,
        responses={200: s.HintSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str, index: int) -> Response:
        unlock = services.request_hint(
            request.user, slug, index, assignment_id=_assignment_param(request, slug)
        )
        hint = hints.from_json(unlock.problem.hints)[index - 1]
        return Response(presenters.hint_payload(hint, unlock))


class LeaderboardView(APIView):
    def dispatch(self, request, *args, **kwargs):
        # Before authentication: an unchanged board costs no database query at all.
        if leaderboard_reads.unchanged(request):
            return leaderboard_reads.not_modified()
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        summary=gettext_lazy("Your cohort's leaderboard"),
        description=gettext_lazy(
            "`top` holds the first rows (`?top=N`, 1 to 200, default 10) and `me` "
            "your own row wherever you stand (null for staff and when you chose not to appear); "
            "`entries` the whole board, or the first N rows when `?top=N` is given. Send the "
            "`ETag` back as `If-None-Match`: an unchanged board answers 304 with no body."
        ),
        parameters=[
            OpenApiParameter(
                "top", int, description=gettext_lazy("How many of the first rows (1-200).")
            ),
            OpenApiParameter(
                "assignment", str, description=gettext_lazy("An assignment's slug: its board.")
            ),
        ],
        responses={
            200: s.LeaderboardSerializer,
            304: OpenApiResponse(description=gettext_lazy("Unchanged since the ETag you sent.")),
            **_errors(400, 401, 404),
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        top = leaderboard_reads.top_param(request.query_params.get("top"))
        membership, assignment = leaderboards.access_board(
            request.user, slug, request.query_params.get("assignment") or None
        )
        read = leaderboard_reads.read_board(
            membership.cohort, request.user, assignment=assignment, role=membership.role, top=top
        )
        return leaderboard_reads.tag(Response(read.payload), request, read)
