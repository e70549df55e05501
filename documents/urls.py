from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<token:token>/", views.verify, name="verify_token"),
    path("documents/<uuid:public_id>/download/", views.download, name="download"),
    path("manage/documents/", views.template_list, name="template_list"),
    path(
        "manage/documents/<int:version_id>/",
        views.template_edit,
        name="template_edit",
    ),
    path(
        "manage/documents/<int:version_id>/preview.pdf",
        views.template_preview,
        name="template_preview",
    ),
]
