from django.urls import path

from records import views

app_name = "records"
urlpatterns = [
    path("", views.records_due, name="due"),
    path(
        "transfers/<int:pk>/confirm/", views.transfer_confirm, name="transfer_confirm"
    ),
]
