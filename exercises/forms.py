from __future__ import annotations

import json

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from exercises import logins
from exercises.errors import RetryLater


class GatedLoginMixin:
    """Django's login form, with the password check through ``exercises.logins`` (bounded per
    process, throttled). A refusal there is kept in ``refusal`` so that the view can answer
    with its status and ``Retry-After``."""

    refusal: RetryLater | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = logins.check_password_login(self.request, username, password)
            except RetryLater as exc:
                self.refusal = exc
                raise ValidationError(exc.message, code=exc.code) from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginForm(GatedLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(GatedLoginMixin, AdminAuthenticationForm):
    pass


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
