"""Pages: thin. Validate, authorize, call a service or a selector, render."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exercises.assignments import presenters
from exercises.assignments import selectors as progress
from exercises.cohorts import selectors as cohort_selectors
from exercises.errors import NotFound, StrideError
from exercises.models import VariantPolicy
from exercises.pages import answer_inputs, visuals
from exercises.pages import presenters as page_presenters
from exercises.quizzes import presenters as quiz_presenters
from exercises.rendering import markdown_to_html
from exercises.submissions import grade_events, selectors, services


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page links: the static icon. Its address is
    looked up per request (the static files' manifest exists only after collectstatic)."""
    return HttpResponsePermanentRedirect(static("exercises/favicon.svg"))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    assignments = progress.dashboard_progress(request.user)
    return render(
        request,
        "exercises/dashboard.html",
        {
            "memberships": cohort_selectors.memberships_of(request.user),
            "assignments": assignments,
            "next": progress.next_problem(assignments),
            "open_quizzes": selectors.open_quizzes(request.user),
        },
    )


def _int_query(request: HttpRequest, name: str) -> int:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() else 0


def _problem_context(request: HttpRequest, access: selectors.ProblemAccess) -> dict:
    detail = presenters.problem_detail(request.user, access)
    state = selectors.hint_state(request.user, access)
    return {
        "problem": access.problem,
        "access": access,
        "detail": detail,
        "history": page_presenters.history_view(
            request.user, access.problem, access.assignment.cohort.timezone
        ),
        "hints": page_presenters.hints_view(access.problem.hints, state),
        # Every link and form of the page names its assignment (?assignment=<slug>).
        "assignment_query": f"?assignment={access.assignment.slug}",
    }


def _access_problem(request: HttpRequest, slug: str) -> selectors.ProblemAccess:
    """The problem through the assignment ``?assignment=`` names (its slug or id), else the
    one the student is working on."""
    assignment_id = selectors.assignment_for(request.user, slug, request.GET.get("assignment"))
    return selectors.access_problem(request.user, slug, assignment_id=assignment_id)


@login_required
@require_http_methods(["GET", "POST"])
def problem_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The statement, the student's numbers, the answer inputs and past attempts. A POST
    submits; with htmx the result appears in place (and polls), without it we redirect to the
    submission's page."""
    try:
        access = _access_problem(request, slug)
    except StrideError as exc:
        return render(request, "exercises/error.html", {"error": exc}, status=exc.status)
    error, status, retry_after = None, 200, None
    post = None
    if request.method == "POST":
        post = request.POST
        try:
            # Only the answer's format: a submit answered in place needs nothing else of the page.
            answer_format = presenters.answer_format(request.user, access)
            payload = answer_inputs.read_answer(access.problem.kind, answer_format, request.POST)
            submission = services.submit(
                request.user,
                slug,
                payload,
                assignment_id=access.assignment.pk,
                # The form's token: a resent form (a retry, a double click) is the same attempt.
                idempotency_key=request.POST.get("idempotency_key") or None,
                access=access,  # checked above, once for the request
            ).submission
        except answer_inputs.AnswerError as exc:
            error, status, retry_after = exc.message, 400, None
        except StrideError as exc:
            # The same refusal as the API's, with the same status (409 closed, 429 too fast).
            error, status = exc.message, exc.status
            retry_after = getattr(exc, "retry_after", None)
        else:
            if request.htmx and access.assignment.variant_policy == VariantPolicy.PER_ATTEMPT:
                # The next attempt has new numbers: leave this page rather than keep stale ones.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("submission", args=[submission.pk])
                return response
            if request.htmx:
                # The form stays on the page: it gets a new token for the next answer. A quick
                # kind's box comes graded (graded in this request), as the quiz lets it be seen;
                # a worker's grade usually lands within a short wait, and then comes in this
                # answer too (no second request). Later, the box's own ?wait= brings it.
                submission, _ = grade_events.await_result(
                    submission, settings.STRIDE["PAGE_SUBMIT_WAIT_MS"] / 1000
                )
                response = _status_box(request, submission, new_form_token=True)
                response["HX-Trigger"] = "stride:submitted"
                return response
            return redirect("submission", pk=submission.pk)
        if request.htmx:
            # htmx swaps only 2xx answers by default: the refusal is the content here.
            response = render(
                request, "exercises/_form_error.html", {"error": error, "new_form_token": True}
            )
            response["X-Stride-Status"] = str(status)
            return response
    context = _problem_context(request, access)
    detail = context["detail"]
    holding = selectors.assignments_holding(request.user, slug)
    context.update(
        {
            # In more than one of the student's assignments: which one this page is, and a way
            # to the others (attempts, due dates and grades are each assignment's own).
            "other_assignments": [a for a in holding if a.pk != access.assignment.pk],
            "statement_html": markdown_to_html(detail["statement"]),
            # A code problem's params are only the seed of its hidden cases: nothing to draw.
            "param_views": []
            if access.problem.kind == "code"
            else visuals.param_views(
                detail["params"], skip=visuals.params_in_statement(access.problem.statement)
            ),
            "widget": answer_inputs.build_widget(
                access.problem.kind,
                detail["answer_format"],
                post=post,
                starter_code=page_presenters.editor_code(
                    request.user, access.problem, access.assignment.pk, detail["answer_format"]
                )
                if access.problem.kind == "code"
                else "",
            ),
            "error": error,
        }
    )
    response = render(request, "exercises/problem.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
@require_GET
def problem_progress(request: HttpRequest, slug: str) -> HttpResponse:
    """The attempts/due line and the history, refreshed by htmx after a submission or a grade."""
    try:
        access = _access_problem(request, slug)
    except StrideError as exc:
        return render(request, "exercises/error.html", {"error": exc}, status=exc.status)
    context = _problem_context(request, access) | {"oob": True}
    return render(request, "exercises/_problem_progress.html", context)


@login_required
@require_POST
def problem_hint(request: HttpRequest, slug: str, index: int) -> HttpResponse:
    """ "Show a hint": unlock an on-request hint (the cost it says), then back to the problem."""
    raw = request.POST.get("assignment", "")
    assignment_id = int(raw) if raw.isdigit() else None
    try:
        unlock = services.request_hint(request.user, slug, index, assignment_id=assignment_id)
    except NotFound as exc:
        return render(request, "exercises/error.html", {"error": exc}, status=404)
    except StrideError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('problem', args=[slug])}#hints")
    query = f"?assignment={unlock.assignment.slug}" if unlock.assignment else ""
    return redirect(f"{reverse('problem', args=[slug])}{query}#hints")


