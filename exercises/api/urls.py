from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from exercises.api import quiz_views, views

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
    path(
        "problems/<slug:slug>/hints/<int:index>",
        views.HintRequestView.as_view(),
        name="hint-request",
    ),
    path("submissions/<int:pk>", views.SubmissionDetailView.as_view(), name="submission-detail"),
    path("cohorts/<slug:slug>/leaderboard", views.LeaderboardView.as_view(), name="leaderboard"),
    path("quizzes/<int:pk>", quiz_views.QuizDetailView.as_view(), name="quiz-detail"),
    path("quizzes/<int:pk>/start", quiz_views.QuizStartView.as_view(), name="quiz-start"),
    path("quizzes/<int:pk>/finish", quiz_views.QuizFinishView.as_view(), name="quiz-finish"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
]
