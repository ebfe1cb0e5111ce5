from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from exercises.bank.importer import ImportFailed, import_problems


class Command(BaseCommand):
    help = "Validate and import problem folders (a folder or a whole bank); all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.STRIDE["CONTENT_DIR"]))

    def handle(self, *args, path, **options):
        try:
            report = import_problems(Path(path))
        except ImportFailed as exc:
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError(f"{len(exc.errors)} error(s); nothing was imported.") from None
        if not (report.created or report.updated or report.unchanged):
            self.stderr.write(f"no problem folders (with a problem.yaml) under {path}")
        self.stdout.write(
            f"created {len(report.created)}, updated {len(report.updated)}, "
            f"unchanged {len(report.unchanged)}"
        )
