"""Forms of the pages every member sees."""

from __future__ import annotations

from django import forms


class LeaderboardProfileForm(forms.Form):
    display_name = forms.CharField(max_length=60, required=False, label="Your leaderboard name")
    show_on_leaderboard = forms.BooleanField(required=False, label="Show me on the leaderboard")
