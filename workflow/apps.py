from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("決裁ワークフロー")

    def ready(self) -> None:
        from procedures.packages import register_section
        from workflow.packages import export_route, import_route

        register_section("route", export_route, import_route)
