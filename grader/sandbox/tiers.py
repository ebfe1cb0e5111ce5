"""Which sandbox tier this machine supports, detected once per process.

* ``full``: namespaces (as root directly, else through a user namespace) + seccomp + cgroup
  where one can be created; the tier the security suite is written against.
* ``reduced``: no namespaces (containers, Ubuntu's AppArmor restriction): rlimits + Landlock
  (when the kernel has it) + seccomp with process creation blocked.
* ``unsafe``: no isolation at all, only rlimits, a wall timer and the same validated channel;
  refused unless ``STRIDE_SANDBOX_ALLOW_UNSAFE=1`` *and* ``STRIDE_DEBUG=1`` are both set.
* ``unavailable``: none of the above: ``run_calls`` raises ``SandboxUnavailable``.

``STRIDE_SANDBOX_TIER`` forces a tier (``reduced`` to test the fallback on a full machine); a
forced tier the machine cannot provide yields ``unavailable``, never a weaker tier.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from typing import Any

ZYGOTE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zygote.py")
TIERS = ("full", "reduced", "unsafe", "unavailable")
MINIMAL_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def minimal_env() -> dict[str, str]:
    """The zygote's whole environment: no secret of the worker (database URL, keys) can reach it."""
    env = dict(MINIMAL_ENV)
    for name in ("STRIDE_SANDBOX_CGROUP_PARENT", "STRIDE_SANDBOX_UID_BASE"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


@functools.cache
def probe() -> dict[str, Any]:
    """Ask a throwaway zygote process what works (about 50 ms, once per process)."""
    if not sys.platform.startswith("linux"):
        return {"error": f"no sandbox support on {sys.platform}"}
    try:
        proc = subprocess.run(
            [sys.executable, "-I", ZYGOTE, "--probe"],
            env=minimal_env(),
            capture_output=True,
            timeout=30,
            close_fds=True,
            check=True,
        )
        return json.loads(proc.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return {"error": repr(exc)}


def unsafe_allowed() -> bool:
    return (
        os.environ.get("STRIDE_SANDBOX_ALLOW_UNSAFE") == "1"
        and os.environ.get("STRIDE_DEBUG") == "1"
    )


def capable_tiers() -> list[str]:
    found = probe()
    tiers = []
    if found.get("seccomp"):
        if found.get("namespaces") or found.get("userns"):
            tiers.append("full")
        tiers.append("reduced")
    return tiers


def detect_tier() -> str:
    """``full`` | ``reduced`` | ``unsafe`` | ``unavailable`` (see the module docstring)."""
    forced = os.environ.get("STRIDE_SANDBOX_TIER", "").strip()
    if forced:
        if forced == "unsafe":
            return "unsafe" if unsafe_allowed() else "unavailable"
        return forced if forced in capable_tiers() else "unavailable"
    tiers = capable_tiers()
    if tiers:
        return tiers[0]
    return "unsafe" if unsafe_allowed() else "unavailable"
