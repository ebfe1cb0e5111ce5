"""One student's run must not see another's bytes: submission A runs with distinctive source,
inputs, printed text and output; then B, in the same worker's sandbox, reads every page of its
own address space it can reach (``heap_scan``) and must find none of them."""

from __future__ import annotations

import numpy as np
import pytest

from grader.sandbox import Limits, RunStatus, detect_tier, run_calls
from tests.security.heap_scan import READERS, scanner, victim_run

pytestmark = pytest.mark.sandbox
SCAN_LIMITS = Limits(cpu_seconds=20.0, wall_seconds=40.0)


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
