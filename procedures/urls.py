from django.urls import path

from procedures import views

app_name = "procedures"
urlpatterns = [
    path("procedures/", views.catalogue, name="catalogue"),
    path("procedures/<slug:code>/", views.procedure_detail, name="detail"),
    path("procedures/<slug:code>/start/", views.application_start, name="start"),
    path("my/", views.my_applications, name="my_applications"),
    path("my/close-account/", views.account_close, name="account_close"),
    path("my/<uuid:public_id>/", views.application_detail, name="application_detail"),
    path(
        "my/<uuid:public_id>/page/<int:index>/",
        views.application_page,
        name="application_page",
    ),
    path(
        "my/<uuid:public_id>/confirm/",
        views.application_confirm,
        name="application_confirm",
    ),
    path(
        "my/<uuid:public_id>/receipt/",
        views.application_receipt,
        name="application_receipt",
    ),
    path(
        "my/<uuid:public_id>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "my/<uuid:public_id>/discard/",
        views.application_discard,
        name="application_discard",
    ),
    path(
        "my/<uuid:public_id>/files/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
]
