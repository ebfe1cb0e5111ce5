"""Forms of the instructor's pages. Dates are entered in the cohort's time zone: the views
activate that zone while a form is bound or rendered, so Django converts at the boundary."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from exercises.models import Assignment, Cohort, Problem
from exercises.models.cohort import validate_timezone

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "slug", "timezone"]
        help_texts = {"timezone": "e.g. Europe/Berlin, Asia/Seoul, UTC"}

    def clean_timezone(self):
        value = self.cleaned_data["timezone"].strip()
        validate_timezone(value)
        return value


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster CSV",
        help_text="UTF-8; header row with username and optionally email, first_name, last_name, "
        "display_name, role, password.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=[("student", "Student"), ("assistant", "Assistant"), ("instructor", "Instructor")]
    )


class AssignmentForm(forms.ModelForm):
    problems = forms.ModelMultipleChoiceField(
        queryset=Problem.objects.order_by("slug"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="In the order listed here.",
    )
    opens_at = forms.DateTimeField(
        required=False, widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )
    due_at = forms.DateTimeField(
        required=False, widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )

    class Meta:
        model = Assignment
        fields = [
            "title",
            "slug",
            "type",
            "description",
            "published",
            "opens_at",
            "due_at",
            "late_policy",
            "late_penalty_percent",
            "attempt_limit",
            "reveal_answer",
            "variant_policy",
            "counts_on_leaderboard",
            "leaderboard_freeze_minutes",
        ]

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.fields["slug"].required = False
        # Quizzes have their own editor (pools, draws, timing): this form never makes one.
        self.fields["type"].choices = [
            choice for choice in Assignment.Type.choices if choice[0] != Assignment.Type.QUIZ
        ]
        self.fields["type"].help_text = "Quizzes are made with the quiz builder."
        if self.instance.pk:
            self.fields["problems"].initial = [i.problem_id for i in self.instance.items.all()]

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("title", ""))
        if not slug:
            raise ValidationError("Give a slug (letters, digits, hyphens).")
        clash = Assignment.objects.filter(cohort=self.cohort, slug=slug).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError(f"This cohort already has an assignment {slug!r}.")
        return slug

    def clean_late_penalty_percent(self):
        value = self.cleaned_data["late_penalty_percent"]
        if value > 100:
            raise ValidationError("A penalty is at most 100 %.")
        return value

    def clean(self):
        data = super().clean()
        opens, due = data.get("opens_at"), data.get("due_at")
        if opens and due and due <= opens:
            self.add_error("due_at", "The due date must come after the opening date.")
        if data.get("leaderboard_freeze_minutes") and not due:
            self.add_error("leaderboard_freeze_minutes", "A freeze needs a due date.")
        return data


class ExtensionForm(forms.Form):
    username = forms.CharField(max_length=150)
    due_at = forms.DateTimeField(widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    extra_attempts = forms.IntegerField(min_value=0, max_value=1000, initial=0)
    reason = forms.CharField(max_length=200, required=False)


class RegradeForm(forms.Form):
    mode = forms.ChoiceField(choices=[("preview", "Preview"), ("apply", "Apply")])
    never_lower = forms.BooleanField(required=False, label="Never lower a score")


class PreviewSeedForm(forms.Form):
    seed = forms.IntegerField(
        required=False, min_value=0, max_value=2**62, help_text="Empty: the lecture's numbers."
    )


class LeaderboardProfileForm(forms.Form):
    display_name = forms.CharField(max_length=60, required=False, label="Your leaderboard name")
    show_on_leaderboard = forms.BooleanField(required=False, label="Show me on the leaderboard")
