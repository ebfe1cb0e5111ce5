"""Each hostile submission must get its expected status, never a pass, and leave no trace:
no connection to the test's listeners, no file on the host, no surviving process, no secret in
the output, and the same zygote still grades the next honest submission."""

from __future__ import annotations

import os

import pytest

from grader.sandbox import RunStatus, detect_tier, run_calls
from tests.security.attacks import ATTACKS, Attack
from tests.security.containment import (
    HONEST,
    X,
    assert_contained,
    assert_host_untouched,
    hostile_world,
    placeholders,
    run_attack,
)

pytestmark = pytest.mark.sandbox
SECRET = "stride-secret-" + os.urandom(8).hex()


@pytest.fixture(scope="module")
def world():
    if detect_tier() != "full":
        pytest.skip("the security corpus is written against the full tier")
    os.environ["STRIDE_TEST_SECRET"] = SECRET
    try:
        with hostile_world() as world:
            assert run_calls(HONEST, "f", [{"args": [X]}]).status is RunStatus.OK
            yield world
    finally:
        os.environ.pop("STRIDE_TEST_SECRET", None)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_the_attack_is_contained(world, attack: Attack):
    outcome = run_attack(attack, placeholders(world))

    assert_contained(attack, outcome, SECRET)
    assert_host_untouched(world)


def test_the_corpus_covers_at_least_93_attacks():
    assert len(ATTACKS) >= 93
