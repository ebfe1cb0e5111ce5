"""Roster import from CSV: odd names survive, every bad row is reported with its line, and a
file with any bad row enrolls nobody."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from exercises.cohorts import services as roster
from exercises.models import Membership, Role
from tests import factories

User = get_user_model()

ODD = (
    "username,first_name,last_name,display_name,role,password\r\n"
    'kim,민준,김,"Kim, the ""Kernel""",student,\r\n'
    "emoji,Zoë,O'Brien,🚀 Rocket 🧠,assistant,s3cret-pass\r\n"
    '"plain",Ann,"Lee, Jr.",,,\r\n'
)


def test_it_enrolls_odd_names_exactly(cohort):
    report = roster.import_roster(cohort, ODD)
    assert sorted(report.created_users) == ["emoji", "kim", "plain"]
    kim = User.objects.get(username="kim")
    assert (kim.first_name, kim.last_name) == ("민준", "김")
    assert not kim.has_usable_password()
    membership = Membership.objects.get(user=kim, cohort=cohort)
    assert membership.display_name == 'Kim, the "Kernel"'
    assert membership.role == Role.STUDENT
    emoji = User.objects.get(username="emoji")
    assert emoji.check_password("s3cret-pass")
    assert Membership.objects.get(user=emoji).role == Role.ASSISTANT
    assert Membership.objects.get(user=emoji).display_name == "🚀 Rocket 🧠"
    plain = Membership.objects.get(user__username="plain")
    assert plain.user.last_name == "Lee, Jr."
    assert plain.display_name  # a pseudonym, never empty


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(cohort):
    text = (
        "username,email,role,password\n"
        "good,good@example.org,student,\n"
        "bad name,x@example.org,student,\n"
        "mail,not-an-email,student,\n"
        '"multi\nline",,student,\n'
        "good,,teacher,short\n"
    )
    with pytest.raises(roster.RosterError) as caught:
        roster.import_roster(cohort, text)
    errors = caught.value.errors
    assert errors[0].startswith("line 3: username 'bad name'")
    assert errors[1] == "line 4: email 'not-an-email' is not an email address"
    assert errors[2].startswith("line 5: username 'multi\\nline'")
    assert "line 7: role 'teacher' must be one of" in errors[3]
    assert "line 7: password is shorter than 8" in errors[4]
    assert "line 7: username 'good' already appears on line 2" in errors[5]
    assert not User.objects.filter(username="good").exists()
    assert not Membership.objects.filter(cohort=cohort).exists()


def test_a_header_without_username_is_refused(cohort):
    with pytest.raises(roster.RosterError) as caught:
        roster.parse_roster("email,name\nx@example.org,X\n")
    assert caught.value.errors == [
        "line 1: unknown column(s) name; expected some of username, email, first_name, "
        "last_name, display_name, role, password",
        "line 1: the header needs a 'username' column",
    ]


def test_a_row_with_an_unquoted_comma_says_how_to_fix_it():
    with pytest.raises(roster.RosterError) as caught:
        roster.parse_roster("username,last_name\nann,Lee, Jr.\n")
    assert "line 2: 3 fields but the header has 2" in caught.value.errors[0]
    assert "double quotes" in caught.value.errors[0]


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(roster.RosterError) as caught:
        roster.decode_csv("username\nzoë\n".encode("latin-1"))
    assert "not UTF-8" in caught.value.errors[0]


def test_a_bom_is_accepted():
    rows = roster.parse_roster(roster.decode_csv("\ufeffusername\nann\n".encode()))
    assert [r.username for r in rows] == ["ann"]


def test_existing_users_keep_their_password_and_members_their_role_unless_given(cohort, student):
    before = User.objects.get(pk=student.pk).password
    report = roster.import_roster(cohort, "username,password,display_name\nalice,new-password-1,\n")
    assert report.unchanged == ["alice"]
    assert User.objects.get(pk=student.pk).password == before
    assert Membership.objects.get(user=student).display_name == "Alice A."


