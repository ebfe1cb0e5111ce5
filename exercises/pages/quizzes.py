"""Quiz pages a student sits a quiz on (``/quizzes/``): the list, the quiz under a countdown,
start, answer, hand in, the clock. The staff pages are ``exercises.teach.quiz_views`` (under
``/teach/<cohort>/quizzes/``); their first addresses here answer with permanent redirects.
Thin: validate, authorize, call ``quizzes`` / ``services``."""

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
from django.views.decorators.http import require_GET, require_POST

from exercises.access import (
    is_staff_role,
    member_quiz,
    staff_cohort,
    staff_memberships,
    staff_quiz,
)
from exercises.errors import AccessDenied, BadPayload, NotFound, StrideError
from exercises.models import QuizSettings
from exercises.pages import answer_inputs
from exercises.pages import presenters as page_presenters
from exercises.quizzes import presenters as quiz_presenters
from exercises.quizzes import rules as quiz_rules
from exercises.quizzes import services as quizzes
from exercises.rendering import markdown_to_html
from exercises.submissions import selectors, services


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
