"""URLs for the form builder's tests: the project's shared areas plus ours.

Other apps are built in the same tree at the same time; these tests do not
depend on their URL modules being importable at every moment.
"""

from django.urls import include, path

from tests.forms_builder.views import page_form_view

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("staff/", include("accounts.staff_urls")),
    path("manage/", include("accounts.manage_urls")),
    path("manage/forms/", include("forms_builder.urls")),
    path("test-forms/<int:index>/", page_form_view),
    path("", include("core.urls")),
]
