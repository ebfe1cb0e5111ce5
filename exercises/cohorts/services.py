"""Who is in a cohort: creating one, joining it with a code, roster import from CSV, roles,
join codes, leaderboard names.

Roster CSV (UTF-8, a BOM is fine; the header row names the columns, in any order):

    username,email,first_name,last_name,display_name,role,password

Only ``username`` is required. ``role`` is ``student`` (default), ``assistant`` or
``instructor``. A new user gets the ``password`` given; without one the account gets an
*unusable* password: it exists (so grades and the gradebook can be prepared before the term)
but cannot log in until someone sets a password (``manage.py changepassword`` or the admin).
We never invent passwords, because a generated one would have to be sent somewhere.
An existing user is enrolled as they are: the import never changes a password or a name.

Every row is validated first; any error (reported as ``line N: ...``, N counting the header
as line 1) means nothing is written. Rows that are already members update their role and
display name only when the CSV gives them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext

from exercises.cohorts import selectors
from exercises.errors import BadPayload, NotFound
from exercises.leaderboards import services as leaderboards
from exercises.models import Cohort, Membership, Role
from exercises.models.cohort import new_join_code

COLUMNS = ("username", "email", "first_name", "last_name", "display_name", "role", "password")
MAX_ROWS = 5000
MIN_PASSWORD_LENGTH = 8


class RosterError(BadPayload):
    """The CSV cannot be imported; ``errors`` lists every problem with its line."""

    code = "invalid_roster"

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors[:5]) + (" ..." if len(errors) > 5 else ""))
        self.errors = errors


@dataclass
class RosterRow:
    line: int
    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    role: str = ""
    password: str = ""


@dataclass
class RosterReport:
    created_users: list[str] = field(default_factory=list)
    enrolled: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(
            [f"the file is not UTF-8 (byte {exc.start}): save it as 'CSV UTF-8' and try again"]
        ) from None


def parse_roster(text: str) -> list[RosterRow]:
    """Parse and validate every row; raise RosterError listing all problems."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[str] = []
    try:
        header = next(reader)
    except StopIteration:
        raise RosterError(["line 1: the file is empty; it needs a header row"]) from None
    except csv.Error as exc:
        raise RosterError([f"line 1: {exc}"]) from None
    names = [h.strip().lower() for h in header]
    unknown = [h for h in names if h and h not in COLUMNS]
    if unknown:
        errors.append(
            f"line 1: unknown column(s) {', '.join(unknown)}; expected some of {', '.join(COLUMNS)}"
        )
    if "username" not in names:
        errors.append("line 1: the header needs a 'username' column")
    if errors:
        raise RosterError(errors)
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    username_validator = UnicodeUsernameValidator()
    try:
        while True:
            line = reader.line_num + 1  # where this record starts (it may span lines)
            record = next(reader, None)
            if record is None:
                break
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(names):
                errors.append(
                    f"line {line}: {len(record)} fields but the header has {len(names)} "
                    "(a name with a comma must be in double quotes)"
                )
                continue
            values = {
                n: (record[i].strip() if i < len(record) else "") for i, n in enumerate(names)
            }
            row = RosterRow(line=line, **{k: v for k, v in values.items() if k in COLUMNS})
            errors.extend(_row_errors(row, username_validator))
            key = row.username.lower()
            if key in seen:
                errors.append(
                    f"line {line}: username {row.username!r} already appears on line {seen[key]}"
                )
            seen.setdefault(key, line)
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise RosterError([f"line {line}: more than {MAX_ROWS} rows; split the file"])
    except csv.Error as exc:
        errors.append(f"line {reader.line_num}: {exc}")
    if not rows and not errors:
        errors.append("line 2: no students in the file")
    if errors:
        raise RosterError(errors)
    return rows


def _row_errors(row: RosterRow, username_validator: UnicodeUsernameValidator) -> list[str]:
    out = []
    where = f"line {row.line}"
    if not row.username:
        out.append(f"{where}: username is empty")
    else:
        try:
            username_validator(row.username)
        except ValidationError:
            out.append(
                f"{where}: username {row.username!r} may hold only letters, digits and @ . + - _"
            )
        if len(row.username) > 150:
            out.append(f"{where}: username is longer than 150 characters")
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            out.append(f"{where}: email {row.email!r} is not an email address")
    if row.role and row.role.lower() not in Role.values:
        out.append(f"{where}: role {row.role!r} must be one of {', '.join(Role.values)}")
    if row.password and len(row.password) < MIN_PASSWORD_LENGTH:
        out.append(f"{where}: password is shorter than {MIN_PASSWORD_LENGTH} characters")
    for name, limit in (("first_name", 150), ("last_name", 150), ("display_name", 60)):
        if len(getattr(row, name)) > limit:
            out.append(f"{where}: {name} is longer than {limit} characters")
    return out


