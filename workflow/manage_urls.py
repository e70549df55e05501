from django.urls import path

from workflow import manage_views

app_name = "workflow_manage"
urlpatterns = [
    path("", manage_views.route_list, name="route_list"),
    path("<int:version_id>/", manage_views.route_edit, name="route_edit"),
    path(
        "<int:version_id>/simulate/", manage_views.route_simulate, name="route_simulate"
    ),
]