def _submission_context(request: HttpRequest, submission) -> dict:
    row, col = _int_query(request, "row"), _int_query(request, "col")
    return {
        "submission": submission,
        "feedback": page_presenters.feedback_view(submission),
        "stepthrough": page_presenters.stepthrough_view(request.user, submission, row, col),
    }


@login_required
@require_GET
def submission_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The attempt's page; its status box (htmx) asks again with ``?wait=N`` and gets the
    box back as soon as the grade is committed (``grade_events``)."""
    try:
        seconds = grade_events.wait_seconds(request.GET.get("wait")) if request.htmx else 0
        submission = selectors.access_submission(request.user, pk)
    except StrideError as exc:
        return render(request, "exercises/error.html", {"error": exc}, status=exc.status)
    submission, outcome = grade_events.await_result(submission, seconds)
    if request.htmx:
        return _status_box(
            request,
            submission,
            # The server holds its most waits: this box asks again after a pause (polling).
            wait_busy=outcome == grade_events.Outcome.BUSY,
            # Polled from the attempt's own page: no link to itself.
            hide_link=request.htmx.current_url_abs_path == request.path,
        )
    if quiz_presenters.withheld_for(submission, request.user):  # the quiz's feedback policy
        return render(request, "quiz/submission_withheld.html", {"submission": submission})
    return render(request, "exercises/submission.html", _submission_context(request, submission))


def _status_box(request: HttpRequest, submission, **extra) -> HttpResponse:
    """A submission's status box (htmx), as the quiz's feedback policy lets the viewer see it
    (without verdict, score or feedback while it holds them back): the box after a submit,
    already graded when the request graded it, and the box's own ``?wait=`` answer. A shown
    final state triggers ``stride:graded`` (the progress line and hints refresh)."""
    if quiz_presenters.withheld_for(submission, request.user):
        return render(request, "quiz/_withheld_status.html", {"submission": submission} | extra)
    context = _submission_context(request, submission) | extra
    final = submission.status in ("graded", "error")
    if final and _polled_from_problem_page(request, submission):
        # The history as of this grade, in the answer that shows the grade: a refresh of it
        # asked for earlier (after the submit) may come back later with the attempt still
        # queued, and is then the older of the two (``HistoryView.as_of``, ``stride.js``).
        context["history"] = page_presenters.history_view(
            request.user, submission.problem, submission.assignment.cohort.timezone
        )
    response = render(request, "exercises/_submission_status.html", context)
    if final:
        response["HX-Trigger"] = "stride:graded"
    return response


def _polled_from_problem_page(request: HttpRequest, submission) -> bool:
    """The status box asking is on its problem's page, the one page with the history (not the
    attempt's own page, nor a quiz's)."""
    if submission.assignment is None or request.htmx.current_url_abs_path is None:
        return False
    path = urlsplit(request.htmx.current_url_abs_path).path
    return path == reverse("problem", args=[submission.problem.slug])


@login_required
@require_GET
def submission_window(request: HttpRequest, pk: int) -> HttpResponse:
    """One step of the convolution step-through (htmx fragment; full page without htmx)."""
    try:
        submission = selectors.access_submission(request.user, pk)
    except NotFound as exc:
        return render(request, "exercises/error.html", {"error": exc}, status=404)
    if quiz_presenters.withheld_for(submission, request.user):
        return HttpResponse(status=204)  # no feedback of any kind while the quiz holds it
    if not request.htmx:
        query = request.GET.urlencode()
        return redirect(f"{reverse('submission', args=[pk])}?{query}#stepthrough")
    context = _submission_context(request, submission)
    if context["stepthrough"] is None:
        return HttpResponse(status=204)
    return render(request, "exercises/_stepthrough.html", context)
