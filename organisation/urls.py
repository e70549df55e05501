from django.urls import path

from organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.home, name="home"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_edit, name="department_create"),
    path("departments/<int:pk>/", views.department_edit, name="department_edit"),
    path("sections/", views.section_list, name="section_list"),
    path("sections/new/", views.section_edit, name="section_create"),
    path("sections/<int:pk>/", views.section_edit, name="section_edit"),
    path("positions/", views.position_list, name="position_list"),
    path("positions/new/", views.position_edit, name="position_create"),
    path("positions/<int:pk>/", views.position_edit, name="position_edit"),
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("assignments/new/", views.assignment_edit, name="assignment_create"),
    path("assignments/<int:pk>/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("absences/", views.absence_list, name="absence_list"),
    path("absences/new/", views.absence_edit, name="absence_create"),
    path("absences/<int:pk>/", views.absence_edit, name="absence_edit"),
    path("absences/<int:pk>/delete/", views.absence_delete, name="absence_delete"),
    path("import/", views.csv_import, name="csv_import"),
    path("import/sample.csv", views.csv_sample, name="csv_sample"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/invite/", views.staff_invite, name="staff_invite"),
]
