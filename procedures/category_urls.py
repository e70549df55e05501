from django.urls import path

from procedures import category_views as views

app_name = "procedures_categories"
urlpatterns = [
    path("", views.category_list, name="list"),
    path("new/", views.category_edit, name="create"),
    path("<int:pk>/", views.category_edit, name="edit"),
]
