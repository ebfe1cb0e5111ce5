"""Turn the zygote's raw report into a :class:`RunResult`, trusting nothing the child wrote.

The child's result stream is parsed under caps (message count, blob size), arrays are loaded
with ``allow_pickle=False`` and must be plain numeric ndarrays, the message sequence must be
exactly ``start-event, call 0, call 1, ..., done``. Anything else is ``protocol_error``, never a
pass. Limits the zygote enforced (wall clock, output and result caps, the memory cgroup's OOM
counter, the CPU time of the child) take precedence over what the child claims.

**Hidden inputs.** The worker gives the child one case at a time, visible cases first
(``first_hidden`` is the index of the first hidden one). Whatever the child says once a hidden
input is in it could quote that input: such texts (a call's error, why the run stopped) are cut
down to what the code cannot choose freely: the type of the exception if it is a built-in or
NumPy one, and its line in ``submission.py``. When every case is hidden, the messages of the
start (syntax error, import error, missing entry) are cut down the same way.

**Words.** The child sends no sentence of its own making: a failed call (or import) is a
``kind`` (``exception`` with Python's traceback, ``memory``, ``exit`` with the code's repr,
``type`` with a ``reason`` and what was ``found``), and the worker words it as a keyed text
(``grader.run_texts``) that reads in the reader's language. Each fact is checked by type and
length; a kind or reason not in the protocol is a protocol error.
"""

from __future__ import annotations

import builtins
import dataclasses
import math
import os
import re
import signal
from typing import Any

from grader import run_texts as rt
from grader.limits import Limits
from grader.sandbox import protocol
from grader.sandbox.outcome import CallOutcome, RunResult, RunStatus, SandboxUnavailable
from grader.texts import Text

MAX_TEXT = 4000
TRUNCATED = "\n[... truncated]"
START_EVENTS = {
    "loaded": RunStatus.OK,
    "syntax_error": RunStatus.SYNTAX_ERROR,
    "import_error": RunStatus.IMPORT_ERROR,
    "missing_entry": RunStatus.MISSING_ENTRY,
}


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise protocol.ProtocolError("text field is not a string")
    return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + TRUNCATED


MAX_SECONDS = 1e6
#: Exception types a reduced message may name: a closed list, so a type name cannot carry data.
KNOWN_EXCEPTIONS = frozenset(
    [
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    ]
    + ["numpy.linalg.LinAlgError", "numpy.exceptions.AxisError", "numpy.AxisError"]
)
_LINE = re.compile(r'File "submission\.py", line (\d{1,6})')
_TYPE = re.compile(r"([A-Za-z_][\w.]*)(?::|$)")


def reduced(error: str) -> Text:
    """A call's or the start's error, cut down to the exception's type (from
    ``KNOWN_EXCEPTIONS``) and its last line in ``submission.py``; every other word of it is
    dropped. A worded failure (``failure``) keeps only what kind it was."""
    key = getattr(error, "key", "")
    if key == rt.MEMORY_ERROR:
        return Text(rt.REDUCED_TYPE, {"name": "MemoryError"})
    if key in _RETURNED_KEYS:
        return Text(rt.REDUCED_NOT_AN_ARRAY)
    if key:  # sys.exit: its code is the child's to choose
        return Text(rt.REDUCED_EXCEPTION)
    lines = error.strip().splitlines()
    found = _TYPE.match(lines[-1]) if lines else None
    name = found.group(1) if found and found.group(1) in KNOWN_EXCEPTIONS else ""
    numbers = _LINE.findall(error)
    if numbers:
        line = int(numbers[-1])
        if name:
            return Text(rt.REDUCED_TYPE_AT_LINE, {"name": name, "line": line})
        return Text(rt.REDUCED_EXCEPTION_AT_LINE, {"line": line})
    return Text(rt.REDUCED_TYPE, {"name": name}) if name else Text(rt.REDUCED_EXCEPTION)


#: The longest type name (or dtype, or ``sys.exit`` code) a text repeats from the child.
MAX_TYPE_NAME = 100


def _name(value: Any, what: str) -> str:
    """A name the child reports (a type's, a dtype's): a non-empty string, cut to
    ``MAX_TYPE_NAME`` characters; anything else is a protocol error."""
    if not isinstance(value, str) or not value:
        raise protocol.ProtocolError(f"{what} is not a name")
    return value if len(value) <= MAX_TYPE_NAME else value[:MAX_TYPE_NAME] + "..."


def _found(value: Any) -> str:
    """What the child found under the entry's name instead of a function: a type's name, or
    "" when nothing is there. The child sends only this, never a sentence (``missing_entry``)."""
    return "" if value is None else _name(value, "found")