def import_roster(cohort: Cohort, text: str) -> RosterReport:
    """Validate the whole CSV, then enroll everyone in one transaction (all or nothing).

    Bulk queries, whatever the number of rows: read the users and their memberships once,
    create the new users, create the new memberships, update the changed ones (a class of
    several hundred would otherwise cost a few queries per row inside one transaction)."""
    rows = parse_roster(text)
    User = get_user_model()
    report = RosterReport()
    with transaction.atomic():
        existing = {
            u.username.lower(): u
            for u in User.objects.filter(username__in=[r.username for r in rows])
        }
        new_users = []
        for row in rows:
            if row.username.lower() in existing:
                continue
            user = User(
                username=row.username,
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
            )
            if row.password:
                user.set_password(row.password)
            else:
                user.set_unusable_password()
            existing[row.username.lower()] = user
            new_users.append(user)
        if new_users:
            User.objects.bulk_create(new_users)  # sets each pk (PostgreSQL, SQLite RETURNING)
            report.created_users = [u.username for u in new_users]
        users = [existing[row.username.lower()] for row in rows]
        memberships = {
            m.user_id: m
            for m in Membership.objects.filter(cohort=cohort, user__in=[u.pk for u in users])
        }
        enroll, changed_rows = [], []
        for row, user in zip(rows, users, strict=True):
            membership = memberships.get(user.pk)
            role = row.role.lower() or None
            if membership is None:
                membership = Membership(
                    user=user,
                    cohort=cohort,
                    role=role or Role.STUDENT,
                    display_name=row.display_name or selectors.pseudonym_for(user.pk),
                )
                memberships[user.pk] = membership
                enroll.append(membership)
                report.enrolled.append(user.username)
                continue
            changed = False
            if role and membership.role != role:
                membership.role, changed = role, True
            if row.display_name and membership.display_name != row.display_name:
                membership.display_name, changed = row.display_name, True
            if changed:
                changed_rows.append(membership)
                report.updated.append(user.username)
            else:
                report.unchanged.append(user.username)
        if enroll:
            Membership.objects.bulk_create(enroll)
        if changed_rows:
            Membership.objects.bulk_update(changed_rows, ["role", "display_name"])

    # Bulk writes send no signals: say it here (a single membership's save says it itself).
    leaderboards.boards_changed(leaderboards.BoardChange.ROSTER, cohort_id=cohort.pk)
    return report


# --- Join codes, roles, leaderboard profile ------------------------------------------------------
def rotate_join_code(cohort: Cohort) -> str:
    """A fresh join code (the old one stops working at once); also re-enables joining."""
    for _ in range(10):
        code = new_join_code()
        if not Cohort.objects.filter(join_code=code).exists():
            break
    cohort.join_code = code
    cohort.join_enabled = True
    cohort.save(update_fields=["join_code", "join_enabled"])
    return code


def set_join_enabled(cohort: Cohort, enabled: bool) -> None:
    cohort.join_enabled = enabled
    cohort.save(update_fields=["join_enabled"])


def set_role(cohort: Cohort, membership_id: int, role: str, *, by: AbstractBaseUser) -> Membership:
    """Change a member's role. The last instructor cannot demote themselves (the cohort would
    be left without anyone who can edit it)."""

    if role not in Role.values:
        raise BadPayload(f"role must be one of {', '.join(Role.values)}", field="role")
    membership = Membership.objects.filter(pk=membership_id, cohort=cohort).first()
    if membership is None:
        raise NotFound("No such member.", code="member_not_found")
    if (
        membership.role == Role.INSTRUCTOR
        and role != Role.INSTRUCTOR
        and Membership.objects.filter(cohort=cohort, role=Role.INSTRUCTOR).count() == 1
    ):
        raise BadPayload("A cohort needs at least one instructor.", field="role")
    membership.role = role
    membership.save(update_fields=["role"])  # its signal tells the boards (apps.py)
    return membership


def set_leaderboard_profile(
    user: AbstractBaseUser, cohort: Cohort, *, display_name: str, show: bool
) -> Membership:
    """A student's own choice of leaderboard name and whether to appear at all."""
    membership = Membership.objects.filter(user=user, cohort=cohort).first()
    if membership is None:
        raise NotFound("You are not in this cohort.", code="cohort_not_found")
    name = " ".join(display_name.split())
    if len(name) > 60:
        raise BadPayload("A display name has at most 60 characters.", field="display_name")
    membership.display_name = name or selectors.pseudonym_for(user.pk)
    membership.show_on_leaderboard = show
    membership.save(update_fields=["display_name", "show_on_leaderboard"])
    return membership


# --- Cohorts and joining them ------------------------------------------------------------------
@transaction.atomic
def create_cohort(by: AbstractBaseUser, *, name: str, slug: str, timezone: str) -> Cohort:
    """A new cohort with its creator as instructor (and a fresh join code)."""
    cohort = Cohort.objects.create(name=name, slug=slug, timezone=timezone)
    Membership.objects.create(user=by, cohort=cohort, role=Role.INSTRUCTOR)
    return cohort


def join_cohort(user: AbstractBaseUser, code: str, display_name: str = "") -> Membership:
    """Join by code as a student; joining twice returns the existing membership."""
    cohort = selectors.joinable_cohort(code)
    if cohort is None:
        raise NotFound(
            gettext("No cohort takes that join code. Check it with your instructor."),
            field="code",
            code="bad_join_code",
        )
    return enroll_student(user, cohort, display_name)


def enroll_student(user: AbstractBaseUser, cohort: Cohort, display_name: str = "") -> Membership:
    """Make ``user`` a student of ``cohort`` (their leaderboard name a pseudonym unless given);
    someone already a member keeps the membership they have."""
    membership, _ = Membership.objects.get_or_create(
        user=user,
        cohort=cohort,
        defaults={
            "role": Role.STUDENT,
            "display_name": display_name or selectors.pseudonym_for(user.pk),
        },
    )
    return membership
