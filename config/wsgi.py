import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _freeze_startup_objects() -> None:
    """Load the URLconf (and so every view module), then move everything allocated so far into
    the collector's permanent generation. Those objects live as long as the process. Otherwise
    every full collection walks Django's whole object graph, which showed up as 40 ms pauses in
    the middle of leaderboard requests (bench/bench_leaderboard.py)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imported for its side effect
    gc.freeze()


_freeze_startup_objects()
