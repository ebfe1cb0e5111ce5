"""The worker's parsing of what a (possibly hostile) child wrote: malformed means rejected."""

import io
import json
import struct

import numpy as np
import pytest

from grader.sandbox import Limits, RunStatus
from grader.sandbox.interpret import interpret
from grader.sandbox.protocol import (
    ProtocolError,
    array_to_npy,
    decode_stream,
    encode_message,
    npy_to_array,
    pack_value,
    unpack_result,
    unpack_value,
)


def reply(raw: bytes) -> tuple[dict, list[bytes]]:
    header = {"setup_ok": True, "exit": {"status": 0, "cpu": 0.01}, "wall": 0.01}
    return header, [b"", b"", raw]


def call(i: int, value: np.ndarray) -> bytes:
    blobs: list[bytes] = []
    packed = pack_value(value, blobs)
    return encode_message(
        {"event": "call", "i": i, "ok": True, "seconds": 0.0, "value": packed}, blobs
    )


LOADED, DONE = encode_message({"event": "loaded"}), encode_message({"event": "done"})


def test_values_round_trip_through_the_framing():
    blobs: list[bytes] = []
    value = {"x": np.arange(6.0).reshape(2, 3), "k": (1, 2.5, None, "s", float("nan"))}
    tree = pack_value(value, blobs)
    [(header, got_blobs)] = decode_stream(
        encode_message({"v": tree}, blobs), max_messages=1, max_blob=1 << 20
    )
    back = unpack_value(header["v"], got_blobs)
    np.testing.assert_array_equal(back["x"], value["x"])
    assert back["k"][:4] == (1, 2.5, None, "s") and np.isnan(back["k"][4])


@pytest.mark.parametrize(
    "raw",
    [
        b"\x05\x00",  # truncated length
        struct.pack("<I", 50) + b"{}",  # truncated header
        struct.pack("<I", 2) + b"[]",  # header not an object
        encode_message({"a": 1}) + b"\x00",  # trailing garbage
    ],
)
def test_malformed_streams_are_protocol_errors(raw):
    with pytest.raises(ProtocolError):
        decode_stream(raw, max_messages=4, max_blob=1 << 20)


def test_pickled_object_arrays_and_subclass_trees_are_rejected():
    buf = io.BytesIO()
    np.save(buf, np.array([1, "a"], dtype=object), allow_pickle=True)
    with pytest.raises(ProtocolError):
        npy_to_array(buf.getvalue())
    with pytest.raises(ProtocolError):
        npy_to_array(array_to_npy(np.array(["a", "b"])))
    with pytest.raises(ProtocolError):
        unpack_result({"$tuple": []}, [])
    with pytest.raises(ProtocolError):
        unpack_result("a string", [])


def test_a_well_formed_stream_is_ok_and_an_out_of_order_one_is_a_protocol_error():
    x = np.ones((2, 2))
    good = interpret(*reply(LOADED + call(0, x) + call(1, x) + DONE), 2, Limits(), "full")
    assert good.status is RunStatus.OK and len(good.calls) == 2
    swapped = interpret(*reply(LOADED + call(1, x) + call(0, x) + DONE), 2, Limits(), "full")
    assert swapped.status is RunStatus.PROTOCOL_ERROR and swapped.calls == []
    extra = interpret(*reply(LOADED + call(0, x) + call(1, x) + DONE), 1, Limits(), "full")
    assert extra.status is RunStatus.PROTOCOL_ERROR


def test_a_run_without_done_is_a_crash_even_with_exit_code_zero():
    result = interpret(*reply(LOADED), 1, Limits(), "full")
    assert result.status is RunStatus.CRASHED and "exit code 0" in result.message


def test_a_header_bomb_is_rejected_before_parsing():
    raw = struct.pack("<I", 1 << 30) + json.dumps({}).encode()
    with pytest.raises(ProtocolError):
        decode_stream(raw, max_messages=1, max_blob=1 << 20)


def frame(header: dict) -> bytes:
    """One message with a header exactly as given (``encode_message`` adds ``n``)."""
    return encode_message(header)


