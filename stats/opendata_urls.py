from django.urls import path

from stats import opendata_views as views

app_name = "opendata"
urlpatterns = [
    path("", views.opendata_index, name="index"),
    path("catalog.jsonld", views.opendata_catalog, name="catalog"),
    path(
        "<str:month>/<int:number>/<slug:dataset>.<str:fmt>",
        views.opendata_file,
        name="file",
    ),
]
