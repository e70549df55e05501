from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("手続")

    def ready(self) -> None:
        from procedures.addressee import export_applicant, import_applicant
        from procedures.outcomes import export_outcomes, import_outcomes
        from procedures.packages import register_section

        register_section("applicant", export_applicant, import_applicant)
        register_section("outcomes", export_outcomes, import_outcomes)
