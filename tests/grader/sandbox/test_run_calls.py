"""Behaviour of run_calls for honest and clumsy (not hostile) submissions."""

import time

import numpy as np
import pytest

from grader.sandbox import Limits, RunStatus, health, run_calls
from grader.sandbox import client as sandbox_client
from tests.grader.sandbox.conftest import CONV2D, conv2d_reference, conv_case

pytestmark = pytest.mark.sandbox
FAST = Limits(cpu_seconds=1.0)


def test_a_correct_conv2d_returns_the_reference_output_for_every_case():
    cases = [conv_case(s, stride=1 + s % 2, pad=s % 2) for s in range(4)]
    result = run_calls(CONV2D, "conv2d", cases)
    assert result.status is RunStatus.OK, result.message
    assert len(result.calls) == 4
    for case, call in zip(cases, result.calls, strict=True):
        assert call.ok and call.error is None
        expected = conv2d_reference(*case["args"], **case["kwargs"])
        np.testing.assert_allclose(call.value, expected)
        assert call.seconds >= 0
    assert result.tier in ("full", "reduced") and not result.unsafe


def test_dict_arguments_and_scalar_results_cross_the_boundary():
    src = "def f(x, params):\n    return float((x * params['w']).sum() + params['b'])\n"
    call = {"args": [np.ones((2, 2)), {"w": np.full((2, 2), 2.0), "b": 1.5}], "kwargs": {}}
    result = run_calls(src, "f", [call])
    assert result.status is RunStatus.OK
    assert result.calls[0].value == pytest.approx(9.5)


def test_a_syntax_error_names_the_line_and_shows_the_caret():
    result = run_calls("import numpy as np\n\ndef conv2d(x:\n    pass\n", "conv2d", [])
    assert result.status is RunStatus.SYNTAX_ERROR
    assert 'File "submission.py", line 3' in result.message
    assert "^" in result.message and "SyntaxError" in result.message


def test_an_exception_shows_only_the_students_own_frames():
    src = "def helper(x):\n    return x[10]\n\ndef f(x):\n    return helper(x)\n"
    result = run_calls(src, "f", [{"args": [np.ones(3)]}])
    assert result.status is RunStatus.OK
    error = result.calls[0].error
    assert not result.calls[0].ok
    assert 'File "submission.py", line 5, in f' in error
    assert 'File "submission.py", line 2, in helper' in error
    assert "IndexError" in error
    assert (
        "harness" not in error and "zygote" not in error and "/" not in error.split("IndexError")[0]
    )


def test_an_exception_at_import_is_reported_as_import_error():
    result = run_calls("import numpy as np\nraise ValueError('boom')\n", "f", [{"args": [1]}])
    assert result.status is RunStatus.IMPORT_ERROR
    assert "ValueError: boom" in result.message and "line 2" in result.message


def test_a_missing_entry_function_is_named_in_the_message():
    result = run_calls("def conv(x):\n    return x\n", "conv2d", [{"args": [1]}])
    assert result.status is RunStatus.MISSING_ENTRY
    assert result.message == "your module defines no function named conv2d"
    # A keyed text, so a Korean reader reads it in Korean, the name as it is in the code.
    assert result.message.render("ko") == "모듈에 이름이 conv2d인 함수가 정의되어 있지 않습니다"


def test_an_entry_that_is_not_a_function_is_named_with_its_type_in_each_language():
    result = run_calls("conv2d = 3\n", "conv2d", [{"args": [1]}])
    assert result.status is RunStatus.MISSING_ENTRY
    assert result.message == "your module defines a int, not a function, named conv2d"
    assert result.message.render("ko") == "모듈에 정의된 conv2d은(는) 함수가 아니라 int입니다"


def test_a_list_instead_of_an_array_is_a_failed_call_with_a_clear_message():
    result = run_calls("def f(x):\n    return [1, 2]\n", "f", [{"args": [1]}])
    assert result.status is RunStatus.OK
    assert not result.calls[0].ok
    assert result.calls[0].error == "returned a list, expected a NumPy array"


#: A value the worker cannot take (or a call that stopped): what the student reads, in English
#: as it always read and in Korean, the child naming only the type, dtype or exit code.
FAILED_CALLS = [
    (
        "return np.array(['a', 'b'])",
        "returned an array of dtype <U1, expected numbers",
        "dtype이 <U1인 배열을 반환했습니다. 숫자 배열을 반환해야 합니다",
    ),
    (
        "return np.ma.masked_array([1.0, 2.0])",
        "returned a numpy.ma.MaskedArray, expected a plain NumPy array (np.ndarray)",
        "numpy.ma.MaskedArray을(를) 반환했습니다. 일반 NumPy 배열(np.ndarray)을 반환해야 합니다",
    ),
    (
        "return 10 ** 30",
        "returned an integer too large for a NumPy number (int64)",
        "NumPy 정수(int64)에 담을 수 없을 만큼 큰 정수를 반환했습니다",
    ),
    (
        "return [1, 2]",
        "returned a list, expected a NumPy array",
        "list을(를) 반환했습니다. NumPy 배열을 반환해야 합니다",
    ),
    (
        "return Slippery()",
        "returned a value that cannot be read: ValueError('no class here')",
        "읽을 수 없는 값을 반환했습니다: ValueError('no class here')",
    ),
    (
        "raise MemoryError",
        "memory limit of 512 MB exceeded (MemoryError)",
        "메모리 한도 512 MB를 넘었습니다(MemoryError)",
    ),
    (
        "sys.exit(3)",
        "your code called sys.exit(3); return a value instead",
        "코드가 sys.exit(3)을(를) 호출했습니다. 종료하지 말고 값을 반환하세요",
    ),
]
#: Its ``__class__`` raises, so even asking whether it is an array fails: unreadable.
SLIPPERY = """
import sys
import numpy as np


class Slippery:
    @property
    def __class__(self):
        raise ValueError("no class here")

"""


