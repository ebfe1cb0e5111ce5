"""Who may see and change what on the instructor's side.

- Only staff of a cohort (instructor or assistant) see its pages; for anyone else, including
  its students and the instructors of other cohorts, the cohort does not exist (404).
- Assistants read everything staff can read; writes are the instructors' (403 for assistants).
- The problem bank (previews) is shared: any cohort's staff, and Django staff, may preview.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from exercises.errors import AccessDenied, NotFound
from exercises.models import Cohort, Membership, Role
from exercises.models.cohort import STAFF_ROLES


@dataclass(frozen=True)
class StaffAccess:
    cohort: Cohort
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def can_edit(self) -> bool:
        return self.membership.role == Role.INSTRUCTOR


def staff_cohort(user: AbstractBaseUser, slug: str, *, write: bool = False) -> StaffAccess:
    """The cohort ``slug`` if ``user`` is on its staff (404 otherwise); ``write`` also needs the
    instructor role (403 for an assistant)."""
    membership = (
        Membership.objects.filter(user_id=user.pk, cohort__slug=slug, role__in=STAFF_ROLES)
        .select_related("cohort")
        .first()
    )
    if membership is None:
        raise NotFound(f"No cohort {slug!r} that you teach.", code="cohort_not_found")
    access = StaffAccess(membership.cohort, membership)
    if write and not access.can_edit:
        raise AccessDenied(
            "Assistants can read this cohort's pages but not change them.", code="read_only"
        )
    return access


def staff_memberships(user: AbstractBaseUser) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user_id=user.pk, role__in=STAFF_ROLES)
        .select_related("cohort")
        .order_by("cohort__name")
    )


def is_staff_member(user: AbstractBaseUser) -> bool:
    """Shown the "Teach" navigation: staff of some cohort, or Django staff."""
    if not user.is_authenticated:
        return False
    return bool(
        user.is_staff or Membership.objects.filter(user_id=user.pk, role__in=STAFF_ROLES).exists()
    )


def can_create_cohorts(user: AbstractBaseUser) -> bool:
    """Django staff and the instructors of any cohort may open a new cohort."""
    if not user.is_authenticated:
        return False
    return bool(
        user.is_staff or Membership.objects.filter(user_id=user.pk, role=Role.INSTRUCTOR).exists()
    )


def require_bank_access(user: AbstractBaseUser) -> None:
    if not is_staff_member(user):
        raise NotFound("No such page.", code="not_found")
