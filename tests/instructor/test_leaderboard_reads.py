"""The leaderboard API at class scale: top N plus your own row, one shared view per version,
and 304 for an unchanged board without a database query."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from exercises.cohorts import services as roster
from exercises.models import Role
from tests import factories

BOARD = "/api/v1/cohorts/ml-101/leaderboard"


def _token_client(user) -> APIClient:
    """A client that authenticates as a real one does (the token header), so the 304 path
    sees the credential it must see."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _class_of(cohort, n: int) -> list:
    users = []
    for i in range(n):
        user = factories.make_user(f"s{i:03d}")
        factories.add_member(user, cohort, Role.STUDENT, display_name=f"Student {i:03d}")
        users.append(user)
    return users


@pytest.mark.django_db
def test_top_n_and_your_own_row_beside_the_old_fields(
    redis_db, student, cohort, assignment, tally_problem, grade
):
    others = _class_of(cohort, 12)
    for user in others:
        grade(user, tally_problem, assignment, "correct")
    body = _token_client(student).get(f"{BOARD}?top=5").json()
    assert set(body) >= {"cohort", "assignment", "frozen_at", "entries", "top", "me", "version"}
    assert [e["rank"] for e in body["top"]] == [1, 2, 3, 4, 5]
    assert body["entries"] == body["top"]
    assert body["me"]["name"] == "Alice A." and body["me"]["rank"] == 13 and body["me"]["you"]
    assert not any(e["you"] for e in body["top"])
    whole = _token_client(student).get(BOARD).json()
    assert len(whole["entries"]) == 13 and len(whole["top"]) == 10  # the old field unchanged
    assert whole["entries"][-1]["you"] and whole["me"] == whole["entries"][-1]
    assert whole["version"] == body["version"]


