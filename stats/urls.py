from django.urls import path

from stats import views

app_name = "stats"
urlpatterns = [
    path("manage/kpi/", views.kpi_dashboard, name="kpi_dashboard"),
    path("manage/kpi/cases/", views.kpi_cases, name="kpi_cases"),
    path("manage/kpi/targets/", views.kgi_targets, name="kgi_targets"),
    path("staff/kpi/", views.kpi_section, name="kpi_section"),
    path("staff/kpi/cases/", views.kpi_section_cases, name="kpi_section_cases"),
    path(
        "staff/paper-applications/new/",
        views.paper_application_new,
        name="paper_application_new",
    ),
]
