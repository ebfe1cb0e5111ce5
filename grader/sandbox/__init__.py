"""Sandboxed execution of student code (what a run can see, the seccomp allowlist: docs/sandbox.md).

Public API::

    from grader.sandbox import run_calls, Limits, RunResult, CallOutcome, RunStatus
    from grader.sandbox import SandboxUnavailable, detect_tier, health

Modules: ``api`` (run_calls, health), ``client`` (the worker's zygote handle), ``zygote`` (the
fork server, run as ``python -I`` by path), ``isolation`` (namespaces, mounts, rlimits,
privileges), ``seccomp_filter``, ``landlock``, ``protocol`` (message framing), ``harness`` (runs
inside the child), ``interpret`` (validates what the child sent), ``tiers`` (detection),
``outcome`` (the data types). ``Limits`` lives in ``grader.limits``, outside the package, so
that the web process checks a problem's limits without loading the sandbox.
"""

from grader.limits import Limits
from grader.sandbox.api import health, run_calls, warm_up
from grader.sandbox.outcome import CallOutcome, RunResult, RunStatus, SandboxUnavailable
from grader.sandbox.tiers import detect_tier

__all__ = [
    "CallOutcome",
    "Limits",
    "RunResult",
    "RunStatus",
    "SandboxUnavailable",
    "detect_tier",
    "health",
    "run_calls",
    "warm_up",
]