@pytest.mark.parametrize(
    "raw",
    [
        frame({"event": ["loaded"]}),  # an unhashable event
        LOADED + frame({"event": ["call"]}),
        LOADED + frame({"event": "call", "i": 0, "ok": False, "seconds": 10**400, "error": "e"}),
        LOADED + frame({"event": "call", "i": 0, "ok": False, "seconds": -1, "error": "e"}),
        LOADED + frame({"event": "call", "i": True, "ok": False, "seconds": 0, "error": "e"}),
        LOADED + frame({"event": "call", "i": 0, "ok": False, "seconds": 0, "kind": ["memory"]}),
        LOADED + frame({"event": "call", "i": 0, "ok": True, "seconds": 0, "value": 10**400}),
        LOADED + frame({"event": "call", "i": 0, "ok": True, "seconds": 0, "value": -(2**63) - 1}),
    ],
    ids=[
        "list event",
        "list call event",
        "400-digit seconds",
        "negative seconds",
        "bool index",
        "list kind",
        "400-digit value",
        "value below int64",
    ],
)
def test_a_malformed_child_frame_is_a_protocol_error_never_an_exception(raw):
    result = interpret(*reply(raw), 1, Limits(), "full")

    assert result.status is RunStatus.PROTOCOL_ERROR
    assert result.calls == []
    assert "tampered" in result.message


def test_a_missing_entry_is_worded_by_the_worker_from_its_own_entry_name():
    """The child says only what it found (a type's name or nothing); the sentence, and the
    entry's name in it, are the worker's, so they render in the reader's language."""
    nothing = encode_message({"event": "missing_entry", "found": None})
    result = interpret(*reply(nothing), 1, Limits(), "full", entry="conv2d")
    assert result.status is RunStatus.MISSING_ENTRY
    assert result.message.render("en") == "your module defines no function named conv2d"
    assert "conv2d" in result.message.render("ko") and "함수" in result.message.render("ko")
    found = encode_message({"event": "missing_entry", "found": "X" * 500})
    long = interpret(*reply(found), 1, Limits(), "full", entry="f")
    assert long.message.startswith("your module defines a " + "X" * 100 + "...,")


@pytest.mark.parametrize("found", [3, "", ["int"], {"a": 1}])
def test_a_missing_entry_whose_found_is_not_a_type_name_is_a_protocol_error(found):
    raw = encode_message({"event": "missing_entry", "found": found})
    result = interpret(*reply(raw), 1, Limits(), "full", entry="f")
    assert result.status is RunStatus.PROTOCOL_ERROR


def failed_call(**fields) -> bytes:
    return frame({"event": "call", "i": 0, "ok": False, "seconds": 0, **fields})


@pytest.mark.parametrize(
    "raw",
    [
        LOADED + failed_call(error="Traceback ..."),  # no kind: the child must say which
        LOADED + failed_call(kind="exceptional", error="e"),
        LOADED + failed_call(kind="exception", error=3),
        LOADED + failed_call(kind="type", reason="dtype"),  # no dtype
        LOADED + failed_call(kind="type", reason="dtype", found=""),
        LOADED + failed_call(kind="type", reason="type", found=["list"]),
        LOADED + failed_call(kind="type", reason="returned a list", found="list"),
        LOADED + failed_call(kind="type", reason=["type"], found="list"),
        LOADED + failed_call(kind="type", reason="unreadable", found={"a": 1}),
        LOADED + failed_call(kind="type", error="returned a list, expected a NumPy array"),
        LOADED + failed_call(kind="exit", code=3),
        frame({"event": "import_error", "message": "memory limit of 1 MB exceeded"}),
        frame({"event": "import_error", "kind": "exit"}),
    ],
    ids=[
        "no kind",
        "unknown kind",
        "traceback not a string",
        "dtype missing",
        "dtype empty",
        "type name a list",
        "reason a sentence",
        "reason a list",
        "repr a dict",
        "a sentence instead of a reason",
        "exit code not a string",
        "import error worded by the child",
        "import exit without code",
    ],
)
def test_a_failure_not_named_by_the_protocol_is_a_protocol_error(raw):
    """The child names a failure (kind, reason, one fact); a sentence of its own, or a fact of
    the wrong type, is refused, never shown."""
    result = interpret(*reply(raw + DONE), 1, Limits(), "full")
    assert result.status is RunStatus.PROTOCOL_ERROR
    assert result.calls == []


def test_a_failure_is_worded_by_the_worker_with_its_own_limit_and_a_bounded_name():
    raw = (
        LOADED
        + failed_call(kind="memory", error="memory limit of 1 MB exceeded, send 5 EUR")
        + frame(
            {"event": "call", "i": 1, "ok": False, "seconds": 0, "kind": "type"}
            | {"reason": "type", "found": "X" * 500}
        )
        + DONE
    )
    result = interpret(*reply(raw), 2, Limits(memory_mb=256), "full")
    memory, named = (c.error for c in result.calls)
    assert memory == "memory limit of 256 MB exceeded (MemoryError)"  # the worker's number
    assert named == "returned a " + "X" * 100 + "..., expected a NumPy array"
    assert named.render("ko") == "X" * 100 + "...을(를) 반환했습니다. NumPy 배열을 반환해야 합니다"
