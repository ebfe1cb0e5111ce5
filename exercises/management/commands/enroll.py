from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.cohorts.services import RosterError, decode_csv, import_roster
from exercises.models import Cohort


class Command(BaseCommand):
    help = (
        "Enroll a roster CSV (username[,email,first_name,last_name,display_name,role,password]) "
        "into a cohort; all rows or none. New users without a password get an unusable one."
    )

    def add_arguments(self, parser):
        parser.add_argument("cohort", help="cohort slug")
        parser.add_argument("csv", help="path to the roster CSV (UTF-8)")

    def handle(self, *args, cohort, csv, **options):
        target = Cohort.objects.filter(slug=cohort).first()
        if target is None:
            raise CommandError(f"No cohort {cohort!r}.")
        try:
            data = Path(csv).read_bytes()
        except OSError as exc:
            raise CommandError(f"{csv}: cannot read: {exc.strerror}") from None
        try:
            report = import_roster(target, decode_csv(data))
        except RosterError as exc:
            for line in exc.errors:
                self.stderr.write(f"{csv}: {line}")
            raise CommandError(f"{len(exc.errors)} error(s); nobody was enrolled.") from None
        self.stdout.write(
            f"new users {len(report.created_users)}, enrolled {len(report.enrolled)}, "
            f"updated {len(report.updated)}, unchanged {len(report.unchanged)}"
        )
