from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("発行文書")

    def ready(self) -> None:
        from documents import checks  # noqa: F401 (registers the checks)
        from documents.packages import export_template, import_template
        from procedures.packages import register_section

        register_section("document_template", export_template, import_template)
