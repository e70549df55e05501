from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.japanese import format_display_date
from core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["when", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["target_id", "actor__email"]

    # The platform's one date style (和暦 with the local time), not Django's.
    @admin.display(description=_("日時"), ordering="created_at")
    def when(self, event: AuditEvent) -> str:
        return format_display_date(event.created_at, time=True)

    # The audit log is append-only, also for superusers.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
