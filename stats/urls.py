from django.urls import path

from stats import opendata_views, views

app_name = "stats"
urlpatterns = [
    path("manage/kpi/", views.kpi_dashboard, name="kpi_dashboard"),
    path("manage/kpi/cases/", views.kpi_cases, name="kpi_cases"),
    path("manage/kpi/targets/", views.kgi_targets, name="kgi_targets"),
    path("manage/opendata/", opendata_views.opendata_manage, name="opendata_manage"),
    path(
        "manage/opendata/<int:pk>/",
        opendata_views.opendata_release,
        name="opendata_release",
    ),
    path(
        "manage/opendata/<int:pk>/approve/",
        opendata_views.opendata_release_approve,
        name="opendata_release_approve",
    ),
    path("staff/kpi/", views.kpi_section, name="kpi_section"),
    path("staff/kpi/cases/", views.kpi_section_cases, name="kpi_section_cases"),
    path(
        "staff/paper-applications/new/",
        views.paper_application_new,
        name="paper_application_new",
    ),
]
