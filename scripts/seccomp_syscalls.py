# ruff: noqa: E501 - the honest behaviours are submissions held as source strings
"""Measure which system calls sandboxed student code makes, to keep the seccomp allowlist
(``grader/sandbox/seccomp_filter.py``, ``ALLOWED``) honest.

It starts a zygote under ``strace -f`` and grades through it, as the worker does, every code
problem of the bank (``exercises/content/*/``: the starter and each solution under
``tests/exercises/bank_solutions/`` on the pinned variant's cases) and a list of honest
behaviours that students' code shows (printing, exceptions, recursion, ``/tmp`` files, threads,
``MemoryError``, NumPy's linear algebra and random numbers, ...). Only system calls made *after*
the child loaded its seccomp filter count, in that child and in every thread it starts; the
sandbox set-up before it (mounts, namespaces) is not the student's.

Prints the measured set with counts and the difference with ``ALLOWED``; exits 1 when a
measured call is missing from the allowlist. Regenerate after upgrading Python, NumPy or glibc:

    sudo .venv/bin/python scripts/seccomp_syscalls.py            # the table and the diff
    sudo .venv/bin/python scripts/seccomp_syscalls.py --python   # ALLOWED as a Python list

Needs ``strace`` and the full tier (root or user namespaces). While a call is refused, strace
still shows it, so this measures what the code *asks for*, not what it is granted.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.sandbox import Limits, client, run_calls  # noqa: E402
from grader.sandbox import seccomp_filter as policy  # noqa: E402

CONTENT = ROOT / "exercises" / "content"
SOLUTIONS = ROOT / "tests" / "exercises" / "bank_solutions"

# Honest behaviours, each a module defining f(x) (x: a float (2, 3) array).
BEHAVIOURS = {
    "return": "def f(x):\n    return x * 2\n",
    "print": "def f(x):\n    print('shape', x.shape, x)\n    return x.sum()\n",
    "stderr": "import sys\ndef f(x):\n    print('warn', file=sys.stderr)\n    return x\n",
    "exception": "def f(x):\n    return x[5, 5]\n",
    "syntax error": "def f(x)\n    return x\n",
    "import error": "import nosuchmodule\ndef f(x):\n    return x\n",
    "missing entry": "def g(x):\n    return x\n",
    "sys.exit": "import sys\ndef f(x):\n    sys.exit(3)\n",
    "recursion": "def f(x, n=0):\n    return f(x, n + 1)\n",
    "memory error": "import numpy as np\ndef f(x):\n    return np.ones(2**40)\n",
    "big allocation": "import numpy as np\ndef f(x):\n    a = np.ones(2**25)\n    return x + a[:1]\n",
    "wrong type": "def f(x):\n    return 'text'\n",
    "object array": "import numpy as np\ndef f(x):\n    return np.array([None])\n",
    "tmp file": (
        "import numpy as np, os, tempfile\ndef f(x):\n    p = os.path.join(tempfile.gettempdir(), 'a.npy')\n"
        "    np.save(p, x)\n    y = np.load(p)\n    os.remove(p)\n    return y\n"
    ),
    "open text": (
        "def f(x):\n    with open('/tmp/t.txt', 'w') as fh:\n        fh.write('x')\n"
        "    return x * len(open('/tmp/t.txt').read())\n"
    ),
    "listdir and stat": "import os\ndef f(x):\n    os.listdir('/')\n    os.stat('/tmp')\n    return x\n",
    "stdlib imports": (
        "import json, math, random, re, collections, itertools, functools, dataclasses, typing\n"
        "import fractions, decimal, statistics, heapq, bisect, copy, string, textwrap, time\n"
        "def f(x):\n    random.seed(0)\n    return x * random.random() * math.pi\n"
    ),
    "time and sleep": "import time\ndef f(x):\n    time.time(); time.perf_counter(); time.sleep(0.01)\n    return x\n",
    "threads": (
        "from concurrent.futures import ThreadPoolExecutor\ndef f(x):\n"
        "    with ThreadPoolExecutor(4) as pool:\n        return sum(pool.map(lambda r: r * 2, x))\n"
    ),
    "numpy linalg and random": (
        "import numpy as np\ndef f(x):\n    rng = np.random.default_rng(0)\n    a = rng.standard_normal((64, 64))\n"
        "    np.linalg.inv(a); np.linalg.svd(a); np.linalg.eigvals(a); np.fft.fft(a)\n"
        "    np.random.seed(1); np.random.rand(3)\n    return x @ x.T\n"
    ),
    "numpy misc": (
        "import numpy as np\ndef f(x):\n    np.set_printoptions(precision=3)\n    print(np.array2string(x))\n"
        "    np.einsum('ij,kj->ik', x, x); np.pad(x, 1); np.lib.stride_tricks.sliding_window_view(x, 2, 1)\n"
        "    np.savetxt('/tmp/x.txt', x); np.loadtxt('/tmp/x.txt')\n    return np.asarray(x, np.float32)\n"
    ),
    "warnings": "import numpy as np, warnings\ndef f(x):\n    warnings.warn('w')\n    return np.log(x - 10)\n",
    "gc and weakref": "import gc, weakref\ndef f(x):\n    gc.collect()\n    return x\n",
    "os info": "import os\ndef f(x):\n    os.getpid(); os.getcwd(); os.cpu_count(); os.urandom(8); os.uname()\n    return x\n",
    "signal alarm": (
        "import signal\ndef f(x):\n    signal.signal(signal.SIGALRM, lambda *a: None)\n"
        "    signal.setitimer(signal.ITIMER_REAL, 0.001)\n    signal.alarm(0)\n    return x\n"
    ),
    "traceback and inspect": "import traceback, inspect\ndef f(x):\n    traceback.format_stack(); inspect.stack()\n    return x\n",
}

_LINE = re.compile(r"^(\d+)\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()")
_ARG = re.compile(r"^\d+\s+(?:ioctl\(\d+, |prctl\()(\w+)")
_LOAD = re.compile(r"(PR_SET_SECCOMP, SECCOMP_MODE_FILTER|SECCOMP_SET_MODE_FILTER, \d).*= 0$")
# With --decode-pids=pidns a child's pid reads "= 2 /* 20061 in strace's PID NS */".
_CLONE_RET = re.compile(
    r"^(\d+)\s+(?:<\.\.\. )?(?:clone|clone3|fork|vfork)\b.*= (\d+)(?: /\* (\d+) in strace's PID NS \*/)?$"
)


def _under_strace(trace_path: str) -> types.SimpleNamespace:
    """A stand-in for ``subprocess`` in ``grader.sandbox.client``: starts the zygote under
    ``strace -f``. Everything else is the real module."""

    def popen(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        strace = shutil.which("strace") or "/usr/bin/strace"
        return subprocess.Popen(
            [strace, "-f", "-qq", "--decode-pids=pidns", "-o", trace_path, "--", *args], **kwargs
        )

    return types.SimpleNamespace(**{**vars(subprocess), "Popen": popen})


def workload() -> list[tuple[str, str, str, list[dict[str, Any]], Limits]]:
    """(label, source, entry, calls, limits) for every run to measure."""
    runs = []
    x = [{"args": [np.arange(6, dtype=float).reshape(2, 3)], "kwargs": {}}]
    for name, source in BEHAVIOURS.items():
        runs.append((name, source, "f", x, Limits(cpu_seconds=2.0, wall_seconds=20.0)))
    for folder in sorted(p for p in CONTENT.iterdir() if (p / "tests.py").is_file()):
        spec = yaml.safe_load((folder / "problem.yaml").read_text(encoding="utf-8"))
        if spec.get("kind") != "code":
            continue
        namespace: dict[str, Any] = {"__name__": "bank_tests"}
        tests = compile((folder / "tests.py").read_text(encoding="utf-8"), "tests.py", "exec")
        exec(tests, namespace)  # noqa: S102 - our own bank
        cases = namespace["cases"](np.random.default_rng(spec.get("seed", 0)))
        calls = [{"args": c["args"], "kwargs": c.get("kwargs", {})} for c in cases]
        limits = Limits.from_mapping({**spec.get("limits", {}), "wall_seconds": 30.0})
        entry = spec["entry"]
        sources = {"starter": (folder / "starter.py").read_text(encoding="utf-8")}
        for path in sorted(SOLUTIONS.glob("*.py")):
            text = path.read_text(encoding="utf-8")
            if f"def {entry}(" in text:
                sources[path.stem] = text
        for label, source in sources.items():
            runs.append((f"{folder.name}: {label}", source, entry, calls, limits))
    return runs


def sandboxed_calls(trace: str) -> collections.Counter[str]:
    """Count the system calls of ``trace`` made after a process loaded its seccomp filter,
    by it or by any process or thread it started afterwards."""
    lines = Path(trace).read_text(errors="replace").splitlines()
    parent: dict[int, int] = {}
    for line in lines:
        m = _CLONE_RET.match(line)
        if m and int(m.group(2)) > 0:
            parent[int(m.group(3) or m.group(2))] = int(m.group(1))
    marked: set[int] = set()
    counts: collections.Counter[str] = collections.Counter()

    def confined(pid: int) -> bool:
        seen = set()
        while pid not in seen:
            seen.add(pid)
            if pid in marked:
                return True
            if pid not in parent:
                return False
            pid = parent[pid]
        return False

    for line in lines:
        m = _LINE.match(line)
        if not m or m.group(2):  # a resumed call was counted when it started
            continue
        pid, name = int(m.group(1)), m.group(3)
        if confined(pid):
            counts[name] += 1
            if name in ("ioctl", "prctl"):  # which requests: the argument filters allow a few
                arg = _ARG.search(line)
                counts[f"{name}({arg.group(1) if arg else '?'})"] += 1
        elif _LOAD.search(line):
            marked.add(pid)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="store_true", help="print ALLOWED as a Python list")
    parser.add_argument("--keep", help="keep the strace output in this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stride-seccomp-") as tmp:
        trace = args.keep or os.path.join(tmp, "trace")
        client.subprocess = _under_strace(trace)  # type: ignore[attr-defined]
        runs = workload()
        for label, source, entry, calls, limits in runs:
            result = run_calls(source, entry, calls, limits)
            print(f"  {result.status.value:14} {label}", file=sys.stderr)
        client.shutdown()
        counts = sandboxed_calls(trace)
    measured = {name for name in counts if "(" not in name}
    allowed = set(policy.ALLOWED) | set(policy.BY_ARGUMENT)
    if args.python:
        print("ALLOWED = [")
        for name in sorted(measured - set(policy.BY_ARGUMENT) | set(policy.ALLOWED)):
            print(f'    "{name}",')
        print("]")
        return 0
    print(f"{len(runs)} runs, {len(measured)} distinct system calls after the filter was loaded")
    print("(clone, clone3, ioctl and prctl are allowed only with some arguments, see BY_ARGUMENT):")
    for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "" if name.split("(")[0] in allowed else "   <-- not in ALLOWED"
        if name.startswith("ioctl("):
            mark = "" if name[6:-1] in policy.IOCTL_ALLOWED else "   <-- not in IOCTL_ALLOWED"
        elif name.startswith("prctl("):
            mark = "" if name[6:-1] in policy.PRCTL_ALLOWED else "   <-- not in PRCTL_ALLOWED"
        print(f"  {name:24} {n:8}{mark}")
    unused = sorted(allowed - measured)
    print(f"In ALLOWED but not seen here ({len(unused)}): {', '.join(unused) or '-'}")
    missing = sorted(measured - allowed) + [
        name
        for name in counts
        if (name.startswith("ioctl(") and name[6:-1] not in policy.IOCTL_ALLOWED)
        or (name.startswith("prctl(") and name[6:-1] not in policy.PRCTL_ALLOWED)
    ]
    print(f"Seen here but not in ALLOWED ({len(missing)}): {', '.join(missing) or '-'}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
