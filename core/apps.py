from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("共通基盤")

    def ready(self) -> None:
        from django.urls import register_converter

        from core.input_characters import TokenConverter

        # ``<token:…>``: QR verification tokens; anything else never matches.
        register_converter(TokenConverter, "token")
