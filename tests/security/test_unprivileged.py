"""The whole corpus again as an unprivileged user: the full tier through a user namespace.

A root worker forks each run straight into its namespaces and drops to uid 65534; a worker that
is not root (docker-compose's, a university's shared host) takes another path: a user namespace
per run, the read-only tree built per run, no cgroup unless one is delegated. This suite runs as
root in CI, so this test starts the corpus as ``nobody`` to hold that path to the same rules.

``nobody`` must reach the interpreter, and the project's venv lives under /root here: the test
makes a throwaway venv from the system's Python of the same version (world-readable, /usr) that
finds the project's packages through a ``.pth`` file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from grader.sandbox import detect_tier
from tests.conftest import need
from tests.security.attacks import ATTACKS
from tests.security.containment import (
    PROJECT,
    Outcome,
    assert_contained,
    assert_host_untouched,
    assert_not_starved,
    hostile_world,
    placeholders,
)

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
NOBODY = 65534
SECRET = "stride-secret-" + os.urandom(8).hex()


@pytest.fixture(scope="module")
def unprivileged_python():
    """A Python that ``nobody`` can run, with NumPy and the project importable."""
    if os.geteuid() != 0:
        pytest.skip("not root: the rest of the security suite already runs this path")
    need(detect_tier() == "full", "the full sandbox tier")
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists():
        pytest.skip(f"{system} (the system's Python of this version) is not installed")
    venv = Path(tempfile.mkdtemp(prefix="stride-nobody-"))
    try:
        subprocess.run([system, "-m", "venv", "--without-pip", venv], check=True, timeout=60)
        site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
        (site / "stride-project.pth").write_text(sysconfig.get_path("purelib") + "\n")
        subprocess.run(["chmod", "-R", "a+rX", venv], check=True)
        python = venv / "bin" / "python"
        probe = subprocess.run(
            [python, "-c", "import numpy, grader.sandbox"],
            cwd=PROJECT,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT)},
            user=NOBODY,
            group=NOBODY,
            extra_groups=[],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if probe.returncode != 0:
            pytest.skip(f"nobody cannot import the project here: {probe.stderr.strip()[-300:]}")
        yield python
    finally:
        shutil.rmtree(venv, ignore_errors=True)


def test_the_corpus_is_contained_when_the_worker_is_not_root(unprivileged_python):
    with hostile_world() as world:
        done = subprocess.run(
            [
                unprivileged_python,
                "-m",
                "tests.security.unprivileged_driver",
                json.dumps(placeholders(world)),
            ],
            cwd=PROJECT,
            env={
                "PATH": "/usr/bin:/bin",
                "PYTHONPATH": str(PROJECT),
                "STRIDE_TEST_SECRET": SECRET,
            },
            user=NOBODY,
            group=NOBODY,
            extra_groups=[],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        report = json.loads(done.stdout)
        assert report["uid"] == NOBODY and report["tier"] == "full", report
        assert report["health"]["mode"] == "userns" and report["health"]["zygote_alive"]
        assert set(report["attacks"]) == {attack.name for attack in ATTACKS}
        for attack in ATTACKS:
            assert_contained(attack, Outcome(**report["attacks"][attack.name]), SECRET)
        assert_not_starved(report["cross_worker"])
        assert_host_untouched(world)
