from django.urls import path

from forms_builder import views

app_name = "forms_builder"

_version = "<slug:code>/v<int:number>/"
urlpatterns = [
    path("", views.form_list, name="form_list"),
    path("new/", views.form_create, name="form_create"),
    path("<slug:code>/", views.form_detail, name="form_detail"),
    path("<slug:code>/draft/", views.draft_create, name="draft_create"),
    path("<slug:code>/import/", views.form_import, name="form_import"),
    path(_version, views.version_edit, name="version_edit"),
    path(f"{_version}export.json", views.version_export, name="version_export"),
    path(f"{_version}publish/", views.version_publish, name="version_publish"),
    path(f"{_version}discard/", views.version_discard, name="version_discard"),
    path(f"{_version}preview/", views.version_preview, name="version_preview"),
    path(f"{_version}preview/reset/", views.preview_reset, name="preview_reset"),
    path(f"{_version}pages/add/", views.page_add, name="page_add"),
    path(f"{_version}pages/<slug:key>/", views.page_edit, name="page_edit"),
    path(f"{_version}pages/<slug:key>/action/", views.page_action, name="page_action"),
    path(f"{_version}fields/add/", views.field_add, name="field_add"),
    # Not under fields/: a field may be called "preview".
    path(f"{_version}field-preview/", views.field_preview, name="field_preview"),
    path(f"{_version}fields/<slug:key>/", views.field_edit, name="field_edit"),
    path(
        f"{_version}fields/<slug:key>/action/", views.field_action, name="field_action"
    ),
    path(
        f"{_version}fields/<slug:key>/template/",
        views.field_template,
        name="field_template",
    ),
    path(f"{_version}checks/add/", views.check_edit, name="check_add"),
    path(f"{_version}checks/<int:index>/", views.check_edit, name="check_edit"),
    path(
        f"{_version}checks/<int:index>/remove/",
        views.check_remove,
        name="check_remove",
    ),
]
