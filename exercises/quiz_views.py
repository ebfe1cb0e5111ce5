"""Quiz pages, for students (take a quiz under a countdown) and instructors (build, preview,
publish, monitor live, results; the staff pages are mounted under ``/teach/<cohort>/quizzes/``
behind ``staff_page``). Thin: validate, authorize, call ``quizzes`` / ``services``."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exercises import (
    answer_inputs,
    page_presenters,
    quiz_presenters,
    quiz_reports,
    quiz_rules,
    quizzes,
    selectors,
    services,
)
from exercises.access import (
    StaffAccess,
    cohort_quiz,
    is_staff_role,
    member_quiz,
    staff_cohort,
    staff_memberships,
    staff_quiz,
)
from exercises.errors import AccessDenied, BadPayload, NotFound, StrideError
from exercises.instructor.guard import staff_page
from exercises.models import Cohort, QuizSettings
from exercises.quiz_forms import AccommodationForm, ExtendForm, QuizBuildForm
from exercises.rendering import markdown_to_html


def _refused(request: HttpRequest, exc: StrideError) -> HttpResponse:
    """The access policy's answer: 404 (not yours to know of) or 403 (staff, read only)."""
    return render(request, "exercises/error.html", {"error": exc}, status=exc.status)


# --- Students -------------------------------------------------------------------------------
@login_required
def quiz_list(request: HttpRequest) -> HttpResponse:
    # "Build a new quiz" is offered where the user may build one: the cohorts they teach.
    staff_cohorts = [m.cohort for m in staff_memberships(request.user, write=True)]
    return render(
        request,
        "quiz/list.html",
        {"quizzes": selectors.visible_quizzes(request.user), "staff_cohorts": staff_cohorts},
    )


