from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "manage_auth"
urlpatterns = [
    path("login/", views.AdministratorLoginView.as_view(), name="login"),
    path(
        "logout/",
        auth_views.LogoutView.as_view(next_page="manage_auth:login"),
        name="logout",
    ),
    path("lockouts/", views.lockout_list, name="lockouts"),
    path(
        "second-factor-reset/",
        views.second_factor_reset,
        name="second_factor_reset",
    ),
]
