"""Getting students in: signing up with a cohort's join code, and invitation links for roster
rows that have no password.

A roster row without a password becomes an account with an *unusable* password
(``exercises.cohorts.services``): it holds the student's place in the gradebook before the term, but
nobody can log in with it. An instructor hands its student an invitation link instead of a
password (we never invent passwords: a generated one would have to travel somewhere). The link
is Django's password-reset token under its own salt, so it is made from the account's password
hash and last login: it works once (choosing the password changes the hash) and for
``PASSWORD_RESET_TIMEOUT`` (the settings' ``STRIDE_LINK_DAYS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from exercises import languages
from exercises.cohorts import selectors
from exercises.cohorts import services as cohorts
from exercises.models import Cohort, LanguagePreference, Membership
from exercises.spreadsheets import spreadsheet_csv


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Reset tokens under another salt: an invitation link is not a reset link, nor the
    other way round. The salt is a fixed string, not this class's path: it is part of every
    invitation link already handed out, so it stays what it was when the class was first written."""

    key_salt = "exercises.accounts.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


@transaction.atomic
def sign_up(form) -> Membership:
    """Create the account of a valid ``SignUpForm`` (its password hashed through
    ``exercises.accounts.logins``) and enroll it as a student of the join code's cohort."""
    user = form.save()
    return cohorts.enroll_student(user, form.cohort)


@dataclass(frozen=True)
class Invitation:
    """One roster row without a password, and the path that lets its student choose one."""

    membership: Membership
    path: str

    @property
    def user(self) -> AbstractBaseUser:
        return self.membership.user


def invitation_path(user: AbstractBaseUser) -> str:
    """The invitation page of ``user``: valid until used, or until the link's lifetime ends."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("invitation", args=[uid, invitation_tokens.make_token(user)])


def invitations(cohort: Cohort) -> list[Invitation]:
    """Fresh invitation links for every member of ``cohort`` who cannot log in yet (by
    username). Making them writes nothing: links made earlier stay valid too."""
    return [
        Invitation(membership, invitation_path(membership.user))
        for membership in selectors.members_without_password(cohort)
    ]


def invitations_csv(found: list[Invitation], absolute: Callable[[str], str]) -> bytes:
    """The links as CSV for a mail merge (UTF-8 with BOM, as the gradebook's); ``absolute``
    makes a path a full URL (the request's ``build_absolute_uri``)."""
    header = ["username", "email", "first_name", "last_name", "invitation_link"]
    return spreadsheet_csv(
        [header]
        + [
            [i.user.username, i.user.email, i.user.first_name, i.user.last_name, absolute(i.path)]
            for i in found
        ]
    )


def remember_language(user, code: str) -> str | None:
    """Store ``code`` as ``user``'s language (a write, for the switch); an unconfigured code
    is ignored, as ``set_language`` ignores it. Returns the stored code or None."""
    language = languages.normalise(code)
    if language is None or not getattr(user, "is_authenticated", False):
        return None
    LanguagePreference.objects.update_or_create(user=user, defaults={"language": language})
    return language