def _mmss(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def _quiz_context(
    request: HttpRequest, quiz: QuizSettings, role: str, refill: int | None = None
) -> dict:
    """The quiz page's context; question ``refill``'s inputs keep what was just sent (the
    answer was refused: the student corrects it rather than typing it again)."""
    now = timezone.now()
    user = request.user
    attempt = quiz_rules.attempt_of(quiz.assignment_id, user.pk)
    accommodation = quiz_rules.accommodation_for(quiz, user.pk)
    opens, closes = quiz_rules.window_for(quiz, accommodation)
    state = quiz_rules.sitting_state(quiz, attempt, accommodation, now)
    clock = quiz_presenters.clock(quiz, attempt, state, now)
    released = quiz_rules.feedback_released(quiz, attempt, now)
    cards = []
    if attempt is not None:
        cards = quiz_presenters.question_cards(user, quiz, attempt, role=role, released=released)
        for card in cards:
            card.statement_html = markdown_to_html(card.detail["statement"])
            problem, fmt = card.item.problem, card.detail["answer_format"]
            card.widget = answer_inputs.build_widget(
                problem.kind,
                fmt,
                post=request.POST if card.position == refill else None,
                starter_code=page_presenters.editor_code(user, problem, quiz.assignment_id, fmt)
                if problem.kind == "code"
                else "",
                prefix=f"q{card.position}-",
                label=gettext("Your answer to question %(n)d") % {"n": card.position},
            )
    over = state is quiz_rules.Sitting.FINISHED
    return {
        "quiz": quiz,
        "assignment": quiz.assignment,
        "cohort": quiz.assignment.cohort,
        "is_staff": is_staff_role(role),
        "attempt": attempt,
        "state": state,
        "opens": opens,
        "closes": closes,
        "time_allowed_minutes": round(
            quiz_rules.time_allowed(quiz, accommodation).total_seconds() / 60, 1
        ),
        "clock": clock,
        "remaining_display": _mmss(clock["remaining_seconds"] or 0),
        "released": released,
        "cards": cards,
        "answered": sum(1 for c in cards if c.answered),
        "total": quiz_presenters.own_total(quiz, user, released=released, now=now)
        if over
        else None,
        "results_at": quiz_presenters.results_released_at(quiz, attempt) if over else None,
    }


@login_required
@never_cache
def quiz_page(
    request: HttpRequest, pk: int, *, error: StrideError | None = None, refill: int | None = None
) -> HttpResponse:
    try:
        quiz, role = member_quiz(request.user, pk)
    except (NotFound, AccessDenied) as exc:
        return _refused(request, exc)
    context = _quiz_context(request, quiz, role, refill)
    context["error"] = error
    return render(request, "quiz/take.html", context, status=error.status if error else 200)


@login_required
@require_POST
def quiz_start(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        quiz, _ = member_quiz(request.user, pk)
        quizzes.start_quiz(request.user, quiz)
    except (NotFound, AccessDenied) as exc:
        return _refused(request, exc)
    except StrideError as exc:
        return quiz_page(request, pk, error=exc)
    return redirect("quiz", pk=pk)


@login_required
@require_POST
def quiz_answer(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """Answer one drawn question through the normal submission path (its rules refuse late,
    finished, not-started and not-drawn answers with 409)."""
    try:
        quiz, _ = member_quiz(request.user, pk)
    except (NotFound, AccessDenied) as exc:
        return _refused(request, exc)
    attempt = quiz_rules.attempt_of(quiz.assignment_id, request.user.pk)
    drawn = (
        quiz_presenters.drawn_question(request.user, quiz, attempt, position) if attempt else None
    )
    if drawn is None:
        return quiz_page(
            request,
            pk,
            error=StrideError("Start the quiz first.", code="quiz_not_started"),
        )
    item, detail = drawn
    try:
        # The problem page's inputs and reading, per answer format (grid, shape, box, editor).
        payload = answer_inputs.read_answer(
            item.problem.kind, detail["answer_format"], request.POST, prefix=f"q{position}-"
        )
    except answer_inputs.AnswerError as exc:
        error = BadPayload(
            f"Question {position}: {exc.message} It was not recorded and used no try.",
            field=exc.field,
        )
        return quiz_page(request, pk, error=error, refill=position)
    try:
        services.submit_answer(
            request.user, item.problem.slug, payload, assignment_id=quiz.assignment_id
        )
    except StrideError as exc:
        exc.message = gettext("Question %(n)d: %(problem)s") % {
            "n": position,
            "problem": exc.message,
        }
        return quiz_page(request, pk, error=exc, refill=position)
    messages.success(request, gettext("Answer to question %(n)d recorded.") % {"n": position})
    return redirect(reverse("quiz", args=[pk]) + f"#q{position}")


@login_required
@require_POST
def quiz_finish(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        quiz, _ = member_quiz(request.user, pk)
        quizzes.finish_quiz(request.user, quiz)
    except (NotFound, AccessDenied) as exc:
        return _refused(request, exc)
    except StrideError as exc:
        return quiz_page(request, pk, error=exc)
    messages.success(request, gettext("You handed in the quiz."))
    return redirect("quiz", pk=pk)


@login_required
@require_GET
@never_cache
def quiz_clock(request: HttpRequest, pk: int) -> JsonResponse:
    """The server's view of the student's clock; the page re-syncs its countdown from it."""
    try:
        quiz, _ = member_quiz(request.user, pk)
    except NotFound as exc:
        return JsonResponse(exc.as_dict(), status=404)
    now = timezone.now()
    attempt = quiz_rules.attempt_of(quiz.assignment_id, request.user.pk)
    accommodation = quiz_rules.accommodation_for(quiz, request.user.pk)
    sitting = quiz_rules.sitting_state(quiz, attempt, accommodation, now)
    return JsonResponse(quiz_presenters.clock(quiz, attempt, sitting, now))


# --- Instructors ----------------------------------------------------------------------------
@staff_page(write=True)
@require_http_methods(["GET", "POST"])
def quiz_new(request: HttpRequest, staff: StaffAccess) -> HttpResponse:
    cohort = staff.cohort

    def save(settings: dict) -> QuizSettings:
        return quizzes.create_quiz(request.user, cohort, **settings)

    form = QuizBuildForm(request.POST or None)
    return _builder(
        request, form, cohort, save, "Quiz saved as a draft: preview a draw, then publish."
    )


@staff_page(write=True)
@require_http_methods(["GET", "POST"])
def quiz_edit(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    """The builder's form, filled in with the quiz; pools and points per try are locked (shown,
    not editable) once a student has started."""
    quiz = cohort_quiz(staff, pk)

    def save(settings: dict) -> QuizSettings:
        return quizzes.update_quiz(request.user, quiz, **settings)

    started = quizzes.has_started(quiz)
    form = QuizBuildForm(request.POST or None, initial=_form_values(quiz), locked=started)
    context = {"quiz": quiz, "started": started}
    return _builder(request, form, quiz.assignment.cohort, save, "Quiz saved.", context)


def _builder(
    request: HttpRequest,
    form: QuizBuildForm,
    cohort: Cohort,
    save: Callable[[dict], QuizSettings],
    saved: str,
    context: dict | None = None,
) -> HttpResponse:
    """The builder page for a new or an existing quiz: on a valid POST ``save`` the settings
    (times read in the cohort's zone) and go to the preview; else the form with its errors."""
    if request.method == "POST":
        with timezone.override(cohort.tzinfo):
            valid = form.is_valid()
        if valid:
            try:
                quiz = save({name: form.cleaned_data[name] for name in QuizBuildForm.SETTINGS})
            except StrideError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, saved)
                return redirect(
                    "teach:quiz-preview", slug=quiz.assignment.cohort.slug, pk=quiz.assignment_id
                )
    from exercises.models import Problem

    bank = Problem.objects.order_by("slug")
    return render(
        request,
        "quiz/new.html",
        {"form": form, "cohort": cohort, "bank": bank, **(context or {})},
        status=400 if request.method == "POST" else 200,
    )


def _form_values(quiz: QuizSettings) -> dict:
    """The quiz as the builder's form shows it: times in the cohort's zone, as typed."""
    zone = quiz.assignment.cohort.tzinfo
    return {
        "title": quiz.assignment.title,
        "slug": quiz.assignment.slug,
        "opens_at": timezone.localtime(quiz.opens_at, zone).replace(tzinfo=None),
        "closes_at": timezone.localtime(quiz.closes_at, zone).replace(tzinfo=None),
        "time_limit_minutes": quiz.time_limit_minutes,
        "attempt_points": ", ".join(f"{p:g}" for p in quiz.attempt_points),
        "feedback_policy": quiz.feedback_policy,
        "counts_on_leaderboard": quiz.assignment.counts_on_leaderboard,
        "pools": quizzes.format_pools(quizzes.pools_of(quiz)),
    }


@staff_page()
@require_GET
def quiz_preview(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    """One student's draw with their variants, as they would see (or saw) it."""
    quiz = cohort_quiz(staff, pk)
    students = list(selectors.students_of(quiz.assignment.cohort).order_by("user__username"))
    chosen = request.GET.get("student", "")
    student = next(
        (m for m in students if str(m.user_id) == chosen), students[0] if students else None
    )
    questions = []
    if student is not None:
        from grader.grading import params_for
        from grader.kinds import render_statement

        for position, item in enumerate(quizzes.preview_draw(quiz, student.user_id), start=1):
            seed = services.variant_seed(student.user_id, item.problem, quiz.assignment, 1)
            params = params_for(item.problem.kind, item.problem.spec, seed)
            questions.append(
                {
                    "position": position,
                    "item": item,
                    "statement_html": markdown_to_html(
                        render_statement(item.problem.statement, params)
                    ),
                }
            )
    return render(
        request,
        "quiz/preview.html",
        {
            "quiz": quiz,
            "assignment": quiz.assignment,
            "students": students,
            "student": student,
            "questions": questions,
            "pools": quiz.pools.prefetch_related("items__problem"),
        },
    )


@staff_page(write=True)
@require_POST
def quiz_publish(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    quiz = cohort_quiz(staff, pk)
    try:
        quizzes.publish_quiz(request.user, quiz, request.POST.get("published", "1") == "1")
    except StrideError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Published." if quiz.assignment.published else "Unpublished.")
    return redirect("teach:quiz-preview", slug=staff.cohort.slug, pk=pk)


@staff_page()
@require_GET
@never_cache
def quiz_monitor(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    """Live: who started, time left, answered, score distribution (htmx re-polls the table)."""
    quiz = cohort_quiz(staff, pk)
    rows = quiz_reports.student_rows(quiz)
    students = selectors.students_of(quiz.assignment.cohort)
    context = {
        "quiz": quiz,
        "assignment": quiz.assignment,
        "rows": rows,
        "started": sum(1 for r in rows if r.state.started),
        "running": sum(1 for r in rows if r.state is quiz_rules.Sitting.RUNNING),
        "distribution": quiz_reports.score_distribution(rows),
        "closes_for_everyone": quiz_rules.closes_for_everyone(quiz),
        "accommodation_form": AccommodationForm(students=students),
        "accommodations": quiz.assignment.quiz_accommodations.select_related("user"),
    }
    template = "quiz/_monitor_live.html" if request.htmx else "quiz/monitor.html"
    return render(request, template, context)


@staff_page(write=True)
@require_POST
def quiz_extend(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    quiz = cohort_quiz(staff, pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        minutes = form.cleaned_data["minutes"]
        try:
            attempt = quizzes.extend_time(
                request.user, quiz, form.cleaned_data["user_id"], form.cleaned_data["minutes"]
            )
        except StrideError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{attempt.user.username} has {minutes} more minute{'s' if minutes != 1 else ''}.",
            )
    else:
        messages.error(request, "Extend by a whole number of minutes (1 to 1440).")
    return redirect("teach:quiz-monitor", slug=staff.cohort.slug, pk=pk)


@staff_page(write=True)
@require_POST
def quiz_accommodate(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    quiz = cohort_quiz(staff, pk)
    cohort = quiz.assignment.cohort
    students = selectors.students_of(cohort)
    form = AccommodationForm(request.POST, students=students)
    with timezone.override(cohort.tzinfo):
        valid = form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            quizzes.set_accommodation(
                request.user,
                quiz,
                data["user_id"],
                time_factor=data["time_factor"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                reason=data["reason"],
            )
        except StrideError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Accommodation saved.")
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("teach:quiz-monitor", slug=staff.cohort.slug, pk=pk)


@staff_page(write=True)
@require_POST
def quiz_close(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    quiz = cohort_quiz(staff, pk)
    quizzes.close_quiz(request.user, quiz)
    messages.success(request, "The quiz is closed for everyone.")
    return redirect("teach:quiz-results", slug=staff.cohort.slug, pk=pk)


@staff_page()
@require_GET
def quiz_results(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    quiz = cohort_quiz(staff, pk)
    rows = quiz_reports.student_rows(quiz)
    return render(
        request,
        "quiz/results.html",
        {
            "quiz": quiz,
            "assignment": quiz.assignment,
            "rows": rows,
            "stats": quiz_reports.question_stats(quiz),
            "distribution": quiz_reports.score_distribution(rows),
        },
    )


@staff_page()
@require_GET
def quiz_results_csv(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    quiz = cohort_quiz(staff, pk)
    response = HttpResponse(quiz_reports.results_csv(quiz), content_type="text/csv; charset=utf-8")
    filename = f"{quiz.assignment.cohort.slug}-{quiz.assignment.slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The staff pages' first addresses -------------------------------------------------------
class _PermanentRedirectKeepingMethod(HttpResponseRedirectBase):
    """308: like 301, but the browser repeats the POST (with its form) at the new address."""

    status_code = 308


def moved_to_teach(target: str, *, write: bool) -> Callable[..., HttpResponse]:
    """A view for a quiz staff page's old address (``/quizzes/<id>/...``): it answers as the
    page at ``teach:<target>`` would about access (404 for anyone not on the quiz's cohort's
    staff, 403 for an assistant where ``write``), so the redirect tells an outsider nothing;
    then GET moves permanently (301) and any other method keeps its body (308)."""

    @login_required
    def view(request: HttpRequest, pk: int | None = None, cohort_slug: str = "") -> HttpResponse:
        try:
            if pk is None:
                args = [staff_cohort(request.user, cohort_slug, write=write).cohort.slug]
            else:
                quiz = staff_quiz(request.user, pk, write=write)
                args = [quiz.assignment.cohort.slug, pk]
        except (NotFound, AccessDenied) as exc:
            return _refused(request, exc)
        url = reverse(f"teach:{target}", args=args)
        if request.GET:
            url += f"?{request.GET.urlencode()}"
        if request.method in ("GET", "HEAD"):
            return HttpResponsePermanentRedirect(url)
        return _PermanentRedirectKeepingMethod(url)

    return view
