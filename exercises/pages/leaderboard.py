"""The leaderboard page every member of a cohort sees (staff see the live board with real
names). The table refreshes itself through htmx polling of the same URL, only while the page
is visible, and an unchanged board answers 304 (``leaderboard_reads``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from exercises.cohorts import services as roster
from exercises.errors import StrideError
from exercises.leaderboards import selectors as leaderboard_reads
from exercises.leaderboards import services as leaderboards
from exercises.pages.forms import LeaderboardProfileForm

POLL_SECONDS = 5
SHOWN_ROWS = 200


@leaderboard_reads.answers_unchanged
@login_required
@require_http_methods(["GET", "POST"])
def leaderboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        membership, assignment = leaderboards.access_board(
            request.user, slug, request.GET.get("assignment") or None
        )
    except StrideError as exc:
        return render(request, "exercises/error.html", {"error": exc}, status=exc.status)
    cohort = membership.cohort
    form = LeaderboardProfileForm(
        request.POST or None,
        initial={
            "display_name": membership.display_name,
            "show_on_leaderboard": membership.show_on_leaderboard,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            roster.set_leaderboard_profile(
                request.user,
                cohort,
                display_name=form.cleaned_data["display_name"],
                show=form.cleaned_data["show_on_leaderboard"],
            )
        except StrideError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, gettext("Saved your leaderboard settings."))
            return redirect(request.get_full_path())
    version = leaderboard_reads.page_version(cohort, assignment) if request.htmx else None
    board = leaderboards.board_for(
        cohort, request.user, assignment=assignment, role=membership.role
    )
    context = {
        "board": board,
        "cohort": cohort,
        "assignment": assignment,
        "membership": membership,
        "form": form,
        "rows": board.entries[:SHOWN_ROWS],
        "viewer_below": board.viewer_entry
        if board.viewer_entry and board.viewer_entry.rank > SHOWN_ROWS
        else None,
        "poll_seconds": POLL_SECONDS,
        "assignments": cohort.assignments.filter(published=True).order_by("due_at", "title"),
    }
    if request.htmx:  # the table alone, tagged: the next poll of an unchanged board is a 304
        response = render(request, "leaderboards/_table.html", context)
        return leaderboard_reads.tag(response, request, version)
    return render(request, "leaderboards/board.html", context)
