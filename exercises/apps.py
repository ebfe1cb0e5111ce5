from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "exercises"
    verbose_name = "Stride exercises"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        # cycle: Django imports this module while it loads the apps, before any model can be
        # imported; the receivers and the models are imported once the registry is ready.
        from exercises import signals  # noqa: F401  (connects the receivers)
        from exercises.models import Membership

        # Every membership change (a join, a role, a display name, an opt-out, a removal)
        # changes what the cohort's boards show (``leaderboards.boards_changed``).
        post_save.connect(_roster_changed, sender=Membership, dispatch_uid="stride-roster-save")
        post_delete.connect(_roster_changed, sender=Membership, dispatch_uid="stride-roster-del")


def _roster_changed(sender, instance, **kwargs) -> None:
    # cycle: the leaderboard imports the models, which cannot load with this module (above).
    from exercises.leaderboards import services as leaderboards

    leaderboards.boards_changed(leaderboards.BoardChange.ROSTER, cohort_id=instance.cohort_id)
