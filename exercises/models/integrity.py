"""What the integrity report stores: one run per assignment, the staff's review of a pair, and
the cross-variant leak flags raised at grading time. Staff only: nothing here is ever served to
students (no page or API of theirs reads these tables)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exercises.models.assignment import Assignment
from exercises.models.submission import Submission


class IntegrityReport(models.Model):
    """One analysis of an assignment's final code submissions.

    ``pairs`` is the ranked evidence, one dict per (problem, pair) as
    ``exercises.integrity.evidence.PairEvidence`` has it, with user ids for ``a``/``b`` (``a``
    submitted first); ``problems`` says per problem how many submissions were compared and how
    much common ground was set aside. A new run replaces nothing: the page shows the latest.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="integrity_reports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    problems = models.JSONField(default=list, blank=True)
    pairs = models.JSONField(default=list, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["assignment", "created_at"])]

    def __str__(self) -> str:
        return f"integrity {self.assignment.slug}: {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class IntegrityReview(models.Model):
    """The staff's verdict on two students of one assignment: it outlives report runs (a rerun
    after late submissions keeps what was already reviewed). ``first``/``second`` are ordered
    by user id, so a pair has one row whichever of them submitted first."""

    class Status(models.TextChoices):
        UNREVIEWED = "unreviewed", _("Unreviewed")
        FINE = "fine", _("Fine")
        SUSPICIOUS = "suspicious", _("Suspicious")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="integrity_reviews"
    )
    first = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNREVIEWED)
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "first", "second"], name="one_review_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="review_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment.slug}: {self.first_id}/{self.second_id} {self.status}"


class LeakFlag(models.Model):
    """A wrong answer that equals exactly what another student's variant expects (and no other
    variant): ``source`` holds that variant (``sources`` every student who does)."""

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="leak_flag"
    )
    source = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source_seed = models.BigIntegerField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"leak #{self.submission_id} from user {self.source_id}"
