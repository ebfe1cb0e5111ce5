"""Instructor pages: thin. Resolve the cohort through ``access`` (404 for outsiders, 403 for an
assistant's write), validate a form, call a service or a read module, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exercises.access import (
    StaffAccess,
    can_create_cohorts,
    require_bank_access,
    staff_memberships,
)
from exercises.accounts import services as accounts
from exercises.assignments import services as teach
from exercises.bank import authoring
from exercises.bank import selectors as bank_reads
from exercises.cohorts import services as roster
from exercises.errors import NotFound, StrideError
from exercises.models import (
    Assignment,
    Extension,
    Membership,
    Problem,
    RegradeJob,
    Role,
    Submission,
)
from exercises.submissions import regrade
from exercises.teach import analytics, charts, forms, gradebook
from exercises.teach.guard import refusal, staff_page


def _assignment(access: StaffAccess, slug: str | None) -> Assignment | None:
    if not slug:
        return None
    found = Assignment.objects.filter(cohort=access.cohort, slug=slug).first()
    if found is None:
        raise NotFound(
            _("No assignment %(slug)r in this cohort.") % {"slug": slug},
            code="assignment_not_found",
        )
    return found


def _cohort_problem(access: StaffAccess, problem_slug: str) -> Problem:
    """A problem that one of this cohort's assignments holds (others are not this cohort's)."""
    problem = Problem.objects.filter(
        slug=problem_slug, assignment_items__assignment__cohort=access.cohort
    ).first()
    if problem is None:
        raise NotFound(
            _("No problem %(slug)r in this cohort.") % {"slug": problem_slug},
            code="problem_not_found",
        )
    return problem


# --- Home and cohorts ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    memberships = staff_memberships(request.user)
    may_create = can_create_cohorts(request.user)
    if not memberships and not may_create:
        return refusal(request, NotFound(_("No such page."), code="not_found"))
    form = forms.CohortForm(request.POST or None)
    if request.method == "POST":
        if not may_create:
            return refusal(request, NotFound(_("No such page."), code="not_found"))
        if form.is_valid():
            cohort = roster.create_cohort(request.user, **form.cleaned_data)
            messages.success(
                request,
                _("Cohort %(name)s created; join code %(code)s.")
                % {"name": cohort.name, "code": cohort.join_code},
            )
            return redirect("teach:cohort", slug=cohort.slug)
    return render(
        request,
        "instructor/home.html",
        {"memberships": memberships, "form": form if may_create else None},
    )


@staff_page()
@require_GET
def cohort_detail(request: HttpRequest, access: StaffAccess) -> HttpResponse:
    cohort = access.cohort
    members = (
        Membership.objects.filter(cohort=cohort)
        .select_related("user")
        .order_by("role", "user__username")
    )
    assignments = cohort.assignments.prefetch_related("items__problem").order_by("due_at", "title")
    problems = bank_reads.with_texts(
        Problem.objects.filter(assignment_items__assignment__cohort=cohort)
        .distinct()
        .order_by("slug")
    )
    return render(
        request,
        "instructor/cohort.html",
        {
            "access": access,
            "cohort": cohort,
            "members": members,
            "assignments": assignments,
            "problems": problems,
            "roles": Role.choices,
        },
    )


@staff_page(write=True)
@require_POST
def join_code(request: HttpRequest, access: StaffAccess) -> HttpResponse:
    action = request.POST.get("action")
    if action == "rotate":
        code = roster.rotate_join_code(access.cohort)
        messages.success(
            request, _("New join code: %(code)s. The old one no longer works.") % {"code": code}
        )
    elif action in ("disable", "enable"):
        roster.set_join_enabled(access.cohort, action == "enable")
        messages.success(
            request,
            _("Joining by code is enabled.")
            if action == "enable"
            else _("Joining by code is disabled."),
        )
    else:
        return refusal(request, StrideError(_("Unknown action."), field="action"))
    return redirect("teach:cohort", slug=access.cohort.slug)


@staff_page(write=True)
@require_POST
def member_role(request: HttpRequest, access: StaffAccess, membership_id: int) -> HttpResponse:
    form = forms.RoleForm(request.POST)
    if not form.is_valid():
        return refusal(request, StrideError(_("Pick a role."), field="role"))
    try:
        membership = roster.set_role(
            access.cohort, membership_id, form.cleaned_data["role"], by=request.user
        )
    except StrideError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(username)s is now %(role)s.")
            % {"username": membership.user.username, "role": membership.get_role_display()},
        )
    return redirect("teach:cohort", slug=access.cohort.slug)


@staff_page(write=True)
@require_http_methods(["GET", "POST"])
def roster_upload(request: HttpRequest, access: StaffAccess) -> HttpResponse:
    form = forms.RosterUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > 2 * 1024 * 1024:
                raise roster.RosterError([_("the file is larger than 2 MB")])
            report = roster.import_roster(access.cohort, roster.decode_csv(upload.read()))
        except roster.RosterError as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _(
                    "%(enrolled)d enrolled (%(new)d new accounts), %(updated)d updated, "
                    "%(unchanged)d already there."
                )
                % {
                    "enrolled": len(report.enrolled),
                    "new": len(report.created_users),
                    "updated": len(report.updated),
                    "unchanged": len(report.unchanged),
                },
            )
            return redirect("teach:cohort", slug=access.cohort.slug)
    return render(
        request,
        "instructor/roster.html",
        {"access": access, "cohort": access.cohort, "form": form, "errors": errors},
        status=400 if errors else 200,
    )


@staff_page(write=True)
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, access: StaffAccess) -> HttpResponse:
    """Invitation links for the roster rows that have no password. GET names who is waiting;
    the links, being as good as a password until used, are shown or downloaded on POST only."""
    found = accounts.invitations(access.cohort)
    if request.method == "POST" and request.POST.get("format") == "csv":
        response = HttpResponse(
            accounts.invitations_csv(found, request.build_absolute_uri),
            content_type="text/csv; charset=utf-8",
        )
        name = f"{access.cohort.slug}-invitations.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "instructor/invitations.html",
        {
            "access": access,
            "cohort": access.cohort,
            "invitations": [(i, request.build_absolute_uri(i.path)) for i in found],
            "show_links": request.method == "POST",
            "link_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
    )


# --- Assignments --------------------------------------------------------------------------------
@staff_page(write=True)
@require_http_methods(["GET", "POST"])
def assignment_edit(
    request: HttpRequest, access: StaffAccess, assignment_slug: str | None = None
) -> HttpResponse:
    instance = _assignment(access, assignment_slug)
    if instance is not None and instance.type == Assignment.Type.QUIZ and request.method == "GET":
        # A quiz's settings live in its editor.
        return redirect("teach:quiz-edit", access.cohort.slug, instance.pk)
    form = forms.AssignmentForm(request.POST or None, instance=instance, cohort=access.cohort)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = teach.save_assignment(form, form.ordered_problems())
        except StrideError as exc:
            form.add_error(exc.field if exc.field in form.fields else "problems", exc.message)
        else:
            messages.success(request, _("Saved %(title)s.") % {"title": assignment.title})
            return redirect("teach:cohort", slug=access.cohort.slug)
    return render(
        request,
        "instructor/assignment_form.html",
        {"access": access, "cohort": access.cohort, "form": form, "assignment": instance},
    )


@staff_page(write_on_post=True)
@require_http_methods(["GET", "POST"])
def extensions(request: HttpRequest, access: StaffAccess, assignment_slug: str) -> HttpResponse:
    assignment = _assignment(access, assignment_slug)
    form = forms.ExtensionForm(request.POST or None)
    if request.method == "POST":
        if "revoke" in request.POST:
            teach.revoke_extension(assignment, int(request.POST.get("revoke") or 0))
            return redirect(
                "teach:extensions", slug=access.cohort.slug, assignment_slug=assignment.slug
            )
        if form.is_valid():
            try:
                teach.grant_extension(assignment, **form.cleaned_data)
            except StrideError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, _("Extension saved."))
                return redirect(
                    "teach:extensions", slug=access.cohort.slug, assignment_slug=assignment.slug
                )
    return render(
        request,
        "instructor/extensions.html",
        {
            "access": access,
            "cohort": access.cohort,
            "assignment": assignment,
            "form": form,
            "extensions": Extension.objects.filter(assignment=assignment).select_related("user"),
        },
    )


# --- Gradebook, students, analytics -------------------------------------------------------------
@staff_page()
@require_GET
def gradebook_page(request: HttpRequest, access: StaffAccess) -> HttpResponse:
    assignment = _assignment(access, request.GET.get("assignment"))
    book = gradebook.build_gradebook(access.cohort, assignment)
    return render(
        request,
        "instructor/gradebook.html",
        {
            "access": access,
            "cohort": access.cohort,
            "book": book,
            "assignment": assignment,
            "assignments": access.cohort.assignments.order_by("due_at", "title"),
        },
    )


@staff_page()
@require_GET
def gradebook_csv(request: HttpRequest, access: StaffAccess) -> HttpResponse:
    assignment = _assignment(access, request.GET.get("assignment"))
    book = gradebook.build_gradebook(access.cohort, assignment)
    name = f"{access.cohort.slug}{'-' + assignment.slug if assignment else ''}-gradebook.csv"
    response = HttpResponse(gradebook.gradebook_csv(book), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_page()
@require_GET
def student_page(request: HttpRequest, access: StaffAccess, user_id: int) -> HttpResponse:
    membership = (
        Membership.objects.filter(cohort=access.cohort, user_id=user_id, role=Role.STUDENT)
        .select_related("user")
        .first()
    )
    if membership is None:
        return refusal(request, NotFound(_("No such student in this cohort."), code="not_found"))
    book = gradebook.build_gradebook(access.cohort, user_id=user_id)
    row = book.rows[0] if book.rows else None
    submissions = (
        Submission.objects.filter(assignment__cohort=access.cohort, user_id=user_id)
        .select_related("problem", "assignment")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "instructor/student.html",
        {
            "access": access,
            "cohort": access.cohort,
            "membership": membership,
            "progress": book.by_assignment(row) if row else [],
            "submissions": submissions,
        },
    )


@staff_page()
@require_GET
def problem_analytics(request: HttpRequest, access: StaffAccess, problem_slug: str) -> HttpResponse:
    problem = _cohort_problem(access, problem_slug)
    stats = analytics.problem_stats(access.cohort, problem)
    labels = analytics.distribution_labels()
    title = ngettext(
        "Best scores of %(count)d student", "Best scores of %(count)d students", stats.students
    ) % {"count": stats.students}
    chart = charts.bar_chart_svg(stats.distribution, labels, title=title)
    return render(
        request,
        "instructor/analytics.html",
        {
            "access": access,
            "cohort": access.cohort,
            "problem": problem,
            "stats": stats,
            "chart": chart,
            "bins": list(zip(labels, stats.distribution, strict=True)),
        },
    )


# --- Regrade ------------------------------------------------------------------------------------
@staff_page(write=True)
@require_http_methods(["GET", "POST"])
def regrade_start(request: HttpRequest, access: StaffAccess, problem_slug: str) -> HttpResponse:
    problem = _cohort_problem(access, problem_slug)
    form = forms.RegradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = regrade.start_regrade(
                access.cohort,
                problem,
                request.user,
                mode=form.cleaned_data["mode"],
                never_lower=form.cleaned_data["never_lower"],
            )
        except StrideError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("teach:regrade-job", slug=access.cohort.slug, job_id=job.pk)
    jobs = RegradeJob.objects.filter(cohort=access.cohort, problem=problem)[:10]
    return render(
        request,
        "instructor/regrade.html",
        {
            "access": access,
            "cohort": access.cohort,
            "problem": problem,
            "jobs": jobs,
            "eligible": regrade.eligible(access.cohort, problem).count(),
        },
    )


@staff_page(write=True)
@require_GET
def regrade_job(request: HttpRequest, access: StaffAccess, job_id: int) -> HttpResponse:
    job = (
        RegradeJob.objects.filter(pk=job_id, cohort=access.cohort).select_related("problem").first()
    )
    if job is None:
        return refusal(request, NotFound(_("No such regrade."), code="not_found"))
    context = {"access": access, "cohort": access.cohort, "job": job}
    if request.htmx:
        return render(request, "instructor/_regrade_progress.html", context)
    return render(request, "instructor/regrade_job.html", context)


# --- Problem bank and preview -------------------------------------------------------------------
@login_required
@require_GET
def problem_bank(request: HttpRequest) -> HttpResponse:
    try:
        require_bank_access(request.user)
    except StrideError as exc:
        return refusal(request, exc)
    return render(request, "instructor/problems.html", {"problems": bank_reads.bank()})


@login_required
@require_GET
def problem_preview(request: HttpRequest, problem_slug: str) -> HttpResponse:
    try:
        require_bank_access(request.user)
    except StrideError as exc:
        return refusal(request, exc)
    problem = Problem.objects.filter(slug=problem_slug).first()
    if problem is None:
        return refusal(
            request, NotFound(_("No problem %(slug)r.") % {"slug": problem_slug}, code="not_found")
        )
    form = forms.PreviewSeedForm(request.GET or None)
    seed = form.cleaned_data["seed"] if form.is_valid() else None
    preview = authoring.preview_problem(problem, seed)
    asked = bool(request.GET.get("check"))
    return render(
        request,
        "instructor/preview.html",
        {
            "problem": problem,
            "form": form,
            "preview": preview,
            **_self_check_context(problem, asked=asked),
            "check_url": reverse("teach:preview", args=[problem.slug])
            + f"?check=1{'&seed=' + str(seed) if seed is not None else ''}",
            "admin_url": reverse("admin:exercises_problem_change", args=[problem.pk]),
        },
    )


def _self_check_context(problem: Problem, *, asked: bool) -> dict[str, object]:
    """The self-check block: its result once a worker has stored it, else (when asked for)
    a block that polls ``teach:preview-check`` until it has."""
    check = authoring.request_self_check(problem) if asked else None
    return {
        "check": check,
        "check_pending": asked and check is None,
        "poll_url": reverse("teach:preview-check", args=[problem.slug]),
    }


@login_required
@require_GET
def problem_preview_check(request: HttpRequest, problem_slug: str) -> HttpResponse:
    """The self-check block alone, polled by the preview page while a worker runs the check."""
    try:
        require_bank_access(request.user)
    except StrideError as exc:
        return refusal(request, exc)
    problem = Problem.objects.filter(slug=problem_slug).first()
    if problem is None:
        return refusal(
            request, NotFound(_("No problem %(slug)r.") % {"slug": problem_slug}, code="not_found")
        )
    return render(
        request,
        "instructor/_selfcheck.html",
        {
            "problem": problem,
            **_self_check_context(problem, asked=True),
            "check_url": reverse("teach:preview", args=[problem.slug]) + "?check=1",
        },
    )
