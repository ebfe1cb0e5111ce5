"""The deadline storm and its exactly-once audit, shared by ``bench_pipeline`` and its test.

A storm is many students' submissions committed in one transaction, so that every grading task
is published at the same moment (``delay_on_commit``), as at a deadline. Afterwards the database
must show every submission ``graded`` exactly once:

* **none lost**: every id exists and ends ``graded`` (not ``queued``, ``running`` or ``error``);
* **graded once**: a trigger on the submission table (``GradeAudit``) logs each UPDATE that
  leaves a row ``graded``; ``record_grade`` writes a grade in exactly one such UPDATE, so a
  second grading of the same submission shows as a second log row;
* **one set of test rows**: each submission has as many TestResult rows as its problem has
  cases (1 for the code problem, 0 for the number problem), with distinct ``order`` values.

Needs Django set up (imported lazily by the benchmark, directly by the test).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, Max

from exercises.models import (
    Assignment,
    AssignmentProblem,
    Cohort,
    Membership,
    Problem,
    Role,
    Status,
    Submission,
    TestResult,
)
from exercises.submissions import services
from grader.grading import params_for
from grader.kinds import get_kind

# A trivial code problem: one hidden case, a (2, 3) array through ReLU.
RELU_TESTS = """
import numpy as np


def cases(rng):
    return [{"name": "relu of a 2x3 array", "args": [rng.standard_normal((2, 3))]}]


def reference(x):
    return np.maximum(x, 0)
"""
TRIVIAL_CODE = "import numpy as np\n\n\ndef relu(x):\n    return np.maximum(x, 0)\n"
CODE_CASES = 1  # TestResult rows a graded relu submission has
NUMBER_RECIPE = "conv-layer-params"


@dataclass
class Course:
    """One cohort with one assignment holding a trivial code problem and a number problem."""

    assignment: Assignment
    code_problem: Problem
    number_problem: Problem
    students: list[Any]

    def expected_test_rows(self, problem_id: int) -> int:
        return CODE_CASES if problem_id == self.code_problem.pk else 0


def make_course(prefix: str, n_students: int) -> Course:
    """Create the course and ``n_students`` students (unusable passwords: no hashing cost)."""
    cohort = Cohort.objects.create(name=f"Bench {prefix}", slug=f"{prefix}-cohort")
    code_spec = {
        "kind": "code",
        "entry": "relu",
        "signature": "def relu(x)",
        "starter": "def relu(x):\n    ...\n",
        "tests_source": RELU_TESTS,
    }
    get_kind("code").validate_spec(code_spec)
    code_problem = Problem.objects.create(
        uuid=uuid.uuid4(),
        slug=f"{prefix}-relu",
        kind="code",
        title="ReLU",
        statement="Implement relu(x).",
        spec=code_spec,
    )
    number_spec = {"kind": "number", "recipe": NUMBER_RECIPE}
    get_kind("number").validate_spec(number_spec)
    number_problem = Problem.objects.create(
        uuid=uuid.uuid4(),
        slug=f"{prefix}-params",
        kind="number",
        title="Conv layer parameters",
        statement="Count the parameters.",
        spec=number_spec,
    )
    assignment = Assignment.objects.create(cohort=cohort, title="Deadline", slug=f"{prefix}-hw")
    AssignmentProblem.objects.create(assignment=assignment, problem=code_problem, order=0)
    AssignmentProblem.objects.create(assignment=assignment, problem=number_problem, order=1)
    user_model = get_user_model()
    unusable = make_password(None)
    students = user_model.objects.bulk_create(
        user_model(username=f"{prefix}-s{i}", password=unusable) for i in range(n_students)
    )
    Membership.objects.bulk_create(
        Membership(user=s, cohort=cohort, role=Role.STUDENT, display_name=f"S{i}")
        for i, s in enumerate(students)
    )
    return Course(assignment, code_problem, number_problem, students)


def submit_code(course: Course, student: Any) -> Submission:
    return services.submit_answer(
        student,
        course.code_problem.slug,
        {"code": TRIVIAL_CODE},
        assignment_id=course.assignment.pk,
    )


def number_answer(course: Course, student: Any, attempt: int, correct: bool) -> float:
    """The student's variant's right answer (or a wrong one), as the student would compute it."""
    problem = course.number_problem
    seed = services.variant_seed(student.pk, problem, course.assignment, attempt)
    value = get_kind("number").expected(problem.spec, params_for("number", problem.spec, seed))
    return value if correct else value + 1


@dataclass
class Storm:
    """Submissions committed in one transaction; ``committed_at`` is the commit's wall clock."""

    ids: list[int]
    committed_at: float


