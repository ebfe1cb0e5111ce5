"""Who may see and change what: the one access policy of pages, the API and the services.

The rule, said once:

- A cohort exists only for its members. Anyone else, including the staff of other cohorts, is
  told "not found" (404), so nobody learns what exists in a cohort they are not part of.
- Its staff (instructors and assistants) read everything of the cohort: pages, gradebook,
  analytics, quiz previews, monitors and results, every student's submissions.
- Writes are the instructors' alone: an assistant who tries one is told "forbidden" (403),
  because they may know the thing exists.
- Students read what is published to them (the selectors filter by :func:`staff_cohorts` and
  :func:`student_cohorts`); a draft quiz does not exist for them.
- The problem bank (previews) is shared: the staff of any cohort, and Django staff, may read it.

Every ``get``-style helper here raises :class:`NotFound` or :class:`AccessDenied`, which the
pages and the API turn into 404 and 403 the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.translation import gettext

from exercises.errors import AccessDenied, NotFound
from exercises.models import Cohort, Membership, QuizSettings, Role
from exercises.models.cohort import STAFF_ROLES
from exercises.submissions.prepared import Chain, Prepared


# --- The role rule ------------------------------------------------------------------------------
def is_staff_role(role: str | None) -> bool:
    """Instructors and assistants: they read all of their cohort."""
    return role in STAFF_ROLES


def may_write(role: str | None) -> bool:
    """Only instructors change a cohort (its roster, assignments, quizzes, regrades)."""
    return role == Role.INSTRUCTOR


def _require_role(role: str | None, *, staff: bool, write: bool, missing: NotFound) -> None:
    """404 for a non-member (or a non-staff member where staff is needed); 403 for staff who
    may read but not write."""
    if role is None or ((staff or write) and not is_staff_role(role)):
        raise missing
    if write and not may_write(role):
        raise AccessDenied(
            gettext("Assistants can read this cohort's pages but not change them."),
            code="read_only",
        )


# --- Questions about one user and one cohort ---------------------------------------------------
def role_in(user: AbstractBaseUser, cohort: Cohort | int) -> str | None:
    """The user's role in the cohort, or None when they are not a member (or not logged in)."""
    if not user.is_authenticated:
        return None
    cohort_id = cohort if isinstance(cohort, int) else cohort.pk
    return (
        Membership.objects.filter(user_id=user.pk, cohort_id=cohort_id)
        .values_list("role", flat=True)
        .first()
    )


def member_of(user: AbstractBaseUser, cohort: Cohort | int) -> bool:
    """Whether the user belongs to the cohort in any role."""
    return role_in(user, cohort) is not None


def staff_of(user: AbstractBaseUser, cohort: Cohort | int, *, write: bool = False) -> bool:
    """Whether the user is on the cohort's staff (``write``: and may change it)."""
    role = role_in(user, cohort)
    return may_write(role) if write else is_staff_role(role)


def require_staff(user: AbstractBaseUser, cohort: Cohort, *, write: bool = False) -> str:
    """The services' guard: the user's role if they are on ``cohort``'s staff, else NotFound;
    AccessDenied for an assistant when ``write``."""
    role = role_in(user, cohort)
    missing = NotFound(f"No cohort {cohort.slug!r} of yours.", code="cohort_not_found")
    _require_role(role, staff=True, write=write, missing=missing)
    return role


# --- The cohorts of one user (for the selectors' querysets) -------------------------------------
def staff_cohorts(user: AbstractBaseUser) -> QuerySet:
    """Ids of the cohorts the user teaches or assists (a subquery for ``cohort__in``)."""
    return Membership.objects.filter(user_id=user.pk, role__in=STAFF_ROLES).values("cohort")


def student_cohorts(user: AbstractBaseUser) -> QuerySet:
    """Ids of the cohorts the user studies in (a subquery for ``cohort__in``)."""
    return Membership.objects.filter(user_id=user.pk, role=Role.STUDENT).values("cohort")


def staff_memberships(user: AbstractBaseUser, *, write: bool = False) -> list[Membership]:
    """The user's staff memberships with their cohorts, by cohort name (``write``: those where
    they may change the cohort)."""
    if not user.is_authenticated:
        return []
    roles = [Role.INSTRUCTOR] if write else list(STAFF_ROLES)
    return list(
        Membership.objects.filter(user_id=user.pk, role__in=roles)
        .select_related("cohort")
        .order_by("cohort__name")
    )


