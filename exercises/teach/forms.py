"""Forms of the instructor's pages. Dates are entered in the cohort's time zone: the views
activate that zone while a form is bound or rendered, so Django converts at the boundary."""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from exercises.models import Assignment, Cohort, Problem
from exercises.models.cohort import validate_timezone

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone this machine knows, by name (a list to pick from: a typed "KST"
    or "Seoul" is not a zone)."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class CohortForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        choices=timezone_choices,
        initial="UTC",
        label=_("Timezone"),
        help_text=_("Dates of its assignments and quizzes are typed and shown in this zone."),
        error_messages={"invalid_choice": _("%(value)r is not a known time zone: pick one.")},
    )

    class Meta:
        model = Cohort
        fields = ["name", "slug", "timezone"]
        labels = {"name": _("Name"), "slug": _("Slug")}
        help_texts = {
            "slug": _("Its address: letters, digits and hyphens, e.g. cnn-2026-spring."),
        }

    def clean_timezone(self):
        value = self.cleaned_data["timezone"]
        validate_timezone(value)
        return value


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster CSV"),
        help_text=_(
            "UTF-8; header row with username and optionally email, first_name, last_name, "
            "display_name, role, password."
        ),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            ("student", _("Student")),
            ("assistant", _("Assistant")),
            ("instructor", _("Instructor")),
        ],
    )


@dataclass(frozen=True)
class ProblemRow:
    """One problem of the bank as the assignment form lists it: ticked or not, and where."""

    problem: Problem
    chosen: bool
    position: int | None


class ProblemTitleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Problem) -> str:
        return f"{obj.title} ({obj.kind}, {obj.slug})"


class AssignmentForm(forms.ModelForm):
    """An assignment's settings and its problems in order. Each problem of the bank is a row
    with a checkbox (``problems``) and a position field (``position-<id>``): the ticked ones
    are ordered by position (1 first), ties and blanks by the order they had, then by title.
    Rows list the assignment's problems first, in their order, then the rest by title."""

    problems = ProblemTitleChoice(
        queryset=Problem.objects.order_by("title", "slug").prefetch_related("texts"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Problems"),
        help_text=_("Tick the problems and number them for their order (1 first)."),
    )
    opens_at = forms.DateTimeField(
        required=False, widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS, label=_("Opens at")
    )
    due_at = forms.DateTimeField(
        required=False, widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS, label=_("Due at")
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
        labels = {
            "title": _("Title"),
            "slug": _("Slug"),
            "type": pgettext_lazy("the type of an assignment", "Type"),
            "description": _("Description"),
            "published": _("Published"),
            "late_policy": _("Late policy"),
            "late_penalty_percent": _("Late penalty percent"),
            "attempt_limit": _("Attempt limit"),
            "reveal_answer": _("Reveal answer"),
            "variant_policy": _("Variant policy"),
            "counts_on_leaderboard": _("Counts on leaderboard"),
            "leaderboard_freeze_minutes": _("Leaderboard freeze minutes"),
        }
        help_texts = {
            "reveal_answer": _("Show each student the right answer after their last attempt."),
            "attempt_limit": _("Empty: unlimited."),
            "leaderboard_freeze_minutes": _(
                "Students see the board as it stood this many minutes before the due date; "
                "0: never frozen."
            ),
        }

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.fields["slug"].required = False
        # Quizzes have their own editor (pools, draws, timing): this form never makes one.
        self.fields["type"].choices = [
            choice for choice in Assignment.Type.choices if choice[0] != Assignment.Type.QUIZ
        ]
        self.fields["type"].help_text = _("Quizzes are made with the quiz builder.")
        if self.instance.pk:
            self.fields["problems"].initial = [i.problem_id for i in self.instance.items.all()]

    @staticmethod
    def position_name(problem_id: int) -> str:
        return f"position-{problem_id}"

    def _stored_positions(self) -> dict[int, int]:
        if not self.instance.pk:
            return {}
        return {item.problem_id: n for n, item in enumerate(self.instance.items.all(), 1)}

    def _positions(self) -> dict[int, int | None]:
        """Each problem's position: as typed when the form is bound, else as stored."""
        stored = self._stored_positions()
        if not self.is_bound:
            return dict(stored)
        positions: dict[int, int | None] = {}
        for problem in self.fields["problems"].queryset:
            raw = (self.data.get(self.position_name(problem.pk)) or "").strip()
            positions[problem.pk] = int(raw) if raw.isdigit() else None
        return positions

    def problem_rows(self) -> list[ProblemRow]:
        if self.is_bound:
            chosen = {str(v) for v in self.data.getlist("problems")}
        else:
            chosen = {str(v) for v in (self.fields["problems"].initial or [])}
        positions, stored = self._positions(), self._stored_positions()
        rows = [
            ProblemRow(p, str(p.pk) in chosen, positions.get(p.pk))
            for p in self.fields["problems"].queryset
        ]
        return sorted(
            rows,
            key=lambda r: (
                not r.chosen,
                r.position if r.position is not None else 10**9,
                stored.get(r.problem.pk, 10**9),
                r.problem.title,
            ),
        )

    def ordered_problems(self) -> list[Problem]:
        """The ticked problems in the order the instructor gave (see the class)."""
        ticked = {p.pk for p in self.cleaned_data.get("problems") or []}
        return [row.problem for row in self.problem_rows() if row.problem.pk in ticked]

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("title", ""))
        if not slug:
            raise ValidationError(_("Give a slug (letters, digits, hyphens)."))
        clash = Assignment.objects.filter(cohort=self.cohort, slug=slug).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError(
                _("This cohort already has an assignment %(slug)r.") % {"slug": slug}
            )
        return slug

    def clean_late_penalty_percent(self):
        value = self.cleaned_data["late_penalty_percent"]
        if value > 100:
            raise ValidationError(_("A penalty is at most 100 %."))
        return value

    def clean(self):
        data = super().clean()
        opens, due = data.get("opens_at"), data.get("due_at")
        if opens and due and due <= opens:
            self.add_error("due_at", _("The due date must come after the opening date."))
        if data.get("leaderboard_freeze_minutes") and not due:
            self.add_error("leaderboard_freeze_minutes", _("A freeze needs a due date."))
        for problem in data.get("problems") or []:
            raw = (self.data.get(self.position_name(problem.pk)) or "").strip()
            if raw and not raw.isdigit():
                self.add_error(
                    "problems",
                    _("The position of %(title)s is not a number.") % {"title": problem.title},
                )
        return data


class ExtensionForm(forms.Form):
    username = forms.CharField(max_length=150, label=_("Username"))
    due_at = forms.DateTimeField(
        widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS, label=_("Due at")
    )
    extra_attempts = forms.IntegerField(
        min_value=0, max_value=1000, initial=0, label=_("Extra attempts")
    )
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))


class RegradeForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=[
            ("preview", pgettext_lazy("a regrade that writes nothing", "Preview")),
            ("apply", _("Apply")),
        ],
    )
    never_lower = forms.BooleanField(required=False, label=_("Never lower a score"))


class PreviewSeedForm(forms.Form):
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**62,
        label=_("Seed"),
        help_text=_("Empty: the lecture's numbers."),
    )
