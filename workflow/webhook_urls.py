from django.urls import path

from workflow import webhook_views as views

app_name = "workflow_webhooks"
urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_edit, name="create"),
    path("<int:pk>/", views.webhook_detail, name="detail"),
    path("<int:pk>/edit/", views.webhook_edit, name="edit"),
    path("<int:pk>/test/", views.webhook_test, name="test"),
    path("<int:pk>/active/", views.webhook_active, name="active"),
    path("<int:pk>/delete/", views.webhook_delete, name="delete"),
]
