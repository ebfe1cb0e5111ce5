from django.urls import path

from exercises.instructor import views
from exercises.integrity import views as integrity

app_name = "teach"

urlpatterns = [
    path("", views.home, name="home"),
    path("problems/", views.problem_bank, name="problems"),
    path("problems/<slug:problem_slug>/preview", views.problem_preview, name="preview"),
    path("<slug:slug>/", views.cohort_detail, name="cohort"),
    path("<slug:slug>/join-code", views.join_code, name="join-code"),
    path("<slug:slug>/members/<int:membership_id>/role", views.member_role, name="member-role"),
    path("<slug:slug>/roster", views.roster_upload, name="roster"),
    path("<slug:slug>/assignments/new", views.assignment_edit, name="assignment-new"),
    path(
        "<slug:slug>/assignments/<slug:assignment_slug>/edit",
        views.assignment_edit,
        name="assignment-edit",
    ),
    path(
        "<slug:slug>/assignments/<slug:assignment_slug>/extensions",
        views.extensions,
        name="extensions",
    ),
    path(
        "<slug:slug>/assignments/<slug:assignment_slug>/integrity",
        integrity.report_page,
        name="integrity",
    ),
    path(
        "<slug:slug>/assignments/<slug:assignment_slug>/integrity.csv",
        integrity.report_download,
        name="integrity-csv",
    ),
    path(
        "<slug:slug>/assignments/<slug:assignment_slug>/integrity/<slug:problem_slug>/"
        "<int:a_id>-<int:b_id>",
        integrity.pair_page,
        name="integrity-pair",
    ),
    path("<slug:slug>/gradebook", views.gradebook_page, name="gradebook"),
    path("<slug:slug>/gradebook.csv", views.gradebook_csv, name="gradebook-csv"),
    path("<slug:slug>/students/<int:user_id>", views.student_page, name="student"),
    path(
        "<slug:slug>/problems/<slug:problem_slug>/analytics",
        views.problem_analytics,
        name="analytics",
    ),
    path(
        "<slug:slug>/problems/<slug:problem_slug>/regrade",
        views.regrade_start,
        name="regrade",
    ),
    path("<slug:slug>/regrades/<int:job_id>", views.regrade_job, name="regrade-job"),
]
