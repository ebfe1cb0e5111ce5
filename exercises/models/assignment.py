"""Assignments open problems to a cohort, with dates, attempt rules and late policy."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exercises.models.cohort import Cohort
from exercises.models.problem import Problem


class LatePolicy(models.TextChoices):
    REFUSE = "refuse", _("Refuse late submissions")
    PENALTY = "penalty", _("Accept with a penalty")
    ACCEPT = "accept", _("Accept without penalty")


class VariantPolicy(models.TextChoices):
    PER_STUDENT = "per_student", _("One variant per student")
    PER_ATTEMPT = "per_attempt", _("A new variant for every attempt")
    PINNED = "pinned", _("The lecture's own numbers for everyone")


class Assignment(models.Model):
    class Type(models.TextChoices):
        PRACTICE = "practice", _("Practice")
        QUIZ = "quiz", _("Quiz")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.PRACTICE)
    description = models.TextField(blank=True)
    published = models.BooleanField(default=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    late_policy = models.CharField(
        max_length=16, choices=LatePolicy.choices, default=LatePolicy.REFUSE
    )
    late_penalty_percent = models.PositiveSmallIntegerField(default=0)
    # None: unlimited attempts per problem.
    attempt_limit = models.PositiveIntegerField(null=True, blank=True)
    variant_policy = models.CharField(
        max_length=16, choices=VariantPolicy.choices, default=VariantPolicy.PER_STUDENT
    )
    counts_on_leaderboard = models.BooleanField(default=True)
    # Show a student the right answer of their variant once they have used their last attempt
    # (off: feedback explains the mistake and leaves the answer to them).
    reveal_answer = models.BooleanField(
        default=False,
        help_text="Show each student the right answer after their last attempt.",
    )
    # Students see the leaderboard as it stood this many minutes before the due date until the
    # deadline passes (staff always see it live); 0: never frozen.
    leaderboard_freeze_minutes = models.PositiveIntegerField(default=0)
    problems = models.ManyToManyField(
        Problem, through="AssignmentProblem", related_name="assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "title"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "slug"], name="assignment_slug_per_cohort")
        ]
        indexes = [models.Index(fields=["cohort", "published", "due_at"])]

    def __str__(self) -> str:
        return f"{self.cohort.slug}/{self.slug}"

    def is_open_at(self, when: datetime) -> bool:
        return self.published and (self.opens_at is None or self.opens_at <= when)


class AssignmentProblem(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="items")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="assignment_items")
    order = models.PositiveIntegerField(default=0)
    # None: the problem's own points.
    points = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "problem"], name="problem_once_per_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} #{self.order}: {self.problem.slug}"

    @property
    def max_points(self) -> int:
        return self.points if self.points is not None else self.problem.points


class Extension(models.Model):
    """A per-student due date (and extra attempts) granted by an instructor."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions"
    )
    due_at = models.DateTimeField()
    extra_attempts = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="one_extension_per_student")
        ]

    def __str__(self) -> str:
        return f"{self.user} until {self.due_at:%Y-%m-%d %H:%M} on {self.assignment}"
