from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from exercises import views as exercise_views

urlpatterns = [
    path("healthz", exercise_views.healthz, name="healthz"),
    path("favicon.ico", exercise_views.favicon, name="favicon"),
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
    path("api/v1/", include("exercises.api.urls")),
    path("teach/", include("exercises.instructor.urls")),
    path("", include("exercises.urls")),
]
