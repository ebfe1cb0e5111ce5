from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from exercises.cohorts.services import create_cohort
from exercises.teach.forms import CohortForm


class Command(BaseCommand):
    help = (
        "Open a cohort with an existing account as its instructor and print its join code "
        "(the same checks as the form on /teach/)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help='the cohort\'s name, e.g. "CNN 2026 spring"')
        parser.add_argument("--instructor", required=True, help="username of its instructor")
        parser.add_argument("--slug", help="its address (default: from the name)")
        parser.add_argument("--timezone", default="UTC", help="e.g. Asia/Seoul (default UTC)")

    def handle(self, *args, name, instructor, slug, timezone, **options):
        user = get_user_model().objects.filter(username=instructor).first()
        if user is None:
            raise CommandError(
                f"No user {instructor!r}: make the account first (manage.py createsuperuser)."
            )
        form = CohortForm({"name": name, "slug": slug or slugify(name), "timezone": timezone})
        if not form.is_valid():
            problems = [f"{field}: {' '.join(e)}" for field, e in form.errors.items()]
            raise CommandError("; ".join(problems))
        cohort = create_cohort(user, **form.cleaned_data)
        self.stdout.write(
            f"Cohort {cohort.name} ({cohort.slug}) created with {user.username} as instructor.\n"
            f"Join code: {cohort.join_code} (students sign up at /accounts/signup/)"
        )
