"""Shapes of the public API v1 (a promise: fields are added, never renamed). Output only: input
envelopes are checked by ``exercises.submissions.payloads`` so that pages and API share them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from exercises import grading_texts


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ProblemSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    points = serializers.IntegerField()
    due = serializers.DateTimeField(allow_null=True)
    assignment = serializers.CharField()
    cohort = serializers.CharField()
    url = serializers.CharField()


class HintSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The hint's number on the problem, from 1.")
    text = serializers.CharField(help_text="Markdown with $math$.")
    unlocked_by = serializers.ChoiceField(
        choices=["attempts", "misconception", "request"],
        help_text="attempts: after wrong attempts; misconception: when a grade diagnosed "
        "`misconception`; request: asked for (costs `cost` of the points).",
    )
    misconception = serializers.CharField(allow_null=True)
    cost = serializers.FloatField(help_text="Fraction of the points it costs (0 unless asked).")
    unlocked_at = serializers.DateTimeField()


class HintOnRequestSerializer(serializers.Serializer):
    """A hint still locked that the student may ask for: its text is not served until then."""

    index = serializers.IntegerField()
    cost = serializers.FloatField(
        help_text="Fraction of the problem's points taken off every later submission's score."
    )
    url = serializers.CharField(help_text="POST here to see it.")


class ProblemDetailSerializer(ProblemSummarySerializer):
    statement = serializers.CharField(help_text="Markdown with $math$, for this user's variant.")
    language = serializers.CharField(
        help_text="The language of `title` and `statement`: the one asked for (Accept-Language, "
        "or the language chosen in the pages), else English."
    )
    languages = serializers.ListField(
        child=serializers.CharField(), help_text="Every language this problem is written in."
    )
    params = serializers.DictField(help_text="This user's variant of the problem.")
    answer_format = serializers.DictField()
    attempts_left = serializers.IntegerField(allow_null=True, help_text="null: unlimited")
    attempts_used = serializers.IntegerField()
    starter_code = serializers.CharField(required=False)
    hints = HintSerializer(many=True, help_text="The hints you have unlocked.")
    hints_on_request = HintOnRequestSerializer(many=True)


class SubmitRequestSerializer(serializers.Serializer):
    """Send ``answer`` (number, list, string) or, for code problems, ``code``."""

    answer = serializers.JSONField(required=False)
    code = serializers.CharField(required=False, allow_blank=True)


class TestResultSerializer(serializers.Serializer):
    """A hidden test says only its name, whether it passed and its points: its message and
    data could quote the hidden inputs, so they are never served (whatever was stored)."""

    name = serializers.CharField()
    passed = serializers.BooleanField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    message = serializers.CharField()
    hidden = serializers.BooleanField()
    data = serializers.DictField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # A hidden test's name is shown (its data is not), so it reads in the reader's language too.
        data["name"] = grading_texts.shown_test_name(data["name"], data["data"])
        if data["hidden"]:
            data["message"] = ""
            data["data"] = {}
        else:
            data["message"] = grading_texts.shown_test_message(data["message"], data["data"])
            data["data"] = grading_texts.shown_test_data(data["data"])
        return data


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    problem = serializers.CharField(source="problem.slug")
    assignment = serializers.CharField(source="assignment.slug", allow_null=True)
    status = serializers.CharField()
    verdict = serializers.CharField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField()
    attempt = serializers.IntegerField(source="attempt_number")
    late = serializers.BooleanField()
    feedback = serializers.DictField(
        help_text="`message`, the diagnosis and every other text in the language asked for "
        "(Accept-Language, or the pages' choice), else English; `feedback_language` says which."
    )
    feedback_language = serializers.SerializerMethodField(
        help_text="The language of `feedback`'s texts and the tests' messages: the one asked "
        "for, or English for a grade stored before grading spoke Korean."
    )
    tests = TestResultSerializer(many=True, source="shown_tests")
    created_at = serializers.DateTimeField()
    graded_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(source="error_message", allow_blank=True)
    feedback_withheld = serializers.BooleanField(
        read_only=True,
        default=False,
        help_text="A quiz holding back verdict, score and feedback until its policy allows.",
    )
    hints = HintSerializer(
        many=True, read_only=True, default=list, help_text="The author's unlocked hints."
    )

    def get_feedback_language(self, instance) -> str:
        return grading_texts.feedback_language(instance.feedback)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["feedback"] = grading_texts.shown_feedback(data["feedback"])
        data["verdict"] = data["verdict"] or None
        return data


def _when(value: datetime | None) -> str | None:
    """A time as DRF's ``DateTimeField`` writes it: in the current time zone, ISO 8601, ``Z``
    for UTC."""
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _test_body(test) -> dict[str, Any]:
    hidden = bool(test.hidden)
    data = {str(k): v for k, v in test.data.items()}
    return {
        "name": grading_texts.shown_test_name(str(test.name), data),
        "passed": bool(test.passed),
        "points": float(test.points),
        "max_points": float(test.max_points),
        "message": "" if hidden else grading_texts.shown_test_message(str(test.message), data),
        "hidden": hidden,
        "data": {} if hidden else grading_texts.shown_test_data(data),
    }


class SubmissionCreatedSerializer(SubmissionSerializer):
    """The answer to a submit: ``id``, ``status`` and ``url`` always; when the submission is
    already final (a quick kind graded in the request: ``graded``, or ``error``), also every
    field of the submission's own read, so that no second request is needed."""

    url = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name not in ("id", "status", "url"):
                field.required = False
        return fields


