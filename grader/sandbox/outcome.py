"""What a sandboxed run returns to its caller (the ``code`` problem kind)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class SandboxUnavailable(Exception):
    """An infrastructure fault (the zygote could not start or died, the tier is refused): the
    caller retries later. Never raised because of anything a student's code did."""


class RunStatus(enum.StrEnum):
    OK = "ok"
    SYNTAX_ERROR = "syntax_error"
    IMPORT_ERROR = "import_error"  # the module raised while being imported
    MISSING_ENTRY = "missing_entry"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    CRASHED = "crashed"  # killed by a signal or exited early
    PROTOCOL_ERROR = "protocol_error"  # the result channel was forged or broken


@dataclass(frozen=True)
class CallOutcome:
    """One call of the entry function. ``value`` is a validated numeric array or a scalar;
    ``error`` is student-facing text (trimmed traceback, wrong-type message)."""

    ok: bool
    value: np.ndarray | int | float | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class RunResult:
    """One run of a submission: ``calls`` holds one outcome per call in order, fewer if the run
    died. ``message`` is for the student; ``unsafe`` marks results of the unsafe dev tier."""

    status: RunStatus
    calls: list[CallOutcome] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    message: str = ""
    tier: str = ""
    unsafe: bool = False
    duration_ms: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is RunStatus.OK
