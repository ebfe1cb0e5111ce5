"""The public entry point: run a student's module in the sandbox and call one function on
each case.

``run_calls`` is what the ``code`` problem kind calls from the Celery worker. It sends only the
*inputs*; comparing outputs with expected values happens afterwards, in the worker, because a
verdict computed inside the sandbox can be forged by the code it judges.
"""

from __future__ import annotations

import time
from typing import Any

from grader.limits import Limits
from grader.run_texts import TOO_LARGE
from grader.sandbox import client, protocol
from grader.sandbox.interpret import interpret
from grader.sandbox.outcome import RunResult, RunStatus, SandboxUnavailable
from grader.sandbox.tiers import detect_tier
from grader.texts import Text

MAX_SOURCE_BYTES = 256 * 1024


def _pack_calls(calls: list[dict[str, Any]]) -> list[bytes]:
    """One request message per call, each sent on its own when the child asks for it."""
    if not isinstance(calls, list):
        raise TypeError("calls must be a list of {'args': [...], 'kwargs': {...}}")
    out = []
    for i, call in enumerate(calls):
        if not isinstance(call, dict) or set(call) - {"args", "kwargs"}:
            raise TypeError(f"calls[{i}] must be a dict with keys 'args' and 'kwargs'")
        norm = {"args": list(call.get("args", [])), "kwargs": dict(call.get("kwargs", {}))}
        blobs: list[bytes] = []
        try:
            tree = protocol.pack_value(norm, blobs)
        except ValueError as exc:
            raise TypeError(
                f"calls[{i}] holds a value that cannot be sent to the sandbox: {exc}"
            ) from exc
        out.append(protocol.encode_message({"value": tree}, blobs))
    return out


def _first_hidden(hidden: list[bool] | None, ncalls: int) -> int | None:
    """The index of the first hidden call, None if none is; visible calls must come first."""
    if hidden is None:
        return None
    if len(hidden) != ncalls or not all(isinstance(h, bool) for h in hidden):
        raise TypeError("hidden must hold one bool per call")
    if hidden != sorted(hidden):
        raise ValueError("visible calls must come before hidden ones")
    return hidden.index(True) if True in hidden else None


def run_calls(
    source: str,
    entry: str,
    calls: list[dict[str, Any]],
    limits: Limits | None = None,
    *,
    hidden: list[bool] | None = None,
) -> RunResult:
    """Load ``source`` as module ``submission`` in a fresh sandboxed child and call
    ``entry(*args, **kwargs)`` once per element of ``calls``, in order, in that one child.

    The child gets each call's arguments only after the previous call has reported (and none
    while the module is imported). ``hidden`` (one bool per call, visible ones first) marks
    the calls whose inputs the student must not learn: whatever the child says after the first
    of them arrived is cut down to exception type and line (see ``interpret``).

    Arguments may hold ndarrays, numbers, bools, None, strings, lists, tuples and str-keyed
    dicts (e.g. ``cnn_forward(x, params)``). Student faults come back as a ``RunResult`` status;
    ``SandboxUnavailable`` means an infrastructure fault and the caller should retry later.
    ``TypeError``/``ValueError`` mean the *caller* passed something malformed.
    """
    if not isinstance(source, str):
        raise TypeError("source must be a str")
    if not isinstance(entry, str) or not entry.isidentifier():
        raise ValueError(f"entry must be a Python identifier, got {entry!r}")
    limits = limits or Limits()
    started = time.perf_counter()
    if len(source.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
        return RunResult(
            RunStatus.SYNTAX_ERROR,
            message=Text(TOO_LARGE, {"kb": MAX_SOURCE_BYTES // 1024}),
            tier=detect_tier(),
        )
    cases = _pack_calls(calls)
    first_hidden = _first_hidden(hidden, len(calls))
    tier = detect_tier()
    if tier == "unavailable":
        raise SandboxUnavailable(
            "no sandbox tier is available on this machine (see grader/sandbox/tiers.py)"
        )
    request = protocol.encode_message({"source": source, "entry": entry})
    with client._lock:
        reply = streams = None
        for attempt in range(2):
            try:
                zyg = client.ensure(tier)
            except SandboxUnavailable:
                if attempt:
                    raise
                continue
            try:
                reply, streams = zyg.run(request, cases, limits.to_wire())
                break
            except client.ZygoteDied as exc:
                zyg.kill()
                if attempt:
                    raise SandboxUnavailable(f"the sandbox zygote died twice: {exc}") from exc
        assert reply is not None and streams is not None
    result = interpret(
        reply, streams, len(calls), limits, tier, first_hidden=first_hidden, entry=entry
    )
    duration = (time.perf_counter() - started) * 1000
    return RunResult(**{**result.__dict__, "duration_ms": duration})


def health() -> dict[str, Any]:
    """For ``/healthz`` and the worker log: the tier and whether this process's zygote runs."""
    zyg = client.current()
    alive = zyg is not None and zyg.alive()
    return {
        "tier": detect_tier(),
        "zygote_alive": alive,
        "pid": zyg.pid if alive and zyg is not None else None,
        "mode": zyg.hello.get("mode") if alive and zyg is not None else None,
        "cgroup": bool(zyg.hello.get("cgroup")) if alive and zyg is not None else None,
        "restarts": max(0, zyg.started - 1) if zyg is not None else 0,
    }


def warm_up() -> str:
    """Start this process's zygote now rather than on the first submission (a Celery worker
    calls this in ``worker_process_init``); returns the tier. Raises ``SandboxUnavailable``."""
    tier = detect_tier()
    if tier == "unavailable":
        raise SandboxUnavailable("no sandbox tier is available on this machine")
    with client._lock:
        client.ensure(tier)
    return tier
