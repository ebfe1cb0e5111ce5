"""Framing of the messages that cross the sandbox boundary.

A *message* is a JSON header plus zero or more binary blobs (``.npy`` files written with
``allow_pickle=False``)::

    <u32 LE: header length> <header JSON, UTF-8> { <u64 LE: blob length> <blob> } * header["n"]

Values (call arguments, return values) are JSON trees whose NumPy arrays are replaced by
``{"$nd": index}`` into the message's blobs; tuples become ``{"$tuple": [...]}`` and dicts
``{"$dict": {...}}`` so that neither can be confused with a placeholder.

This module is loaded twice: by the worker (``grader.sandbox.protocol``) and, by file path, by the
zygote, which runs with ``python -I`` and no project on ``sys.path``. It therefore imports nothing
from the project. Decoding is written for hostile input: every length is checked against caps
before anything is allocated, and every failure is a :class:`ProtocolError`.
"""

from __future__ import annotations

import io
import json
import math
import struct
from typing import Any

import numpy as np

_HDR = struct.Struct("<I")
_BLOB = struct.Struct("<Q")
NPY_MAGIC = b"\x93NUMPY"
#: dtype kinds a result array may have: bool, signed, unsigned, float.
NUMERIC_KINDS = frozenset("biuf")
MAX_NDIM = 8
MAX_HEADER_BYTES = 1 << 20


class ProtocolError(Exception):
    """A message that breaks the framing or the value rules: the sender cannot be trusted."""


def encode_message(header: dict[str, Any], blobs: list[bytes] | tuple[bytes, ...] = ()) -> bytes:
    """One message as bytes; ``header["n"]`` is set to the blob count."""
    header = {**header, "n": len(blobs)}
    raw = json.dumps(header, separators=(",", ":")).encode()
    parts = [_HDR.pack(len(raw)), raw]
    for blob in blobs:
        parts.append(_BLOB.pack(len(blob)))
        parts.append(blob)
    return b"".join(parts)


def decode_stream(
    data: bytes | memoryview, *, max_messages: int, max_blob: int
) -> list[tuple[dict[str, Any], list[bytes]]]:
    """Split a byte stream into messages. Raises :class:`ProtocolError` on anything malformed,
    including trailing bytes, more than ``max_messages`` messages, or a blob over ``max_blob``."""
    view = memoryview(data)
    out: list[tuple[dict[str, Any], list[bytes]]] = []
    pos = 0
    while pos < len(view):
        if len(out) >= max_messages:
            raise ProtocolError("more messages than expected")
        header, pos = _read_header(view, pos)
        n = header.get("n")
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 4096:
            raise ProtocolError("bad blob count")
        blobs = []
        for _ in range(n):
            if pos + _BLOB.size > len(view):
                raise ProtocolError("truncated blob length")
            (size,) = _BLOB.unpack_from(view, pos)
            pos += _BLOB.size
            if size > max_blob or pos + size > len(view):
                raise ProtocolError("blob too large or truncated")
            blobs.append(bytes(view[pos : pos + size]))
            pos += size
        out.append((header, blobs))
    return out


def message_end(data: bytes | bytearray, pos: int) -> tuple[dict[str, Any], int] | None:
    """(header, end offset) of the message that starts at ``pos`` once it is complete in
    ``data``, else None: lets the worker see each of the child's reports as it arrives.
    Raises :class:`ProtocolError` as soon as what is there cannot be a message."""
    view = memoryview(data)
    if pos + _HDR.size > len(view):
        return None
    (size,) = _HDR.unpack_from(view, pos)
    if size > MAX_HEADER_BYTES:
        raise ProtocolError("header too large")
    if pos + _HDR.size + size > len(view):
        return None
    header, pos = _read_header(view, pos)
    n = header.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 4096:
        raise ProtocolError("bad blob count")
    for _ in range(n):
        if pos + _BLOB.size > len(view):
            return None
        (blob,) = _BLOB.unpack_from(view, pos)
        pos += _BLOB.size + blob
        if pos > len(view):
            return None
    return header, pos


