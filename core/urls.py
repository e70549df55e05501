from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("staff/", views.staff_home, name="staff_home"),
    path("manage/", views.manage_home, name="manage_home"),
    path("manage/outbox/", views.outbox_list, name="outbox"),
    path("manage/security-events/", views.security_events, name="security_events"),
    path("manage/outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
]
