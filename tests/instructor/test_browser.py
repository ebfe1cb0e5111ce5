"""In a real browser: the authoring preview, the gradebook with its CSV export, and the
leaderboard updating itself while submissions are graded."""

from __future__ import annotations

from pathlib import Path

import pytest

from exercises.pages import leaderboard as leaderboard_views
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checking_worker(django_db_blocker):
    """A worker of its own (the session's would go on taking other suites' tasks)."""
    from tests.workers import running_worker

    with django_db_blocker.unblock(), running_worker("selfcheck") as worker:
        yield worker


def test_the_preview_renders_a_seed_and_proves_the_problem_sound(
    browser_for, live_server, instructor, artifacts, checking_worker
):
    """The self-check runs on a real worker; the page shows it is waiting, then the result."""
    problem = factories.make_problem(
        "conv-params",
        kind="number",
        spec={"recipe": "conv-layer-params"},
        title="Parameters of a conv layer",
        statement="{{ k }} filters of {{ f }}x{{ f }}x{{ c }}: how many parameters?",
    )
    page = browser_for(instructor)
    page.goto(f"{live_server.url}/teach/problems/")
    page.get_by_role("link", name="Parameters of a conv layer").click()
    assert "10 filters of 5x5x3" in page.locator("#statement").inner_text()
    assert page.locator("#expected").inner_text().strip() == "760"
    page.get_by_label("Seed").fill("12345")
    page.get_by_role("button", name="Render").click()
    page.wait_for_url("**seed=12345**")
    assert "seed 12345" in page.locator("#statement").inner_text()
    assert "forgot-bias" in page.locator("#misconceptions").inner_text()
    page.get_by_role("link", name="Run the self-check").click()
    page.wait_for_url("**check=1**")
    assert page.locator("#selfcheck-verdict").inner_text() == "The problem is sound."
    assert page.locator("#selfcheck-pending").count() == 0
    assert any("self_check_problem" in line for line in checking_worker.log)
    page.screenshot(path=str(artifacts / "instructor-preview.png"), full_page=True)
    del problem


def test_the_gradebook_shows_scores_and_exports_csv(
    browser_for, live_server, instructor, student, assignment, tally_problem, grade, artifacts
):
    grade(student, tally_problem, assignment, "correct")
    page = browser_for(instructor)
    page.goto(f"{live_server.url}/teach/")
    page.get_by_role("link", name="ML 101").click()
    page.get_by_role("link", name="Gradebook", exact=True).first.click()
    row = page.locator('tr[data-user="alice"]')
    assert "2" in row.locator("td").first.inner_text() and "✓" in row.inner_text()
    page.get_by_label("Assignment").select_option("week-1")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**assignment=week-1**")
    with page.expect_download() as download_info:
        page.locator("#csv-export").click()
    download = download_info.value
    assert download.suggested_filename == "ml-101-week-1-gradebook.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith("\ufeffusername".encode())
    assert b"alice" in data
    page.screenshot(path=str(artifacts / "instructor-gradebook.png"), full_page=True)


def test_the_leaderboard_updates_itself(
    browser_for,
    live_server,
    instructor,
    student,
    other_student,
    assignment,
    tally_problem,
    grade,
    monkeypatch,
):
    monkeypatch.setattr(leaderboard_views, "POLL_SECONDS", 1)
    page = browser_for(instructor)
    page.goto(f"{live_server.url}/cohorts/{assignment.cohort.slug}/leaderboard")
    first = page.locator("#leaderboard tbody tr").first
    assert "0" in first.locator("td").nth(3).inner_text()
    grade(other_student, tally_problem, assignment, "correct")
    page.wait_for_function(
        "() => document.querySelector('#leaderboard tbody tr td:nth-child(2)')"
        ".textContent.includes('Bob B.')",
        timeout=10_000,
    )
    assert first.locator("td").nth(3).inner_text() == "2"


def test_the_leaderboard_refreshes_when_its_tab_is_shown_again(
    browser_for,
    live_server,
    instructor,
    student,
    other_student,
    assignment,
    tally_problem,
    grade,
    monkeypatch,
):
    """Coming back to the tab refreshes the board at once, without waiting for the next poll,
    and the page's trigger is one htmx can parse: no ``htmx:syntax:error`` in the console."""
    monkeypatch.setattr(leaderboard_views, "POLL_SECONDS", 3600)  # no poll during the test
    page = browser_for(instructor)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/cohorts/{assignment.cohort.slug}/leaderboard")
    page.wait_for_load_state("load")
    grade(other_student, tally_problem, assignment, "correct")
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_function(
        "() => document.querySelector('#leaderboard tbody tr td:nth-child(2)')"
        ".textContent.includes('Bob B.')",
        timeout=10_000,
    )
    assert [e for e in errors if "htmx" in e] == []


@pytest.mark.parametrize(
    ("language", "one", "two", "total"),
    [("en", "1 pt", "2 pts", "of 3 pts"), ("ko", "1점", "2점", "만점 3점")],
)
def test_the_gradebook_says_1_pt_and_2_pts(
    browser_for,
    live_server,
    instructor,
    student,
    assignment,
    tally_problem,
    second_problem,
    grade,
    language,
    one,
    two,
    total,
):
    """Points shown with a number take their plural form: a 1-point column and a best score of
    1 read "1 pt", never "1 pts" (Korean has one form for every count)."""
    grade(student, tally_problem, assignment, "correct")  # 2 of 2
    grade(student, second_problem, assignment, "correct")  # 1 of 1
    page = browser_for(instructor)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/teach/{assignment.cohort.slug}/gradebook?assignment=week-1")
    headers = page.locator("thead tr").nth(1).locator("th")
    assert headers.nth(0).locator(".meta").inner_text() == two  # tally-sum, 2 points
    assert headers.nth(1).locator(".meta").inner_text() == one  # tally-two, 1 point
    assert total in page.locator("thead").inner_text()
    cells = page.locator('tr[data-user="alice"] td.cell .score')
    assert [cells.nth(i).inner_text() for i in range(2)] == [two, one]