def _read_header(view: memoryview, pos: int) -> tuple[dict[str, Any], int]:
    if pos + _HDR.size > len(view):
        raise ProtocolError("truncated header length")
    (size,) = _HDR.unpack_from(view, pos)
    pos += _HDR.size
    if size > MAX_HEADER_BYTES or pos + size > len(view):
        raise ProtocolError("header too large or truncated")
    try:
        header = json.loads(bytes(view[pos : pos + size]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    return header, pos + size


def read_message(read_exact: Any, *, max_blob: int) -> tuple[dict[str, Any], list[bytes]]:
    """Read one message through ``read_exact(n) -> bytes`` (which raises EOFError at EOF)."""
    (size,) = _HDR.unpack(read_exact(_HDR.size))
    if size > MAX_HEADER_BYTES:
        raise ProtocolError("header too large")
    try:
        header = json.loads(read_exact(size).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"header is not JSON: {exc}") from None
    if not isinstance(header, dict) or not isinstance(header.get("n"), int):
        raise ProtocolError("bad header")
    blobs = []
    for _ in range(header["n"]):
        (blen,) = _BLOB.unpack(read_exact(_BLOB.size))
        if blen > max_blob:
            raise ProtocolError("blob too large")
        blobs.append(read_exact(blen))
    return header, blobs


# --------------------------------------------------------------------------- values


def array_to_npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def npy_to_array(blob: bytes) -> np.ndarray:
    """Load one ``.npy`` blob from an untrusted sender: no pickles, numeric dtypes only."""
    if not blob.startswith(NPY_MAGIC):
        raise ProtocolError("blob is not a .npy file")
    try:
        arr = np.load(io.BytesIO(blob), allow_pickle=False)
    except Exception as exc:  # ValueError for pickles, EOFError/OSError for truncation, ...
        raise ProtocolError(f"unreadable array: {exc}") from None
    if type(arr) is not np.ndarray:
        raise ProtocolError("not a plain ndarray")
    if arr.dtype.kind not in NUMERIC_KINDS or arr.dtype.hasobject or arr.dtype.names:
        raise ProtocolError(f"non-numeric dtype {arr.dtype}")
    if arr.ndim > MAX_NDIM:
        raise ProtocolError("too many dimensions")
    return arr


def pack_value(value: Any, blobs: list[bytes], depth: int = 0) -> Any:
    """A JSON-able tree for ``value``; arrays are appended to ``blobs``.

    Accepted leaves: ndarray (numeric), bool, int, float, None, str, NumPy scalars.
    """
    if depth > 32:
        raise ValueError("value nested too deeply")
    if isinstance(value, np.ndarray):
        blobs.append(array_to_npy(value))
        return {"$nd": len(blobs) - 1}
    if isinstance(value, np.generic):
        return pack_value(value.item(), blobs, depth + 1)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"$float": repr(value)}
    if isinstance(value, tuple):
        return {"$tuple": [pack_value(v, blobs, depth + 1) for v in value]}
    if isinstance(value, list):
        return [pack_value(v, blobs, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError("dict keys must be strings")
        return {"$dict": {k: pack_value(v, blobs, depth + 1) for k, v in value.items()}}
    raise ValueError(f"cannot send a value of type {type(value).__name__}")


def unpack_value(tree: Any, blobs: list[bytes], depth: int = 0) -> Any:
    """Inverse of :func:`pack_value` (trusted direction: call arguments)."""
    if depth > 32:
        raise ProtocolError("value nested too deeply")
    if isinstance(tree, list):
        return [unpack_value(v, blobs, depth + 1) for v in tree]
    if isinstance(tree, dict):
        if "$nd" in tree:
            return npy_to_array(blobs[_index(tree["$nd"], blobs)])
        if "$float" in tree:
            return _special_float(tree["$float"])
        if "$tuple" in tree:
            return tuple(unpack_value(v, blobs, depth + 1) for v in tree["$tuple"])
        if "$dict" in tree:
            return {str(k): unpack_value(v, blobs, depth + 1) for k, v in tree["$dict"].items()}
        raise ProtocolError("unknown object in value tree")
    return tree


def unpack_result(tree: Any, blobs: list[bytes]) -> np.ndarray | int | float | bool | None:
    """A return value from the (untrusted) child: one numeric array or one scalar, nothing else."""
    if isinstance(tree, dict):
        if set(tree) == {"$nd"}:
            return npy_to_array(blobs[_index(tree["$nd"], blobs)])
        if set(tree) == {"$float"}:
            return _special_float(tree["$float"])
        raise ProtocolError("result is not an array or a number")
    if isinstance(tree, int) and not isinstance(tree, bool) and not fits_int64(tree):
        raise ProtocolError("integer result out of range")
    if tree is None or isinstance(tree, bool | int | float):
        return tree
    raise ProtocolError("result is not an array or a number")


def fits_int64(value: int) -> bool:
    """Whether an integer result is one a NumPy number can hold. JSON integers have no bound,
    and a 400-digit one overflowed later, in the worker's comparison (``float()`` of it)."""
    return -(1 << 63) <= value < (1 << 63)


def _index(i: Any, blobs: list[bytes]) -> int:
    if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(blobs):
        raise ProtocolError("bad array reference")
    return i


def _special_float(text: Any) -> float:
    if text not in ("nan", "inf", "-inf"):
        raise ProtocolError("bad float")
    return float(text)
