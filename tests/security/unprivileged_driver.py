"""Runs the hostile corpus through the sandbox as whatever user starts it, and prints what it
saw as JSON: ``tests/security/test_unprivileged.py`` starts it as ``nobody``, which takes the
full tier's user-namespace path (the one a non-root worker, such as docker-compose's, takes).

Usage: ``python -m tests.security.unprivileged_driver '<placeholders as JSON>'``
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys

from grader.sandbox import detect_tier, health, warm_up
from tests.security.attacks import ATTACKS
from tests.security.containment import grade_while_another_worker_starves, run_attack


def main() -> None:
    values = json.loads(sys.argv[1])
    tier = detect_tier()
    report: dict = {"uid": os.getuid(), "tier": tier, "attacks": {}}
    if tier == "full":
        warm_up()
        report["health"] = health()
        for attack in ATTACKS:
            report["attacks"][attack.name] = dataclasses.asdict(run_attack(attack, values))
        report["cross_worker"] = grade_while_another_worker_starves()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
