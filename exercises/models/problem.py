"""A problem of the bank, imported from ``exercises/content/<slug>/`` and editable in the admin."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property

from exercises import languages


class Problem(models.Model):
    """One problem. ``spec`` is the parsed ``problem.yaml`` (plus, for code problems, the hidden
    ``tests.py`` source under ``spec["tests_source"]``); it is graded by ``grader.kinds`` and is
    never served whole: the API serves the statement, the student's params and the answer format.
    """

    # ``title`` and ``statement`` are the English text (``statement.md``), which grading and the
    # fallback read; every language's own text, English included, is a ``ProblemText`` row.
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
    # The hints: of problem.yaml, checked and normalised (``exercises.bank.hints``); never served
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

    @cached_property
    def _texts(self) -> dict[str, ProblemText]:
        """``{language: ProblemText}``, read once per instance (from a
        ``prefetch_related("texts")`` when the list was prefetched)."""
        return {t.language: t for t in self.texts.all()} if self.pk else {}

    @property
    def texts_in_hand(self) -> bool:
        """Whether ``text()`` needs no read: the texts were read, prefetched or kept."""
        return "_texts" in self.__dict__ or "texts" in getattr(
            self, "_prefetched_objects_cache", {}
        )

    def keep_texts(self, texts: Iterable[ProblemText]) -> None:
        """Take this problem's texts (every language's, ordered by language) as read by the
        caller, as a prefetch would: ``text()`` and ``display_title`` then read no more."""
        self.__dict__["_texts"] = {t.language: t for t in texts}

    def text(self, language: str | None = None) -> ProblemText:
        """The title and statement in ``language`` (default: the active language), else in
        English; a problem with no rows (before its first import) is its own English text."""
        chosen = languages.choose(self._texts, language)
        if chosen is None:
            return ProblemText(
                problem=self,
                language=languages.fallback(),
                title=self.title,
                statement=self.statement,
            )
        return self._texts[chosen]

    @property
    def available_languages(self) -> list[str]:
        """The languages this problem's text exists in, in the settings' order."""
        have = self._texts
        return [code for code in languages.configured() if code in have] or [languages.fallback()]

    @property
    def display_title(self) -> str:
        """The title in the active language (English when the problem has none in it)."""
        return self.text().title


class ProblemText(models.Model):
    """A problem's title and statement in one language: ``statement.md`` is English,
    ``statement.<code>.md`` the language ``<code>``. The params, answers and grading are the
    problem's own, the same in every language."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200)
    statement = models.TextField(help_text="Markdown with $math$ and {{ param }} placeholders.")

    class Meta:
        ordering = ["problem", "language"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "language"], name="one_text_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.problem_id}:{self.language}"
