from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "exercises"
    verbose_name = "Stride exercises"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from exercises import signals  # noqa: F401  (connects the receivers)
