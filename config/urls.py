from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from exercises import language_views
from exercises import views as exercise_views

urlpatterns = [
    path("healthz", exercise_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", exercise_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", language_views.set_language, name="set_language"),
    # gettext() for our scripts: the active language's strings of the exercises app.
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["exercises"]),
        name="javascript-catalog",
    ),
    path("api/v1/", include("exercises.api.urls")),
    path("teach/", include("exercises.instructor.urls")),
    path("", include("exercises.urls")),
]
