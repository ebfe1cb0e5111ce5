"""The instructor's side: cohorts, roster, assignments, gradebook, analytics, regrade, authoring
preview. Pages live under ``/teach/``; every one resolves the cohort through ``access``."""
