from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "staff_auth"
urlpatterns = [
    path("login/", views.CaseworkerLoginView.as_view(), name="login"),
    path(
        "logout/",
        auth_views.LogoutView.as_view(next_page="staff_auth:login"),
        name="logout",
    ),
]
