from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("アカウント")
    default = True

    def ready(self) -> None:
        from . import signals  # noqa: F401  (staff login/logout audit)


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django admin with ``accounts.admin_site.StaffAdminSite`` as ``admin.site``."""

    default = False
    default_site = "accounts.admin_site.StaffAdminSite"
