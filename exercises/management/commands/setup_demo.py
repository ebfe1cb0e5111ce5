from django.core.management.base import BaseCommand

from exercises.ops.demo import setup_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo cohort, its accounts and the CNN basics assignment."

    def handle(self, *args, **options):
        accounts = setup_demo()
        self.stdout.write(
            f"Demo accounts (password '{accounts.password}'): {accounts.instructor} (instructor), "
            f"{', '.join(accounts.students)} (students); cohort '{accounts.cohort}', "
            f"join code {accounts.join_code}"
        )
