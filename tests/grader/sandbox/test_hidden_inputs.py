"""Inputs reach the child one case at a time, after the module is imported, visible cases
first; what the child says once a hidden input is in it is cut down to exception type and line."""

import numpy as np
import pytest

from grader.sandbox import Limits, RunStatus, run_calls
from grader.sandbox.interpret import failure, reduced

pytestmark = pytest.mark.sandbox
MARK = 31337.25  # the first element of every input here: what the probes look for

# Looks for any array holding MARK in every container the collector knows and in every frame
# up the stack (the harness's among them), at import time or inside a call.
PROBE = """
import gc
import sys
import numpy as np


def _arrays(value, depth=0):
    if isinstance(value, np.ndarray):
        yield value
    elif depth < 4 and isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item, depth + 1)
    elif depth < 4 and isinstance(value, dict):
        for item in list(value.values()):
            yield from _arrays(item, depth + 1)


def inputs_in_sight():
    found = set()
    roots = list(gc.get_objects())
    frame = sys._getframe()
    while frame is not None:
        roots.append(dict(frame.f_locals))
        frame = frame.f_back
    for root in roots:
        for arr in _arrays(root):
            if arr.size and arr.dtype.kind == "f" and arr.flat[0] == 31337.25:
                found.add(float(arr.flat[1]))
    return found
"""


def case(k: int) -> dict:
    x = np.full((3, 5), float(k))
    x.flat[0] = MARK
    return {"args": [x]}


def test_no_input_exists_in_the_child_while_the_module_is_imported():
    source = (
        PROBE + "\nAT_IMPORT = inputs_in_sight()\n\ndef f(x):\n    return float(len(AT_IMPORT))\n"
    )
    result = run_calls(source, "f", [case(1), case(2)])
    assert result.status is RunStatus.OK, result.message
    assert [c.value for c in result.calls] == [0.0, 0.0]


def test_a_call_sees_its_own_input_and_no_later_case():
    source = PROBE + "\ndef f(x):\n    return np.array(sorted(inputs_in_sight()))\n"
    result = run_calls(source, "f", [case(1), case(2), case(3)], hidden=[False, True, True])
    assert result.status is RunStatus.OK, result.message
    # The newest input in sight is the call's own (earlier ones may linger: that is fine).
    assert [max(c.value.tolist()) for c in result.calls] == [1.0, 2.0, 3.0]


def test_visible_cases_must_come_before_hidden_ones():
    with pytest.raises(ValueError, match="visible"):
        run_calls("def f(x):\n    return x\n", "f", [case(1), case(2)], hidden=[True, False])
    with pytest.raises(TypeError):
        run_calls("def f(x):\n    return x\n", "f", [case(1)], hidden=[True, False])


LEAKY = "def f(x):\n    raise ValueError('leak ' + repr(x.tolist()))\n"


def test_an_exception_message_of_a_hidden_case_is_cut_to_type_and_line():
    result = run_calls(LEAKY, "f", [case(1), case(2)], hidden=[False, True])
    visible, hidden = result.calls
    assert "ValueError: leak [[31337.25" in visible.error  # a visible case keeps its traceback
    assert hidden.error == "ValueError at line 2"
    assert hidden.error.render("ko") == "2번째 줄에서 ValueError 발생"


def test_when_every_case_is_hidden_an_import_error_shows_type_and_line_only():
    source = "import numpy as np\nraise KeyError('my own words')\n"
    result = run_calls(source, "f", [case(1)], hidden=[True])
    assert result.status is RunStatus.IMPORT_ERROR
    assert result.message == "KeyError at line 2"
    assert result.message.render("ko") == "2번째 줄에서 KeyError 발생"
    missing = run_calls("def g(x):\n    return x\n", "f", [case(1)], hidden=[True])
    assert missing.status is RunStatus.MISSING_ENTRY and "g" not in missing.message.split()


def test_an_exit_code_chosen_after_a_hidden_input_arrived_is_not_shown():
    source = "import os\n\ndef f(x):\n    os._exit(int(x[0, 1]))\n"
    shown = run_calls(source, "f", [case(7)])
    assert shown.status is RunStatus.CRASHED and "exit code 7" in shown.message
    result = run_calls(source, "f", [case(7)], hidden=[True])
    assert result.status is RunStatus.CRASHED and "7" not in result.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'Traceback:\n  File "submission.py", line 4, in f\nIndexError: 31337',
            "IndexError at line 4",
        ),
        ('  File "submission.py", line 9\nMyOwnError: secret', "an exception at line 9"),
        ("Secret_31337: no line", "an exception"),
        # The child no longer words these: a sentence that looks like one is only text.
        ("memory limit of 512 MB exceeded (MemoryError)", "an exception"),
        ("returned a secret31337, expected a NumPy array", "an exception"),
        ("", "an exception"),
    ],
)
def test_a_reduced_message_keeps_only_a_known_type_and_a_line(text, expected):
    assert reduced(text) == expected


@pytest.mark.parametrize(
    ("header", "en", "ko"),
    [
        ({"kind": "memory"}, "MemoryError", "MemoryError 발생"),
        (
            {"kind": "type", "reason": "type", "found": "secret31337"},
            "the function returned something other than a NumPy array or a number",
            "함수가 NumPy 배열이나 숫자가 아닌 값을 반환했습니다",
        ),
        (
            {"kind": "type", "reason": "unreadable", "found": "ValueError('31337')"},
            "the function returned something other than a NumPy array or a number",
            "함수가 NumPy 배열이나 숫자가 아닌 값을 반환했습니다",
        ),
        ({"kind": "exit", "code": "31337"}, "an exception", "예외 발생"),
    ],
    ids=["memory", "type", "unreadable", "exit"],
)
def test_a_worded_failure_reduces_to_its_kind_in_each_language(header, en, ko):
    """What the child named (a type, a repr, an exit code) is dropped; the kind stays."""
    short = reduced(failure(header, Limits()))
    assert short == en and short.render("ko") == ko
    assert "31337" not in short.render("ko")


def test_hidden_cases_report_a_wrong_type_and_a_memory_error_reduced_in_each_language():
    source = (
        "def f(x):\n    if x[0, 1] == 2:\n        raise MemoryError\n"
        "    return {'leak': x.tolist()}\n"
    )
    result = run_calls(source, "f", [case(1), case(2)], hidden=[True, True])
    wrong_type, memory = result.calls
    assert wrong_type.error == (
        "the function returned something other than a NumPy array or a number"
    )
    assert wrong_type.error.render("ko") == "함수가 NumPy 배열이나 숫자가 아닌 값을 반환했습니다"
    assert memory.error == "MemoryError" and memory.error.render("ko") == "MemoryError 발생"
    shown = run_calls(source, "f", [case(1)])
    assert shown.calls[0].error == "returned a dict, expected a NumPy array"


def test_when_every_case_is_hidden_a_memory_error_at_import_is_its_type_alone():
    result = run_calls("raise MemoryError\n", "f", [case(1)], hidden=[True])
    assert result.status is RunStatus.IMPORT_ERROR
    assert result.message == "MemoryError"
    assert result.message.render("ko") == "MemoryError 발생"
