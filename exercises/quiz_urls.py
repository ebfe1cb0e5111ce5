"""Quiz pages, mounted under ``/quizzes/`` by ``exercises.urls``."""

from django.urls import path

from exercises import quiz_views as v

urlpatterns = [
    path("", v.quiz_list, name="quiz-list"),
    path("new/<slug:cohort_slug>", v.quiz_new, name="quiz-new"),
    path("<int:pk>", v.quiz_page, name="quiz"),
    path("<int:pk>/start", v.quiz_start, name="quiz-start"),
    path("<int:pk>/questions/<int:position>", v.quiz_answer, name="quiz-answer"),
    path("<int:pk>/finish", v.quiz_finish, name="quiz-finish"),
    path("<int:pk>/clock", v.quiz_clock, name="quiz-clock"),
    path("<int:pk>/edit", v.quiz_edit, name="quiz-edit"),
    path("<int:pk>/preview", v.quiz_preview, name="quiz-preview"),
    path("<int:pk>/publish", v.quiz_publish, name="quiz-publish"),
    path("<int:pk>/monitor", v.quiz_monitor, name="quiz-monitor"),
    path("<int:pk>/extend", v.quiz_extend, name="quiz-extend"),
    path("<int:pk>/accommodations", v.quiz_accommodate, name="quiz-accommodate"),
    path("<int:pk>/close", v.quiz_close, name="quiz-close"),
    path("<int:pk>/results", v.quiz_results, name="quiz-results"),
    path("<int:pk>/results.csv", v.quiz_results_csv, name="quiz-results-csv"),
]
