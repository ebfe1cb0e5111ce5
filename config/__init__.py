"""The Django project. Named ``config``: a package named ``platform`` would shadow Python's own
``platform`` module, which ``uuid``, Django and Celery import, and crash them."""

from config.celery import app as celery_app

__all__ = ("celery_app",)
