from __future__ import annotations

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
