from __future__ import annotations

import json

from django import forms


class JoinCohortForm(forms.Form):
    code = forms.CharField(
        max_length=32,
        label="Join code",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class AnswerForm(forms.Form):
    """A plain-text answer: a number, ``does-not-fit``, or JSON (a matrix, a shape, a list)."""

    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=65536)

    def clean_answer(self):
        raw = self.cleaned_data["answer"].strip()
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            pass
        rows = [line.split() for line in raw.replace(",", " ").splitlines() if line.strip()]
        try:
            numbers = [
                [float(v) if "." in v or "e" in v.lower() else int(v) for v in row] for row in rows
            ]
        except ValueError:
            return raw  # a string such as "does-not-fit": the kind decides
        if len(numbers) == 1 and len(numbers[0]) == 1:
            return numbers[0][0]
        return numbers


class CodeForm(forms.Form):
    code = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "false"}),
        max_length=65536,
        strip=False,
    )