#: A value the worker could not take, by the child's ``reason``: its text, and the fact of it
#: that what the child ``found`` fills (None: the text names nothing).
RETURNED: dict[str, tuple[str, str | None]] = {
    "dtype": (rt.RETURNED_DTYPE, "dtype"),
    "subclass": (rt.RETURNED_SUBCLASS, "name"),
    "type": (rt.RETURNED_TYPE, "name"),
    "unreadable": (rt.RETURNED_UNREADABLE, "error"),
    "big-int": (rt.RETURNED_BIG_INT, None),
}
_RETURNED_KEYS = frozenset(key for key, _ in RETURNED.values())


def failure(header: dict[str, Any], limits: Limits) -> str:
    """A failed call's (or import's) error from what the child reported: Python's own
    traceback as it is (a ``str``), else a keyed text the worker words, with its own limits."""
    kind = header.get("kind")
    if kind == "exception":
        return _text(header.get("error"))
    if kind == "memory":
        return Text(rt.MEMORY_ERROR, {"mb": limits.memory_mb})
    if kind == "exit":
        return Text(rt.SYS_EXIT, {"code": _name(header.get("code"), "code")})
    if kind != "type":
        raise protocol.ProtocolError("unknown kind of failure")
    reason = header.get("reason")
    if not isinstance(reason, str) or reason not in RETURNED:
        raise protocol.ProtocolError("unknown reason")
    key, fact = RETURNED[reason]
    if fact is None:
        return Text(key)
    found = header.get("found")
    # The repr of the student's exception is Python's text (bounded like a traceback); the
    # others are names.
    value = _text(found) if reason == "unreadable" else _name(found, "found")
    return Text(key, {fact: value})


def missing_entry(entry: str, found: str) -> Text:
    """Why the run did not start: no function named ``entry`` (``found``: what is there
    instead, "" for nothing), in the reader's language. ``entry`` is the worker's own, never
    what the child says it was asked for."""
    if not entry:
        return Text(rt.NO_FUNCTION)
    if found:
        return Text(rt.NOT_A_FUNCTION, {"name": entry, "found": Text.literal(found)})
    return Text(rt.MISSING_FUNCTION, {"name": entry})


