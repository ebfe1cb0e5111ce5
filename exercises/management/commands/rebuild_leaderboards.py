from django.core.management.base import BaseCommand, CommandError

from exercises.leaderboards import services as leaderboards
from exercises.models import Cohort


class Command(BaseCommand):
    help = (
        "Rebuild the Redis leaderboards from the database (the source of truth): every cohort, "
        "or the one named. Without REDIS_URL there is nothing to rebuild (boards are computed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("cohort", nargs="?", help="cohort slug (default: all cohorts)")

    def handle(self, *args, cohort=None, **options):
        target = None
        if cohort:
            target = Cohort.objects.filter(slug=cohort).first()
            if target is None:
                raise CommandError(f"No cohort {cohort!r}.")
        if leaderboards.redis_client() is None:
            self.stdout.write("REDIS_URL is not set: leaderboards are computed from the database.")
            return
        count = leaderboards.rebuild_all(target)
        self.stdout.write(f"rebuilt {count} board(s)")