def is_staff_member(user: AbstractBaseUser) -> bool:
    """Shown the "Teach" navigation: staff of some cohort, or Django staff."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or staff_cohorts(user).exists())


def can_create_cohorts(user: AbstractBaseUser) -> bool:
    """Django staff and the instructors of any cohort may open a new cohort."""
    if not user.is_authenticated:
        return False
    return bool(
        user.is_staff or Membership.objects.filter(user_id=user.pk, role=Role.INSTRUCTOR).exists()
    )


def require_bank_access(user: AbstractBaseUser) -> None:
    """The shared problem bank: staff of any cohort and Django staff; 404 for anyone else."""
    if not is_staff_member(user):
        raise NotFound(gettext("No such page."), code="not_found")


# --- Get-or-404/403 for the views ---------------------------------------------------------------
@dataclass(frozen=True)
class StaffAccess:
    """A staff member's view of one cohort: what the /teach/ pages receive."""

    cohort: Cohort
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def can_edit(self) -> bool:
        return may_write(self.membership.role)


def staff_cohort(user: AbstractBaseUser, slug: str, *, write: bool = False) -> StaffAccess:
    """The cohort ``slug`` if ``user`` is on its staff (404 otherwise); ``write`` also needs the
    instructor role (403 for an assistant)."""
    membership = (
        Membership.objects.filter(user_id=user.pk, cohort__slug=slug, role__in=STAFF_ROLES)
        .select_related("cohort")
        .first()
    )
    missing = NotFound(f"No cohort {slug!r} that you teach.", code="cohort_not_found")
    _require_role(membership and membership.role, staff=True, write=write, missing=missing)
    return StaffAccess(membership.cohort, membership)


_MEMBERSHIP = Chain(("", Membership), ("cohort__", Cohort))
# Every leaderboard read (and each cohort page) starts here: its SQL is compiled once.
_MEMBER_COHORT = Prepared(
    Membership,
    lambda user_id, slug: (
        Membership.objects.filter(user_id=user_id, cohort__slug=slug)
        .order_by()
        .values_list(*_MEMBERSHIP.columns())
    ),
    user_id=int,
    slug=str,
)


def member_cohort(user: AbstractBaseUser, slug: str) -> Membership:
    """The user's membership of cohort ``slug`` (with the cohort); 404 for anyone else (at
    most one: a membership is unique per user and cohort)."""
    rows = _MEMBER_COHORT.rows(user_id=user.pk, slug=slug) if user.pk is not None else []
    membership = _MEMBERSHIP.instances(rows[0], _MEMBER_COHORT.alias())[0] if rows else None
    if membership is None:
        raise NotFound(
            gettext("No cohort %(slug)r of yours.") % {"slug": slug}, code="cohort_not_found"
        )
    return membership


def _quiz(assignment_id: int, cohort: Cohort | None = None) -> QuizSettings:
    quizzes = QuizSettings.objects.select_related("assignment", "assignment__cohort")
    if cohort is not None:
        quizzes = quizzes.filter(assignment__cohort=cohort)
    quiz = quizzes.filter(assignment_id=assignment_id).first()
    if quiz is None:
        raise NotFound(gettext("No such quiz."), code="quiz_not_found")
    return quiz


def member_quiz(user: AbstractBaseUser, assignment_id: int) -> tuple[QuizSettings, str]:
    """The quiz and the user's role in its cohort; students see published quizzes only (a
    draft, like another cohort's quiz, is 404)."""
    quiz = _quiz(assignment_id)
    return quiz, require_quiz_member(user, quiz)


def require_quiz_member(user: AbstractBaseUser, quiz: QuizSettings) -> str:
    """The user's role, if they may see (and sit) ``quiz``: its cohort's staff always, its
    students once it is published; NotFound for anyone else."""
    role = role_in(user, quiz.assignment.cohort_id)
    if role is None or (not is_staff_role(role) and not quiz.assignment.published):
        raise NotFound(gettext("No such quiz."), code="quiz_not_found")
    return role


def staff_quiz(user: AbstractBaseUser, assignment_id: int, *, write: bool = False) -> QuizSettings:
    """The quiz, for its cohort's staff (404 for anyone else); ``write``: 403 for assistants."""
    quiz = _quiz(assignment_id)
    missing = NotFound("No such quiz.", code="quiz_not_found")
    role = role_in(user, quiz.assignment.cohort_id)
    _require_role(role, staff=True, write=write, missing=missing)
    return quiz


def cohort_quiz(access: StaffAccess, assignment_id: int) -> QuizSettings:
    """A quiz of the cohort a staff page was opened for (another cohort's quiz is 404 there)."""
    return _quiz(assignment_id, access.cohort)
