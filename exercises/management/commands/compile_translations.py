"""``manage.py compile_translations``: every .po to .mo, without GNU gettext."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from exercises.ops import translations


class Command(BaseCommand):
    help = "Compile the .po catalogues under LOCALE_PATHS to .mo (pure Python, no msgfmt)."

    def handle(self, *args, **options) -> None:
        try:
            compiled = translations.compile_all()
        except translations.CatalogueError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] >= 1:
            self.stdout.write(f"compiled {len(compiled)} catalogue(s)")
