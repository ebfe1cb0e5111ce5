"""Everything that decides a score.

Pure functions of their inputs (a seed in, the same numbers out); importable without Django.
Nothing under ``grader/`` imports ``exercises/``: ``grader/tasks.py`` is the one door between
them, and it talks to the Django side only through ``exercises.services``.
"""