@pytest.mark.parametrize(
    ("body", "en", "ko"), FAILED_CALLS, ids=[body for body, _, _ in FAILED_CALLS]
)
def test_a_failed_call_reads_in_each_language(body, en, ko):
    result = run_calls(SLIPPERY + f"def f(x):\n    {body}\n", "f", [{"args": [1]}])
    [call] = result.calls
    assert not call.ok
    assert call.error == en
    assert call.error.render("ko") == ko


def test_a_memory_error_or_sys_exit_at_import_reads_in_each_language():
    memory = run_calls("raise MemoryError\n", "f", [{"args": [1]}])
    assert memory.status is RunStatus.IMPORT_ERROR
    assert memory.message == "memory limit of 512 MB exceeded (MemoryError)"
    assert memory.message.render("ko") == "메모리 한도 512 MB를 넘었습니다(MemoryError)"
    leaves = run_calls("import sys\nsys.exit('bye')\n", "f", [{"args": [1]}])
    assert leaves.status is RunStatus.IMPORT_ERROR
    assert leaves.message == "your code called sys.exit('bye'); return a value instead"
    assert leaves.message.render("ko") == (
        "코드가 sys.exit('bye')을(를) 호출했습니다. 종료하지 말고 값을 반환하세요"
    )


def test_an_integer_no_numpy_number_can_hold_is_a_failed_call_not_a_value():
    """A 400-digit integer went through as a value and overflowed in the worker's comparison."""
    src = "def f(x):\n    return x ** 400 if x > 1 else 2 ** 63 - 1\n"
    result = run_calls(src, "f", [{"args": [10]}, {"args": [1]}])
    assert result.status is RunStatus.OK
    assert result.calls[0].error == "returned an integer too large for a NumPy number (int64)"
    assert result.calls[1].ok and result.calls[1].value == 2**63 - 1


def test_a_run_is_over_once_it_reported_done_and_closed_its_pipes():
    """The worker does not wait for the child's exit (the zygote's report comes later): one
    that would linger after its last result is killed, and the next run starts at once."""
    src = (
        "import os, time\nos._exit = lambda code: time.sleep(60)\n\n"
        "def f(x):\n    print('partial line', end='')\n    return x * 2\n"
    )
    start = time.monotonic()
    result = run_calls(src, "f", [{"args": [2]}], Limits(cpu_seconds=1.0, wall_seconds=20.0))
    assert time.monotonic() - start < 10
    assert result.status is RunStatus.OK and result.calls[0].value == 4
    assert result.stdout == "partial line"  # flushed before the pipes closed

    after = run_calls("def f(x):\n    return x + 1\n", "f", [{"args": [1]}])
    assert after.status is RunStatus.OK and after.calls[0].value == 2
    assert time.monotonic() - start < 10


def test_stdout_and_stderr_are_captured():
    src = (
        "import sys\ndef f(x):\n    print('hello', x)\n"
        "    print('oops', file=sys.stderr)\n    return x\n"
    )
    result = run_calls(src, "f", [{"args": [3]}])
    assert result.stdout == "hello 3\n" and result.stderr == "oops\n"


def test_an_infinite_loop_is_a_timeout():
    result = run_calls("def f(x):\n    while True:\n        pass\n", "f", [{"args": [1]}], FAST)
    assert result.status is RunStatus.TIMEOUT
    # CPU limit (1 s) or, on a loaded machine, the wall clock (3 s) stops it first.
    assert result.message.startswith("time limit")


def test_a_huge_allocation_is_a_memory_limit():
    src = "import numpy as np\ndef f(x):\n    return np.ones(10 * 2**30 // 8)\n"
    result = run_calls(src, "f", [{"args": [1]}], FAST)
    assert result.status is RunStatus.MEMORY_LIMIT
    assert "memory limit of 512 MB exceeded" in result.message


def test_the_zygote_is_restarted_after_it_was_killed():
    assert run_calls("def f(x):\n    return x\n", "f", [{"args": [1]}]).status is RunStatus.OK
    before = health()
    assert before["zygote_alive"] and before["pid"]
    zygote = sandbox_client.current()
    zygote.proc.kill()
    zygote.proc.wait()
    result = run_calls("def f(x):\n    return x + 1\n", "f", [{"args": [1]}])
    assert result.status is RunStatus.OK and result.calls[0].value == 2
    after = health()
    assert after["zygote_alive"] and after["pid"] != before["pid"]


def test_limits_reject_bad_values_and_unknown_keys():
    with pytest.raises(ValueError, match="cpu_seconds"):
        Limits(cpu_seconds=0)
    with pytest.raises(ValueError, match="ceiling"):
        Limits(memory_mb=10**6)
    with pytest.raises(ValueError, match="unknown limits: cpu"):
        Limits.from_mapping({"cpu": 1})
    assert Limits.from_mapping({"cpu_seconds": 3}).wall == 5.0


def test_a_malformed_call_list_is_the_callers_error():
    with pytest.raises(TypeError):
        run_calls("def f(): pass", "f", [{"argz": []}])
    with pytest.raises(ValueError):
        run_calls("def f(): pass", "not an identifier", [])