@pytest.mark.django_db
def test_an_unchanged_board_answers_304_without_a_database_query(
    redis_db, student, cohort, assignment, tally_problem, grade, django_assert_num_queries
):
    grade(student, tally_problem, assignment, "correct")
    client = _token_client(student)
    first = client.get(f"{BOARD}?top=10")
    assert first.status_code == 200 and first["ETag"]
    with django_assert_num_queries(0):
        again = client.get(f"{BOARD}?top=10", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.django_db
def test_a_grade_a_rename_or_a_join_changes_the_version(
    redis_db,
    student,
    other_student,
    cohort,
    assignment,
    tally_problem,
    grade,
    django_capture_on_commit_callbacks,
):
    client = _token_client(student)

    def refetch(etag: str) -> str:
        response = client.get(BOARD, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, "a changed board must not answer 304"
        assert response["ETag"] != etag
        return response["ETag"]

    etag = client.get(BOARD)["ETag"]
    grade(other_student, tally_problem, assignment, "correct")
    etag = refetch(etag)
    with django_capture_on_commit_callbacks(execute=True):
        roster.set_leaderboard_profile(other_student, cohort, display_name="Bobby", show=True)
    etag = refetch(etag)
    with django_capture_on_commit_callbacks(execute=True):
        factories.add_member(factories.make_user("newcomer"), cohort, Role.STUDENT)
    etag = refetch(etag)
    assert client.get(BOARD, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.django_db
def test_an_etag_is_honoured_only_with_the_credential_it_was_given_to(
    redis_db, student, other_student, cohort, assignment, tally_problem, grade
):
    grade(student, tally_problem, assignment, "correct")
    etag = _token_client(student).get(BOARD)["ETag"]
    other = _token_client(other_student).get(BOARD, HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200
    assert other.json()["me"]["name"] == "Bob B."
    forged = etag.replace(etag.split(".")[2], "1")
    assert _token_client(student).get(BOARD, HTTP_IF_NONE_MATCH=forged).status_code == 200
    nobody = APIClient().get(BOARD, HTTP_IF_NONE_MATCH=etag)
    assert nobody.status_code == 401


@pytest.mark.django_db
def test_staff_get_no_me_row_and_the_live_view(
    redis_db, student, instructor, cohort, assignment, tally_problem, grade
):
    grade(student, tally_problem, assignment, "correct")
    body = _token_client(instructor).get(f"{BOARD}?top=3").json()
    assert body["me"] is None
    assert body["top"][0]["real_name"] == "alice"


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["0", "201", "ten"])
def test_top_outside_1_to_200_is_a_400(student, cohort, raw):
    response = _token_client(student).get(f"{BOARD}?top={raw}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "top"


@pytest.mark.django_db
def test_without_redis_the_board_is_computed_and_carries_no_etag(
    settings, student, cohort, assignment, tally_problem, grade
):
    settings.REDIS_URL = ""
    grade(student, tally_problem, assignment, "correct")
    response = _token_client(student).get(f"{BOARD}?top=1")
    assert response.status_code == 200 and "ETag" not in response
    assert response.json()["version"] is None
    assert response.json()["me"]["rank"] == 1


@pytest.mark.django_db
def test_the_pages_table_poll_of_an_unchanged_board_is_a_304_without_a_query(
    redis_db,
    student,
    cohort,
    assignment,
    tally_problem,
    grade,
    client_for,
    django_assert_num_queries,
):
    grade(student, tally_problem, assignment, "correct")
    client = client_for(student)  # a session cookie, as the browser has
    url = f"/cohorts/{cohort.slug}/leaderboard"
    table = client.get(url, HTTP_HX_REQUEST="true")
    assert table.status_code == 200 and table["ETag"]
    with django_assert_num_queries(0):
        again = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=table["ETag"])
    assert again.status_code == 304
    # The whole page (its form, its messages) is never answered from the table's tag.
    page = client.get(url, HTTP_IF_NONE_MATCH=table["ETag"])
    assert page.status_code == 200 and b'id="lb-profile"' in page.content


@pytest.fixture
def coalescing(settings):
    """The production setting: the students' view computed at most once a second per board."""
    settings.STRIDE = {**settings.STRIDE, "LEADERBOARD_COALESCE_MS": 1000}


@pytest.mark.django_db
def test_a_grade_within_the_second_is_served_the_view_just_computed_under_its_own_version(
    redis_db,
    coalescing,
    student,
    other_student,
    cohort,
    assignment,
    tally_problem,
    grade,
    monkeypatch,
):
    from exercises.leaderboards import services as leaderboards

    grade(student, tally_problem, assignment, "correct")
    client = _token_client(student)
    first = client.get(f"{BOARD}?top=10").json()
    assert [e["name"] for e in first["top"]] == ["Alice A.", "Bob B."]
    grade(other_student, tally_problem, assignment, "correct")  # a new version: Bob ties first
    computed = []
    board_for = leaderboards.board_for
    monkeypatch.setattr(
        leaderboards, "board_for", lambda *a, **k: computed.append(1) or board_for(*a, **k)
    )
    within = _token_client(other_student).get(f"{BOARD}?top=10")
    assert computed == []  # served from the view of a moment ago
    body = within.json()
    # The rows and the version are the view computed a moment ago, never a newer version's
    # number on older rows.
    assert body["version"] == first["version"]
    assert [e["name"] for e in body["top"]] == ["Alice A.", "Bob B."]
    assert body["me"]["name"] == "Bob B." and body["me"]["score"] == first["top"][1]["score"]
    assert f".{first['version']}." in within["ETag"]


@pytest.mark.django_db
def test_after_the_second_the_next_reader_computes_the_new_version(
    redis_db, coalescing, student, other_student, cohort, assignment, tally_problem, grade
):
    from exercises.leaderboards import selectors as board_reads
    from exercises.leaderboards import services as leaderboards

    grade(student, tally_problem, assignment, "correct")
    client = _token_client(student)
    first = client.get(f"{BOARD}?top=10").json()
    grade(other_student, tally_problem, assignment, "correct")
    latest = board_reads.latest_view_key(leaderboards.scope_name(cohort.pk))
    assert 0 < redis_db.pttl(latest) <= 1000  # the view is the newest for a second at most
    redis_db.delete(latest)  # the second has passed
    later = client.get(f"{BOARD}?top=10").json()
    assert later["version"] != first["version"]
    assert later["me"]["rank"] == 1 and {e["name"] for e in later["top"]} == {"Alice A.", "Bob B."}
    assert later["top"][1]["score"] == later["top"][0]["score"]


@pytest.mark.django_db
def test_within_the_second_a_grade_leaves_the_view_served_so_its_etag_answers_304(
    redis_db,
    coalescing,
    student,
    other_student,
    cohort,
    assignment,
    tally_problem,
    grade,
    django_assert_num_queries,
):
    """Under a class the version moves many times a second, while readers are served the view
    of the last second: a reader holding that view's ETag would get the same rows again, so
    it gets a 304 (before, every grade made it a 200 with the same body)."""
    from exercises.leaderboards import selectors as board_reads
    from exercises.leaderboards import services as leaderboards

    grade(student, tally_problem, assignment, "correct")
    client = _token_client(student)
    first = client.get(f"{BOARD}?top=10")
    grade(other_student, tally_problem, assignment, "correct")  # a new version
    with django_assert_num_queries(0):
        again = client.get(f"{BOARD}?top=10", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # Once the second has passed, the next reader computes the new version: a 200.
    redis_db.delete(board_reads.latest_view_key(leaderboards.scope_name(cohort.pk)))
    later = client.get(f"{BOARD}?top=10", HTTP_IF_NONE_MATCH=first["ETag"])
    assert later.status_code == 200
    assert later.json()["version"] != first.json()["version"]
