"""The integrity report's staff pages: thin. Staff of the cohort read; instructors start a run
and record reviews (the same rule as every /teach/ page). Students never reach any of it: for
them the cohort's /teach/ pages do not exist (404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from exercises.access import StaffAccess
from exercises.errors import NotFound
from exercises.integrity import selectors, services
from exercises.integrity.report_csv import report_csv
from exercises.models import IntegrityReview
from exercises.teach.guard import staff_page
from exercises.teach.views import _assignment


@staff_page(write_on_post=True)
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, access: StaffAccess, assignment_slug: str) -> HttpResponse:
    assignment = _assignment(access, assignment_slug)
    if request.method == "POST":
        services.request_report(assignment, request.user)
        messages.success(request, _("Analysis queued; this page shows it when it is done."))
        return redirect("teach:integrity", access.cohort.slug, assignment.slug)
    report, done = selectors.latest_report(assignment), selectors.latest_done_report(assignment)
    rows = selectors.report_rows(done) if done else []
    return render(
        request,
        "instructor/integrity.html",
        {
            "access": access,
            "cohort": access.cohort,
            "assignment": assignment,
            "report": report,
            "done": done,
            "compared": selectors.compared_problems(done) if done else [],
            "rows": rows,
            "clusters": selectors.report_clusters(rows),
            "leaks": selectors.leak_flags(assignment),
            "statuses": IntegrityReview.Status.choices,
        },
    )


@staff_page()
@require_GET
def report_download(
    request: HttpRequest, access: StaffAccess, assignment_slug: str
) -> HttpResponse:
    assignment = _assignment(access, assignment_slug)
    report = selectors.latest_done_report(assignment)
    if report is None:
        raise NotFound(_("No finished analysis yet."), code="no_report")
    body = report_csv(selectors.report_rows(report), selectors.leak_flags(assignment))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"{access.cohort.slug}-{assignment.slug}-integrity.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_page(write_on_post=True)
@require_http_methods(["GET", "POST"])
def pair_page(
    request: HttpRequest,
    access: StaffAccess,
    assignment_slug: str,
    problem_slug: str,
    a_id: int,
    b_id: int,
) -> HttpResponse:
    assignment = _assignment(access, assignment_slug)
    report = selectors.latest_done_report(assignment)
    view = selectors.pair_view(report, problem_slug, a_id, b_id) if report else None
    if view is None:
        raise NotFound(_("This pair is not in the latest analysis."), code="no_pair")
    if request.method == "POST":
        services.save_review(
            assignment,
            (a_id, b_id),
            request.POST.get("status", ""),
            request.POST.get("note", ""),
            request.user,
        )
        messages.success(request, _("Review saved."))
        return redirect(
            "teach:integrity-pair", access.cohort.slug, assignment.slug, problem_slug, a_id, b_id
        )
    review = selectors.reviews_of(assignment).get(selectors.pair_key(a_id, b_id))
    return render(
        request,
        "instructor/integrity_pair.html",
        {
            "access": access,
            "cohort": access.cohort,
            "assignment": assignment,
            "view": view,
            "review": review,
            "statuses": IntegrityReview.Status.choices,
        },
    )