def test_importing_twice_is_harmless(cohort):
    roster.import_roster(cohort, ODD)
    second = roster.import_roster(cohort, ODD)
    assert second.created_users == [] and sorted(second.unchanged) == ["emoji", "kim", "plain"]
    assert Membership.objects.filter(cohort=cohort).count() == 3


def test_enroll_command_enrolls_and_reports_errors(cohort, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(ODD, encoding="utf-8-sig")
    call_command("enroll", cohort.slug, str(good))
    assert "new users 3, enrolled 3" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("username\nok\nbad name\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nobody was enrolled"):
        call_command("enroll", cohort.slug, str(bad))
    assert f"{bad}: line 3: username 'bad name'" in capsys.readouterr().err
    assert not User.objects.filter(username="ok").exists()


def test_enroll_command_names_an_unknown_cohort(db, tmp_path):
    with pytest.raises(CommandError, match="No cohort 'nope'"):
        call_command("enroll", "nope", str(tmp_path / "x.csv"))


def test_the_upload_page_shows_errors_with_lines(client_for, instructor, cohort):
    upload = SimpleUploadedFile("r.csv", b"username\nok\nbad name\n", content_type="text/csv")
    response = client_for(instructor).post(f"/teach/{cohort.slug}/roster", {"file": upload})
    assert response.status_code == 400
    assert "line 3: username &#x27;bad name&#x27;" in response.content.decode()
    assert not User.objects.filter(username="ok").exists()


def test_the_upload_page_enrolls(client_for, instructor, cohort):
    upload = SimpleUploadedFile("r.csv", ODD.encode("utf-8-sig"), content_type="text/csv")
    response = client_for(instructor).post(f"/teach/{cohort.slug}/roster", {"file": upload})
    assert response.status_code == 302
    assert Membership.objects.filter(cohort=cohort, role=Role.STUDENT).count() == 2


def test_roles_can_be_changed_by_the_instructor(client_for, instructor, cohort):
    user = factories.make_user("tara")
    membership = factories.add_member(user, cohort, Role.STUDENT)
    client_for(instructor).post(
        f"/teach/{cohort.slug}/members/{membership.pk}/role", {"role": "assistant"}
    )
    membership.refresh_from_db()
    assert membership.role == Role.ASSISTANT


def _roster(n: int, prefix: str) -> str:
    lines = ["username,display_name,role"]
    lines += [f"{prefix}{i},Student {i},student" for i in range(n)]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("size", [3, 40])
def test_a_roster_imports_in_the_same_number_of_queries_at_any_size(
    cohort, size, django_assert_max_num_queries
):
    """New users and enrolments, a re-import with changes, and one unchanged: each in a fixed
    number of bulk queries whatever the number of rows."""
    with django_assert_max_num_queries(ROSTER_MAX_QUERIES) as first:
        report = roster.import_roster(cohort, _roster(size, "new"))
    assert len(report.created_users) == len(report.enrolled) == size
    assert (
        Membership.objects.filter(cohort=cohort, user__username__startswith="new").count() == size
    )
    changed = _roster(size, "new").replace("student\r\n", "assistant\r\n", size - 1)
    with django_assert_max_num_queries(ROSTER_MAX_QUERIES) as second:
        report = roster.import_roster(cohort, changed)
    assert len(report.updated) == size - 1 and len(report.unchanged) == 1
    assert Membership.objects.filter(cohort=cohort, role=Role.ASSISTANT).count() == size - 1
    assert (len(first), len(second)) == ROSTER_QUERIES


# Inside the transaction: read users, create users, read memberships, create memberships
# (first import); read users, read memberships, update memberships (second); plus the
# savepoint statements of the transaction.
ROSTER_MAX_QUERIES = 8
ROSTER_QUERIES = (6, 5)
