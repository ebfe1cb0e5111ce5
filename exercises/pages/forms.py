"""Forms of the pages every member sees."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LeaderboardProfileForm(forms.Form):
    display_name = forms.CharField(max_length=60, required=False, label=_("Your leaderboard name"))
    show_on_leaderboard = forms.BooleanField(required=False, label=_("Show me on the leaderboard"))