def queue_storm(course: Course, per_student: int, *, mixed: bool = True) -> Storm:
    """Every student submits ``per_student`` times, all in one transaction: the tasks publish at
    its commit. ``mixed``: code and number answers alternate (half of the number answers
    wrong); otherwise every submission is the trivial code one."""
    stamps: dict[str, float] = {}
    ids = []
    with transaction.atomic():
        # Registered first, so it runs at the commit, before the tasks are published.
        transaction.on_commit(lambda: stamps.setdefault("committed", time.time()))
        for s_index, student in enumerate(course.students):
            number_attempts = 0
            for k in range(per_student):
                if not mixed or (s_index + k) % 2 == 0:
                    ids.append(submit_code(course, student).pk)
                    continue
                number_attempts += 1
                answer = number_answer(course, student, number_attempts, correct=k % 4 < 2)
                submission = services.submit_answer(
                    student,
                    course.number_problem.slug,
                    {"answer": answer},
                    assignment_id=course.assignment.pk,
                )
                ids.append(submission.pk)
    return Storm(ids, stamps["committed"])


def wait_until_done(ids: list[int], timeout: float, interval: float = 0.1) -> bool:
    """Poll until no submission of ``ids`` is ``queued`` or ``running``; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = Submission.objects.filter(
            pk__in=ids, status__in=(Status.QUEUED, Status.RUNNING)
        ).count()
        if pending == 0:
            return True
        time.sleep(interval)
    return False


class GradeAudit:
    """A trigger that logs every UPDATE leaving a submission ``graded`` (PostgreSQL or SQLite).

    On PostgreSQL, while ``notify(True)`` is in force, it also ``pg_notify``s channel
    ``bench_graded`` with the id, delivered when the grading transaction commits: a listener
    learns the moment a grade is stored without polling. Only the latency phase needs that; a
    NOTIFY serialises commits on a global lock, which no production grading pays.
    """

    TABLE = "bench_grade_audit"
    CHANNEL = "bench_graded"

    def install(self) -> None:
        table = Submission._meta.db_table
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(
                    f"CREATE TABLE {self.TABLE} (id bigserial PRIMARY KEY, "
                    "submission_id bigint NOT NULL, at timestamptz NOT NULL "
                    "DEFAULT clock_timestamp())"
                )
                self.notify(True)
                cur.execute(
                    f"CREATE TRIGGER {self.TABLE}_trg AFTER UPDATE ON {table} FOR EACH ROW "
                    f"WHEN (NEW.status = 'graded') EXECUTE FUNCTION {self.TABLE}_fn()"
                )
            elif connection.vendor == "sqlite":
                cur.execute(
                    f"CREATE TABLE {self.TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                    "submission_id INTEGER NOT NULL, at TEXT DEFAULT CURRENT_TIMESTAMP)"
                )
                cur.execute(
                    f"CREATE TRIGGER {self.TABLE}_trg AFTER UPDATE ON {table} FOR EACH ROW "
                    f"WHEN NEW.status = 'graded' BEGIN INSERT INTO {self.TABLE} (submission_id) "
                    "VALUES (NEW.id); END"
                )
            else:
                raise RuntimeError(
                    f"GradeAudit supports PostgreSQL and SQLite, not {connection.vendor}"
                )

    def notify(self, on: bool) -> None:
        """PostgreSQL: whether the trigger also sends ``pg_notify`` (the audit row is always
        written)."""
        if connection.vendor != "postgresql":
            return
        send = f"PERFORM pg_notify('{self.CHANNEL}', NEW.id::text); " if on else ""
        with connection.cursor() as cur:
            cur.execute(
                f"CREATE OR REPLACE FUNCTION {self.TABLE}_fn() RETURNS trigger LANGUAGE plpgsql "
                f"AS $$ BEGIN INSERT INTO {self.TABLE} (submission_id) VALUES (NEW.id); "
                f"{send}RETURN NULL; END $$"
            )

    def uninstall(self) -> None:
        table = Submission._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"DROP TRIGGER IF EXISTS {self.TABLE}_trg"
                + (f" ON {table}" if connection.vendor == "postgresql" else "")
            )
            if connection.vendor == "postgresql":
                cur.execute(f"DROP FUNCTION IF EXISTS {self.TABLE}_fn()")
            cur.execute(f"DROP TABLE IF EXISTS {self.TABLE}")

    def graded_writes(self, ids: list[int]) -> Counter[int]:
        """How many times each submission of ``ids`` was written as ``graded``."""
        wanted = set(ids)
        with connection.cursor() as cur:
            cur.execute(f"SELECT submission_id, COUNT(*) FROM {self.TABLE} GROUP BY submission_id")
            return Counter({sid: n for sid, n in cur.fetchall() if sid in wanted})


@dataclass
class ExactlyOnce:
    """The verdict of ``check_exactly_once``: empty lists mean every submission was graded once."""

    expected: int
    graded: int
    lost: list[int] = field(default_factory=list)  # ids with no row at all
    not_graded: dict[int, str] = field(default_factory=dict)  # id -> final status
    graded_twice: dict[int, int] = field(default_factory=dict)  # id -> graded writes (!= 1)
    bad_test_rows: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (rows, orders)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.not_graded or self.graded_twice or self.bad_test_rows)

    def summary(self) -> str:
        return (
            f"{self.graded}/{self.expected} graded; lost {len(self.lost)}, not graded "
            f"{len(self.not_graded)}, graded more than once {len(self.graded_twice)}, "
            f"wrong TestResult rows {len(self.bad_test_rows)}"
        )


def check_exactly_once(course: Course, ids: list[int], audit: GradeAudit) -> ExactlyOnce:
    rows = {
        r["pk"]: r
        for r in Submission.objects.filter(pk__in=ids).values("pk", "status", "problem_id")
    }
    result = ExactlyOnce(expected=len(ids), graded=0)
    writes = audit.graded_writes(ids)
    tests = {
        r["submission_id"]: (r["n"], r["orders"])
        for r in TestResult.objects.filter(submission_id__in=ids)
        .values("submission_id")
        .annotate(n=Count("id"), orders=Count("order", distinct=True))
    }
    for sid in ids:
        row = rows.get(sid)
        if row is None:
            result.lost.append(sid)
            continue
        if row["status"] != Status.GRADED:
            result.not_graded[sid] = row["status"]
            continue
        result.graded += 1
        if writes.get(sid, 0) != 1:
            result.graded_twice[sid] = writes.get(sid, 0)
        want = course.expected_test_rows(row["problem_id"])
        got = tests.get(sid, (0, 0))
        if got != (want, want):
            result.bad_test_rows[sid] = got
    return result


def stored_latencies(storm: Storm) -> tuple[list[float], float]:
    """Seconds from the storm's commit to each ``graded_at``, and to the last one."""
    stamps = Submission.objects.filter(pk__in=storm.ids, graded_at__isnull=False).values_list(
        "graded_at", flat=True
    )
    latencies = sorted(g.timestamp() - storm.committed_at for g in stamps)
    last = Submission.objects.filter(pk__in=storm.ids).aggregate(last=Max("graded_at"))["last"]
    return latencies, (last.timestamp() - storm.committed_at) if last else float("nan")
