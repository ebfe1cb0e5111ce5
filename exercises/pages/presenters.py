"""What the problem and submission pages draw beyond the API's data: the answer a student sent,
its heat maps, the tests as a student may see them, and the convolution step-through.

Shared rule with the API: hidden tests show their name and whether they passed, never their data
or message details; the expected answer is never part of what is drawn (heat maps hold only
|yours - expected|, which the grader already stores as feedback).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from exercises import grading_texts
from exercises.bank import hints
from exercises.errors import NotFound
from exercises.models import HintUnlock, LatePolicy, Problem, Submission, Verdict
from exercises.pages import stepthrough, visuals
from exercises.rendering import markdown_to_html
from exercises.submissions import selectors, services
from grader.grading import params_for
from grader.kinds import get_kind
from grader.kinds.answers import typed_number
from grader.texts import Text

HIDDEN_TEST_NOTE = gettext_lazy("Hidden test: its inputs and expected output are not shown.")


@dataclass(frozen=True)
class AnswerView:
    """A sent answer, ready to draw: a grid, a shape, code, or text."""

    grid: visuals.Grid | None = None
    code: str | None = None
    text: str = ""


def answer_view(payload: dict[str, Any], label: str = gettext_lazy("Your answer")) -> AnswerView:
    if "code" in payload:
        return AnswerView(code=str(payload["code"]))
    answer = payload.get("answer")
    if visuals.is_matrix(answer) and max(len(answer), len(answer[0])) <= visuals.MAX_GRID_SIDE:
        return AnswerView(grid=visuals.Grid(label, visuals._fmt_rows(answer)))
    if isinstance(answer, list) and all(isinstance(v, int | float | str) for v in answer):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in answer):
            return AnswerView(text=" x ".join(str(v) for v in answer))
        return AnswerView(text=", ".join(str(v) for v in answer))
    # A number as the student sent it, every digit (a cell's 3 significant digits would
    # echo 45126.4 as 4.51e+04).
    return AnswerView(text=typed_number(answer) if answer is not None else "")


def editor_code(
    user: AbstractBaseUser, problem: Problem, assignment_id: int | None, fmt: dict[str, Any]
) -> str:
    """What the code editor opens with: the student's latest submitted code for this problem
    in this assignment, so that a reload or a return keeps their work, else the starter."""
    latest = selectors.latest_code(user, problem, assignment_id)
    if latest is not None:
        return latest
    return problem.starter_code or str(fmt.get("starter") or "")


@dataclass(frozen=True)
class TestView:
    name: str
    passed: bool
    hidden: bool
    message: str
    points: float
    max_points: float


def crash_text(crash: dict[str, Any]) -> str:
    """``"IndexError at line 6 of your code"`` from a code grade's ``crashes`` entry."""
    name = crash.get("exception") or _("an exception")
    line = crash.get("line")
    if line:
        return _("%(name)s at line %(line)s of your code") % {"name": name, "line": line}
    return _("%(name)s in your code") % {"name": name}


def test_views(submission: Submission) -> list[TestView]:
    """The graded tests, as the feedback shows them (none but a graded code submission's)."""
    # Where a hidden test's call raised: the type and line only, checked by the code kind.
    crashes = {
        c.get("test"): crash_text(c)
        for c in grading_texts.shown_feedback(submission.feedback).get("crashes") or []
        if isinstance(c, dict)
    }
    views = []
    for test in submission.shown_tests:
        # Both in the reader's language: a crash names its test as the test is shown.
        name = grading_texts.shown_test_name(test.name, test.data)
        message = grading_texts.shown_test_message(test.message, test.data)
        if test.hidden:
            # A hidden test's message may quote its data: show only pass/fail for it.
            crash = crashes.get(name)
            message = (
                _("Raised %(crash)s. %(note)s") % {"crash": crash, "note": HIDDEN_TEST_NOTE}
                if crash
                else str(HIDDEN_TEST_NOTE)
            )
        views.append(
            TestView(
                name=name,
                passed=test.passed,
                hidden=test.hidden,
                message=message,
                points=test.points,
                max_points=test.max_points,
            )
        )
    return views


@dataclass
class StepThroughView:
    step: stepthrough.WindowStep
    note: str
    #: the words around the numbers, in the reader's language
    captions: stepthrough.Captions | None = None


