"""Forms of the quiz pages. Times are typed in the cohort's time zone: validate these forms
inside ``timezone.override(cohort.tzinfo)`` so naive inputs become that zone's moments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from exercises.errors import BadPayload
from exercises.models import FeedbackPolicy
from exercises.quizzes.services import PoolSpec, parse_pools

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_INPUT, **kwargs)


def local_field(label: str, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=LocalDateTimeInput(),
    )


def parse_percentages(raw: str) -> list[float]:
    try:
        values = [float(v) for v in raw.replace("/", ",").replace("%", "").split(",") if v.strip()]
    except ValueError:
        raise forms.ValidationError(_("Write percentages such as 100, 60, 30.")) from None
    return [int(v) if v.is_integer() else v for v in values]


class QuizBuildForm(forms.Form):
    # What ``quizzes.create_quiz`` and ``quizzes.update_quiz`` take, named as the fields.
    SETTINGS = (
        "title",
        "slug",
        "opens_at",
        "closes_at",
        "time_limit_minutes",
        "attempt_points",
        "feedback_policy",
        "counts_on_leaderboard",
        "pools",
    )

    title = forms.CharField(max_length=200, label=_("Title"))
    slug = forms.SlugField(
        max_length=80, label=_("Slug"), help_text=_("Short name in links, e.g. cnn-quiz-1.")
    )
    opens_at = local_field(_("Opens"))
    closes_at = local_field(_("Closes"))
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes per student)"), min_value=1, max_value=24 * 60, initial=15
    )
    attempt_points = forms.CharField(
        label=_("Points per try (%)"),
        initial="100",
        help_text=_("100 = one try; 100, 60, 30 = three tries with declining points."),
    )
    feedback_policy = forms.ChoiceField(
        label=_("Feedback policy"),
        choices=FeedbackPolicy.choices,
        initial=FeedbackPolicy.AFTER_CLOSE,
    )
    counts_on_leaderboard = forms.BooleanField(required=False, label=_("Counts on the leaderboard"))
    pools = forms.CharField(
        label=_("Pools"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "One pool per line: how many to draw, a colon, the problems' slugs, e.g. "
            "'2: output-size-stride, output-size-padding, same-padding [output sizes]'."
        ),
    )

    def __init__(self, *args, locked: bool = False, **kwargs):
        """``locked``: students have started, so the pools and points per try are shown but
        not taken from the request (disabled fields keep their initial values)."""
        super().__init__(*args, **kwargs)
        for name in ("pools", "attempt_points"):
            self.fields[name].disabled = locked
            if locked:
                self.fields[name].help_text = _("Locked: students have started this quiz.")

    def clean_attempt_points(self) -> list[float]:
        return parse_percentages(self.cleaned_data["attempt_points"])

    def clean_pools(self) -> list[PoolSpec]:
        try:
            return parse_pools(self.cleaned_data["pools"])
        except BadPayload as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The quiz must close after it opens."))
        return data


class ExtendForm(forms.Form):
    user_id = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60, initial=5, label=_("Minutes"))


class AccommodationForm(forms.Form):
    user_id = forms.TypedChoiceField(label=_("Student"), coerce=int)
    time_factor = forms.DecimalField(
        label=_("Time factor"), min_value=1, max_value=10, decimal_places=2, initial=1.5
    )
    opens_at = local_field(_("Own window opens"), required=False)
    closes_at = local_field(_("Own window closes"), required=False)
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))

    def __init__(self, *args, students=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user_id"].choices = [(m.user_id, m.user.username) for m in students]
