"""Which hints of a problem a student has unlocked, in one assignment, and how."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exercises.models.assignment import Assignment
from exercises.models.problem import Problem


class HintUnlock(models.Model):
    """One hint (``hint_index``, 1-based, into ``Problem.hints``) unlocked for one student: written
    once, when its rule fired, so pages, the API and the gradebook read the state instead of
    recomputing it. ``cost`` is the fraction of the points it costs (requested hints only)."""

    class How(models.TextChoices):
        ATTEMPTS = "attempts", _("After wrong attempts")
        MISCONCEPTION = "misconception", _("On a diagnosed misconception")
        REQUEST = "request", _("Requested")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hint_unlocks"
    )
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="hint_unlocks")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="hint_unlocks"
    )
    hint_index = models.PositiveSmallIntegerField()
    how = models.CharField(max_length=16, choices=How.choices)
    # The wrong attempts the student had when it unlocked; the misconception that unlocked it.
    attempts = models.PositiveIntegerField(default=0)
    misconception = models.CharField(max_length=120, blank=True)
    cost = models.FloatField(default=0)
    # The graded submission whose grade unlocked it (None: requested).
    submission = models.ForeignKey(
        "exercises.Submission", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unlocked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "problem", "assignment", "hint_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "problem", "assignment", "hint_index"], name="hint_unlocked_once"
            )
        ]
        indexes = [models.Index(fields=["assignment", "problem"])]

    def __str__(self) -> str:
        return f"{self.user} hint {self.hint_index} of {self.problem.slug} ({self.how})"