@dataclass
class FeedbackView:
    answer: AnswerView
    #: The submission's feedback in the reader's language (``exercises.grading_texts``).
    shown: dict[str, Any] = field(default_factory=dict)
    tests: list[TestView] = field(default_factory=list)
    heatmaps: list[visuals.Heatmap] = field(default_factory=list)
    hidden_total: int = 0
    hidden_passed: int = 0
    has_stepthrough: bool = False
    #: The right answer of this attempt's variant, where the assignment shows it (``reveal``).
    right_answer: AnswerView | None = None


def brief_feedback_view(submission: Submission) -> FeedbackView:
    """The answer sent and the feedback's words, without the tests, heat maps or revealed
    answer: what one line of the history shows, read with no query (however many lines)."""
    return FeedbackView(
        answer=answer_view(submission.payload),
        shown=grading_texts.shown_feedback(submission.feedback),
    )


def feedback_view(submission: Submission) -> FeedbackView:
    view = brief_feedback_view(submission)
    if submission.status != "graded":
        return view
    view.right_answer = revealed_answer(submission)
    tests = submission.shown_tests
    view.tests = test_views(submission)
    view.heatmaps = visuals.feedback_heatmaps(submission.feedback or {}, tests)
    view.hidden_total = sum(t.hidden for t in tests)
    view.hidden_passed = sum(t.hidden and t.passed for t in tests)
    view.has_stepthrough = submission.problem.slug in stepthrough.STEP_THROUGH_SLUGS
    return view


#: How many attempts the problem page's history lists, newest first.
HISTORY_LENGTH = 20


@dataclass
class HistoryView:
    """The problem page's list of a student's attempts at a problem, as one read found them.

    ``as_of`` orders two reads of it: ``"<newest attempt's id>:<how many listed are
    finished>"``. A new attempt raises the first number, a grade (or an error) the second, and
    nothing lowers either, so of two answers the page receives, the one with the lower
    ``as_of`` was read before the other and must not replace it. The page receives the
    history from more than one request (the refresh after a submit, the graded status box, the
    refresh after the grade), whose answers can arrive out of order (``stride.js``)."""

    rows: list[tuple[Submission, FeedbackView]]
    as_of: str
    #: the cohort's time zone, in which each attempt's time is shown
    timezone: str


def history_view(user: AbstractBaseUser, problem: Problem, tz: str) -> HistoryView:
    """One query, however many attempts: the graded status box sends it with every grade, so
    it must not cost more as a student's attempts add up."""
    submissions = list(selectors.submissions_of(user, problem)[:HISTORY_LENGTH])
    newest = max((s.pk for s in submissions), default=0)
    finished = sum(not s.is_pending for s in submissions)
    return HistoryView(
        rows=[(s, brief_feedback_view(s)) for s in submissions],
        as_of=f"{newest}:{finished}",
        timezone=tz,
    )


def revealed_answer(submission: Submission) -> AnswerView | None:
    """The right answer of the submission's variant, shown (to its author and their staff) only
    when the assignment chooses to (``reveal_answer``) and the author has used their last
    attempt: before that, feedback explains the mistake and leaves the answer to them. Never
    for code (its expected outputs are the hidden tests')."""
    assignment, problem = submission.assignment, submission.problem
    if assignment is None or not assignment.reveal_answer or problem.kind == "code":
        return None
    if submission.verdict == Verdict.INVALID:
        return None
    try:
        access = selectors.access_problem(
            submission.user, problem.slug, assignment_id=assignment.pk
        )
    except NotFound:
        return None
    limit = access.attempt_limit
    if limit is None or selectors.attempts_used(submission.user, problem, assignment) < limit:
        return None

    params = params_for(problem.kind, problem.spec, submission.variant_seed)
    right = get_kind(problem.kind).expected(problem.spec, params)
    return answer_view({"answer": right}, label=_("The right answer"))


