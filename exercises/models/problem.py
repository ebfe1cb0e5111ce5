"""A problem of the bank, imported from ``exercises/content/<slug>/`` and editable in the admin."""

from __future__ import annotations

import uuid

from django.db import models


class Problem(models.Model):
    """One problem. ``spec`` is the parsed ``problem.yaml`` (plus, for code problems, the hidden
    ``tests.py`` source under ``spec["tests_source"]``); it is graded by ``grader.kinds`` and is
    never served whole: the API serves the statement, the student's params and the answer format.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    statement = models.TextField(help_text="Markdown with $math$ and {{ param }} placeholders.")
    points = models.PositiveIntegerField(default=1)
    tags = models.JSONField(default=list, blank=True)
    spec = models.JSONField(default=dict)
    limits = models.JSONField(default=dict, blank=True)
    starter_code = models.TextField(blank=True)
    # The hints: of problem.yaml, checked and normalised (``exercises.hints``); never served
    # whole: a student gets the text of the hints they unlocked only.
    hints = models.JSONField(default=list, blank=True)
    # Provenance: where the files were and what they hashed to, so a re-import knows what changed.
    source_path = models.CharField(max_length=300, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    changed_since_import = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.slug
