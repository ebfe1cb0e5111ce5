"""One module per concept; re-exported here so ``from exercises.models import Problem`` works."""

from exercises.models.assignment import (
    Assignment,
    AssignmentProblem,
    Extension,
    LatePolicy,
    VariantPolicy,
)
from exercises.models.cohort import Cohort, Membership, Role
from exercises.models.hint import HintUnlock
from exercises.models.integrity import IntegrityReport, IntegrityReview, LeakFlag
from exercises.models.preference import LanguagePreference
from exercises.models.problem import Problem, ProblemText
from exercises.models.quiz import (
    FeedbackPolicy,
    QuizAccommodation,
    QuizAttempt,
    QuizPool,
    QuizSettings,
)
from exercises.models.regrade import RegradeJob
from exercises.models.submission import Status, Submission, TestResult, Verdict

__all__ = [
    "Assignment",
    "AssignmentProblem",
    "Cohort",
    "Extension",
    "FeedbackPolicy",
    "HintUnlock",
    "IntegrityReport",
    "IntegrityReview",
    "LanguagePreference",
    "LatePolicy",
    "LeakFlag",
    "Membership",
    "Problem",
    "ProblemText",
    "QuizAccommodation",
    "QuizAttempt",
    "QuizPool",
    "QuizSettings",
    "RegradeJob",
    "Role",
    "Status",
    "Submission",
    "TestResult",
    "VariantPolicy",
    "Verdict",
]
