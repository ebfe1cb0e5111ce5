"""Every answer a student sends, stored before anything else happens, and its grading."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exercises.models.assignment import Assignment
from exercises.models.problem import Problem


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    GRADED = "graded", _("Graded")
    ERROR = "error", _("Error")


class Verdict(models.TextChoices):
    CORRECT = "correct", _("Correct")
    PARTIAL = "partial", _("Partially correct")
    INCORRECT = "incorrect", _("Incorrect")
    INVALID = "invalid", _("Could not be read")


PENDING_STATUSES = (Status.QUEUED, Status.RUNNING)

# An attempt that counts (against the attempt limit, in the gradebook, analytics and reports):
# a grading that failed on our side (error) or an answer that could not be read (invalid) costs
# the student nothing. A Q, so that aggregates can filter by it too (``Count(filter=COUNTS)``).
COUNTS = ~models.Q(status=Status.ERROR) & ~models.Q(verdict=Verdict.INVALID)


class SubmissionQuerySet(models.QuerySet):
    def counting(self) -> SubmissionQuerySet:
        """The attempts that count (``COUNTS``)."""
        return self.filter(COUNTS)


class Submission(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="submissions")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="submissions", null=True, blank=True
    )
    # {"answer": ...} or {"code": "..."}, exactly as validated from the request.
    payload = models.JSONField()
    # None: the pinned (lecture) variant. The params are rebuilt from it; never trusted from input.
    variant_seed = models.BigIntegerField(null=True, blank=True)
    attempt_number = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True)
    # Points earned (after any late penalty) out of max_score.
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(default=1)
    late = models.BooleanField(default=False)
    # The fraction of the points taken off for the hints the student had asked for when sending
    # it (fixed then, like ``late`` and ``max_score``; ``services.scored`` applies it).
    hint_cost = models.FloatField(default=0)
    feedback = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it last entered the queue (creation, or a re-queue by the sweeper).
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=200, blank=True)
    # How many times the sweeper re-queued it; past STRIDE["MAX_REQUEUES"] it ends as error.
    requeue_count = models.PositiveSmallIntegerField(default=0)
    error_message = models.TextField(blank=True)
    # The client's Idempotency-Key (API header, or the problem page's form token) and a digest
    # of what it asked: a retry with the same key gets this submission back instead of making
    # another attempt. Kept with the row (not in the cache) so that the key and the attempt
    # are one commit, and a retry after any delay, or after Redis lost its data, still finds it.
    idempotency_key = models.CharField(max_length=200, blank=True)  # "": none was sent
    request_digest = models.CharField(max_length=64, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="submission_one_per_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "problem", "assignment", "created_at"]),
            models.Index(fields=["status", "queued_at"]),
            models.Index(fields=["assignment", "status"]),
            models.Index(fields=["problem", "verdict"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.user} {self.problem.slug} {self.status}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def graded_by_tests(self) -> bool:
        """Only code is graded by tests: another kind's submission has no test rows, and
        reading them would be a query for nothing."""
        return self.problem.kind == "code"

    @property
    def shown_tests(self) -> list[TestResult]:
        """The test rows a reader is shown: a graded code submission's, else none."""
        if self.status != "graded" or not self.graded_by_tests:
            return []
        kept = self.__dict__.get("_kept_tests")
        return list(self.tests.all()) if kept is None else kept

    def keep_tests(self, tests: Iterable[TestResult]) -> None:
        """Take this submission's test rows (in their order) as read by the caller, as a
        prefetch would: ``shown_tests`` then reads no more."""
        self.__dict__["_kept_tests"] = list(tests)


class TestResult(models.Model):
    """One check of a graded submission; hidden tests keep their data out of ``data``."""

    __test__ = False  # not a pytest test class

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="tests")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    passed = models.BooleanField()
    points = models.FloatField(default=0)
    max_points = models.FloatField(default=0)
    message = models.TextField(blank=True)
    hidden = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["submission", "order"]

    def __str__(self) -> str:
        return f"{self.name}: {'pass' if self.passed else 'fail'}"
