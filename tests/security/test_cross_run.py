"""One student's run must not see another's bytes: submission A runs with distinctive source,
inputs, printed text and output; then B, in the same worker's sandbox, reads every page of its
own address space it can reach (``heap_scan``) and must find none of them."""

from __future__ import annotations

import os

import numpy as np
import pytest

from grader.sandbox import Limits, RunStatus, detect_tier, run_calls
from tests.security.heap_scan import READERS, scanner

pytestmark = pytest.mark.sandbox
SCAN_LIMITS = Limits(cpu_seconds=20.0, wall_seconds=40.0)
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


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_later_run_finds_nothing_of_an_earlier_one_in_its_memory(reader):
    if detect_tier() == "unsafe":
        pytest.skip("the unsafe tier promises no isolation")
    secrets = victim_run()

    scan = run_calls(scanner(reader), "f", [{"args": [np.zeros(2)]}], SCAN_LIMITS)

    assert scan.status is RunStatus.OK and scan.calls[0].ok, (scan.message, scan.calls)
    pages = int(scan.stdout.split()[1])
    assert pages > 2000, f"the scan read only {pages} pages: it proves nothing"
    dump = scan.calls[0].value.tobytes()
    found = {kind: sum(s in dump for s in items) for kind, items in secrets.items()}
    assert found == dict.fromkeys(secrets, 0), f"B found A's {found}"
