"""The quiz staff pages (build, preview, publish, monitor live, results), mounted under
``/teach/<cohort>/quizzes/`` behind ``staff_page``. The pages a student sits a quiz on are
``exercises.pages.quizzes``. Thin: validate, authorize, call ``quizzes`` / ``services``."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exercises.access import (
    StaffAccess,
    cohort_quiz,
)
from exercises.bank import selectors as bank_reads
from exercises.cohorts import selectors as cohort_selectors
from exercises.errors import StrideError
from exercises.models import Cohort, QuizSettings
from exercises.quizzes import rules as quiz_rules
from exercises.quizzes import selectors as quiz_reports
from exercises.quizzes import services as quizzes
from exercises.rendering import markdown_to_html
from exercises.submissions import services
from exercises.teach.guard import staff_page
from exercises.teach.quiz_forms import AccommodationForm, ExtendForm, QuizBuildForm
from grader.grading import params_for
from grader.kinds import render_statement


# --- Instructors ----------------------------------------------------------------------------
@staff_page(write=True)
@require_http_methods(["GET", "POST"])
def quiz_new(request: HttpRequest, staff: StaffAccess) -> HttpResponse:
    cohort = staff.cohort

    def save(settings: dict) -> QuizSettings:
        return quizzes.create_quiz(request.user, cohort, **settings)

    form = QuizBuildForm(request.POST or None)
    return _builder(
        request, form, cohort, save, _("Quiz saved as a draft: preview a draw, then publish.")
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
    return _builder(request, form, quiz.assignment.cohort, save, _("Quiz saved."), context)


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

    bank = bank_reads.bank()
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
    students = list(cohort_selectors.students_of(quiz.assignment.cohort).order_by("user__username"))
    chosen = request.GET.get("student", "")
    student = next(
        (m for m in students if str(m.user_id) == chosen), students[0] if students else None
    )
    questions = []
    if student is not None:
        for position, item in enumerate(quizzes.preview_draw(quiz, student.user_id), start=1):
            seed = services.variant_seed(student.user_id, item.problem, quiz.assignment, 1)
            params = params_for(item.problem.kind, item.problem.spec, seed)
            questions.append(
                {
                    "position": position,
                    "item": item,
                    "statement_html": markdown_to_html(
                        render_statement(item.problem.text().statement, params)
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
        messages.success(
            request, _("Published.") if quiz.assignment.published else _("Unpublished.")
        )
    return redirect("teach:quiz-preview", slug=staff.cohort.slug, pk=pk)


@staff_page()
@require_GET
@never_cache
def quiz_monitor(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    """Live: who started, time left, answered, score distribution (htmx re-polls the table)."""
    quiz = cohort_quiz(staff, pk)
    rows = quiz_reports.student_rows(quiz)
    students = cohort_selectors.students_of(quiz.assignment.cohort)
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
                ngettext(
                    "%(username)s has %(minutes)d more minute.",
                    "%(username)s has %(minutes)d more minutes.",
                    minutes,
                )
                % {"username": attempt.user.username, "minutes": minutes},
            )
    else:
        messages.error(request, _("Extend by a whole number of minutes (1 to 1440)."))
    return redirect("teach:quiz-monitor", slug=staff.cohort.slug, pk=pk)


@staff_page(write=True)
@require_POST
def quiz_accommodate(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    quiz = cohort_quiz(staff, pk)
    cohort = quiz.assignment.cohort
    students = cohort_selectors.students_of(cohort)
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
            messages.success(request, _("Accommodation saved."))
    else:
        messages.error(
            request,
            "; ".join(
                f"{form.fields[k].label if k in form.fields else k}: {' '.join(v)}"
                for k, v in form.errors.items()
            ),
        )
    return redirect("teach:quiz-monitor", slug=staff.cohort.slug, pk=pk)


@staff_page(write=True)
@require_POST
def quiz_close(request: HttpRequest, staff: StaffAccess, pk: int) -> HttpResponse:
    quiz = cohort_quiz(staff, pk)
    quizzes.close_quiz(request.user, quiz)
    messages.success(request, _("The quiz is closed for everyone."))
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
