"""Account pages: logging in, sign-up with a join code, joining a cohort with one, password reset
and instructors' invitations.

All are Django's own views and forms; what Stride adds is that every new password is hashed
through ``exercises.accounts.logins`` (a bounded number at once per process) and join codes are
throttled there like passwords. A refusal of either is answered with its own status (429 or
503) and ``Retry-After``, on the page the person was filling in.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView

from exercises import access
from exercises.accounts import services as accounts
from exercises.accounts.forms import GatedSetPasswordForm, JoinCohortForm, LoginForm, SignUpForm
from exercises.cohorts import services as cohorts
from exercises.errors import RetryLater, StrideError


class RefusalStatusMixin:
    """A form view whose form may keep a refusal (``form.refusal``: throttled, busy): the
    invalid form is answered with the refusal's status and ``Retry-After``."""

    def refuse(self, form, exc: RetryLater) -> HttpResponse:
        """Show ``exc`` on the form (raised while saving it) and answer with its status."""
        form.refusal = exc
        form.add_error(None, exc.message)
        return self.form_invalid(form)

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        refusal = getattr(form, "refusal", None)
        if refusal is not None:
            response.status_code = refusal.status
            response["Retry-After"] = str(refusal.retry_after)
        return response


class SignUpView(RefusalStatusMixin, FormView):
    """A new student's account, made with their cohort's join code; they are logged in and
    land on their dashboard. Someone already logged in joins another cohort on /join."""

    template_name = "registration/signup.html"
    form_class = SignUpForm
    success_url = reverse_lazy("dashboard")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("join")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return super().get_form_kwargs() | {"request": self.request}

    def form_valid(self, form) -> HttpResponse:
        try:
            membership = accounts.sign_up(form)
        except RetryLater as exc:
            return self.refuse(form, exc)
        auth_login(self.request, membership.user)
        messages.success(
            self.request,
            _("Welcome! You are a student of %(cohort)s.") % {"cohort": membership.cohort.name},
        )
        return super().form_valid(form)


class GatedPasswordChoiceMixin(RefusalStatusMixin):
    """Django's "choose a new password" step, its hashing through ``exercises.accounts.logins``."""

    form_class = GatedSetPasswordForm

    def form_valid(self, form) -> HttpResponse:
        try:
            return super().form_valid(form)
        except RetryLater as exc:  # nothing saved; the link stays usable
            return self.refuse(form, exc)


class PasswordResetConfirmView(GatedPasswordChoiceMixin, auth_views.PasswordResetConfirmView):
    """The page a reset email links to."""


class InvitationView(GatedPasswordChoiceMixin, auth_views.PasswordResetConfirmView):
    """The page an instructor's invitation links to: a roster row's student chooses their
    password (the link then stops working), is logged in and lands on their dashboard."""

    token_generator = accounts.invitation_tokens
    template_name = "registration/invitation.html"
    post_reset_login = True
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        if response.status_code == 302:
            messages.success(self.request, _("Your password is set. Welcome to Stride!"))
        return response


class LoginView(RefusalStatusMixin, auth_views.LoginView):
    """Django's login page, its password check bounded and throttled
    (``exercises.accounts.logins``): a refusal answers with its own status (429, 503) and
    ``Retry-After``."""

    form_class = LoginForm

    def get_default_redirect_url(self) -> str:
        """Where a login without ``next`` lands: the staff of any cohort on /teach/, where
        their work is; everyone else on their dashboard."""
        if access.is_staff_member(self.request.user):
            return reverse("teach:home")
        return super().get_default_redirect_url()


@login_required
@require_http_methods(["GET", "POST"])
def join_cohort(request: HttpRequest) -> HttpResponse:
    form = JoinCohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = cohorts.join_cohort(request.user, form.cleaned_data["code"])
        except StrideError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(
                request, _("You joined %(cohort)s.") % {"cohort": membership.cohort.name}
            )
            return redirect("dashboard")
    return render(request, "exercises/join.html", {"form": form})
