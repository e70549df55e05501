from django.urls import path

from procedures import manage_views as views

app_name = "procedures_manage"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("new/", views.procedure_create, name="create"),
    path("new/due-date/", views.due_date_preview, name="due_date"),
    path("new/addressee/", views.addressee_fields, name="addressee_fields"),
    path("import/", views.package_import, name="import"),
    path("access-log/", views.access_log, name="access_log"),
    path("<slug:code>/", views.procedure_detail, name="detail"),
    path("<slug:code>/category/", views.procedure_category, name="category"),
    path("<slug:code>/status/", views.procedure_status, name="status"),
    path("<slug:code>/export/", views.package_export, name="export"),
    path("<slug:code>/versions/new/", views.version_draft, name="version_draft"),
    path(
        "<slug:code>/versions/<int:number>/edit/",
        views.version_edit,
        name="version_edit",
    ),
    path(
        "<slug:code>/versions/<int:number>/outcomes/",
        views.version_outcomes,
        name="version_outcomes",
    ),
    path(
        "<slug:code>/versions/<int:number>/publish/",
        views.version_publish,
        name="version_publish",
    ),
]
