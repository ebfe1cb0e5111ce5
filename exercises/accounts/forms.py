from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from exercises.accounts import logins
from exercises.errors import RetryLater


class GatedLoginMixin:
    """Django's login form, with the password check through ``exercises.accounts.logins`` (bounded
    per process, throttled). A refusal there is kept in ``refusal`` so that the view can answer
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


class GatedNewPasswordMixin:
    """A form of Django's that sets a password (sign-up, reset, invitation), its hashing done
    through ``exercises.accounts.logins`` (bounded per process like a password check). ``Busy`` may
    be raised from ``save()``: the views say so with 503 and ``Retry-After``."""

    def set_password_and_save(self, user, password_field_name="password1", commit=True):  # noqa: S107
        logins.set_new_password(user, self.cleaned_data[password_field_name])
        if commit:
            user.save()
        return user


class GatedSetPasswordForm(GatedNewPasswordMixin, SetPasswordForm):
    """Choosing a new password from a reset link or an instructor's invitation."""


class SignUpForm(GatedNewPasswordMixin, UserCreationForm):
    """Django's sign-up form, with the email for password resets and the cohort's join code.

    The code is checked through ``logins.check_join_code``: guessing codes is throttled like
    guessing passwords, and a throttled sign-up keeps its refusal in ``refusal`` (the view
    answers with its status and ``Retry-After``). ``cohort`` is the code's cohort once valid."""

    email = forms.EmailField(
        required=False,
        label=_("Email"),
        help_text=_("For resetting a forgotten password; your instructor may also use it."),
    )
    code = forms.CharField(
        max_length=32,
        label=_("Join code"),
        help_text=_("The code your instructor gave the class (8 letters and digits)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    refusal: RetryLater | None = None
    cohort = None

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.order_fields(["code", "username", "email", "password1", "password2"])
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["code"].widget.attrs["autofocus"] = True

    def clean_code(self):
        code = self.cleaned_data["code"]
        try:
            self.cohort = logins.check_join_code(self.request, code)
        except RetryLater as exc:
            self.refusal = exc
            raise ValidationError(exc.message, code=exc.code) from None
        if self.cohort is None:
            raise ValidationError(
                _("No cohort takes that join code. Check it with your instructor."),
                code="bad_join_code",
            )
        return code


class JoinCohortForm(forms.Form):
    code = forms.CharField(
        max_length=32,
        label=_("Join code"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