def submission_body(submission) -> dict[str, Any]:
    """What ``SubmissionSerializer`` writes for ``submission``, field for field, without the
    serializer machinery: building a DRF serializer copies every declared field, nested ones
    included, for each instance, which made up a tenth of the CPU of a submission poll (the
    request a waiting or polling client sends most; ``make bench BENCH_ARGS=webcpu``). The
    serializer stays the schema; a test holds the two to the same output."""
    feedback = submission.feedback
    return {
        "id": int(submission.pk),
        "problem": str(submission.problem.slug),
        "assignment": str(submission.assignment.slug) if submission.assignment else None,
        "status": str(submission.status),
        "verdict": str(submission.verdict) or None,
        "score": None if submission.score is None else float(submission.score),
        "max_score": float(submission.max_score),
        "attempt": int(submission.attempt_number),
        "late": bool(submission.late),
        "feedback": grading_texts.shown_feedback({str(k): v for k, v in feedback.items()}),
        "feedback_language": grading_texts.feedback_language(feedback),
        "tests": [_test_body(t) for t in submission.shown_tests],
        "created_at": _when(submission.created_at),
        "graded_at": _when(submission.graded_at),
        "error": str(submission.error_message),
        "feedback_withheld": False,
        "hints": [],
    }


class LeaderboardEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.FloatField()
    solved = serializers.IntegerField()
    last_improved_at = serializers.DateTimeField(allow_null=True)
    you = serializers.BooleanField(help_text="this row is the caller's")
    real_name = serializers.CharField(required=False, help_text="staff only")
    hidden = serializers.BooleanField(required=False, help_text="staff only: opted out")


class LeaderboardSerializer(serializers.Serializer):
    cohort = serializers.CharField()
    assignment = serializers.CharField(allow_null=True, help_text="?assignment=<slug> board")
    frozen_at = serializers.DateTimeField(
        allow_null=True, help_text="students see the board as it stood at this instant"
    )
    entries = LeaderboardEntrySerializer(
        many=True, help_text="the whole board, or the first N rows with ?top=N"
    )
    top = LeaderboardEntrySerializer(many=True, help_text="the first rows (?top=N, default 10)")
    me = LeaderboardEntrySerializer(
        allow_null=True, help_text="your row wherever you stand; null for staff and opted-out"
    )
    version = serializers.CharField(
        allow_null=True, help_text="changes whenever the board does; null without Redis"
    )


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, e.g. no_attempts_left, rate_limited.")
    message = serializers.CharField(help_text="What went wrong and what to do, for people.")
    field = serializers.CharField(allow_null=True, help_text="The input at fault, if any.")


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers with."""

    error = ErrorDetailSerializer()
