from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _protect_audit_table(sender, using: str = "default", **kwargs) -> None:
    from core.audit import audit_protect_table

    audit_protect_table(using=using)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("共通基盤")

    def ready(self) -> None:
        from django.urls import register_converter

        from core import checks  # noqa: F401 (registers the checks)
        from core.input_characters import TokenConverter

        # After every migrate, not in a migration: the test database is built
        # without migrations, and the trigger must exist wherever the table does.
        post_migrate.connect(_protect_audit_table, sender=self)

        # ``<token:…>``: QR verification tokens; anything else never matches.
        register_converter(TokenConverter, "token")
