"""Reads of the problem bank for the lists staff pages show.

A list shows each problem's title in the reader's language (``Problem.display_title``), which
reads the problem's ``texts``: every list here prefetches them, so a page of forty problems
makes the same queries as a page of two.
"""

from __future__ import annotations

from django.db.models import QuerySet

from exercises.models import Problem


def with_texts(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    """``problems`` with their titles and statements in every language read in one query."""
    return problems.prefetch_related("texts")


def bank() -> QuerySet[Problem]:
    """The whole bank, by slug (the problem bank page, the quiz builder's list)."""
    return with_texts(Problem.objects.order_by("slug"))


def titles(slugs: list[str]) -> dict[str, str]:
    """``{slug: title in the reader's language}`` for the problems of ``slugs`` that exist."""
    return {p.slug: p.display_title for p in with_texts(Problem.objects.filter(slug__in=slugs))}
