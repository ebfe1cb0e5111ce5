"""Problems for the page and API tests: one per kind, built from the kinds' recipes, in an
assignment of the personas' cohort (``cohort``) and one of the outsider's (``other_cohort``)."""

from __future__ import annotations

import pytest

from tests import factories

CONV_SPEC = {"recipe": "conv-single-channel"}
CONV3_SPEC = {"recipe": "conv-three-channels"}
SIZE_SPEC = {"recipe": "output-size-stride"}
SHAPE_SPEC = {"recipe": "feature-map-volume"}
CHOICE_SPEC = {
    "options": [
        {"key": "local", "text": "Local connectivity"},
        {"key": "shared", "text": "Shared weights"},
        {"key": "dense", "text": "Every input connected to every neuron"},
    ],
    "correct": ["local", "shared"],
    "multiple": True,
}


@pytest.fixture
def conv_problem(db):
    return factories.make_problem(
        "conv-single-channel",
        kind="matrix",
        spec=CONV_SPEC,
        title="Convolve one channel",
        statement="Slide $w$ over $x$ with stride {{ stride }}.",
    )


@pytest.fixture
def bank(db, cohort, conv_problem):
    """The personas' assignment: one problem of each quick kind."""
    problems = [
        conv_problem,
        factories.make_problem(
            "conv-three-channels", kind="matrix", spec=CONV3_SPEC, title="Three channels"
        ),
        factories.make_problem("output-size-stride", kind="number", spec=SIZE_SPEC),
        factories.make_problem("feature-map-volume", kind="shape", spec=SHAPE_SPEC),
        factories.make_problem("cnn-concepts", kind="choice", spec=CHOICE_SPEC),
    ]
    assignment = factories.make_assignment(cohort, problems, title="CNN basics", slug="cnn-basics")
    return {p.slug: p for p in problems} | {"assignment": assignment}


@pytest.fixture
def secret_problem(db, other_cohort):
    """A problem only the other cohort has."""
    problem = factories.make_problem(
        "other-cohorts-problem", kind="number", spec=SIZE_SPEC, title="Not yours"
    )
    factories.make_assignment(other_cohort, [problem], slug="other-work")
    return problem
