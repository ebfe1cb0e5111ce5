from django.urls import include, path

from exercises.accounts import views as account_views
from exercises.api import docs as api_docs
from exercises.pages import leaderboard as leaderboard_views
from exercises.pages import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("join", account_views.join_cohort, name="join"),
    path("problems/<slug:slug>", views.problem_page, name="problem"),
    path("problems/<slug:slug>/progress", views.problem_progress, name="problem-progress"),
    path("problems/<slug:slug>/hints/<int:index>", views.problem_hint, name="problem-hint"),
    path("submissions/<int:pk>", views.submission_page, name="submission"),
    path("submissions/<int:pk>/window", views.submission_window, name="submission-window"),
    path("api/docs", api_docs.api_docs, name="api-docs"),
    path("api/docs/swagger", api_docs.swagger, name="api-docs-swagger"),
    path(
        "cohorts/<slug:slug>/leaderboard",
        leaderboard_views.leaderboard_page,
        name="leaderboard",
    ),
    path("quizzes/", include("exercises.pages.quiz_urls")),
]
