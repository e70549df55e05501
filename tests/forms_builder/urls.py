"""The project's URLs plus a bare page-form page for the browser tests."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from tests.forms_builder.views import page_form_view

urlpatterns = [
    path("test-forms/<int:index>/", page_form_view),
    *project_urlpatterns,
]
