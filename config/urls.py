from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from exercises.accounts import language_views
from exercises.accounts import views as account_views
from exercises.ops import views as ops_views
from exercises.pages import views as exercise_views

# Account pages use our templates under their own names: the admin's registration/ templates
# (installed first) would otherwise be found before ours.
urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("favicon.ico", exercise_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/change_form.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/change_done.html"),
        name="password_change_done",
    ),
    path("i18n/setlang/", language_views.set_language, name="set_language"),
    # gettext() for our scripts: the active language's strings of the exercises app.
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["exercises"]),
        name="javascript-catalog",
    ),
    path("accounts/signup/", account_views.SignUpView.as_view(), name="signup"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="registration/reset_form.html",
            email_template_name="registration/reset_email.txt",
            subject_template_name="registration/reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(
            template_name="registration/reset_choose.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/reset_done.html"),
        name="password_reset_complete",
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        account_views.InvitationView.as_view(),
        name="invitation",
    ),
    path("api/v1/", include("exercises.api.urls")),
    path("teach/", include("exercises.teach.urls")),
    path("", include("exercises.urls")),
]
