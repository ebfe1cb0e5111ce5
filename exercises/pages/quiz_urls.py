"""Quiz pages, mounted under ``/quizzes/`` by ``exercises.urls``: the list and the pages a
student sits a quiz on. The staff pages live under ``/teach/<cohort>/quizzes/`` (behind the
/teach/ guard); their first addresses here keep working as redirects (``moved_to_teach``)."""

from django.urls import path

from exercises.pages import quizzes as v

# Old address, its name (unchanged, so existing links resolve), the teach: page it moved to,
# and whether that page is an instructor's write.
MOVED = [
    ("new/<slug:cohort_slug>", "quiz-new", True),
    ("<int:pk>/edit", "quiz-edit", True),
    ("<int:pk>/preview", "quiz-preview", False),
    ("<int:pk>/publish", "quiz-publish", True),
    ("<int:pk>/monitor", "quiz-monitor", False),
    ("<int:pk>/extend", "quiz-extend", True),
    ("<int:pk>/accommodations", "quiz-accommodate", True),
    ("<int:pk>/close", "quiz-close", True),
    ("<int:pk>/results", "quiz-results", False),
    ("<int:pk>/results.csv", "quiz-results-csv", False),
]

urlpatterns = [
    path("", v.quiz_list, name="quiz-list"),
    path("<int:pk>", v.quiz_page, name="quiz"),
    path("<int:pk>/start", v.quiz_start, name="quiz-start"),
    path("<int:pk>/questions/<int:position>", v.quiz_answer, name="quiz-answer"),
    path("<int:pk>/finish", v.quiz_finish, name="quiz-finish"),
    path("<int:pk>/clock", v.quiz_clock, name="quiz-clock"),
    *(path(old, v.moved_to_teach(name, write=write), name=name) for old, name, write in MOVED),
]
