from django.urls import include, path

from exercises import leaderboard_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("join", views.join_cohort, name="join"),
    path("problems/<slug:slug>", views.problem_page, name="problem"),
    path("submissions/<int:pk>", views.submission_page, name="submission"),
    path(
        "cohorts/<slug:slug>/leaderboard",
        leaderboard_views.leaderboard_page,
        name="leaderboard",
    ),
    path("quizzes/", include("exercises.quiz_urls")),
]