def _may_see_own_numbers(user: AbstractBaseUser, submission: Submission) -> bool:
    """Stepping through a student's own variant reveals that variant's answer. Allow it only
    when that cannot help them score: they solved it, their next attempt gets other numbers,
    they have no attempts left, or the assignment takes no more work; staff always may."""
    if submission.verdict == Verdict.CORRECT:
        return True
    if submission.user_id != user.pk:
        return True  # access_submission let staff through
    try:
        access = selectors.access_problem(
            user, submission.problem.slug, assignment_id=submission.assignment_id
        )
    except NotFound:
        return True  # nothing left to submit to
    if access.is_staff:
        return True
    if services.current_seed(user, access) != submission.variant_seed:
        return True
    if access.attempt_limit is not None:  # counted only where there is a limit
        used = selectors.attempts_used(user, access.problem, access.assignment)
        if access.terms.attempts_left(used) == 0:
            return True
    return access.is_late(timezone.now()) and access.assignment.late_policy == LatePolicy.REFUSE


#: The params that shape the sliding window rather than fill it: stepping through the lecture's
#: numbers with the student's own geometry shows how their window moves without their map.
GEOMETRY_KEYS = ("stride", "size", "pad")
#: What the step-through's note calls each of them.
GEOMETRY_NAMES = {
    "stride": pgettext_lazy("geometry", "stride"),
    "size": pgettext_lazy("geometry", "window size"),
    "pad": pgettext_lazy("geometry", "padding"),
}


def practice_params(lecture: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """The lecture's values (input, filter, bias) on the student's geometry (stride, window
    size, padding): the step-through a student may see before solving. Equal to ``own`` only
    when their values are the lecture's (then it would spell out their answer)."""
    return {**lecture, **{k: own[k] for k in GEOMETRY_KEYS if k in own and k in lecture}}


def stepthrough_view(
    user: AbstractBaseUser, submission: Submission, row: int, col: int
) -> StepThroughView | None:
    """The sliding window for one output cell, on the student's own numbers when that is safe
    (see ``_may_see_own_numbers``), else on the lecture's example; None when neither applies."""
    problem = submission.problem
    if problem.slug not in stepthrough.STEP_THROUGH_SLUGS or submission.status != "graded":
        return None
    own = params_for(problem.kind, problem.spec, submission.variant_seed)
    if _may_see_own_numbers(user, submission):
        params, note = own, Text(stepthrough.NOTE_OWN)
    else:
        params = practice_params(params_for(problem.kind, problem.spec, None), own)
        if params == own:
            return None
        moved = [f"{GEOMETRY_NAMES[k]} {own[k]}" for k in GEOMETRY_KEYS if k in own]
        note = (
            Text(stepthrough.NOTE_LECTURE_WITH, {"moved": ", ".join(moved)})
            if moved
            else Text(stepthrough.NOTE_LECTURE)
        )
    step = stepthrough.window_step(params, row, col, stepthrough.STEP_THROUGH_MODES[problem.slug])
    if step is None:
        return None
    language = grading_texts.reader_language()
    shown = note.render(language)
    return StepThroughView(step, shown, stepthrough.captions(step, note, language))


@dataclass(frozen=True)
class HintView:
    index: int
    html: str
    reason: str


@dataclass(frozen=True)
class HintButton:
    index: int
    cost_percent: float


@dataclass
class HintsView:
    """The problem page's hints: the unlocked ones' text (sanitised HTML), a button per
    on-request hint still locked (no text), and how many others are still locked."""

    unlocked: list[HintView]
    requestable: list[HintButton]
    locked: int

    @property
    def any(self) -> bool:
        return bool(self.unlocked or self.requestable or self.locked)


def _reason(hint: hints.Hint, unlock: HintUnlock) -> str:
    if unlock.how == HintUnlock.How.REQUEST:
        return (
            _("asked for (costs %(cost)s%% of the points)") % {"cost": f"{unlock.cost * 100:g}"}
            if unlock.cost
            else _("asked for")
        )
    if unlock.how == HintUnlock.How.MISCONCEPTION:
        return _("unlocked by the diagnosis of your answer")
    return ngettext(
        "unlocked after %(n)d wrong attempt", "unlocked after %(n)d wrong attempts", hint.after
    ) % {"n": hint.after}


def hints_view(problem_hints: list, state: selectors.HintState) -> HintsView:
    """``problem_hints``: the problem's stored hints (only counted here, never rendered unless
    unlocked)."""
    unlocked = [
        HintView(h.index, markdown_to_html(h.text_in()), _reason(h, u)) for h, u in state.unlocked
    ]
    buttons = [HintButton(h.index, round(h.cost * 100, 2)) for h in state.requestable]
    locked = len(problem_hints) - len(unlocked) - len(buttons)
    return HintsView(unlocked, buttons, max(0, locked))