def _seconds(value: Any) -> float:
    """A call's duration as the child reported it: a finite number in [0, MAX_SECONDS]. Checked
    before any conversion, so that a 400-digit integer cannot raise OverflowError here."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise protocol.ProtocolError("bad seconds")
    if isinstance(value, int) and not 0 <= value <= MAX_SECONDS:
        raise protocol.ProtocolError("seconds out of range")
    if isinstance(value, float) and not (math.isfinite(value) and 0.0 <= value <= MAX_SECONDS):
        raise protocol.ProtocolError("seconds out of range")
    return float(value)


def _event(header: dict[str, Any]) -> str:
    """The ``event`` field, which must be a string (a JSON list would be unhashable)."""
    event = header.get("event")
    if not isinstance(event, str):
        raise protocol.ProtocolError("event is not a string")
    return event


def _index(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise protocol.ProtocolError("call index is not an integer")
    return value


def parse_results(
    raw: bytes, ncalls: int, limits: Limits
) -> tuple[str, str, list[CallOutcome], bool, bool]:
    """(start event, its message, call outcomes, done seen, any MemoryError) or ProtocolError."""
    messages = protocol.decode_stream(raw, max_messages=ncalls + 2, max_blob=limits.result_bytes)
    if not messages:
        return "", "", [], False, False
    first, first_blobs = messages[0]
    event = _event(first)
    if event not in START_EVENTS or first_blobs:
        raise protocol.ProtocolError("the stream does not start with a start event")
    if event != "loaded":
        if len(messages) != 1:
            raise protocol.ProtocolError("messages after a failed start")
        if event == "missing_entry":
            return event, _found(first.get("found")), [], False, False
        if event == "import_error":
            return event, failure(first, limits), [], False, False
        return event, _text(first.get("message", "")), [], False, False
    calls: list[CallOutcome] = []
    done = memory = False
    for header, blobs in messages[1:]:
        if done:
            raise protocol.ProtocolError("messages after done")
        name = _event(header)
        if name == "done" and not blobs and len(calls) == ncalls:
            done = True
            continue
        if name != "call" or _index(header.get("i")) != len(calls) or len(calls) >= ncalls:
            raise protocol.ProtocolError("unexpected message in the result stream")
        ok = header.get("ok")
        seconds = _seconds(header.get("seconds"))
        if ok is True:
            calls.append(
                CallOutcome(True, protocol.unpack_result(header.get("value"), blobs), None, seconds)
            )
        elif ok is False and not blobs:
            error = failure(header, limits)
            memory = memory or header.get("kind") == "memory"
            calls.append(CallOutcome(False, None, error, seconds))
        else:
            raise protocol.ProtocolError("bad call message")
    return event, "", calls, done, memory


def _stream(data: bytes, capped: bool) -> str:
    text = data.decode("utf-8", "replace")
    return text + TRUNCATED if capped else text


def interpret(
    reply: dict[str, Any],
    streams: list[bytes],
    ncalls: int,
    limits: Limits,
    tier: str,
    *,
    first_hidden: int | None = None,
    entry: str = "",
) -> RunResult:
    if "error" in reply:
        raise SandboxUnavailable(f"the zygote failed: {reply['error']}")
    if len(streams) != 3:
        raise SandboxUnavailable("malformed reply from the zygote")
    if not reply.get("setup_ok"):
        raise SandboxUnavailable(reply.get("setup_error") or "the sandbox child died during setup")
    stdout_raw, stderr_raw, raw = streams
    out_capped = bool(reply.get("output_capped"))
    base: dict[str, Any] = {
        "stdout": _stream(stdout_raw, out_capped),
        "stderr": _stream(stderr_raw, out_capped),
        "tier": tier,
        "unsafe": tier == "unsafe",
        "details": {k: reply.get(k) for k in ("exit", "wall", "oom", "timed_out")},
    }
    # No "exit": the worker did not wait for it, since the child had reported done and closed
    # its pipes (grader.sandbox.client); whatever it does after that changes no result.
    exit_info = reply.get("exit") or {}
    status_word = int(exit_info.get("status", 0))
    cpu = float(exit_info.get("cpu") or 0.0)
    sig = os.WTERMSIG(status_word) if os.WIFSIGNALED(status_word) else None
    code = os.WEXITSTATUS(status_word) if os.WIFEXITED(status_word) else None
    try:
        event, message, calls, done, memory = parse_results(raw, ncalls, limits)
        broken = False
    except Exception:  # any parse failure is the child's fault, never the worker's
        # parse_results validates every value by type and range and raises ProtocolError; this
        # also catches whatever a future check misses, so that a malformed frame is graded as a
        # protocol error instead of raising out of the worker's task.
        event, message, calls, done, memory, broken = "", "", [], False, False, True

    # Visible cases run first: only what the child sent before its first hidden input may be
    # shown as it is (see the module docstring).
    secret_in = first_hidden is not None and int(reply.get("cases_sent", ncalls)) > first_hidden
    if first_hidden is not None:
        calls = [
            c
            if i < first_hidden or c.error is None
            else dataclasses.replace(c, error=reduced(c.error))
            for i, c in enumerate(calls)
        ]
        if first_hidden == 0 and event == "missing_entry":
            message = Text(rt.NO_FUNCTION)
        elif first_hidden == 0 and event in START_EVENTS and event != "loaded":
            message = reduced(message)
    if event == "missing_entry" and not isinstance(message, Text):
        message = missing_entry(entry, message)

    def result(status: RunStatus, text: str) -> RunResult:
        # The student reads these in their language (grader.run_texts); what the child sent
        # (a traceback) reads the same in every language.
        if text and not isinstance(text, Text):
            text = Text.literal(text)
        if tier == "unsafe":
            text = Text(rt.UNSAFE, {"text": text}) if text.rstrip() else Text(rt.UNSAFE_ONLY)
        return RunResult(status=status, calls=calls, message=text, **base)

    memory_text = Text(rt.MEMORY, {"mb": limits.memory_mb})
    if out_capped:
        return result(
            RunStatus.OUTPUT_LIMIT, Text(rt.OUTPUT_LIMIT, {"kb": limits.output_bytes // 1024})
        )
    if reply.get("result_capped"):
        return result(
            RunStatus.OUTPUT_LIMIT, Text(rt.RESULT_LIMIT, {"mb": limits.result_bytes >> 20})
        )
    if reply.get("timed_out"):
        return result(RunStatus.TIMEOUT, Text(rt.WALL_TIME, {"seconds": f"{limits.wall:g}"}))
    if reply.get("oom"):
        return result(RunStatus.MEMORY_LIMIT, memory_text)
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= limits.cpu_seconds * 0.95):
        return result(RunStatus.TIMEOUT, Text(rt.CPU_TIME, {"seconds": f"{limits.cpu_seconds:g}"}))
    if broken:
        calls = []
        return result(RunStatus.PROTOCOL_ERROR, Text(rt.TAMPERED))
    if event and event != "loaded":
        return result(START_EVENTS[event], message)
    if done and code == 0:
        if memory:
            return result(RunStatus.MEMORY_LIMIT, memory_text)
        return result(RunStatus.OK, "")
    if secret_in and not memory:  # the signal or exit code could encode a hidden input
        return result(RunStatus.CRASHED, Text(rt.STOPPED_EARLY))
    if sig is not None:
        name = signal.Signals(sig).name
        what = Text(rt.SIGNALS[name]) if name in rt.SIGNALS else Text(rt.KILLED_BY, {"name": name})
        return result(RunStatus.CRASHED, Text(rt.STOPPED_BY, {"what": what}))
    if memory:
        return result(RunStatus.MEMORY_LIMIT, memory_text)
    return result(RunStatus.CRASHED, Text(rt.EXITED, {"code": code}))
