"""Everything that decides a score.

Pure functions of their inputs (a seed in, the same numbers out). Nothing under ``grader/``
imports Django, Celery, ``exercises`` or ``config`` (an import-linter contract, ``make lint``):
the Django side calls in, from its Celery tasks (``exercises.submissions.tasks``) and its pages.
"""
