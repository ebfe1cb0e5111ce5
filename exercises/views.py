"""Pages: thin. Validate, authorize, call a service or a selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from exercises import health, presenters, quiz_presenters, selectors, services
from exercises.errors import NotFound, StrideError
from exercises.forms import AnswerForm, CodeForm, JoinCohortForm
from exercises.rendering import markdown_to_html


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = health.report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    items = selectors.visible_problem_items(request.user)
    return render(
        request,
        "exercises/dashboard.html",
        {
            "memberships": selectors.memberships_of(request.user),
            "items": items,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def join_cohort(request: HttpRequest) -> HttpResponse:
    form = JoinCohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.join_cohort(request.user, form.cleaned_data["code"])
        except StrideError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, f"You joined {membership.cohort.name}.")
            return redirect("dashboard")
    return render(request, "exercises/join.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def problem_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        access = selectors.access_problem(request.user, slug)
    except NotFound as exc:
        return render(request, "exercises/error.html", {"error": exc}, status=404)
    form_class = CodeForm if access.problem.kind == "code" else AnswerForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submit_answer(request.user, slug, form.cleaned_data)
        except StrideError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("submission", pk=submission.pk)
    detail = presenters.problem_detail(request.user, access)
    if request.method == "GET" and access.problem.kind == "code":
        form = CodeForm(initial={"code": access.problem.starter_code})
    return render(
        request,
        "exercises/problem.html",
        {
            "problem": access.problem,
            "access": access,
            "detail": detail,
            "statement_html": markdown_to_html(detail["statement"]),
            "form": form,
            "history": selectors.submissions_of(request.user, access.problem)[:20],
        },
    )


@login_required
def submission_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        submission = selectors.access_submission(request.user, pk)
    except NotFound as exc:
        return render(request, "exercises/error.html", {"error": exc}, status=404)
    template = "exercises/_submission_status.html" if request.htmx else "exercises/submission.html"
    if quiz_presenters.withheld_for(submission, request.user):  # the quiz's feedback policy
        template = "quiz/_withheld_status.html" if request.htmx else "quiz/submission_withheld.html"
    return render(request, template, {"submission": submission})
