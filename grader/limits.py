"""Resource limits of one sandboxed run; problems override them from ``problem.yaml`` ``limits``.

Plain data, outside ``grader.sandbox`` so that checking a problem's limits (the importer, the
admin's problem form, both in the web process) loads no part of the sandbox.

Defaults: CPU 2 s (the hard limit is 1 s higher), wall clock = CPU + 2 s, 512 MB of memory
(memory cgroup; the address-space limit is looser because NumPy/OpenBLAS reserve address space
they never touch), 64 KiB of stdout+stderr, 16 MiB of results, 32 processes/threads, 16 MB per
written file, 64 open files.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

#: Upper bounds a problem may ask for: a problem file must not be able to disarm the sandbox.
CEILINGS = {
    "cpu_seconds": 30.0,
    "wall_seconds": 60.0,
    "memory_mb": 2048,
    "output_bytes": 1 << 20,
    "result_bytes": 256 << 20,
    "processes": 64,
    "file_mb": 256,
    "open_files": 256,
    "tmp_mb": 256,
}


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 2.0
    wall_seconds: float | None = None
    memory_mb: int = 512
    output_bytes: int = 64 * 1024
    result_bytes: int = 16 * 2**20
    processes: int = 32
    file_mb: int = 16
    open_files: int = 64
    tmp_mb: int = 64

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None and f.name == "wall_seconds":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"limits.{f.name} must be a positive number, got {value!r}")
            if value > CEILINGS[f.name]:
                raise ValueError(
                    f"limits.{f.name} = {value} is above the ceiling {CEILINGS[f.name]}"
                )
        if self.open_files < 8:
            raise ValueError("limits.open_files must be at least 8")

    @property
    def wall(self) -> float:
        """The wall-clock limit: explicit, else CPU + 2 s (sleeping code uses no CPU)."""
        return self.wall_seconds if self.wall_seconds is not None else self.cpu_seconds + 2.0

    @classmethod
    def from_mapping(cls, data: dict[str, Any] | None) -> Limits:
        """Build from a problem's ``limits`` mapping; unknown keys are an error (a typo must not
        silently leave the default in place)."""
        data = dict(data or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown limits: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        return cls(**data)

    def to_wire(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "wall_seconds": self.wall}
