"""A regrade of one problem's submissions in one cohort: a preview or an applied run.

The row is the progress the instructor's page polls (``done`` of ``total``) and, for a preview,
the proposed results, so that applying can be compared against what was shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exercises.models.cohort import Cohort
from exercises.models.problem import Problem


class RegradeJob(models.Model):
    class Mode(models.TextChoices):
        PREVIEW = "preview", _("Preview (writes nothing)")
        APPLY = "apply", _("Apply")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="regrade_jobs")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="regrade_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    mode = models.CharField(max_length=16, choices=Mode.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    # Apply only: keep the old score when the new one is lower.
    never_lower = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    # [{"submission", "user", "old", "new", "old_verdict", "new_verdict"}] for changed rows.
    results = models.JSONField(default=list, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cohort", "problem", "created_at"])]

    def __str__(self) -> str:
        return f"{self.mode} {self.problem.slug} in {self.cohort.slug}: {self.done}/{self.total}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
