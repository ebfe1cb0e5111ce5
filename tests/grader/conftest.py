"""Fixtures for the grader tests: kinds and minimal specs."""

import pytest

from grader.kinds import get_kind


def spec_for(recipe: str, kind: str = "number", **extra):
    return {"kind": kind, "recipe": recipe, **extra}


@pytest.fixture
def number():
    return get_kind("number")


@pytest.fixture
def matrix():
    return get_kind("matrix")


@pytest.fixture
def shape():
    return get_kind("shape")


@pytest.fixture
def choice():
    return get_kind("choice")
