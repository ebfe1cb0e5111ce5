"""Reads about cohorts and who is in them: a user's memberships, the cohort a join code opens,
the students of a cohort, and the leaderboard name a student shows when they chose none."""

from __future__ import annotations

import hashlib

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from exercises.models import Cohort, Membership, Role


def memberships_of(user: AbstractBaseUser) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("cohort")


def joinable_cohort(code: str) -> Cohort | None:
    """The cohort whose join code ``code`` is, while it takes new members. Spaces and case are
    forgiven: codes are read aloud and copied from a projector."""
    normalized = "".join(code.split()).upper()
    if not normalized:
        return None
    return Cohort.objects.filter(join_code=normalized, join_enabled=True).first()


def members_without_password(cohort: Cohort) -> QuerySet[Membership]:
    """Members of ``cohort`` who cannot log in: roster rows imported without a password."""
    return (
        Membership.objects.filter(
            cohort=cohort, user__password__startswith=UNUSABLE_PASSWORD_PREFIX
        )
        .select_related("user")
        .order_by("user__username")
    )


def students_of(cohort: Cohort) -> QuerySet[Membership]:
    """The cohort's student memberships, with their users (rosters, forms, monitors)."""
    return Membership.objects.filter(cohort=cohort, role=Role.STUDENT).select_related("user")


# --- Hints --------------------------------------------------------------------------------------


_ADJECTIVES = [
    "Brisk",
    "Calm",
    "Deep",
    "Eager",
    "Keen",
    "Lucid",
    "Nimble",
    "Quiet",
    "Sharp",
    "Swift",
]
_NOUNS = [
    "Kernel",
    "Filter",
    "Stride",
    "Pixel",
    "Tensor",
    "Neuron",
    "Pool",
    "Channel",
    "Layer",
    "Bias",
]


def pseudonym_for(user_id: int) -> str:
    """A stable, friendly leaderboard name that reveals nothing about the student."""
    digest = hashlib.sha256(f"stride-pseudonym-{user_id}".encode()).digest()
    return f"{_ADJECTIVES[digest[0] % 10]} {_NOUNS[digest[1] % 10]} {digest[2] % 100:02d}"
