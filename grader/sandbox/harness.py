"""What runs inside the sandboxed child: load the student's module, call the entry function once
per case, and stream one result message per call to the result pipe (fd 3).

The request pipe (fd 5) brings first the source and the entry's name, then one case at a time:
the worker writes case *i* only after it has read the child's report of the step before (the
``loaded`` event, or case *i - 1*'s result), and closes the pipe after the last one. So the
module is imported, and its entry found, before any input exists in this process, and a case's
inputs (visible ones come first) exist only after every earlier case has reported.

The student's code runs in this same process, so nothing here is trusted by the worker: the
student can rewrite these functions, forge messages or exit early. The worker therefore validates
every message (``grader.sandbox.results``) and computes the verdict itself, with expected outputs
that never enter the sandbox. What this module *does* guarantee is good feedback for honest code:
the SyntaxError with its line and caret, tracebacks trimmed to the student's own frames (shown as
``submission.py``), and for everything else (a wrong return type, a MemoryError, ``sys.exit``) a
*reason*: a code and the one fact that goes with it (a type's name, a dtype), never a sentence.
The worker words it in the reader's language (``grader.run_texts``), with its own numbers.

Loaded by file path in the zygote (no project imports); ``proto`` is the loaded ``protocol``.
"""

from __future__ import annotations

import builtins
import contextlib
import linecache
import os
import sys
import time
import traceback
import types
from typing import Any, NoReturn

import numpy as np

FILENAME = "submission.py"
RESULT_FD = 3
REQUEST_FD = 5
MAX_TEXT = 4000
#: The longest type name or dtype a reason carries (the worker cuts a longer one the same way).
MAX_NAME = 100


def _send(proto: Any, header: dict[str, Any], blobs: list[bytes] | None = None) -> None:
    data = proto.encode_message(header, blobs or [])
    view = memoryview(data)
    while view:
        n = os.write(RESULT_FD, view)
        view = view[n:]


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 16] + "\n[... truncated]"


def student_traceback(exc: BaseException) -> str:
    """The traceback limited to frames in ``submission.py``, plus the exception line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == FILENAME]
    lines = []
    if frames:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(frames))
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return _clip("".join(lines).rstrip("\n"))


def _name(text: str) -> str:
    return text if len(text) <= MAX_NAME else text[:MAX_NAME] + "..."


def describe_value(value: Any, blobs: list[bytes], proto: Any) -> tuple[Any, dict[str, str] | None]:
    """(packed value, None) for an acceptable return value, else (None, why not): a ``reason``
    code and, for some, what was ``found`` (``grader.sandbox.interpret`` words it)."""
    if type(value) is np.ndarray:
        if value.dtype.kind not in proto.NUMERIC_KINDS or value.dtype.names:
            return None, {"reason": "dtype", "found": _name(str(value.dtype))}
        return proto.pack_value(value, blobs), None
    if isinstance(value, np.ndarray):
        name = f"{type(value).__module__}.{type(value).__name__}"
        return None, {"reason": "subclass", "found": _name(name)}
    if isinstance(value, np.generic) and value.dtype.kind in proto.NUMERIC_KINDS:
        return proto.pack_value(value.item(), blobs), None
    if type(value) is int and not proto.fits_int64(value):
        return None, {"reason": "big-int"}
    if value is None or type(value) in (bool, int, float):
        return proto.pack_value(value, blobs), None
    return None, {"reason": "type", "found": _name(type(value).__name__)}


def _read_exact(n: int) -> bytes:
    parts = []
    while n:
        chunk = os.read(REQUEST_FD, min(n, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def _next_message(proto: Any) -> dict[str, Any] | None:
    """The next message from the worker, its arrays decoded into the header's ``value``; None
    once the worker has closed the request pipe (no more cases)."""
    try:
        header, blobs = proto.read_message(_read_exact, max_blob=1 << 31)
    except EOFError:
        return None
    if "value" in header:
        header["value"] = proto.unpack_value(header["value"], blobs)
    return header


def run_submission(proto: Any) -> NoReturn:
    """Never returns: exits the process when the last result is sent."""
    code = 0
    try:
        _run(proto)
    except BaseException:  # the student broke the harness itself (e.g. closed fd 3)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):  # nothing left to report to
            stream.flush()
    # EOF now: the worker has the whole output and every result, and needs not wait for the
    # kernel to tear this process down (``grader.sandbox.client``).
    os.closerange(1, RESULT_FD + 1)
    os._exit(code)


def _run(proto: Any) -> None:
    request = _next_message(proto)
    if request is None:
        return
    source, entry = request["source"], request["entry"]
    del request
    linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
    try:
        compiled = compile(source, FILENAME, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:  # ValueError: null bytes in source
        text = "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n")
        _send(proto, {"event": "syntax_error", "message": _clip(text)})
        return
    module = types.ModuleType("submission")
    module.__file__ = FILENAME
    module.__builtins__ = builtins
    sys.modules["submission"] = module
    try:
        exec(compiled, module.__dict__)  # noqa: S102 - this is the sandbox
    except BaseException as exc:
        _send(proto, {"event": "import_error", **_failure(exc)})
        return
    func = module.__dict__.get(entry)
    if not callable(func):
        # No sentence here: the worker words it in the reader's language (grader.run_texts),
        # and only the name of what stands there instead of a function is the child's to say.
        found = None if func is None else type(func).__name__
        _send(proto, {"event": "missing_entry", "found": found})
        return
    _send(proto, {"event": "loaded"})
    i = 0
    while (case := _next_message(proto)) is not None:
        _send(proto, *_call(proto, func, case["value"], i))
        del case
        i += 1
    _send(proto, {"event": "done"})


def _call(
    proto: Any, func: Any, call: dict[str, Any], i: int
) -> tuple[dict[str, Any], list[bytes]]:
    """Call the entry on one case: the result message (header, blobs) to send."""
    start = time.perf_counter()
    try:
        value = func(*call["args"], **call["kwargs"])
    except BaseException as exc:
        seconds = time.perf_counter() - start
        header = {"event": "call", "i": i, "ok": False, "seconds": seconds}
        return {**header, **_failure(exc)}, []
    seconds = time.perf_counter() - start
    blobs: list[bytes] = []
    try:
        packed, problem = describe_value(value, blobs, proto)
    except BaseException as exc:
        # The exception is the student's own (an ``__array__`` or a property that raised):
        # its repr is Python speaking, shown as it is, like a traceback.
        packed, problem = None, {"reason": "unreadable", "found": _clip(repr(exc))}
    if problem is not None:
        header = {"event": "call", "i": i, "ok": False, "kind": "type", **problem}
        return {**header, "seconds": seconds}, []
    return {"event": "call", "i": i, "ok": True, "value": packed, "seconds": seconds}, blobs


def _failure(exc: BaseException) -> dict[str, str]:
    """What an exception of the student's code is reported as: a MemoryError as ``memory``
    alone (the worker names its own limit), ``sys.exit`` as ``exit`` with the code's repr,
    anything else as the student's traceback, which Python words."""
    if isinstance(exc, MemoryError):
        return {"kind": "memory"}
    if isinstance(exc, SystemExit):
        return {"kind": "exit", "code": _name(repr(exc.code))}
    return {"kind": "exception", "error": student_traceback(exc)}
