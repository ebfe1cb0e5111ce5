from django.core.management.base import BaseCommand, CommandError

from exercises.ops import health


class Command(BaseCommand):
    help = "Check that the database and the broker answer; one line each, non-zero on failure."

    def handle(self, *args, **options):
        report = health.report()
        for name in ("database", "broker"):
            self.stdout.write(f"{name}: {report[name]}")
        self.stdout.write(f"sandbox: {report['sandbox'].get('tier')}")
        if not report["ok"]:
            failed = [n for n in ("database", "broker") if report[n] != "ok"]
            raise CommandError(f"cannot reach the {' and the '.join(failed)}")
