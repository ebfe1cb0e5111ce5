"""Quizzes: an ``Assignment`` of type quiz plus its settings, question pools, each student's
timed sitting and per-student accommodations.

The quiz window lives here (``QuizSettings.opens_at/closes_at``), not on the assignment's
``opens_at``: an accommodation may open the quiz earlier for one student, and the quiz's
questions are never listed with the practice problems anyway (they are reached through the
quiz page, and only once a student has started). ``Assignment.due_at`` mirrors ``closes_at``
so that dashboards and gradebooks show the quiz's end like any other due date.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from exercises.models.assignment import Assignment, AssignmentProblem


def validate_attempt_points(value: object) -> None:
    """``[100]`` (one try) or a non-increasing list of percentages such as ``[100, 60, 30]``."""
    if not isinstance(value, list) or not value:
        raise ValidationError("Give at least one percentage, e.g. [100] or [100, 60, 30].")
    if len(value) > 10:
        raise ValidationError("At most 10 tries per question.")
    for percent in value:
        if not isinstance(percent, int | float) or isinstance(percent, bool):
            raise ValidationError(f"{percent!r} is not a number.")
        if not 0 <= percent <= 100:
            raise ValidationError(f"{percent} is not a percentage between 0 and 100.")
    if any(b > a for a, b in pairwise(value)):
        raise ValidationError("Points per try may only decline (e.g. 100, 60, 30).")


class FeedbackPolicy(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately, after each answer")
    AFTER_SUBMISSION = "after_submission", _("When the student finishes the quiz")
    AFTER_CLOSE = "after_close", _("When the quiz has closed for everyone")


class QuizSettings(models.Model):
    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="quiz")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    time_limit_minutes = models.PositiveIntegerField(
        default=15, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    # Percent of a question's points per try: [100] = one try; [100, 60, 30] = three, declining.
    attempt_points = models.JSONField(default=list, validators=[validate_attempt_points])
    feedback_policy = models.CharField(
        max_length=24, choices=FeedbackPolicy.choices, default=FeedbackPolicy.AFTER_CLOSE
    )
    # Set when an instructor ends the quiz early for everyone.
    closed_early_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "quiz settings"
        verbose_name_plural = "quiz settings"

    def __str__(self) -> str:
        return f"quiz {self.assignment}"

    @property
    def tries(self) -> int:
        return len(self.attempt_points) or 1

    def effective_closes_at(self) -> datetime:
        if self.closed_early_at and self.closed_early_at < self.closes_at:
            return self.closed_early_at
        return self.closes_at


class QuizPool(models.Model):
    """Draw ``draw_count`` of ``items`` for each student ("3 of these 6 output-size problems")."""

    quiz = models.ForeignKey(QuizSettings, on_delete=models.CASCADE, related_name="pools")
    order = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=120, blank=True)
    draw_count = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    items = models.ManyToManyField(AssignmentProblem, related_name="quiz_pools")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.quiz}: {self.draw_count} of {self.label or f'pool {self.order}'}"


class QuizAttempt(models.Model):
    """One student's sitting: when it started, its fixed deadline, the questions drawn.

    The deadline is computed once, at Start, and only an instructor's extension moves it: a
    reload, a second tab or a wrong browser clock cannot.
    """

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    seed = models.BigIntegerField()
    # AssignmentProblem ids in the order the student sees them.
    drawn_item_ids = models.JSONField(default=list)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    extra_minutes = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="one_quiz_attempt")
        ]
        indexes = [models.Index(fields=["assignment", "started_at"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.assignment} from {self.started_at:%H:%M}"

    def ended_at(self) -> datetime:
        """When the sitting ended (or will end): Finish pressed or the deadline."""
        if self.finished_at and self.finished_at < self.deadline:
            return self.finished_at
        return self.deadline


class QuizAccommodation(models.Model):
    """Extra time (a factor on the limit) and/or a different window for one student."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="quiz_accommodations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_accommodations"
    )
    time_factor = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="1.5 = 50% more time.",
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="one_accommodation")
        ]

    def __str__(self) -> str:
        return f"{self.user} x{self.time_factor} on {self.assignment}"
