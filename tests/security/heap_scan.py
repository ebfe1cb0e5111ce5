"""A submission that reads every page of its own address space it can reach, as an attacker
hunting for what an earlier run left behind would, and returns what it found.

It finds mappings without ``/proc`` (the full tier mounts none): starting from addresses it
knows (``id()`` of objects, array data pointers, ``sbrk(0)`` with ctypes), it walks page by page
in both directions, asking the kernel whether each page is readable with ``pwrite`` (EFAULT for
an unmapped page instead of a crash), and gives up after ``MAX_GAP`` unreadable pages in a row.
Where ``/proc/self/maps`` exists (the reduced tier) every readable mapping is a start too.

Two readers: ``CTYPES`` (``ctypes.string_at``), and ``NUMPY`` with no ctypes at all: an
``as_strided`` view whose stride is the distance from a tiny array to the wanted address, probed
with ``os.pwrite(memoryview(view))`` and read with ``tobytes()``.

The submission looks for two needles it builds at run time (so its own source does not hold
them verbatim): ``canary-`` and the ``.npy`` magic, and returns ``CONTEXT`` bytes after every hit
as a uint8 array; it prints how many pages it read, so a scan that saw nothing cannot pass as a
clean one.
"""

from __future__ import annotations

import os

import numpy as np

from grader.sandbox import RunStatus, run_calls

SCANNER = r"""
import os
import numpy as np

PAGE = 4096
MAX_GAP = 512
CONTEXT = 640
BUDGET = 8 << 20


def _needles():
    return [bytes([99, 97, 110, 97, 114, 121, 45]), bytes([0x93]) + b"NUM" + b"PY"]

@READER@

def _seeds():
    import sys
    keep = [b"s" * n for n in (40, 400, 4000, 40000, 400000)]
    arrays = [np.zeros(n, np.uint8) for n in (16, 1024, 65536, 1 << 20)]
    seeds = [id(o) for o in (None, os, np, os.write, sys.modules, keep, arrays)]
    seeds += [id(k) for k in keep] + [a.__array_interface__["data"][0] for a in arrays]
    seeds += extra_seeds()
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                fields = line.split()
                if fields[1].startswith("r"):
                    lo, hi = (int(v, 16) for v in fields[0].split("-"))
                    seeds.extend(range(lo, hi, PAGE))
    except OSError:
        pass
    return seeds, (keep, arrays)


def _pages():
    seeds, alive = _seeds()
    seen, good = set(), set()
    for seed in seeds:
        start = seed // PAGE * PAGE
        if start in seen:
            continue
        for step in (-PAGE, PAGE):
            addr, gap = (start if step < 0 else start + PAGE), 0
            while gap < MAX_GAP and 0 < addr < (1 << 47) and addr not in seen:
                seen.add(addr)
                if readable(addr):
                    good.add(addr)
                    gap = 0
                else:
                    gap += 1
                addr += step
    return sorted(good), alive


def _runs(pages):
    runs = []
    for p in pages:
        if runs and runs[-1][1] == p:
            runs[-1][1] = p + PAGE
        else:
            runs.append([p, p + PAGE])
    return runs


def f(x):
    needles = _needles()
    out = bytearray()
    pages, alive = _pages()
    # Memory freed since the walk may be unmapped by now: probe each page again right before
    # reading it.
    for lo, hi in _runs(pages):
        for pos in range(lo, hi, 1 << 20):
            size = min(1 << 20, hi - pos)
            for sub_lo, sub_hi in _runs([p for p in range(pos, pos + size, PAGE) if readable(p)]):
                chunk = read(sub_lo, sub_hi - sub_lo)
                for needle in needles:
                    at = chunk.find(needle)
                    while at >= 0 and len(out) < BUDGET:
                        out += chunk[at : at + CONTEXT] + b"|"
                        at = chunk.find(needle, at + 1)
    print("pages", len(pages))
    return np.frombuffer(bytes(out), dtype=np.uint8).copy()
"""

CTYPES_READER = r"""
import ctypes
_libc = ctypes.CDLL(None, use_errno=True)
_libc.pwrite.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long]
_libc.sbrk.restype = ctypes.c_void_p
_fd = os.open("/tmp/probe", os.O_RDWR | os.O_CREAT, 0o600)


def readable(addr):
    return _libc.pwrite(_fd, addr, PAGE, 0) == PAGE


def read(addr, size):
    return ctypes.string_at(addr, size)


def extra_seeds():
    return [_libc.sbrk(0) - PAGE, ctypes.addressof(ctypes.create_string_buffer(64))]
"""

NUMPY_READER = r"""
_base = np.zeros(1, np.uint8)
_b0 = _base.__array_interface__["data"][0]
_fd = os.open("/tmp/probe", os.O_RDWR | os.O_CREAT, 0o600)


def _view(addr, size):
    return np.lib.stride_tricks.as_strided(_base, shape=(2, size), strides=(addr - _b0, 1))[1]


def readable(addr):
    try:
        return os.pwrite(_fd, memoryview(_view(addr, PAGE)), 0) == PAGE
    except OSError:
        return False


def read(addr, size):
    return _view(addr, size).tobytes()


def extra_seeds():
    return []
"""

READERS = {"ctypes": CTYPES_READER, "numpy only": NUMPY_READER}


def scanner(reader: str) -> str:
    """The scanning submission (entry ``f``) with one of ``READERS``."""
    return SCANNER.replace("@READER@", READERS[reader])


#: Inputs of several sizes: the allocator reuses a freed block only for a similar size, so
#: some size always outlives the next request when anything of it is kept.
SIZES = (4, 8, 12, 16, 24, 32)


def victim_run() -> dict[str, list[bytes]]:
    """Run A and return what must not be found afterwards, by kind."""
    token = os.urandom(8).hex()
    source = (
        "import numpy as np\n"
        f"NOTE = 'canary-src-{token}'\n\n"
        "def f(x):\n"
        f"    print('canary-out-{token}')\n"
        "    return x * 3 + 0.5\n"
    )
    rng = np.random.default_rng(int(token, 16))
    inputs = []
    for size in SIZES:
        x = rng.standard_normal((2, 3, size, size))
        x.flat[0] = np.frombuffer(b"canary-i", dtype=np.float64)[0]  # findable, as a float
        inputs.append(x)
    result = run_calls(source, "f", [{"args": [x]} for x in inputs])
    assert result.status is RunStatus.OK and all(c.ok for c in result.calls), result.message
    assert f"canary-out-{token}" in result.stdout
    return {
        "source": [f"canary-src-{token}".encode()],
        "printed text": [f"canary-out-{token}".encode()],
        "inputs": [x.tobytes()[:128] for x in inputs],
        "outputs": [(x * 3 + 0.5).tobytes()[:128] for x in inputs],
    }
