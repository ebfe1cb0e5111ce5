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

from exercises import hints, selectors, services, stepthrough, visuals
from exercises.errors import NotFound
from exercises.models import HintUnlock, LatePolicy, Submission, Verdict
from exercises.rendering import markdown_to_html
from grader.grading import params_for
from grader.kinds.answers import typed_number

HIDDEN_TEST_NOTE = "Hidden test: its inputs and expected output are not shown."


@dataclass(frozen=True)
class AnswerView:
    """A sent answer, ready to draw: a grid, a shape, code, or text."""

    grid: visuals.Grid | None = None
    code: str | None = None
    text: str = ""


def answer_view(payload: dict[str, Any]) -> AnswerView:
    if "code" in payload:
        return AnswerView(code=str(payload["code"]))
    answer = payload.get("answer")
    if visuals.is_matrix(answer) and max(len(answer), len(answer[0])) <= visuals.MAX_GRID_SIDE:
        return AnswerView(grid=visuals.Grid("Your answer", visuals._fmt_rows(answer)))
    if isinstance(answer, list) and all(isinstance(v, int | float | str) for v in answer):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in answer):
            return AnswerView(text=" x ".join(str(v) for v in answer))
        return AnswerView(text=", ".join(str(v) for v in answer))
    # A number as the student sent it, every digit (a cell's 3 significant digits would
    # echo 45126.4 as 4.51e+04).
    return AnswerView(text=typed_number(answer) if answer is not None else "")


@dataclass(frozen=True)
class TestView:
    name: str
    passed: bool
    hidden: bool
    message: str
    points: float
    max_points: float


def test_views(submission: Submission) -> list[TestView]:
    views = []
    for test in submission.tests.all():
        views.append(
            TestView(
                name=test.name,
                passed=test.passed,
                hidden=test.hidden,
                # A hidden test's message may quote its data: show only pass/fail for it.
                message=HIDDEN_TEST_NOTE if test.hidden else test.message,
                points=test.points,
                max_points=test.max_points,
            )
        )
    return views


@dataclass
class StepThroughView:
    step: stepthrough.WindowStep
    note: str


@dataclass
class FeedbackView:
    answer: AnswerView
    tests: list[TestView] = field(default_factory=list)
    heatmaps: list[visuals.Heatmap] = field(default_factory=list)
    hidden_total: int = 0
    hidden_passed: int = 0
    has_stepthrough: bool = False


def feedback_view(submission: Submission) -> FeedbackView:
    view = FeedbackView(answer=answer_view(submission.payload))
    if submission.status != "graded":
        return view
    tests = list(submission.tests.all())
    view.tests = test_views(submission)
    view.heatmaps = visuals.feedback_heatmaps(submission.feedback or {}, tests)
    view.hidden_total = sum(t.hidden for t in tests)
    view.hidden_passed = sum(t.hidden and t.passed for t in tests)
    view.has_stepthrough = submission.problem.slug in stepthrough.STEP_THROUGH_SLUGS
    return view


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
        params, note = own, "on the numbers of this attempt"
    else:
        lecture = params_for(problem.kind, problem.spec, None)
        if lecture == own:
            return None
        params = lecture
        note = (
            "on the lecture's example (your own numbers appear here once you have solved the "
            "problem or used your attempts)"
        )
    step = stepthrough.window_step(params, row, col, stepthrough.STEP_THROUGH_MODES[problem.slug])
    return StepThroughView(step, note) if step else None


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
            f"asked for (costs {unlock.cost * 100:g}% of the points)"
            if unlock.cost
            else "asked for"
        )
    if unlock.how == HintUnlock.How.MISCONCEPTION:
        return "unlocked by the diagnosis of your answer"
    return f"unlocked after {hint.after} wrong attempt{'s' if hint.after != 1 else ''}"


def hints_view(problem_hints: list, state: selectors.HintState) -> HintsView:
    """``problem_hints``: the problem's stored hints (only counted here, never rendered unless
    unlocked)."""
    unlocked = [
        HintView(h.index, markdown_to_html(h.text), _reason(h, u)) for h, u in state.unlocked
    ]
    buttons = [HintButton(h.index, round(h.cost * 100, 2)) for h in state.requestable]
    locked = len(problem_hints) - len(unlocked) - len(buttons)
    return HintsView(unlocked, buttons, max(0, locked))
