from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from exercises.api import views

app_name = "api"

urlpatterns = [
    path("token", views.TokenView.as_view(), name="token"),
    path("problems", views.ProblemListView.as_view(), name="problem-list"),
    path("problems/<slug:slug>", views.ProblemDetailView.as_view(), name="problem-detail"),
    path(
        "problems/<slug:slug>/submissions",
        views.SubmissionCreateView.as_view(),
        name="submission-create",
    ),
    path("submissions/<int:pk>", views.SubmissionDetailView.as_view(), name="submission-detail"),
    path("cohorts/<slug:slug>/leaderboard", views.LeaderboardView.as_view(), name="leaderboard"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
]
