"""The app people see: problems, assignments, cohorts, submissions, leaderboards."""
